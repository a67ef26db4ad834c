"""A cheap fingerprint of everything a questionnaire's findings are counted from, so that a
page may keep figures while it is unchanged (fieldwork/ui/findings_cache.py)."""

from __future__ import annotations

from sqlalchemy import case, func, select

from models import COMPLETE, Answer, Assessment, CaseFile, QuestionnaireVersion


def data_version(s, inspection_id: int, questionnaire_id: str) -> tuple:
    """A cheap fingerprint of everything the questionnaire's findings are counted from."""
    row = s.execute(
        select(func.count(), func.coalesce(func.sum(Assessment.version), 0), func.max(Assessment.updated_at),
               func.max(Assessment.completed_at),
               func.coalesce(func.sum(case((Assessment.status == COMPLETE, Assessment.id), else_=0)), 0),
               func.coalesce(func.sum(case((Assessment.counted.is_(True), Assessment.id), else_=0)), 0))
        .join(CaseFile, CaseFile.id == Assessment.case_id)
        .where(CaseFile.inspection_id == inspection_id, CaseFile.questionnaire == questionnaire_id)).one()
    latest_answer = s.scalar(select(func.max(Answer.id)))
    # a new version of the questionnaire brings new wording for the sentences
    wording = s.scalar(select(func.max(QuestionnaireVersion.id)).where(QuestionnaireVersion.questionnaire
                                                                       == questionnaire_id))
    return tuple(str(x) for x in row) + (str(latest_answer), str(wording))
