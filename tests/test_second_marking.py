"""Second marking: a reproducible sample per force, blind second scoring by another inspector,
moderation of the disagreements, and findings that use the agreed answers."""

from __future__ import annotations

import json
import math

import pytest
from sqlalchemy import select

from fieldwork import audit, db
from fieldwork.problems import ProblemError
from fieldwork.services import agreement, assessments, findings, inspections, second_marking
from models import AGREED, SECOND, Answer, Assessment, AuditEvent, SecondMarking
from tests.conftest import filled_template
from tests.laptops import LEAD_ACTOR, databases, edit, export, inspector, merge, random_answers, score

__all__ = ["databases"]


def _fill(engine, per_force: dict[str, int]) -> dict[str, str]:
    """Complete primary assessments: case_ref -> uid, inspector1 and inspector2 taking turns."""
    out, n = {}, 0
    for force, count in per_force.items():
        for _ in range(count):
            n += 1
            who = "inspector1" if n % 2 else "inspector2"
            ref = f"HS-{n:04d}"
            out[ref] = score(engine, who, ref, random_answers(engine, seed=n, force=force))
    return out


@pytest.fixture
def database_template(database_template, request):
    """A test that asks for ``filled`` starts from a copy of the 16 scored cases, scored once per
    run (about 1 s of CPU each time; tests/conftest.py)."""
    if "filled" not in request.fixturenames:
        return database_template
    return filled_template("second-marking-16", lambda e: _fill(e, {"durham": 8, "gwent": 5, "kent": 3}))[0]


@pytest.fixture
def filled(engine):
    """16 complete primary assessments (Durham 8, Gwent 5, Kent 3) by inspector1 and inspector2."""
    return engine


def draw(engine, **kwargs):
    kwargs.setdefault("seed", 2017)
    with db.session_scope(engine) as s:
        return second_marking.draw_sample(s, LEAD_ACTOR, "case_review", **kwargs)


def test_the_sample_is_per_force_and_reproducible_from_its_seed(filled):
    sample = draw(filled, percent=25)
    per_force = {f: sum(i.force == f for i in sample.items) for f in ("durham", "gwent", "kent")}
    assert per_force == {"durham": 2, "gwent": math.ceil(5 * 0.25), "kent": 1}
    assert sample.eligible == {"durham": 8, "gwent": 5, "kent": 3}
    assert [i.case_ref for i in draw(filled, percent=25).items] == [i.case_ref for i in sample.items]
    others = {tuple(i.case_ref for i in draw(filled, percent=25, seed=s).items) for s in range(1, 6)}
    assert len(others) > 1  # another seed, another draw
    assert sample.rule == "25% per force, seed 2017"


def test_a_number_per_force_takes_all_of_a_small_force(filled):
    sample = draw(filled, number=4, forces=["durham", "kent"])
    assert sum(i.force == "durham" for i in sample.items) == 4
    assert sum(i.force == "kent" for i in sample.items) == 3
    assert not any(i.force == "gwent" for i in sample.items)


def test_a_sample_asked_for_wrongly_names_every_fault(filled):
    with pytest.raises(ProblemError) as caught:
        draw(filled, percent=150, number=0, seed="x")
    fields = {p.field for p in caught.value.problems}
    assert {"size", "percent", "number", "seed"} <= fields


def test_only_a_lead_draws_and_assigns(filled):
    with db.session_scope(filled) as s, pytest.raises(ProblemError):
        second_marking.draw_sample(s, inspector("inspector1"), "case_review", seed=1, number=1)


def test_assignment_never_gives_a_case_to_its_first_marker(filled):
    sample = draw(filled, percent=50)
    proposal = second_marking.propose(sample.items, ["inspector1", "inspector2", "inspector3"])
    for item in sample.items:
        assert proposal[item.primary_uid] not in (None, item.first_inspector)
    loads = [list(proposal.values()).count(m) for m in ("inspector1", "inspector2", "inspector3")]
    assert max(loads) - min(loads) <= 2  # spread evenly

    item = sample.items[0]
    with db.session_scope(filled) as s, pytest.raises(ProblemError) as caught:
        second_marking.assign(s, LEAD_ACTOR, {item.primary_uid: item.first_inspector})
    assert caught.value.problems[0].code == second_marking.SAME_INSPECTOR


def test_second_marking_is_blind_and_starts_with_the_case_facts(filled):
    item = draw(filled, number=1, forces=["kent"]).items[0]
    second = "inspector2" if item.first_inspector == "inspector1" else "inspector1"
    with db.session_scope(filled) as s:
        marking, = second_marking.assign(s, LEAD_ACTOR, {item.primary_uid: second}, rule="test")
        second_uid = marking.second_uid
    with db.session_scope(filled) as s:
        row = s.execute(select(Assessment).where(Assessment.uid == second_uid)).scalars().one()
        assert (row.purpose, row.counted, row.status, row.inspector) == (SECOND, False, "draft", second)
        actor = inspector(second)
        assert assessments.own_assessment(s, actor, item.case_id) == second_uid  # the Assess page opens this one
        view = assessments.load(s, actor, second_uid)
        assert set(view.answers) - {"case_ref"} <= {"force", "cps_area", "domestic_abuse", "offence_charged", "plea",
                                                   "charged_by", "digital_element"}
        assert view.answers["force"] == "kent"
        with pytest.raises(ProblemError) as caught:  # the first marking stays hidden
            assessments.load(s, actor, item.primary_uid)
        assert caught.value.problems[0].code == "permission_denied"
        with pytest.raises(ProblemError) as caught:  # and it cannot be sampled twice
            second_marking.assign(s, LEAD_ACTOR, {item.primary_uid: "inspector3"})
        assert caught.value.problems[0].code == second_marking.ALREADY_SAMPLED
        event = s.execute(select(AuditEvent).where(AuditEvent.action == audit.SECOND_MARKING)).scalars().one()
        assert event.case_ref == item.case_ref and json.loads(event.detail)["second"] == second


def _second_marked(engine, first_answers: dict, second_answers: dict, *, notes=None):
    """One case scored by inspector1, second-marked by inspector2; returns the marking id."""
    primary = score(engine, "inspector1", "HS-0100", first_answers, notes=notes)
    with db.session_scope(engine) as s:
        marking, = second_marking.assign(s, LEAD_ACTOR, {primary: "inspector2"})
        marking_id, second_uid = marking.id, marking.second_uid
    with db.session_scope(engine) as s:
        context = assessments.load(s, inspector("inspector2"), second_uid).answers
    changes = {k: (v, (notes or {}).get(k) and "second look: " + notes[k]) for k, v in second_answers.items()
               if k not in context}
    edit(engine, "inspector2", second_uid, changes)
    return marking_id, primary, second_uid


def test_moderation_agrees_the_answers_and_findings_use_them(engine):
    first = random_answers(engine, seed=11, avoidable_delay="no", prevention_advice="yes")
    second = {**first, "avoidable_delay": "yes", "prevention_advice": "no"}
    marking_id, primary, second_uid = _second_marked(engine, first, second,
                                                     notes={"avoidable_delay": "MG5 p3 dates"})
    with db.session_scope(engine) as s:
        row, = second_marking.markings(s, LEAD_ACTOR)
        assert (row.state, row.disagreements) == (second_marking.TO_MODERATE, 2)
        view = second_marking.moderation(s, LEAD_ACTOR, marking_id)
        delay = next(d for d in view.disagreements if d.question == "avoidable_delay")
        assert (delay.first_value, delay.second_value) == ("no", "yes")
        assert delay.first_note == "MG5 p3 dates" and delay.second_note == "second look: MG5 p3 dates"
        with pytest.raises(ProblemError) as caught:  # nothing agreed yet: every open question named
            second_marking.finish(s, LEAD_ACTOR, marking_id)
        assert {p.item for p in caught.value.problems} == {"avoidable_delay", "prevention_advice"}
    with db.session_scope(engine) as s:
        second_marking.agree(s, LEAD_ACTOR, marking_id, "avoidable_delay", "yes")
        second_marking.agree(s, LEAD_ACTOR, marking_id, "prevention_advice", "yes")
        agreed_uid = second_marking.finish(s, LEAD_ACTOR, marking_id)

    with db.session_scope(engine) as s:
        rows = {a.uid: a for a in s.execute(select(Assessment)).scalars()}
        assert rows[agreed_uid].purpose == AGREED and rows[agreed_uid].counted
        assert not rows[primary].counted and not rows[second_uid].counted
        agreed = dict(s.execute(select(Answer.question, Answer.value)
                                .where(Answer.assessment_id == rows[agreed_uid].id)).all())
        assert agreed["avoidable_delay"] == "yes" and agreed["prevention_advice"] == "yes"
        report = findings.compute(s, "case_review")
        assert report.cases == 1
        assert report.get("avoidable_delay", "yes").count == 1
        trail = s.execute(select(AuditEvent).where(AuditEvent.action == audit.MODERATION)
                          .order_by(AuditEvent.id)).scalars().all()
        assert [(e.actor, e.question, e.old_value, e.new_value) for e in trail[:2]] == [
            ("lead1", "avoidable_delay", "no", "yes"), ("lead1", "prevention_advice", "yes", "yes")]
        assert json.loads(trail[-1].detail)["step"] == "finished"
        assert "MG5" not in " ".join(e.detail for e in trail)
        row, = second_marking.markings(s, LEAD_ACTOR)
        assert row.state == second_marking.MODERATED
        inspection_id = inspections.inspection_by_code(s).id
        assert second_marking.second_marked_uids(s, inspection_id) == {primary, agreed_uid}
        with pytest.raises(ProblemError):
            second_marking.agree(s, LEAD_ACTOR, marking_id, "avoidable_delay", "no")


def test_an_agreed_answer_that_hides_a_question_clears_it(engine):
    first = random_answers(engine, seed=12, enhanced_risk_assessment="dash", dash_supplementary_questions="yes")
    second = {k: v for k, v in first.items() if k != "dash_supplementary_questions"}
    second["enhanced_risk_assessment"] = "none"
    marking_id, _, _ = _second_marked(engine, first, second)
    with db.session_scope(engine) as s:
        view = second_marking.moderation(s, LEAD_ACTOR, marking_id)
        assert {d.question for d in view.disagreements} == {"enhanced_risk_assessment",
                                                            "dash_supplementary_questions"}
        second_marking.agree(s, LEAD_ACTOR, marking_id, "enhanced_risk_assessment", "none")
        second_marking.agree(s, LEAD_ACTOR, marking_id, "dash_supplementary_questions", second_marking.NOT_ASKED)
        agreed_uid = second_marking.finish(s, LEAD_ACTOR, marking_id)
        agreed_id = s.execute(select(Assessment.id).where(Assessment.uid == agreed_uid)).scalar()
        agreed = dict(s.execute(select(Answer.question, Answer.value).where(Answer.assessment_id == agreed_id)).all())
    assert agreed["enhanced_risk_assessment"] == "none" and "dash_supplementary_questions" not in agreed


def test_an_agreed_code_must_be_a_code_of_the_question(engine):
    first = random_answers(engine, seed=13, avoidable_delay="no")
    marking_id, _, _ = _second_marked(engine, first, {**first, "avoidable_delay": "yes"})
    with db.session_scope(engine) as s, pytest.raises(ProblemError):
        second_marking.agree(s, LEAD_ACTOR, marking_id, "avoidable_delay", "maybe")
    with db.session_scope(engine) as s, pytest.raises(ProblemError) as caught:
        second_marking.agree(s, LEAD_ACTOR, marking_id, "plea", "guilty")
    assert caught.value.problems[0].code == second_marking.NOT_A_DISAGREEMENT


def test_agreement_over_second_marked_cases(engine):
    first = random_answers(engine, seed=14, avoidable_delay="no")
    _second_marked(engine, first, {**first, "avoidable_delay": "yes"})
    with db.session_scope(engine) as s:
        report = agreement.report(s, "case_review")
    delay = next(q for q in report.questions if q.question == "avoidable_delay")
    assert report.pairs == 1 and delay.table[1][0] == 1 and delay.observed == 0.0
    assert report.overall_observed < 1.0


def test_second_marking_on_a_laptop_travels_by_bundle(databases):
    """The lead assigns; the second inspector's laptop takes their assignment by bundle, scores
    it blind, and sends it back; the lead's copy is replaced and moderation can start."""
    lead, laptop = databases("lead"), databases("laptop2")
    first = random_answers(lead, seed=15, avoidable_delay="no")
    primary = score(lead, "inspector1", "HS-0200", first)
    with db.session_scope(lead) as s:
        marking, = second_marking.assign(s, LEAD_ACTOR, {primary: "inspector2"})
        second_uid = marking.second_uid
    assignment = export(lead, LEAD_ACTOR, inspector="inspector2")
    merge(laptop, assignment, actor=inspector("inspector2"))  # the second marker takes it in
    with db.session_scope(laptop) as s:
        inspectors = set(s.execute(select(Assessment.inspector)).scalars())
    assert inspectors == {"inspector2"}  # nothing of inspector1's travels to the second marker
    with db.session_scope(laptop) as s:
        context = assessments.load(s, inspector("inspector2"), second_uid).answers
    edit(laptop, "inspector2", second_uid,
         {k: (v, None) for k, v in {**first, "avoidable_delay": "yes"}.items() if k not in context})

    report = merge(lead, export(laptop, inspector("inspector2")))

    assert (report.replaced, report.conflicts) == (1, 0)
    with db.session_scope(lead) as s:
        row, = second_marking.markings(s, LEAD_ACTOR)
        assert row.state == second_marking.TO_MODERATE and row.disagreements == 1
        assert s.execute(select(SecondMarking.second_uid)).scalar() == second_uid


def test_exports_mark_second_marked_cases_and_carry_the_agreement(engine):
    import csv
    import io

    from openpyxl import load_workbook

    from exports import exporting

    first = random_answers(engine, seed=16, avoidable_delay="no")
    marking_id, _, _ = _second_marked(engine, first, {**first, "avoidable_delay": "yes"})
    with db.session_scope(engine) as s:
        second_marking.agree(s, LEAD_ACTOR, marking_id, "avoidable_delay", "yes")
        second_marking.finish(s, LEAD_ACTOR, marking_id)
    score(engine, "inspector2", "HS-0101", random_answers(engine, seed=17))
    with db.session_scope(engine) as s:
        workbook = load_workbook(io.BytesIO(exporting.export_workbook(s, LEAD_ACTOR, "case_review")), read_only=True)
        wide = exporting.export_csv(s, LEAD_ACTOR, "case_review").decode("utf-8")

    responses = list(workbook["responses"].iter_rows(values_only=True))
    column = responses[0].index("meta:second_marked")
    assert {r[0]: r[column] for r in responses[1:] if r[0]} == {"HS-0100": "yes", "HS-0101": "no"}
    sheet = list(workbook["agreement"].iter_rows(values_only=True))
    assert sheet[0][:3] == ("question", "label", "cases_marked_twice")
    delay = next(r for r in sheet if r[0] == "avoidable_delay")
    # disagreed, but one pair cannot tell disagreement from chance: not flagged
    assert (delay[2], delay[3], delay[4], delay[-1]) == (1, 1, 0, "too few pairs to judge")
    assert sheet[-1][0] == "(overall)"
    cover = " ".join(str(c) for row in workbook["cover"].iter_rows(values_only=True) for c in row if c)
    assert "1 case(s) marked twice" in cover
    rows = list(csv.DictReader(io.StringIO(wide)))
    assert {r["case_ref"]: r["meta:second_marked"] for r in rows} == {"HS-0100": "yes", "HS-0101": "no"}
