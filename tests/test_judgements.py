"""Judgements and the triangulation grid: only leads judge, changes are audited with old and
new grade, evidence is linked with its figures for the force, and the grid's marks."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from fieldwork.problems import ProblemError
from fieldwork.services import evidence, judgements, triangulation
from fieldwork.services.judgements import FindingRef
from models import AuditEvent, JudgementHistory
from models.evidence import CASE_FILES, EVIDENCE_KINDS
from tests.evidence_helpers import ADMIN1, INSPECTOR1, LEAD1, LEAD2, add_cases, add_interview

IRA = FindingRef("case_review", "initial_risk_assessment", "yes")


def excerpt_uid(session, item, criterion):
    view = next(v for v in evidence.list_evidence(session, LEAD1) if v.uid == item.uid)
    return next(e.uid for e in view.excerpts if e.criterion == criterion)


def test_only_leads_judge(session):
    for actor in (INSPECTOR1, ADMIN1):
        with pytest.raises(ProblemError) as err:
            judgements.judge(session, actor, unit_type="force", unit="durham", criterion="3.1", grade="met",
                             rationale="r")
        assert err.value.problems[0].code == "permission_denied"


def test_a_judgement_cites_an_excerpt_and_a_finding_with_its_figures_for_the_force(session):
    item = add_interview(session)
    add_cases(session, "durham", ["yes"] * 9 + ["no"] * 6 + ["not_known"])
    add_cases(session, "gwent", ["yes"] * 16, start=100)
    ex = excerpt_uid(session, item, "3.1")
    j, warnings = judgements.judge(session, LEAD1, unit_type="force", unit="durham", criterion="3.1",
                                   grade="partially_met", rationale="Risk assessed at first contact in most cases.",
                                   excerpts=[ex], findings=[IRA])
    assert warnings == [] and j.version == 1
    shown = judgements.view(session, LEAD1, unit_type="force", unit="durham", criterion="3.1")
    assert shown.grade_label == "Partially met"
    assert [e.uid for _, e in shown.excerpts] == [ex]
    figure = shown.findings[0]
    assert (figure.count, figure.denominator, figure.percent) == (9, 16, 56)  # Durham's own cases, not Gwent's
    # the Wilson 95 % interval of 9 of 16, as the findings carry it (issue 13): 33.2 to 76.9 percent
    assert (figure.ci_low, figure.ci_high) == (33.2, 76.9)
    [row] = triangulation.judgement_rows(session, LEAD1)
    assert row["findings"] == [figure.label + ": 9 of 16 (56 percent) (95% CI 33.2-76.9)"]


def test_every_problem_with_a_judgement_is_named(session):
    gwent = add_interview(session, force="gwent")
    with pytest.raises(ProblemError) as err:
        judgements.judge(session, LEAD1, unit_type="force", unit="durham", criterion="9.9", grade="excellent",
                         rationale="", evidence=[gwent.uid, "nope"],
                         findings=[FindingRef("case_review", "initial_risk_assessment", "maybe")])
    codes = {p.code for p in err.value.problems}
    assert codes == {"unknown_criterion", "unknown_grade", "missing_rationale", "evidence_of_another_unit",
                     "unknown_evidence", "unknown_finding"}


def test_a_change_of_grade_is_audited_with_old_and_new_and_kept_in_history(session):
    item = add_interview(session)
    j, _ = judgements.judge(session, LEAD1, unit_type="force", unit="durham", criterion="1.5", grade="met",
                            rationale="An effective SPOC.", evidence=[item.uid])
    with pytest.raises(ProblemError) as err:  # another lead, not having opened it, cannot replace it unawares
        judgements.judge(session, LEAD2, unit_type="force", unit="durham", criterion="1.5", grade="not_met",
                         rationale="x")
    assert err.value.problems[0].code == "judgement_changed"
    judgements.judge(session, LEAD2, unit_type="force", unit="durham", criterion="1.5", grade="partially_met",
                     rationale="The SPOC post is vacant half the week.", evidence=[item.uid], expected_version=1)
    with pytest.raises(ProblemError) as err:  # a stale version is refused, never overwritten
        judgements.judge(session, LEAD1, unit_type="force", unit="durham", criterion="1.5", grade="met",
                         rationale="x", expected_version=1)
    assert err.value.problems[0].code == "judgement_changed"
    events = session.exec(select(AuditEvent).where(AuditEvent.action == judgements.JUDGEMENT_SET)
                          .order_by(AuditEvent.id)).all()
    assert [(e.actor, e.question, e.old_value, e.new_value) for e in events] == [
        ("lead1", "1.5", None, "met"), ("lead2", "1.5", "met", "partially_met")]
    assert all("vacant" not in e.detail for e in events)
    history = session.exec(select(JudgementHistory).order_by(JudgementHistory.id)).all()
    assert [(h.old_grade, h.grade, h.judged_by) for h in history] == [(None, "met", "lead1"),
                                                                      ("met", "partially_met", "lead2")]
    shown = judgements.view(session, LEAD1, unit_type="force", unit="durham", criterion="1.5")
    assert shown.version == 2 and shown.judged_by == "lead2" and len(shown.history) == 2


def test_the_grid_marks_thin_unevidenced_and_check(session):
    item = add_interview(session)
    doc = add_interview(session, kind="document", source="force policy team", excerpts=[], criteria=["1.6"])
    add_cases(session, "durham", ["yes"] * 4 + ["no"] * 12)  # 25 percent: risk rarely assessed
    ex = excerpt_uid(session, item, "3.1")
    judgements.judge(session, LEAD1, unit_type="force", unit="durham", criterion="1.5", grade="met",
                     rationale="SPOC interview only.", evidence=[item.uid])
    judgements.judge(session, LEAD1, unit_type="force", unit="durham", criterion="1.6", grade="met",
                     rationale="No evidence cited.")
    judgements.judge(session, LEAD1, unit_type="force", unit="durham", criterion="3.1", grade="met",
                     rationale="Interview and case files.", excerpts=[ex], findings=[IRA])
    judgements.judge(session, LEAD1, unit_type="force", unit="durham", criterion="1.3", grade="not_met",
                     rationale="Policy and interview.", evidence=[item.uid, doc.uid])
    g = triangulation.grid(session, LEAD1)
    assert [u for u, _ in g.units] == ["avon_and_somerset", "durham", "greater_manchester", "gwent", "hampshire",
                                       "sussex"]
    assert g.cell("durham", "1.5").marks == ["thin"] and g.cell("durham", "1.5").kinds == ["interview"]
    assert g.cell("durham", "1.6").marks == ["unevidenced"]
    three_one = g.cell("durham", "3.1")
    assert three_one.kinds == ["case_files", "interview"] and three_one.marks == []
    assert g.cell("durham", "1.3").marks == [] and g.cell("durham", "1.3").kinds == ["document", "interview"]
    assert g.cell("gwent", "3.1").grade is None and g.cell("gwent", "3.1").available == 0
    assert g.cell("durham", "1.8").available == 0 and g.cell("durham", "3.1").available == 1

    # the lead says: initial risk assessment in at least 75 percent of cases points to a good grade
    triangulation.set_bearing(session, LEAD1, criterion="3.1", ref=IRA, threshold=75)
    cell = triangulation.grid(session, LEAD1).cell("durham", "3.1")
    assert cell.marks == ["check"] and "25 percent for durham" in cell.checks[0]
    judgements.judge(session, LEAD1, unit_type="force", unit="durham", criterion="3.1", grade="not_met",
                     rationale="Case files and interview agree.", excerpts=[ex], findings=[IRA], expected_version=1)
    assert triangulation.grid(session, LEAD1).cell("durham", "3.1").marks == []
    column = triangulation.criterion_judgements(session, LEAD1, "3.1")
    assert [c.unit for c in column][:2] == ["avon_and_somerset", "durham"] and column[1].grade == "not_met"


def test_the_grid_is_exported_as_wide_csv_and_json(session):
    item = add_interview(session)
    judgements.judge(session, LEAD1, unit_type="force", unit="durham", criterion="1.5", grade="met",
                     rationale="r", evidence=[item.uid])
    rows = list(csv.DictReader(io.StringIO(triangulation.export_grid(session, LEAD1, "csv").decode())))
    durham = next(r for r in rows if r["force"] == "durham")
    assert durham["1.5"] == "met" and durham["marks:1.5"] == "thin" and durham["3.1"] == ""
    data = json.loads(triangulation.export_grid(session, LEAD1, "json"))
    cell = next(c for c in data["cells"] if c["unit"] == "durham" and c["criterion"] == "1.5")
    assert cell["grade"] == "met" and cell["kinds"] == ["interview"] and cell["marks"] == ["thin"]
    with pytest.raises(ProblemError):
        triangulation.grid(session, INSPECTOR1)


def test_cps_area_judgements_take_evidence_about_the_area_or_its_forces(session):
    item = add_interview(session)  # Durham, in CPS North East
    judgements.judge(session, LEAD1, unit_type="cps_area", unit="north_east", criterion="1.5", grade="met",
                     rationale="r", evidence=[item.uid])
    g = triangulation.grid(session, LEAD1, unit_type="cps_area")
    assert g.cell("north_east", "1.5").grade == "met"
    with pytest.raises(ProblemError) as err:
        judgements.judge(session, LEAD1, unit_type="cps_area", unit="wessex", criterion="1.5", grade="met",
                         rationale="r", evidence=[item.uid])
    assert err.value.problems[0].code == "evidence_of_another_unit"


@given(kinds=st.sets(st.sampled_from([*EVIDENCE_KINDS, CASE_FILES])),
       leaning=st.sampled_from(["favourable", "mixed", "unfavourable"]),
       points=st.lists(st.one_of(st.none(), st.booleans()), max_size=4))
def test_mark_rules(kinds, leaning, points):
    contradicted = any(triangulation.contradicts(leaning, p) for p in points)
    marks = triangulation.cell_marks(kinds, contradicted)
    assert ("unevidenced" in marks) == (not kinds)
    assert ("thin" in marks) == (len(kinds) == 1)
    # check: a finding with a figure points the other way from a grade that leans one way
    expected = leaning != "mixed" and any(p is not None and p != (leaning == "favourable") for p in points)
    assert ("check" in marks) == expected


def test_a_cited_excerpt_removed_since_leaves_the_judgement_unevidenced(session):
    item = add_interview(session)
    ex = excerpt_uid(session, item, "3.1")
    judgements.judge(session, LEAD1, unit_type="force", unit="durham", criterion="3.1", grade="met",
                     rationale="r", excerpts=[ex])
    [view] = evidence.list_evidence(session, LEAD1)
    keep = [evidence.ExcerptInput(e.criterion, e.code, e.text, e.uid) for e in view.excerpts if e.uid != ex]
    data = evidence.EvidenceInput(kind="interview", held_on=view.held_on, force="durham", source=view.source,
                                  criteria=["1.5"], excerpts=keep)
    evidence.update_evidence(session, LEAD1, item.uid, data, expected_revision=view.revision)
    cell = triangulation.grid(session, LEAD1).cell("durham", "3.1")
    assert cell.marks == ["unevidenced"] and cell.cited == 0
