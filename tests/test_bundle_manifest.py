"""Every field of a bundle's manifest has a type and a bound, and a key fieldwork never writes
is refused (issue 17, stop 22): a re-sealed manifest with a wrong type is refused in words
naming the field, never a traceback, and the lead's database is unchanged."""

from __future__ import annotations

import json

import pytest

from fieldwork import cli, db
from fieldwork.problems import ProblemError
from fieldwork.services import bundles
from fieldwork.ui.components import sentence
from tests.db_snapshot import snapshot
from tests.laptops import LEAD_ACTOR, databases, export, random_answers, score  # noqa: F401 (fixture)
from tests.test_bundle_trust import _members, _zip, pair  # noqa: F401 (fixture)


def _resealed(content: bytes, change) -> bytes:
    members = dict(_members(content))
    manifest = json.loads(members[bundles.MANIFEST])
    change(manifest)
    bundles.seal_manifest(manifest)
    members[bundles.MANIFEST] = json.dumps(manifest).encode()
    return _zip(members.items())


def _setter(path: str, value):
    def change(manifest):
        *parents, last = path.split(".")
        target = manifest
        for p in parents:
            target = target[p]
        target[last] = value
    return change


# (field, value) -> what the message must say
TABLE = [
    ("created_by", ["inspector1"], "the manifest's created_by must be text, not a list"),
    ("created_by", "x" * 5_000, "the manifest's created_by must be 1 to 100 characters long (it is 5,000)"),
    ("created_by", 7, "the manifest's created_by must be text, not a whole number"),
    ("created_at", "yesterday", "the manifest's created_at 'yesterday' is not a date and time (ISO 8601)"),
    ("created_at", "1999-12-31T23:00:00+00:00", "is before 2000"),
    ("created_at", {"at": 1}, "the manifest's created_at must be a date and time (ISO 8601)"),
    ("format_version", True, "the manifest's format_version must be a whole number from 1"),
    ("format_version", "1", "the manifest's format_version must be a whole number from 1"),
    ("format_version", -1, "the manifest's format_version must be a whole number from 1 to 1,000 (it is -1)"),
    ("created_at", "9999-01-01T00:00:00+00:00", "is after the year 9998"),
    ("created_at", "9998-12-31T23:59:59-12:00", "is after the year 9998"),
    ("bundle_id", "../../etc", "the manifest's bundle_id must be up to 32 hex digits"),
    ("counts", [1, 2], "the manifest's counts must be an object, not a list"),
    ("counts.cases", "many", "the manifest's counts.cases must be a whole number, not text"),
    ("counts.cases", -1, "the manifest's counts.cases must be a whole number from 0 to 2,147,483,647"),
    ("counts.cases", 10 ** 30, "the manifest's counts.cases must be a whole number from 0"),
    ("counts.stolen", 1, "the manifest's counts.stolen is not a field a bundle's manifest holds"),
    ("scope.inspector", ["a"], "the manifest's scope.inspector must be text, not a list"),
    ("inspectors", "inspector1", "the manifest's inspectors must be a list, not text"),
    ("inspectors", [None], "the manifest's inspectors[1] must be text, not null"),
    ("questionnaire_versions", [{"questionnaire": "case_review"}],
     "the manifest's questionnaire_versions[1].version is missing"),
    ("sha256", 12, "the manifest's sha256 must be text, not a whole number"),
    ("extra", "hello", "the manifest's extra is not a field a bundle's manifest holds"),
    ("sensitive", 1.5, "the manifest's sensitive must be text, not a decimal number"),
]


@pytest.mark.parametrize("path,value,words", TABLE, ids=[f"{p}={str(v)[:12]}" for p, v, _ in TABLE])
def test_a_wrong_type_or_unknown_field_is_refused_naming_it(pair, path, value, words):
    content, lead = pair
    before = snapshot(lead)
    with pytest.raises(ProblemError) as caught, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, _resealed(content, _setter(path, value)), "laptop.zip")
    said = [sentence(p) for p in caught.value.problems]
    assert any(words.lower() in s.lower() for s in said), said
    assert {p.code for p in caught.value.problems} == {bundles.INVALID}
    assert snapshot(lead) == before


def test_a_missing_required_field_is_named(pair):
    content, lead = pair
    before = snapshot(lead)
    with pytest.raises(ProblemError) as caught, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, _resealed(content, lambda m: m.pop("created_by")), "laptop.zip")
    assert "the manifest's created_by is missing" in str(caught.value)
    assert snapshot(lead) == before


def test_an_honest_bundle_still_merges(pair):
    content, lead = pair
    with db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, _resealed(content, lambda m: None), "laptop.zip")


def test_the_cli_names_the_field_never_a_traceback(pair, tmp_path, capsys):
    content, lead = pair
    path = tmp_path / "b.fwbundle.zip"
    path.write_bytes(_resealed(content, _setter("counts", "lots")))
    before = snapshot(lead)
    assert cli.main(["--db", lead.url.render_as_string(hide_password=False), "bundle", "import", str(path)]) != 0
    err = capsys.readouterr().err
    assert "the manifest's counts must be an object, not text" in err and "Traceback" not in err
    assert snapshot(lead) == before
