"""Writing many complete assessments at once: imports, the demonstration set, benchmarks.

Rows go in with bulk INSERTs in chunks (no ORM object per answer), inside the caller's
transaction, so a failure anywhere leaves nothing behind. The INSERTs are against the tables
(Core), not the ORM classes: the ORM's bulk path costs more than half the time of a 10,000-case
import for nothing it adds here. Callers check the data first
(``fieldwork.services`` import checks, demo generator); this module only writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from sqlalchemy import insert, select, update
from sqlmodel import Session

from models import COMPLETE, PRIMARY, Answer, Assessment, CaseFile, QuestionnaireVersion, new_uid, utcnow

CHUNK = 500  # cases per round trip: keeps SQLite under its bound-variable limit


@dataclass
class CaseRecord:
    case_ref: str
    answers: dict[str, str]  # question -> code; only questions that were asked
    notes: dict[str, str] = field(default_factory=dict)  # question -> evidence note
    inspector: str = ""
    uid: str | None = None  # keep an assessment's identity (bundles); new if None
    # from an ODK Central or KoboToolbox export: instance_id, submitted_by, submitted_at, review_state
    source: dict[str, str] = field(default_factory=dict)
    # answers inside repeat groups: instance path ("incident[2]/pin[1]") -> question -> code
    entries: dict[str, dict[str, str]] = field(default_factory=dict)


def _source_columns(source: dict[str, str]) -> dict[str, str]:
    """The case_file columns that keep where a case came from (cut to their sizes)."""
    return {"source_instance_id": (source.get("instance_id") or "")[:100],
            "source_submitted_by": (source.get("submitted_by") or "")[:100],
            "source_submitted_at": (source.get("submitted_at") or "")[:40],
            "source_review_state": (source.get("review_state") or "")[:40]}


def _chunks(items: Sequence, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def case_ids(session: Session, inspection_id: int, questionnaire: str, refs: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in _chunks(list(refs), CHUNK):
        rows = session.execute(select(CaseFile.case_ref, CaseFile.id).where(
            CaseFile.inspection_id == inspection_id, CaseFile.questionnaire == questionnaire,
            CaseFile.case_ref.in_(part))).all()
        found.update({ref: cid for ref, cid in rows})
    return found


def add_complete_assessments(
    session: Session,
    *,
    inspection_id: int,
    version: QuestionnaireVersion,
    records: Iterable[CaseRecord],
    created_by: str,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Add one complete, counted assessment per record (creating the case if it is new).
    Returns the number of assessments written."""
    records = list(records)
    total, done = len(records), 0
    now = utcnow()
    for part in _chunks(records, CHUNK):
        refs = [r.case_ref for r in part]
        existing = case_ids(session, inspection_id, version.questionnaire, refs)
        sources = {r.case_ref: _source_columns(r.source) for r in part}
        new_cases = [{"inspection_id": inspection_id, "questionnaire": version.questionnaire, "case_ref": ref,
                      "created_at": now, "created_by": created_by, **sources[ref]}
                     for ref in dict.fromkeys(refs) if ref not in existing]
        for ref, cid in existing.items():  # a registered case filled in from a submission
            if any(sources.get(ref, {}).values()):
                session.execute(update(CaseFile.__table__).where(CaseFile.__table__.c.id == cid)
                                .values(**sources[ref]))
        if new_cases:
            session.execute(insert(CaseFile.__table__), new_cases)
            existing.update(case_ids(session, inspection_id, version.questionnaire,
                                     [c["case_ref"] for c in new_cases]))
        uids = [r.uid or new_uid() for r in part]
        session.execute(insert(Assessment.__table__), [{
            "uid": uid, "case_id": existing[r.case_ref], "questionnaire_version_id": version.id,
            "inspector": r.inspector or created_by, "status": COMPLETE, "purpose": PRIMARY, "counted": True,
            "version": 1, "revision": new_uid(), "parent_revision": None, "conflict": False,
            "created_at": now, "updated_at": now, "completed_at": now,
        } for uid, r in zip(uids, part)])
        ids = dict(session.execute(select(Assessment.uid, Assessment.id).where(Assessment.uid.in_(uids))).all())
        answers = []
        for uid, r in zip(uids, part):
            for question in dict.fromkeys([*r.answers, *r.notes]):
                answers.append({"assessment_id": ids[uid], "question": question, "instance": "",
                                "value": r.answers.get(question), "note": r.notes.get(question, ""), "updated_at": now})
            answers += [{"assessment_id": ids[uid], "question": question, "instance": instance, "value": value,
                         "note": "", "updated_at": now}
                        for instance, entry in r.entries.items() for question, value in entry.items()]
        if answers:
            session.execute(insert(Answer.__table__), answers)
        done += len(part)
        if progress:
            progress(done, total)
    session.flush()
    return done
