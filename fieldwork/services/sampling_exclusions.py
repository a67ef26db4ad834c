"""Exclusions and replacements: a drawn case found unusable is excluded with a reason from
a list, and the next reserve of its stratum (``sample_entry`` in draw order) enters the Cases
register in its place. The excluded case leaves the register and stops counting; the
exclusion, its reason and its replacement are kept (``sample_exclusion``) and audited."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlmodel import Session

from fieldwork import audit
from fieldwork.problem_codes import ALREADY_EXCLUDED, BAD_REASON, NOT_IN_SAMPLE
from fieldwork.problems import Problem, ProblemError
from fieldwork.services import actor_check, inspections, permissions, privacy, sampling_register
from fieldwork.services.permissions import Actor
from models import (PRIMARY, Assessment, CaseFile, FrameCase, SampleDraw, SampleEntry, SampleExclusion,
                    SampleFrame)
from models.sampling import RESERVE

REASONS = {  # exclusion reason code -> label
    "file_not_available": "File not available",
    "wrong_offence": "Wrong offence",
    "duplicate": "Duplicate",
    "other": "Other",
}
OTHER = "other"
EXCLUDED = "sample.excluded"
REPLACED = "sample.replaced"


@dataclass(frozen=True)
class Exclusion:
    case_ref: str
    reason: str
    replacement: str | None  # the reserve that took its place; None when the stratum has none left
    stratum: str
    force: str


def exclude(session: Session, actor: Actor, case_ref: str, reason: str, detail: str = "", *,
            questionnaire: str | None = None, inspection: inspections.InspectionRef = None) -> Exclusion:
    """Mark a drawn case unusable; the next reserve of its stratum enters the register in its
    place (a draft for the excluded case's inspector). The excluded case leaves the register
    and its assessments stop counting; both steps are audited and kept."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    permissions.require_role(actor, permissions.ROLES, "exclude a case")
    inspection = inspections.resolve(session, inspection)
    ref = (case_ref or "").strip()
    detail = (detail or "").strip()
    problems = []
    if reason not in REASONS:
        problems.append(Problem(BAD_REASON, f"the reason must be one of: {', '.join(REASONS)}", field="reason"))
    elif reason == OTHER and not detail:
        problems.append(Problem(BAD_REASON, "say why, in a few words, when the reason is 'other'", field="reason"))
    if detail and (len(detail) > 200 or privacy.note_warnings(detail)):
        problems.append(Problem(BAD_REASON, "keep the reason to 200 characters with no personal details",
                                field="reason"))
    query = (select(SampleEntry, CaseFile, SampleDraw, SampleFrame)
             .join(CaseFile, CaseFile.id == SampleEntry.case_id).join(SampleDraw, SampleDraw.id == SampleEntry.draw_id)
             .join(SampleFrame, SampleFrame.id == SampleDraw.frame_id)
             .where(CaseFile.inspection_id == inspection.id, func.lower(CaseFile.case_ref) == ref.lower()))
    if questionnaire:
        query = query.where(CaseFile.questionnaire == questionnaire)
    found = session.execute(query).all()
    if not found:
        problems.append(Problem(NOT_IN_SAMPLE, "is not a drawn case of this inspection (only cases drawn from a "
                                "sampling frame are excluded and replaced)", item=ref, item_kind="case"))
    elif len(found) > 1:
        problems.append(Problem(NOT_IN_SAMPLE, "is drawn for more than one questionnaire: say which",
                                item=ref, item_kind="case"))
    if problems:
        raise ProblemError(problems, "nothing was excluded")
    entry, case_file, draw_row, frame = found[0]
    permissions.require_force(actor, frame.force, "exclude cases of a force you do not cover")
    if session.execute(select(SampleExclusion.id).where(SampleExclusion.entry_id == entry.id)).first():
        raise ProblemError([Problem(ALREADY_EXCLUDED, "is already excluded", item=ref, item_kind="case")],
                           "nothing was excluded")
    in_register = {r.lower() for r in session.execute(select(CaseFile.case_ref).where(
        CaseFile.inspection_id == inspection.id, CaseFile.questionnaire == case_file.questionnaire)).scalars()}
    reserves = session.execute(
        select(SampleEntry, FrameCase).join(FrameCase, FrameCase.id == SampleEntry.frame_case_id)
        .where(SampleEntry.draw_id == draw_row.id, SampleEntry.stratum == entry.stratum,
               SampleEntry.role == RESERVE, SampleEntry.case_id.is_(None))
        .order_by(SampleEntry.position)).all()
    nxt = next(((e, fc) for e, fc in reserves if fc.case_ref.lower() not in in_register), None)
    owner = session.execute(select(Assessment.inspector).where(
        Assessment.case_id == case_file.id, Assessment.purpose == PRIMARY).order_by(Assessment.id)).scalar()
    owner = owner or draw_row.inspector
    replacement = None
    if nxt is not None:
        new_entry, frame_case = nxt
        version = inspections.current_version(session, case_file.questionnaire)
        new_entry.case_id = sampling_register.enter(
            session, actor, inspection, version, [(frame_case.case_ref, frame.force,
                                                   json.loads(frame_case.attributes))], owner)[frame_case.case_ref]
        new_entry.replaces_entry_id = entry.id
        session.add(new_entry)
        replacement = frame_case.case_ref
    session.execute(update(Assessment).where(Assessment.case_id == case_file.id).values(counted=False))
    session.add(SampleExclusion(entry_id=entry.id, reason=reason, detail=detail, excluded_by=actor.name,
                                replacement_entry_id=nxt[0].id if nxt else None))
    where = dict(inspection_id=inspection.id, questionnaire=case_file.questionnaire, force=frame.force)
    # the reason's code only: free text stays in sample_exclusion, out of the audit detail
    audit.record(session, actor.name, EXCLUDED, case_ref=case_file.case_ref, reason=reason,
                 replacement=replacement, **where)
    if replacement:
        audit.record(session, actor.name, REPLACED, case_ref=replacement, replaces=case_file.case_ref,
                     reserve_position=nxt[0].position, **where)
    session.flush()
    return Exclusion(case_file.case_ref, reason, replacement, entry.stratum, frame.force)
