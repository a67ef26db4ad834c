"""Helpers for the evidence and judgement tests: actors, an interview with coded excerpts, and
complete case_review assessments in a force (through the bulk writer the importer uses)."""

from __future__ import annotations

from datetime import date

from fieldwork.services import evidence, inspections, store
from fieldwork.services.evidence import EvidenceInput, ExcerptInput
from fieldwork.services.permissions import ADMIN, INSPECTOR, LEAD, Actor

INSPECTOR1 = Actor("inspector1", INSPECTOR)
DURHAM_INSPECTOR = Actor("inspector2", INSPECTOR, ("durham",))
LEAD1 = Actor("lead1", LEAD)
LEAD2 = Actor("lead2", LEAD)
ADMIN1 = Actor("admin1", ADMIN)


def interview(force: str = "durham", **changes) -> EvidenceInput:
    data = EvidenceInput(
        kind="interview", held_on=date(2016, 11, 8), force=force, source="force stalking SPOC",
        summary="Interview with the force lead on stalking.", criteria=["1.5"],
        excerpts=[ExcerptInput("1.5", "strength", "The SPOC reviews every stalking report each morning."),
                  ExcerptInput("3.1", "area_for_improvement",
                               "Officers do not always complete the risk assessment at first contact.")])
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def add_interview(session, actor: Actor = INSPECTOR1, **changes):
    item, _ = evidence.add_evidence(session, actor, interview(**changes))
    return item


def add_cases(session, force: str, answers: list[str], *, start: int = 1) -> None:
    """Complete case_review assessments in ``force``, one per ``initial_risk_assessment`` code."""
    inspection = inspections.inspection_by_code(session)
    version = inspections.current_version(session, "case_review")
    records = [store.CaseRecord(f"HS-{force[:3].upper()}-{start + n:04d}",
                                {"force": force, "initial_risk_assessment": code}, inspector="inspector1")
               for n, code in enumerate(answers)]
    store.add_complete_assessments(session, inspection_id=inspection.id, version=version, records=records,
                                   created_by="inspector1")
