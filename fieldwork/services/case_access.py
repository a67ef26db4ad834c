"""Why a case asked for by its number (``/assess?case=N``) is not among the actor's cases.

The Assess page lists only the actor's own cases of the inspection that the register shows
them (``cases.register``: their force limits, a case excluded from the sample left out). A
link or a bookmark may name any case number, so the page says in words which of these it is,
never what the case holds: not its reference, not its force beyond "one your account does not
cover", not whose it is.
"""

from __future__ import annotations

from sqlalchemy import case as when, select
from sqlmodel import Session

from fieldwork.services import actor_check, assessments, inspections, permissions
from fieldwork.services.permissions import Actor
from models import PRIMARY, Answer, Assessment, CaseFile
from models.sampling import SampleEntry, SampleExclusion

GONE = "gone"  # no such case in this inspection (removed, another inspection's, a made-up number)
OUTSIDE_FORCES = "outside_forces"  # its force is not one the account covers
NOT_YOURS = "not_yours"  # the actor holds no assessment of it
EXCLUDED = "excluded"  # theirs, but excluded from the drawn sample: it left the register


def why_not_listed(session: Session, actor: Actor, case_id: int, *,
                   inspection: inspections.InspectionRef = None) -> str:
    """One of GONE, OUTSIDE_FORCES, NOT_YOURS, EXCLUDED. The account is read as it stands now
    (its force limits), as the register reads it."""
    actor = actor_check.at_write(session, actor)
    permissions.require_role(actor, (permissions.INSPECTOR, permissions.LEAD), "open cases to score")
    inspection = inspections.resolve(session, inspection)
    found = session.execute(select(CaseFile.id).where(CaseFile.id == case_id,
                                                      CaseFile.inspection_id == inspection.id)).first()
    if found is None:
        return GONE
    if actor.forces and not actor.is_lead:
        # the case's force as the register reads it: the primary scoring's answer first
        force = session.execute(
            select(Answer.value).join(Assessment, Assessment.id == Answer.assessment_id)
            .where(Assessment.case_id == case_id, Answer.question == assessments.FORCE, Answer.instance == "",
                   Answer.value.is_not(None))
            .order_by(when((Assessment.purpose == PRIMARY, 0), else_=1), Assessment.id).limit(1)).scalar()
        if force is None or not actor.sees_force(force):  # no force recorded: the register hides it too
            return OUTSIDE_FORCES
    if assessments.own_assessment(session, actor, case_id) is None:
        return NOT_YOURS
    excluded = session.execute(select(SampleEntry.id).join(SampleExclusion, SampleExclusion.entry_id == SampleEntry.id)
                               .where(SampleEntry.case_id == case_id).limit(1)).first()
    return EXCLUDED if excluded is not None else NOT_YOURS
