"""Attacker re-test 21 on laptop bundles, each hole as a test: a bundle (checksum recomputed, so
only the content is wrong) is refused with words a person can read and the lead's database is
left byte for byte as it was. Runs on SQLite and, with scripts/with-postgres, on PostgreSQL."""

from __future__ import annotations

import pytest

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import bundles
from tests.db_snapshot import snapshot
from tests.conftest import filled_template
from tests.laptops import LEAD_ACTOR, databases, export, random_answers, score, team_accounts  # noqa: F401 (fixture)
from tests.test_bundles import rewrite


def _one_case_exported(laptop) -> bytes:
    team_accounts(laptop)
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, 1, initial_risk_assessment="yes",
                                                          enhanced_risk_assessment="none"))
    return export(laptop, LEAD_ACTOR)


@pytest.fixture
def pair(databases):
    """A laptop's complete assessment with no enhanced risk assessment (so skip logic hides
    dash_supplementary_questions), exported (once per run: tests/conftest.py, filled_template);
    and the lead's empty database, a new one for each test."""
    return filled_template("laptop-one-case-no-era", _one_case_exported)[1], databases("lead")


def _edited(content: bytes, change) -> bytes:
    def on_first(payload):
        change(payload["assessments"][0])
    return rewrite(content, on_first, fix_checksum=True)


def _refused(lead, content: bytes, *words: str) -> ProblemError:
    before = snapshot(lead)
    with pytest.raises(ProblemError) as caught, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, content, "laptop.zip")
    text = str(caught.value) + " " + " ".join(p.message for p in caught.value.problems)
    for w in words:
        assert w in text, caught.value.problems
    assert snapshot(lead) == before
    return caught.value


def test_the_unedited_bundle_merges(pair):
    content, lead = pair
    with db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, content, "laptop.zip")


# --- A: an answer under a made-up instance ------------------------------------------------


def test_a_hidden_answer_under_a_made_up_instance_is_refused(pair):
    content, lead = pair
    bad = _edited(content, lambda a: a["answers"].append(
        {"question": "dash_supplementary_questions", "value": "yes", "instance": "x", "note": ""}))
    error = _refused(lead, bad, "dash_supplementary_questions", "'x'", "asked once per case")
    assert {p.item for p in error.problems} == {"HS-0001"}


def test_a_bad_code_under_an_instance_path_is_refused(pair):
    content, lead = pair
    bad = _edited(content, lambda a: a["answers"].append(
        {"question": "avoidable_delay", "value": "perhaps", "instance": "junk[1]", "note": ""}))
    _refused(lead, bad, "avoidable_delay", "'junk[1]'", "asked once per case")


def test_an_existing_answer_moved_under_an_instance_is_refused(pair):
    content, lead = pair

    def move(a):
        for x in a["answers"]:
            if x["question"] == "avoidable_delay":
                x["value"], x["instance"] = "perhaps", "x"
    _refused(lead, _edited(content, move), "avoidable_delay", "'x'")


# --- B: control characters in an answer's instance -----------------------------------------


@pytest.mark.parametrize("instance", ["\x1b[31m\x00x", "a\x07", "\x00"])
def test_a_control_character_in_an_instance_is_refused(pair, instance):
    content, lead = pair
    bad = _edited(content, lambda a: a["answers"].append(
        {"question": "avoidable_delay", "value": "yes", "instance": instance, "note": ""}))
    error = _refused(lead, bad, "the entry (instance) of the answer to 'avoidable_delay'", "cannot be stored")
    assert not any(ch in p.message for p in error.problems for ch in instance if ord(ch) < 32)  # never shown raw


# --- C: numbers and times beyond what the database holds ------------------------------------


@pytest.mark.parametrize("version, words", [(10 ** 20, "version must be a whole number from 1"),
                                            (2 ** 63, "version must be a whole number from 1"),
                                            (-1, "version must be a whole number from 1"),
                                            (0, "version must be a whole number from 1")])
def test_an_assessment_version_out_of_range_is_refused(pair, version, words):
    content, lead = pair

    def change(a):
        a["version"] = version
    _refused(lead, _edited(content, change), words)


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59", "1900-01-01T00:00:00"])
def test_a_time_no_laptop_recorded_is_refused(pair, moment):
    content, lead = pair

    def change(a):
        a["created_at"] = moment
    _refused(lead, _edited(content, change), "created_at", "is not a time the laptop could have recorded")


def test_the_cli_says_why_not_a_traceback(pair, tmp_path, capsys):
    from fieldwork import cli

    content, lead = pair

    def change(a):
        a["version"] = 10 ** 20
    path = tmp_path / "b.fwbundle.zip"
    path.write_bytes(_edited(content, change))
    before = snapshot(lead)
    assert cli.main(["--db", lead.url.render_as_string(hide_password=False), "bundle", "import", str(path)]) != 0
    assert "version must be a whole number" in capsys.readouterr().err
    assert snapshot(lead) == before


# --- D: nesting and unexpected keys ---------------------------------------------------------


def test_deep_nesting_under_an_unknown_key_is_refused(pair):
    content, lead = pair

    def nest(payload):
        deep: list = []
        for _ in range(900):
            deep = [deep]
        payload["assessments"][0]["extra"] = deep
    _refused(lead, rewrite(content, nest, fix_checksum=True), "nested deeper than")


def test_an_unexpected_top_level_key_is_refused(pair):
    content, lead = pair

    def add(payload):
        payload["surprise"] = {"a": 1}
    _refused(lead, rewrite(content, add, fix_checksum=True), "'surprise'", "a bundle never holds")


# --- E: an inspector who is not an account ------------------------------------------------


def test_an_inspector_who_is_not_an_account_is_refused_as_an_import_is(pair):
    content, lead = pair

    def change(a):
        a["inspector"] = "ghost_nobody"
    error = _refused(lead, _edited(content, change), "ghost_nobody is not an account")
    assert any(p.field == "inspector" and p.item == "HS-0001" for p in error.problems)
