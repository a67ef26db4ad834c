"""One read-only case on both pages (fieldwork/ui/case_record.py): the inspector's completed
case on Assess and the lead's Case (read-only) page show the same sections, answers in words,
evidence notes, repeat entries and case examples; notes only for those who may read them."""

from __future__ import annotations

import pytest

from fieldwork import db
from fieldwork.services import assessments, case_examples, repeat_entries
from fieldwork.services.permissions import LEAD, PermissionDenied
from fieldwork.ui import case_record
from tests.apptest import page
from tests.assess_helpers import INSPECTOR1, INSPECTOR2, LEAD1, add, full_answers
from tests.repeat_helpers import add_case


def tables(at) -> list[list[dict]]:
    return [d.value.to_dict("records") for d in at.dataframe]


def both_pages(db_url, monkeypatch, case_id: int, uid: str):
    assess = page("pages/assess.py", db_url, monkeypatch, user="inspector1")
    assess.query_params["case"] = str(case_id)
    assess.run()
    view = page("pages/case_view.py", db_url, monkeypatch, user="lead1", role=LEAD)
    view.query_params["assessment"] = uid
    view.run()
    assert not assess.exception and not view.exception
    return assess, view


def test_a_completed_case_reads_the_same_on_assess_and_on_the_lead_s_case_view(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        case = add(s, ref="HS-0611")
        stored = assessments.load(s, INSPECTOR1, case.assessment_uid)
        answers = full_answers(stored.questionnaire, {**stored.answers, "initial_risk_assessment": "not_known"})
        changes = {k: (v, None) for k, v in answers.items() if k not in stored.answers}
        changes["initial_risk_assessment"] = ("not_known", "Incident log p.1: no risk form")
        result = assessments.save(s, INSPECTOR1, case.assessment_uid, stored.version, changes)
        assessments.mark_complete(s, INSPECTOR1, case.assessment_uid, result.version)
        case_examples.mark(s, LEAD1, "case_review", "HS-0611", "Risk never assessed at first contact.",
                           finding="initial_risk_assessment", answer="not_known")
    assess, view = both_pages(db_url, monkeypatch, case.case_id, case.assessment_uid)

    assert "Marked complete. Reopen it to change an answer." in [m.value for m in assess.success]
    shown = tables(assess)
    assert shown == tables(view)  # the same sections, questions, answers and notes, in the same order
    assert [h.value for h in assess.subheader] == [h.value for h in view.subheader][:len(assess.subheader)]
    rows = {r["question"]: r for t in shown for r in t}
    q = stored.questionnaire
    risk = rows[q.question("initial_risk_assessment").label]
    assert (risk["answer"], risk["evidence note"]) == ("Not known", "Incident log p.1: no risk form")  # words
    assert rows[q.question("force").label]["answer"] == "Durham Constabulary"
    # nothing editable on Assess but the case picker; the examples listed on both
    assert not assess.radio and not assess.text_input and not assess.text_area
    assert [b.key for b in assess.button] == [f"qf:{case.assessment_uid}:reopen"]
    for at in (assess, view):
        assert "Risk never assessed at first contact." in [t.value for t in at.text]
        assert any("marked by lead1" in m.value for m in at.markdown)


def test_repeat_entries_read_the_same_on_both_pages(engine, db_url, monkeypatch):
    case = add_case(engine, ref="HS-0612")
    with db.session_scope(engine) as s:
        repeat_entries.add_entry(s, INSPECTOR1, case.assessment_uid, 1, "incident")
        repeat_entries.add_entry(s, INSPECTOR1, case.assessment_uid, 2, "incident")
        result = assessments.save(s, INSPECTOR1, case.assessment_uid, 3, {
            "incident[1]/when": ("2016-01-01", "crime report p.2"), "incident[1]/attended": ("no", None),
            "incident[2]/when": ("2016-02-02", None), "incident[2]/attended": ("no", None)})
        assessments.mark_complete(s, INSPECTOR1, case.assessment_uid, result.version)
    assess, view = both_pages(db_url, monkeypatch, case.case_id, case.assessment_uid)

    shown = tables(assess)
    assert shown == tables(view)
    entries = [r for t in shown for r in t if r.get("question") == "Date of incident"]
    assert [(r["entry"], r["answer"], r["evidence note"]) for r in entries] == [
        ("Incident 1", "2016-01-01", "crime report p.2"), ("Incident 2", "2016-02-02", "")]
    attended = [r["answer"] for t in shown for r in t if r.get("question") == "Police attended?"]
    assert attended == ["No", "No"]


def test_notes_only_for_the_assessment_s_inspector_and_leads(engine):
    with db.session_scope(engine) as s:
        case = add(s, ref="HS-0613")
        assessments.save(s, INSPECTOR1, case.assessment_uid, 1, {"initial_risk_assessment": ("yes", "DASH p.3")})
        own = assessments.load(s, INSPECTOR1, case.assessment_uid)
        lead = assessments.load(s, LEAD1, case.assessment_uid)
        with pytest.raises(PermissionDenied):
            case_examples.of_assessment(s, INSPECTOR2, case.assessment_uid)
        assert case_examples.of_assessment(s, INSPECTOR1, case.assessment_uid) == []
    assert case_record.notes_visible(INSPECTOR1, own) and case_record.notes_visible(LEAD1, lead)
    assert not case_record.notes_visible(INSPECTOR2, own)  # a second marker scores blind
    hidden = case_record.rows(own, with_notes=False)
    assert all("evidence note" not in r for sec in hidden for r in sec.rows)
    shown = {r["question"]: r for sec in case_record.rows(own, with_notes=True) for r in sec.rows}
    assert shown[own.questionnaire.question("initial_risk_assessment").label]["evidence note"] == "DASH p.3"
    assert shown[own.questionnaire.question("victim_support_referral").label]["answer"] == case_record.UNANSWERED
