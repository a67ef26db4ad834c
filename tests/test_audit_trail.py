"""Every kind of change leaves an audit row, written by the services themselves in the same
transaction: sign-ins, accounts, cases, answers (old and new code), notes (never their
text), status, imports, exports, merges, second marking and moderation decisions."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from fieldwork import audit, db
from fieldwork.problems import ProblemError
from fieldwork.services import (
    accounts, assessments, bundles, cases, importing, inspections, second_marking,
)
from exports import exporting
from fieldwork.services.permissions import ADMIN, Actor
from models import AuditEvent
from tests.accounts_helpers import PASSWORD, cheap_hashing, make_user  # noqa: F401 (fixture)
from tests.laptops import LEAD_ACTOR, databases, export, inspector, merge, random_answers, score  # noqa: F401
from tests.wide_helpers import case_review_rows, csv_bytes

NOTE = "Crime report p4 shows the DASH was done on the day"  # must never reach the trail
INSPECTOR1, INSPECTOR2 = inspector("inspector1"), inspector("inspector2")


def trail(engine, action: str | None = None) -> list[AuditEvent]:
    with db.session_scope(engine) as s:
        query = select(AuditEvent).order_by(AuditEvent.id)
        return s.exec(query.where(AuditEvent.action == action) if action else query).all()


def detail(event: AuditEvent) -> dict:
    return json.loads(event.detail) if event.detail else {}


def no_free_text(engine) -> None:
    text = " ".join(f"{e.detail} {e.old_value} {e.new_value} {e.case_ref} {e.question}" for e in trail(engine))
    assert NOTE not in text and "Crime report" not in text and PASSWORD not in text


@pytest.mark.usefixtures("cheap_hashing")
def test_sign_ins_failures_and_account_changes(engine):
    with db.session_scope(engine) as s:
        make_user(s, "lead1", "lead")
        make_user(s, "admin1", ADMIN)
    with db.session_scope(engine) as s:
        accounts.authenticate(s, "lead1", PASSWORD)
    with pytest.raises(accounts.SignInRefused):
        with db.session_scope(engine) as s:
            accounts.authenticate(s, "lead1", "not the password at all")
    with db.session_scope(engine) as s:
        accounts.set_role(s, Actor("admin1", ADMIN), "lead1", "inspector")
    assert [e.actor for e in trail(engine, audit.SIGN_IN)] == ["lead1"]
    (failed,) = trail(engine, audit.SIGN_IN_FAILED)
    assert failed.actor == "lead1" and detail(failed)["reason"] == "wrong_password"
    role = trail(engine, audit.USER_CHANGED)[-1]
    assert (role.actor, detail(role)) == ("admin1", {"account": "lead1", "change": "role", "old": "lead",
                                                      "new": "inspector"})
    no_free_text(engine)


def test_case_created_answers_changed_notes_and_status(engine):
    with db.session_scope(engine) as s:
        new = cases.add_case(s, INSPECTOR1, inspection=None, questionnaire_id="case_review", case_ref="HS-0001",
                             context={"force": "durham", "domestic_abuse": "yes", "offence_charged": "stalking_s4a",
                                      "plea": "guilty", "charged_by": "cps", "digital_element": "no"})
    (created,) = trail(engine, audit.CASE_CREATED)
    assert (created.actor, created.case_ref) == ("inspector1", "HS-0001")
    assert trail(engine, audit.ASSESSMENT_CREATED)[0].assessment_uid == new.assessment_uid

    with db.session_scope(engine) as s:
        version = assessments.load(s, INSPECTOR1, new.assessment_uid).version
        version = assessments.save(s, INSPECTOR1, new.assessment_uid, version, {"vps_taken": ("no", NOTE)}).version
        version = assessments.save(s, INSPECTOR1, new.assessment_uid, version, {"vps_taken": ("yes", None)}).version
    changes = [(e.question, e.old_value, e.new_value, e.case_ref, e.assessment_uid)
               for e in trail(engine, audit.ANSWER_CHANGED) if e.question == "vps_taken"]
    assert changes == [("vps_taken", None, "no", "HS-0001", new.assessment_uid),
                       ("vps_taken", "no", "yes", "HS-0001", new.assessment_uid)]
    (note,) = trail(engine, audit.NOTE_CHANGED)
    assert note.question == "vps_taken" and note.old_value is None and note.new_value is None

    with db.session_scope(engine) as s:
        q = inspections.load_questionnaire(s, "case_review")
        view = assessments.load(s, INSPECTOR1, new.assessment_uid)
        rest = {n: (v, None) for n, v in random_answers(engine, seed=3, charged_by="cps", domestic_abuse="yes",
                                                        force="durham", offence_charged="stalking_s4a",
                                                        plea="guilty", digital_element="no").items()
                if n not in cases.context_questions(q)}
        version = assessments.save(s, INSPECTOR1, new.assessment_uid, view.version, rest).version
        version = assessments.mark_complete(s, INSPECTOR1, new.assessment_uid, version).version
        assessments.reopen(s, INSPECTOR1, new.assessment_uid, version)
    statuses = [(e.actor, e.old_value, e.new_value) for e in trail(engine, audit.STATUS_CHANGED)]
    assert statuses == [("inspector1", "draft", "complete"), ("inspector1", "complete", "draft")]
    no_free_text(engine)


def test_a_refused_change_leaves_no_row(engine):
    with db.session_scope(engine) as s:
        new = cases.add_case(s, INSPECTOR1, inspection=None, questionnaire_id="case_review", case_ref="HS-0001",
                             context={"force": "durham", "domestic_abuse": "no", "offence_charged": "other",
                                      "plea": "guilty", "charged_by": "police", "digital_element": "no"})
    before = len(trail(engine))
    with pytest.raises(ProblemError):
        with db.session_scope(engine) as s:
            assessments.save(s, INSPECTOR1, new.assessment_uid, 1, {"vps_taken": ("maybe", None)})
    with pytest.raises(ProblemError):
        with db.session_scope(engine) as s:
            assessments.save(s, INSPECTOR2, new.assessment_uid, 1, {"vps_taken": ("no", None)})
    assert len(trail(engine)) == before


def test_imports_and_exports(engine):
    with db.session_scope(engine) as s:
        rows = case_review_rows(s, 3)
    rows[0]["note:initial_risk_assessment"] = NOTE
    with db.session_scope(engine) as s:
        importing.import_file(s, LEAD_ACTOR, "case_review", csv_bytes(rows), "phase2.csv")
    (imported,) = trail(engine, audit.IMPORT)
    assert imported.actor == "lead1" and detail(imported)["rows"] == 3 and detail(imported)["file"] == "phase2.csv"

    with db.session_scope(engine) as s:
        exporting.export_csv(s, LEAD_ACTOR, "case_review", file_name="out.csv")
        exporting.export_workbook(s, LEAD_ACTOR, "case_review", file_name="out.xlsx", with_notes=True)
        bundles.export_bundle(s, LEAD_ACTOR)
    exports = [(e.actor, detail(e).get("format") or detail(e).get("kind"), detail(e).get("notes_included"))
               for e in trail(engine, audit.EXPORT)]
    assert exports[:2] == [("lead1", "csv", False), ("lead1", "xlsx", True)]
    assert exports[2][:2] == ("lead1", "bundle")
    no_free_text(engine)


def test_merges(databases):
    laptop, lead = databases("laptop"), databases("lead")
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, seed=1), notes={"vps_taken": NOTE})
    merge(lead, export(laptop, INSPECTOR1), "inspector1.fwbundle.zip")
    merges = trail(lead, audit.MERGE)
    assert merges and all(e.actor == "lead1" for e in merges)
    assert any(detail(e).get("file") == "inspector1.fwbundle.zip" for e in merges)
    assert [e for e in trail(laptop, audit.EXPORT) if detail(e).get("kind") == "bundle"]
    no_free_text(lead)


def test_second_marking_and_moderation_decisions(engine):
    answers = random_answers(engine, seed=5, vps_taken="yes", avoidable_delay="no")
    uid = score(engine, "inspector1", "HS-0001", answers)
    with db.session_scope(engine) as s:
        (marking,) = second_marking.assign(s, LEAD_ACTOR, {uid: "inspector2"}, rule="test")
        marking_id, second_uid = marking.id, marking.second_uid
    assigned = trail(engine, audit.SECOND_MARKING)
    assert [(e.actor, e.case_ref, detail(e)["second"]) for e in assigned] == [("lead1", "HS-0001", "inspector2")]

    second = {k: v for k, v in answers.items() if k not in {"case_ref"}} | {"avoidable_delay": "yes"}
    with db.session_scope(engine) as s:
        q = inspections.load_questionnaire(s, "case_review")
        view = assessments.load(s, INSPECTOR2, second_uid)
        changes = {n: (v, None) for n, v in second.items() if n not in cases.context_questions(q)}
        version = assessments.save(s, INSPECTOR2, second_uid, view.version, changes).version
        assessments.mark_complete(s, INSPECTOR2, second_uid, version)
    with db.session_scope(engine) as s:
        second_marking.agree(s, LEAD_ACTOR, marking_id, "avoidable_delay", "yes")
        second_marking.finish(s, LEAD_ACTOR, marking_id)
    moderation = trail(engine, audit.MODERATION)
    assert [(e.actor, e.question, e.old_value, e.new_value, detail(e)["step"]) for e in moderation] == [
        ("lead1", "avoidable_delay", "no", "yes", "agreed"), ("lead1", None, None, None, "finished")]
    no_free_text(engine)


def test_a_questionnaire_added_from_an_xlsform_is_recorded(engine, tmp_path):
    from fieldwork.cli import main
    from fieldwork.questionnaire.xlsform import export_xlsform

    with db.session_scope(engine) as s:
        q = inspections.load_questionnaire(s, "pin_review")
    path = tmp_path / "pin.xlsx"
    export_xlsform(q, path)
    from openpyxl import load_workbook
    wb = load_workbook(path)
    settings = wb["settings"]
    for row in settings.iter_rows():
        for cell in row:
            if cell.value == q.version:
                cell.value = q.version + ".1"
    wb.save(path)
    assert main(["--db", str(engine.url.render_as_string(hide_password=False)), "questionnaire", "import",
                 str(path)]) == 0
    (added,) = trail(engine, audit.QUESTIONNAIRE_ADDED)
    assert added.actor == audit.os_user() and detail(added)["questionnaire"] == "pin_review"
