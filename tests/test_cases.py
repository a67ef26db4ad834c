"""The case register: adding a case with its draft assessment, and listing cases with their
status and each force's progress against the sample — in the core, without Streamlit."""

from __future__ import annotations

import pytest
from sqlmodel import select

from fieldwork import audit, db
from fieldwork.problems import ProblemError
from fieldwork.services import assessments, cases, inspections, store
from fieldwork.services.permissions import ADMIN, INSPECTOR, Actor, PermissionDenied
from models import SECOND, Answer, Assessment, AuditEvent, CaseFile
from tests.assess_helpers import INSPECTOR1, INSPECTOR2, LEAD1, add, full_answers


def codes(exc: ProblemError) -> list[str]:
    return sorted(p.code for p in exc.problems)


def complete(engine, new, actor=INSPECTOR1):
    with db.session_scope(engine) as s:
        v = assessments.load(s, actor, new.assessment_uid)
        answers = full_answers(v.questionnaire, v.answers)
        version = assessments.save(s, actor, new.assessment_uid, 1,
                                   {k: (a, None) for k, a in answers.items() if k not in v.answers}).version
        assessments.mark_complete(s, actor, new.assessment_uid, version)


def test_adding_a_case_makes_a_draft_for_the_inspector_on_the_current_version(engine):
    with db.session_scope(engine) as s:
        new = add(s, ref="HS-0001", force="sussex", cps_area=None)
    with db.session_scope(engine) as s:
        case_file = s.get(CaseFile, new.case_id)
        assessment = s.exec(select(Assessment)).one()
        answers = {a.question: a.value for a in s.exec(select(Answer)).all()}
        current = inspections.current_version(s, "case_review")
        actions = [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.case_ref == "HS-0001"))]
    assert (case_file.case_ref, case_file.questionnaire, case_file.created_by) == \
        ("HS-0001", "case_review", "inspector1")
    assert (assessment.inspector, assessment.status, assessment.purpose) == ("inspector1", "draft", "primary")
    assert assessment.questionnaire_version_id == current.id and assessment.uid == new.assessment_uid
    assert answers["force"] == "sussex" and answers["charged_by"] == "cps"
    assert answers["cps_area"] == "south_east"  # left blank: the force's CPS Area
    assert "case_ref" not in answers  # held once, on the case
    assert actions == [audit.CASE_CREATED, audit.ASSESSMENT_CREATED]


def test_a_bad_case_is_refused_with_every_problem_and_nothing_written(engine):
    with db.session_scope(engine) as s:
        add(s, ref="HS-0001")
    with pytest.raises(ProblemError) as exc:
        with db.session_scope(engine) as s:
            add(s, ref="hs-0001", plea="perhaps", colour="blue")
    assert codes(exc.value) == ["duplicate_case_ref", "not_context", "unknown_code"]
    assert {p.field for p in exc.value.problems} == {"case_ref", "plea", "colour"}
    with pytest.raises(ProblemError) as exc:
        with db.session_scope(engine) as s:
            add(s, ref="Jane Doe", force=None)
    assert codes(exc.value) == ["bad_case_ref", "missing_answer"]
    assert "name" in exc.value.problems[0].message
    with db.session_scope(engine) as s:
        assert len(s.exec(select(CaseFile)).all()) == 1


def test_an_admin_does_not_add_cases_and_an_inspector_only_for_their_forces(engine):
    with pytest.raises(PermissionDenied):
        with db.session_scope(engine) as s:
            add(s, actor=Actor("admin1", ADMIN))
    with pytest.raises(PermissionDenied):
        with db.session_scope(engine) as s:
            add(s, actor=Actor("inspector3", INSPECTOR, ("gwent",)), force="durham")


def test_the_register_shows_status_inspectors_and_force(engine):
    with db.session_scope(engine) as s:
        untouched = add(s, ref="HS-0001")
        started = add(s, ref="HS-0002", force="gwent")
        done = add(s, actor=INSPECTOR2, ref="HS-0003", force="gwent")
        assessments.save(s, INSPECTOR1, started.assessment_uid, 1, {"initial_risk_assessment": ("yes", None)})
    complete(engine, done, INSPECTOR2)
    with db.session_scope(engine) as s:
        rows = {r.case_ref: r for r in cases.register(s, LEAD1).rows}
    assert rows["HS-0001"].status == cases.NOT_STARTED and rows["HS-0001"].force == "durham"
    assert rows["HS-0002"].status == "draft" and rows["HS-0002"].inspectors == ("inspector1",)
    assert rows["HS-0003"].status == "complete" and rows["HS-0003"].inspectors == ("inspector2",)
    assert rows["HS-0001"].case_id == untouched.case_id


def test_a_second_marking_in_progress_does_not_start_a_case(engine):
    with db.session_scope(engine) as s:
        new = add(s)
        version = inspections.current_version(s, "case_review")
        s.add(Assessment(case_id=new.case_id, questionnaire_version_id=version.id, inspector="inspector2",
                         purpose=SECOND, counted=False, version=5))
    with db.session_scope(engine) as s:
        (row,) = cases.register(s, LEAD1).rows
        mine = cases.register(s, LEAD1, inspector="inspector2").rows
    assert row.status == cases.NOT_STARTED and row.inspectors == ("inspector1", "inspector2")
    assert [r.case_ref for r in mine] == ["HS-0001"]


def test_the_register_filters_by_force_status_inspector_and_questionnaire(engine):
    with db.session_scope(engine) as s:
        add(s, ref="HS-0001", force="durham")
        add(s, ref="HS-0002", force="gwent")
        add(s, actor=INSPECTOR2, ref="HS-0003", force="gwent")
        add(s, ref="PIN-0001", questionnaire="pin_review", force="gwent")
    complete(engine, cases.NewCase(0, "", _uid(engine, "HS-0002")))

    def refs(**filters):
        with db.session_scope(engine) as s:
            return [r.case_ref for r in cases.register(s, LEAD1, **filters).rows]

    assert refs() == ["HS-0001", "HS-0002", "HS-0003", "PIN-0001"]
    assert refs(questionnaire="case_review", forces=["gwent"]) == ["HS-0002", "HS-0003"]
    assert refs(statuses=["complete"]) == ["HS-0002"]
    assert refs(statuses=[cases.NOT_STARTED, "draft"], questionnaire="case_review") == ["HS-0001", "HS-0003"]
    assert refs(inspector="inspector2") == ["HS-0003"]


def _uid(engine, ref):
    with db.session_scope(engine) as s:
        return s.exec(select(Assessment.uid).join(CaseFile).where(CaseFile.case_ref == ref)).one()


def test_an_inspector_restricted_to_forces_sees_only_their_cases(engine):
    with db.session_scope(engine) as s:
        add(s, ref="HS-0001", force="durham")
        add(s, ref="HS-0002", force="gwent")
        reg = cases.register(s, Actor("inspector3", INSPECTOR, ("gwent",)), questionnaire="case_review")
    assert [r.case_ref for r in reg.rows] == ["HS-0002"]
    assert {p.force for p in reg.progress} == {"gwent"}


def test_progress_counts_complete_cases_per_force_against_the_sample_target(engine):
    with db.session_scope(engine) as s:
        version = inspections.current_version(s, "case_review")
        questionnaire = inspections.questionnaire_of(version)
        inspection = inspections.inspection_by_code(s)
        records = [store.CaseRecord(f"GM-{i:04d}", full_answers(questionnaire, {"force": "greater_manchester"}),
                                    inspector="inspector2") for i in range(1, 4)]
        store.add_complete_assessments(s, inspection_id=inspection.id, version=version, records=records,
                                       created_by="inspector2")
        add(s, ref="HS-0001", force="greater_manchester")
        add(s, ref="HS-0002", force="kent")  # outside the sample
        progress = {p.force: p for p in cases.register(s, LEAD1, questionnaire="case_review").progress}
    gm = progress["greater_manchester"]
    assert (gm.complete, gm.cases, gm.target) == (3, 4, 32)
    assert (progress["durham"].complete, progress["durham"].target) == (0, 16)
    assert (progress["kent"].cases, progress["kent"].target) == (1, 0)
    assert len([p for p in progress.values() if p.target]) == 6  # the six forces of phase two


def test_filter_options_offer_the_sample_forces_and_the_inspectors(engine):
    with db.session_scope(engine) as s:
        add(s, ref="HS-0001", force="kent")
        add(s, actor=INSPECTOR2, ref="HS-0002")
        _, questionnaires, forces, inspectors = cases.filter_options(s, LEAD1)
    assert questionnaires == ["case_review", "pin_review"]
    assert "kent" in forces and "greater_manchester" in forces
    assert inspectors == ["inspector1", "inspector2"]
