"""Drawn cases into the Cases register, in bulk: each a case file with a draft primary
assessment for the inspector named, its context answers from the frame, and the audit rows
the Cases page writes for a case it adds (``case.created``, ``assessment.created``).

Cases, assessments and answers go in with Core INSERTs in chunks, as
``fieldwork.services.store`` does for imports: a draw of hundreds of cases (450 rape files in
2019) would otherwise spend most of its time building one ORM object per row. The audit rows
do not: each goes through ``audit.record``, which chains it to the row before it
(``audit_chain.seal``). Inserted in bulk they had no hashes, and ``fieldwork audit verify``
then reported the trail as tampered with from the first drawn case on. Everything is in the
caller's transaction.
"""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import insert, select
from sqlmodel import Session

from fieldwork import audit
from fieldwork.catalog import load_catalog
from fieldwork.services import assessments, inspections, store
from fieldwork.services.permissions import Actor
from fieldwork.services.sampling_frames import FORCE, context_fields
from models import DRAFT, PRIMARY, Answer, Assessment, CaseFile, Inspection, new_uid, utcnow


def context_answers(questionnaire, force: str, attributes: dict) -> dict[str, str]:
    """The context a drawn case starts with: the force, its CPS Area (unless the frame says
    otherwise) and the frame's codes for the other context questions that are asked."""
    fields = set(context_fields(questionnaire))
    given = {k: v for k, v in attributes.items() if k in fields and k != FORCE}
    given[FORCE] = force
    values, _ = assessments.check_answers(questionnaire, given)  # checked at import; a newer version drops any
    values = {k: v for k, v in values.items() if v is not None}
    if questionnaire.has_question("cps_area") and "cps_area" not in values:
        area = load_catalog().codes.force_area.get(force)
        if area in questionnaire.codes("cps_area"):
            values["cps_area"] = area  # the force's CPS Area, as the Cases page does
    asked = questionnaire.relevant_names(values)
    return {k: v for k, v in values.items() if k in asked}


def enter(session: Session, actor: Actor, inspection: Inspection, version, items: Sequence[tuple[str, str, dict]],
          owner: str) -> dict[str, int]:
    """(case_ref, force, attributes) -> the case file id of each, entered with a draft for ``owner``."""
    questionnaire = inspections.questionnaire_of(version)
    qid = version.questionnaire
    now = utcnow()
    out: dict[str, int] = {}
    for part in store._chunks(list(items), store.CHUNK):
        session.execute(insert(CaseFile.__table__), [
            {"inspection_id": inspection.id, "questionnaire": qid, "case_ref": ref, "created_at": now,
             "created_by": actor.name} for ref, _, _ in part])
        ids = store.case_ids(session, inspection.id, qid, [ref for ref, _, _ in part])
        uids = {ref: new_uid() for ref, _, _ in part}
        session.execute(insert(Assessment.__table__), [{
            "uid": uids[ref], "case_id": ids[ref], "questionnaire_version_id": version.id, "inspector": owner,
            "status": DRAFT, "purpose": PRIMARY, "counted": True, "version": 1, "revision": new_uid(),
            "parent_revision": None, "conflict": False, "created_at": now, "updated_at": now, "completed_at": None,
        } for ref, _, _ in part])
        assessment_ids = dict(session.execute(select(Assessment.uid, Assessment.id).where(
            Assessment.uid.in_(list(uids.values())))).all())
        answers = []
        for ref, force, attrs in part:
            values = context_answers(questionnaire, force, attrs)
            answers += [{"assessment_id": assessment_ids[uids[ref]], "question": k, "value": v, "note": "",
                         "updated_at": now} for k, v in values.items()]
            # the same rows the Cases page writes for a case it adds, chained as every audit row is
            audit.record(session, actor.name, audit.CASE_CREATED, inspection_id=inspection.id, case_ref=ref,
                         questionnaire=qid, via="sample")
            audit.record(session, actor.name, audit.ASSESSMENT_CREATED, inspection_id=inspection.id, case_ref=ref,
                         assessment_uid=uids[ref], questionnaire=qid, version=version.version, purpose=PRIMARY,
                         answers=len(values), inspector=owner)
        if answers:
            session.execute(insert(Answer.__table__), answers)
        out.update(ids)
    return out
