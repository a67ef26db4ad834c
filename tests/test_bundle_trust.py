"""A bundle's word is not final: the manifest is inside what the checksum covers, an archive
holding a member twice or one a bundle never holds is refused, and --inspection is honoured."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from fieldwork import cli, db
from fieldwork.problems import ProblemError
from fieldwork.services import bundles
from tests.db_snapshot import snapshot
from tests.laptops import LEAD_ACTOR, databases, export, random_answers, score  # noqa: F401 (fixture)


@pytest.fixture
def pair(databases):
    laptop, lead = databases("laptop"), databases("lead")
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, 1))
    return export(laptop, LEAD_ACTOR), lead


def _members(content: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def _zip(members) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members:
            z.writestr(name, data)
    return out.getvalue()


def _refused(lead, content: bytes, words: str, **kwargs) -> None:
    before = snapshot(lead)
    with pytest.raises(ProblemError) as caught, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, content, "laptop.zip", **kwargs)
    assert words in str(caught.value), caught.value
    assert snapshot(lead) == before


def test_a_changed_manifest_is_refused(pair):
    content, lead = pair
    members = dict(_members(content))
    manifest = json.loads(members[bundles.MANIFEST])
    manifest["created_by"] = "someone else"
    members[bundles.MANIFEST] = json.dumps(manifest).encode()
    _refused(lead, _zip(members.items()), "does not match its own checksum")


def test_a_control_character_in_the_resealed_manifest_is_refused(pair):
    """Who exported the bundle is shown and audited: re-sealing the manifest does not let an
    escape sequence or a bell through (attacker re-test 2)."""
    content, lead = pair
    members = dict(_members(content))
    manifest = json.loads(members[bundles.MANIFEST])
    manifest["created_by"] = "os:root\x1b[31m\x07"
    bundles.seal_manifest(manifest)
    members[bundles.MANIFEST] = json.dumps(manifest).encode()
    _refused(lead, _zip(members.items()), "the manifest's created_by holds the control character U+001B")


def test_a_member_twice_is_refused(pair):
    content, lead = pair
    members = _members(content)
    payload = next(data for name, data in members if name == bundles.PAYLOAD)
    with pytest.warns(UserWarning):  # zipfile itself warns of the duplicate name
        doubled = _zip(members + [(bundles.PAYLOAD, payload)])
    _refused(lead, doubled, "more than once")


def test_an_unexpected_member_is_refused(pair):
    content, lead = pair
    _refused(lead, _zip(_members(content) + [("extra/evil.json", b"{}")]), "never holds")


def test_inspection_is_honoured(pair, tmp_path, capsys):
    content, lead = pair
    _refused(lead, content, "not 'another_inspection'", inspection="another_inspection")
    path = tmp_path / "laptop.zip"
    path.write_bytes(content)
    url = lead.url.render_as_string(hide_password=False)
    before = snapshot(lead)
    assert cli.main(["--db", url, "bundle", "import", str(path), "--inspection", "another_inspection"]) == 1
    assert "another inspection" in capsys.readouterr().err and snapshot(lead) == before
    with db.session_scope(lead) as s:  # the bundle's own inspection, named, is merged
        bundles.import_bundle(s, LEAD_ACTOR, content, "laptop.zip", inspection="living_in_fear_2017")


def test_every_answer_a_merge_changes_is_audited_old_to_new(databases):
    from sqlmodel import select

    from fieldwork import audit
    from models import AuditEvent
    from tests.laptops import edit, inspector, merge

    laptop, lead = databases("laptop"), databases("lead")
    uid = score(laptop, "inspector1", "HS-0001", random_answers(laptop, seed=3, avoidable_delay="no"))
    merge(lead, export(laptop, inspector("inspector1")))
    edit(laptop, "inspector1", uid, {"avoidable_delay": ("yes", "CCTV p.4")})
    with db.session_scope(lead) as s:
        before = len(s.exec(select(AuditEvent)).all())
    assert merge(lead, export(laptop, inspector("inspector1"))).replaced == 1
    with db.session_scope(lead) as s:
        new = s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()[before:]
    changes = [(e.action, e.question, e.old_value, e.new_value) for e in new
               if e.action in (audit.ANSWER_CHANGED, audit.NOTE_CHANGED)]
    assert (audit.ANSWER_CHANGED, "avoidable_delay", "no", "yes") in changes
    assert (audit.NOTE_CHANGED, "avoidable_delay", None, None) in changes
    assert all(e.case_ref == "HS-0001" and e.assessment_uid == uid for e in new if e.action == audit.ANSWER_CHANGED)
    assert "CCTV" not in " ".join(e.detail for e in new)  # a note's text never goes in the trail


@pytest.mark.parametrize("fault", ["missing_required", "irrelevant", "long_note"])
def test_bundled_answers_are_checked_like_an_import(databases, fault):
    from tests.test_bundles import rewrite

    laptop, lead = databases("laptop"), databases("lead")
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, 1, initial_risk_assessment="yes",
                                                          enhanced_risk_assessment="dash"))

    def change(payload):
        a = payload["assessments"][0]
        answers = {x["question"]: x for x in a["answers"]}
        if fault == "missing_required":  # a "complete" assessment with a required answer taken out
            a["answers"] = [x for x in a["answers"] if x["question"] != "initial_risk_assessment"]
        elif fault == "irrelevant":  # an answer the skip logic hides, to move a finding
            answers["enhanced_risk_assessment"]["value"] = "none"
        else:
            answers["initial_risk_assessment"]["note"] = "x" * 30_000

    before = snapshot(lead)
    with pytest.raises(ProblemError) as caught, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, rewrite(export(laptop, LEAD_ACTOR), change, fix_checksum=True), "b.zip")
    codes = {p.code for p in caught.value.problems}
    # the import's own codes: the bundle's answers go through its row check (test_bundle_row_check.py)
    assert codes == {"missing_required": {"missing_required"}, "irrelevant": {"irrelevant_answer"},
                     "long_note": {"bad_value"}}[fault]
    assert snapshot(lead) == before
