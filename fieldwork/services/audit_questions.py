"""The questionnaire each audit row was answered with, so that the Audit page names a question by
its words and an answer by its label, as Assess shows them (walk 25, V4: "dealt_with_well_overall:
— → yes"). The trail itself keeps codes only; the words come from the questionnaire version of the
row's assessment, never from case content or notes. One query for a page of rows."""

from __future__ import annotations

from typing import Iterable

from sqlmodel import Session, select

from fieldwork.questionnaire.model import Questionnaire
from fieldwork.services import inspections, permissions
from fieldwork.services.audit_log import AuditRow
from fieldwork.services.permissions import LEADS, Actor
from models import Assessment, QuestionnaireVersion


def questionnaires(session: Session, actor: Actor, rows: Iterable[AuditRow]) -> dict[str, Questionnaire]:
    """assessment uid -> the questionnaire it is answered with, for the rows naming a question
    (a uid the database no longer holds is left out: its row keeps its codes)."""
    permissions.require_role(actor, LEADS, "read the audit trail")
    uids = sorted({r.assessment_uid for r in rows if r.assessment_uid and r.question})
    if not uids:
        return {}
    pairs = session.exec(select(Assessment.uid, Assessment.questionnaire_version_id)
                         .where(Assessment.uid.in_(uids))).all()
    versions = {v: inspections.questionnaire_of(session.get(QuestionnaireVersion, v)) for v in {v for _, v in pairs}}
    return {uid: versions[v] for uid, v in pairs}
