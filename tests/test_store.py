from sqlalchemy import func, select

from fieldwork.services import inspections
from fieldwork.services.store import CaseRecord, add_complete_assessments
from models import Answer, Assessment, CaseFile


def test_bulk_store_writes_cases_assessments_and_answers(session):
    inspection = inspections.inspection_by_code(session)
    version = inspections.current_version(session, "case_review")
    records = [CaseRecord(f"HS-{i:04d}", {"force": "durham", "domestic_abuse": "yes"}, {"domestic_abuse": "p3"},
                          inspector="insp1") for i in range(1200)]
    seen = []
    n = add_complete_assessments(session, inspection_id=inspection.id, version=version, records=records,
                                 created_by="test", progress=lambda d, t: seen.append((d, t)))
    assert n == 1200 and seen[-1] == (1200, 1200)
    assert session.scalar(select(func.count()).select_from(CaseFile)) == 1200
    assert session.scalar(select(func.count()).select_from(Assessment).where(Assessment.status == "complete")) == 1200
    assert session.scalar(select(func.count()).select_from(Answer)) == 2400
    note = session.scalar(select(Answer.note).where(Answer.question == "domestic_abuse").limit(1))
    assert note == "p3"
