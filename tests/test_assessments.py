"""Scoring a case: saves as answers are given, skip logic clearing what no longer applies,
the optimistic lock, completion and reopening — in the core, without Streamlit."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from fieldwork import audit, db
from fieldwork.problems import ProblemError
from fieldwork.services import assessments
from fieldwork.services.permissions import PermissionDenied
from models import Answer, Assessment, AuditEvent
from tests.assess_helpers import INSPECTOR1, INSPECTOR2, LEAD1, add, full_answers


def codes(exc: ProblemError) -> list[str]:
    return [p.code for p in exc.problems]


@pytest.fixture
def case(engine):
    with db.session_scope(engine) as s:
        return add(s)


def save(engine, uid, version, changes, actor=INSPECTOR1):
    with db.session_scope(engine) as s:
        return assessments.save(s, actor, uid, version, changes)


def view(engine, uid, actor=INSPECTOR1):
    with db.session_scope(engine) as s:
        return assessments.load(s, actor, uid)


def events(engine, action):
    with db.session_scope(engine) as s:
        return s.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def test_an_answer_and_its_note_are_stored_at_once_and_the_version_rises(engine, case):
    result = save(engine, case.assessment_uid, 1, {"initial_risk_assessment": ("yes", "crime report p.3")})
    assert result.version == 2 and result.changed == ["initial_risk_assessment"]
    v = view(engine, case.assessment_uid)
    assert v.answers["initial_risk_assessment"] == "yes"
    assert v.notes["initial_risk_assessment"] == "crime report p.3"
    assert v.answers["case_ref"] == "HS-0001" and v.answers["force"] == "durham"
    assert v.version == 2 and v.status == "draft"


def test_a_note_longer_than_the_limit_is_refused_and_nothing_saved(engine, case):
    with pytest.raises(ProblemError) as err:
        save(engine, case.assessment_uid, 1, {"plea": ("guilty", "x" * (assessments.MAX_NOTE + 1))})
    (problem,) = err.value.problems
    assert (problem.code, problem.item, problem.field) == (assessments.BAD_VALUE, "plea", "note")
    assert view(engine, case.assessment_uid).version == 1


def test_each_save_records_the_revision_it_replaced(engine, case):
    with db.session_scope(engine) as s:
        first = s.exec(select(Assessment)).one().revision
    save(engine, case.assessment_uid, 1, {"plea": ("not_guilty", None)})
    with db.session_scope(engine) as s:
        row = s.exec(select(Assessment)).one()
    assert row.parent_revision == first and row.revision != first


def test_the_audit_trail_holds_codes_never_the_note_text(engine, case):
    save(engine, case.assessment_uid, 1, {"plea": ("not_guilty", "MG5 p.2 shows plea entered at first hearing")})
    changed = events(engine, audit.ANSWER_CHANGED)[-1]
    assert (changed.question, changed.old_value, changed.new_value) == ("plea", "guilty", "not_guilty")
    assert changed.case_ref == "HS-0001" and changed.assessment_uid == case.assessment_uid
    note = events(engine, audit.NOTE_CHANGED)[-1]
    assert note.question == "plea"
    assert "MG5" not in f"{note.old_value}{note.new_value}{note.detail}"


def test_skip_logic_clears_an_answer_whose_question_no_longer_applies(engine, case):
    uid = case.assessment_uid
    save(engine, uid, 1, {"enhanced_risk_assessment": ("dash", None)})
    save(engine, uid, 2, {"dash_supplementary_questions": ("no", "DASH form p.4")})
    result = save(engine, uid, 3, {"enhanced_risk_assessment": ("s_dash", None)})
    assert result.cleared == ["dash_supplementary_questions"]
    v = view(engine, uid)
    assert "dash_supplementary_questions" not in v.answers
    assert v.notes["dash_supplementary_questions"] == "DASH form p.4"  # the inspector's note is not thrown away
    cleared = events(engine, audit.ANSWER_CLEARED)[-1]
    assert (cleared.question, cleared.old_value) == ("dash_supplementary_questions", "no")


def test_a_change_is_refused_whole_with_every_problem_named(engine, case):
    uid = case.assessment_uid
    with pytest.raises(ProblemError) as exc:
        save(engine, uid, 1, {"plea": ("maybe", None), "no_such_question": ("yes", None),
                              "case_ref": ("HS-0002", None), "vps_offered": ("yes", None),
                              "initial_risk_assessment": ("yes", None)})
    assert sorted(codes(exc.value)) == ["not_asked", "read_only", "unknown_code", "unknown_question"]
    v = view(engine, uid)
    assert v.version == 1 and "initial_risk_assessment" not in v.answers  # nothing half-written


def test_the_second_of_two_saves_from_the_same_version_is_refused(engine, case):
    uid = case.assessment_uid
    save(engine, uid, 1, {"initial_risk_assessment": ("yes", None)})
    with pytest.raises(ProblemError) as exc:
        save(engine, uid, 1, {"initial_risk_assessment": ("no", None)})
    assert codes(exc.value) == [assessments.STALE_VERSION]
    assert "someone else saved" in exc.value.problems[0].message.lower()
    assert "reload" in exc.value.problems[0].message.lower()
    assert view(engine, uid).answers["initial_risk_assessment"] == "yes"  # the first save stands


def test_only_the_owner_edits_and_another_inspector_cannot_even_read_it(engine, case):
    with pytest.raises(PermissionDenied):
        save(engine, case.assessment_uid, 1, {"plea": ("guilty", None)}, actor=INSPECTOR2)
    with pytest.raises(PermissionDenied):
        view(engine, case.assessment_uid, actor=INSPECTOR2)
    lead_view = view(engine, case.assessment_uid, actor=LEAD1)
    assert lead_view.answers["force"] == "durham" and not lead_view.editable


def test_own_assessment_finds_only_the_actors_own(engine, case):
    with db.session_scope(engine) as s:
        assert assessments.own_assessment(s, INSPECTOR1, case.case_id) == case.assessment_uid
        assert assessments.own_assessment(s, INSPECTOR2, case.case_id) is None


def test_mark_complete_lists_what_is_missing_then_accepts_a_full_assessment(engine, case):
    uid = case.assessment_uid
    with pytest.raises(ProblemError) as exc:
        with db.session_scope(engine) as s:
            assessments.mark_complete(s, INSPECTOR1, uid, 1)
    missing = [p for p in exc.value.problems if p.code == assessments.MISSING_ANSWER]
    names = [p.item for p in missing]
    assert "initial_risk_assessment" in names and "mg3_case_analysis" in names  # charged by the CPS
    assert "police_charge_code_applied" not in names  # not asked: skip logic
    assert "dash_supplementary_questions" not in names
    first = next(p for p in missing if p.item == "initial_risk_assessment")
    assert "Risk assessment and risk management" in first.message and "initial risk assessment" in first.message

    v = view(engine, uid)
    answers = full_answers(v.questionnaire, v.answers)
    version = save(engine, uid, 1, {k: (a, None) for k, a in answers.items() if k not in v.answers}).version
    with db.session_scope(engine) as s:
        done = assessments.mark_complete(s, INSPECTOR1, uid, version)
    assert done.status == "complete"
    v = view(engine, uid)
    assert v.status == "complete" and v.completed_at is not None
    status = events(engine, audit.STATUS_CHANGED)[-1]
    assert (status.old_value, status.new_value) == ("draft", "complete")

    with pytest.raises(ProblemError) as exc:  # a complete assessment must be reopened first
        save(engine, uid, v.version, {"plea": ("not_guilty", None)})
    assert codes(exc.value) == [assessments.NOT_DRAFT]


def test_a_complete_assessment_is_reopened_by_its_inspector_and_that_is_recorded(engine, case):
    uid = case.assessment_uid
    v = view(engine, uid)
    answers = full_answers(v.questionnaire, v.answers)
    version = save(engine, uid, 1, {k: (a, None) for k, a in answers.items() if k not in v.answers}).version
    with db.session_scope(engine) as s:
        version = assessments.mark_complete(s, INSPECTOR1, uid, version).version
    with pytest.raises(PermissionDenied):
        with db.session_scope(engine) as s:
            assessments.reopen(s, INSPECTOR2, uid, version)
    with db.session_scope(engine) as s:
        reopened = assessments.reopen(s, INSPECTOR1, uid, version)
    assert reopened.status == "draft"
    v = view(engine, uid)
    assert v.status == "draft" and v.completed_at is None
    status = events(engine, audit.STATUS_CHANGED)[-1]
    assert (status.actor, status.old_value, status.new_value) == ("inspector1", "complete", "draft")
    assert json.loads(status.detail)["version"] == reopened.version


CHANGES = st.lists(st.tuples(
    st.sampled_from(["enhanced_risk_assessment", "dash_supplementary_questions", "charged_by", "mg3_case_analysis",
                     "police_charge_code_applied", "vps_taken", "vps_offered"]),
    st.sampled_from(["dash", "s_dash", "none", "yes", "no", "police", "cps", "fully_met", None])), max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=CHANGES)
def test_whatever_the_order_of_changes_no_answer_to_an_unasked_question_is_stored(engine, changes):
    with db.session_scope(engine) as s:
        uid = add(s, ref=f"HS-{len(s.exec(select(Assessment)).all()) + 1:04d}").assessment_uid
    version = 1
    for name, value in changes:
        try:
            version = save(engine, uid, version, {name: (value, None)}).version
        except ProblemError as exc:
            assert set(codes(exc)) <= {"unknown_code", "not_asked"}
    v = view(engine, uid)
    assert v.questionnaire.irrelevant_answers(v.answers) == []
    assert v.version == version
    with db.session_scope(engine) as s:
        rows = s.exec(select(Answer).join(Assessment).where(Assessment.uid == uid)).all()
    stored = {a.question: a.value for a in rows if a.value is not None}
    assert {k: x for k, x in v.answers.items() if k != "case_ref"} == stored
