"""The workbook's evidence, excerpts, judgements and judgement_grid sheets."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from fieldwork.services import evidence, judgements
from exports import exporting
from fieldwork.services.judgements import FindingRef
from tests.evidence_helpers import LEAD1, add_cases, add_interview


def _sheet(wb, name):
    rows = list(wb[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_no_evidence_keeps_the_plain_layout(session):
    add_cases(session, "durham", ["yes"])
    wb = load_workbook(io.BytesIO(exporting.export_workbook(session, LEAD1, "case_review")), read_only=True)
    assert "evidence" not in wb.sheetnames


def test_the_workbook_holds_evidence_excerpts_judgements_and_the_grid(session):
    item = add_interview(session)
    add_cases(session, "durham", ["yes"] * 12 + ["no"] * 4)
    ex = next(e.uid for v in evidence.list_evidence(session, LEAD1) for e in v.excerpts if e.criterion == "3.1")
    judgements.judge(session, LEAD1, unit_type="force", unit="durham", criterion="3.1", grade="partially_met",
                     rationale="Risk assessed in most cases.", excerpts=[ex],
                     findings=[FindingRef("case_review", "initial_risk_assessment", "yes")])
    data = exporting.export_workbook(session, LEAD1, "case_review")
    wb = load_workbook(io.BytesIO(data), read_only=True)
    assert wb.sheetnames[-4:] == ["evidence", "excerpts", "judgements", "judgement_grid"]
    [ev] = _sheet(wb, "evidence")
    assert ev["evidence_ref"] == item.ref and ev["excerpts"] == 2 and ev["summary"].startswith("(left out")
    excerpts = _sheet(wb, "excerpts")
    assert [(e["criterion"], e["code"]) for e in excerpts] == [("1.5", "strength"), ("3.1", "area_for_improvement")]
    assert all(e["passage"].startswith("(left out") for e in excerpts)
    [j] = _sheet(wb, "judgements")
    assert (j["unit"], j["criterion"], j["grade"]) == ("durham", "3.1", "partially_met")
    assert j["excerpts"] == f"{item.ref} 3.1 area_for_improvement"
    assert "12 of 16 (75 percent)" in j["case_file_findings"]
    assert j["kinds_of_evidence"] == "case_files, interview" and j["rationale"] == "Risk assessed in most cases."
    grid = {r["force"]: r for r in _sheet(wb, "judgement_grid")}
    assert grid["durham"]["3.1"] == "Partially met" and grid["gwent"]["3.1"] is None

    with_notes = load_workbook(io.BytesIO(exporting.export_workbook(session, LEAD1, "case_review", with_notes=True)),
                               read_only=True)
    assert _sheet(with_notes, "excerpts")[1]["passage"].startswith("Officers do not always")


def test_cps_area_judgements_get_a_grid_of_their_own(session):
    item = add_interview(session)
    judgements.judge(session, LEAD1, unit_type="cps_area", unit="north_east", criterion="1.5", grade="met",
                     rationale="r", evidence=[item.uid])
    wb = load_workbook(io.BytesIO(exporting.export_workbook(session, LEAD1, "case_review")), read_only=True)
    assert wb.sheetnames[-2:] == ["judgement_grid", "judgement_grid_cps_area"]
    grid = {r["cps_area"]: r for r in _sheet(wb, "judgement_grid_cps_area")}
    assert grid["north_east"]["1.5"] == "Met [thin]"
