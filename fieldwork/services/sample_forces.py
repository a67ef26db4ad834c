"""The forces an inspection samples for a questionnaire: how many groups the sample-size
planner plans for unless told otherwise (the Findings page's "Plan the sample" and
``fieldwork plan``).

A lead plans a margin per force, so the planner's default is the inspection's own number of
forces, not 1 (walk 23, F19: "Forces" read 1 while the inspection had six). The forces are,
together: those the inspection's sample plan sets a target for (``criteria/inspections``:
every force where the plan has a default target), those a sample frame was imported for, and
those the questionnaire's cases already come from (one DISTINCT query).
"""

from __future__ import annotations

from sqlmodel import Session, select

from fieldwork.catalog import load_catalog
from fieldwork.services import inspections
from models import Answer, Assessment, CaseFile, SampleFrame

FORCE = "force"  # the contract's force variable (section 6)


def sampled_forces(session: Session, questionnaire_id: str, *,
                   inspection: inspections.InspectionRef = None) -> list[str]:
    """The force codes of the inspection's sample for ``questionnaire_id``, in the catalogue's
    order (a code the catalogue does not know last)."""
    inspection = inspections.resolve(session, inspection)
    catalog = load_catalog()
    spec = catalog.inspections.get(inspection.code)
    plan = spec.sample(questionnaire_id) if spec else None
    every = [c.code for c in catalog.codes.forces]
    codes: set[str] = set()
    if plan is not None:
        codes |= {f for f in (every if plan.default_target > 0 else plan.targets) if plan.target(f) > 0}
    codes |= set(session.exec(select(SampleFrame.force).where(
        SampleFrame.inspection_id == inspection.id, SampleFrame.questionnaire == questionnaire_id).distinct()).all())
    codes |= set(session.exec(
        select(Answer.value).join(Assessment, Assessment.id == Answer.assessment_id)
        .join(CaseFile, CaseFile.id == Assessment.case_id)
        .where(CaseFile.inspection_id == inspection.id, CaseFile.questionnaire == questionnaire_id,
               Answer.question == FORCE, Answer.value.is_not(None), Answer.value != "").distinct()).all())
    order = {code: i for i, code in enumerate(every)}
    return sorted(codes, key=lambda c: (order.get(c, len(order)), c))
