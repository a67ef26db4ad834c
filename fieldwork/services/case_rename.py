"""Renaming a case's reference, and the references that clash whatever their letter case.

A database made before references were unique whatever the case may hold ``RC-1`` and ``rc-1``
in one questionnaire; the unique index on ``lower(case_ref)`` (fieldwork.db.FOLDED_INDEXES)
cannot be made over them, so the migration is refused with the list (fieldwork.db) and
``fieldwork case rename`` gives one of each pair a new reference first.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from fieldwork import audit
from fieldwork.problem_codes import BAD_CASE_REF as BAD_NEW_REF, CASE_NOT_FOUND
from fieldwork.problems import Problem, ProblemError
from fieldwork.services import actor_check, privacy
from fieldwork.services.inspections import InspectionRef, resolve
from fieldwork.services.permissions import ADMIN, LEAD, Actor, require_role
from models import CaseFile

CASE_RENAMED = "case.renamed"


def rename_case(session: Session, actor: Actor, old: str, new: str, *, inspection: InspectionRef = None,
                questionnaire: str | None = None) -> CaseFile:
    """Give the case whose reference is exactly ``old`` the reference ``new`` (audited)."""
    actor = actor_check.at_write(session, actor)
    require_role(actor, (LEAD, ADMIN), "rename a case")
    insp = resolve(session, inspection)
    query = select(CaseFile).where(CaseFile.inspection_id == insp.id, CaseFile.case_ref == old)
    if questionnaire:
        query = query.where(CaseFile.questionnaire == questionnaire)
    found = session.exec(query).all()
    if not found:
        raise ProblemError([Problem(CASE_NOT_FOUND, f"no case has the reference {old}"
                                    + (f" in {questionnaire}" if questionnaire else "") + " (letter case counts here)",
                                    field="case_ref", item=old)], "not renamed")
    if len(found) > 1:
        raise ProblemError([Problem(CASE_NOT_FOUND, f"{old} is a case of {len(found)} questionnaires ("
                                    + ", ".join(sorted(c.questionnaire for c in found))
                                    + "): name one with --questionnaire", field="case_ref", item=old)], "not renamed")
    case = found[0]
    new = (new or "").strip()
    fault = privacy.case_ref_problem(new, insp.case_ref_pattern)
    if fault:
        raise ProblemError([Problem(BAD_NEW_REF, f"new case reference: {fault}", field="case_ref", item=new)],
                           "not renamed")
    clash = session.exec(select(CaseFile.case_ref).where(
        CaseFile.inspection_id == insp.id, CaseFile.questionnaire == case.questionnaire, CaseFile.id != case.id,
        func.lower(CaseFile.case_ref) == new.lower())).first()
    if clash:
        raise ProblemError([Problem(BAD_NEW_REF, f"{clash} is already in the register for {case.questionnaire}: "
                                    "choose another reference", field="case_ref", item=new)], "not renamed")
    case.case_ref = new
    session.add(case)
    audit.record(session, actor.name, CASE_RENAMED, inspection_id=insp.id, case_ref=new, old_value=old,
                 new_value=new, questionnaire=case.questionnaire)
    return case
