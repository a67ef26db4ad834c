"""What a revision of an assessment held: a SHA-256 of its answers and notes.

A revision id says only "this version"; a bundle could claim the lead's revision as its parent
and carry other answers (issue 17: a forged lineage replaced two of the lead's answers). So
each superseded revision is recorded with the hash of what it held at that moment
(``record_superseded``, called by every save before it changes anything), bundles carry those
hashes, and a merge replaces the lead's copy only when the bundle's chain holds the lead's
current revision *with the content the lead holds* (``fieldwork.services.merge``); otherwise
both are kept and flagged as a conflict. A chain without the hash (a laptop on an older
version) proves nothing: both are kept, never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Iterable

from sqlalchemy import select, update
from sqlmodel import Session

from models import Answer, Assessment, AssessmentRevision

HASH = re.compile(r"^[0-9a-f]{64}$")


def digest(rows: Iterable[tuple]) -> str:
    """(question, instance, value, note) rows, in any order -> one hash. A blank value and no
    value are the same, as are a blank note and none: only what a reader sees counts."""
    canonical = sorted((q, i or "", "" if v is None else str(v), n or "") for q, i, v, n in rows)
    return hashlib.sha256(json.dumps(canonical, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()


def of_bundle_answers(answers: list[dict]) -> str:
    return digest((a.get("question"), a.get("instance"), a.get("value"), a.get("note")) for a in answers)


def of_assessments(session: Session, ids: list[int]) -> dict[int, str]:
    """The hash of what each assessment (by id) holds now, read from its answer rows."""
    rows: dict[int, list[tuple]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for aid, q, inst, v, n in session.execute(select(Answer.assessment_id, Answer.question, Answer.instance,
                                                         Answer.value, Answer.note)
                                                  .where(Answer.assessment_id.in_(chunk))).all():
            rows[aid].append((q, inst, v, n))
    return {i: digest(r) for i, r in rows.items()}


def record_superseded(session: Session, assessment_id: int) -> None:
    """Before a save changes an assessment's revision: record the revision it supersedes with
    the hash of what it holds (the lineage trigger then finds the row there and adds nothing)."""
    uid, revision, parent = session.execute(select(Assessment.uid, Assessment.revision, Assessment.parent_revision)
                                            .where(Assessment.id == assessment_id)).one()
    content = of_assessments(session, [assessment_id])[assessment_id]
    held = session.execute(select(AssessmentRevision.id, AssessmentRevision.content_hash).where(
        AssessmentRevision.lineage_uid == uid, AssessmentRevision.revision == revision)).first()
    if held is None:
        session.add(AssessmentRevision(lineage_uid=uid, revision=revision, parent_revision=parent, content_hash=content))
        session.flush()
    elif held[1] is None:
        session.execute(update(AssessmentRevision).where(AssessmentRevision.id == held[0]).values(content_hash=content)
                        .execution_options(synchronize_session=False))
