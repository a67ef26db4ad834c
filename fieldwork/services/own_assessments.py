"""What an inspector's OWN assessment of each case stands at: the work waiting for them.

The register's status follows the scoring that counts (``cases.py``): a case whose first
marking is complete reads "complete" to everyone. A second marker's own assessment of it (a
second marking, not counted) may not even be started, so the Cases page lists each of the
inspector's cases with the status of their own assessment ("second marking, not started")
and offers the second markings that wait. The assessment shown for a case is the one Assess
opens for them (``assessments.own_assessment``: their primary scoring first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from fieldwork.services import assessments, inspections
from fieldwork.services.permissions import Actor
from models import AGREED, COMPLETE, PRIMARY, SECOND, Assessment, CaseFile

NOT_STARTED, DRAFT_LABEL, COMPLETE_LABEL = "not started", "draft", "complete"
PURPOSE_WORDS = {PRIMARY: "", SECOND: "second marking", AGREED: "agreed version"}


@dataclass(frozen=True)
class Own:
    case_id: int
    case_ref: str
    purpose: str  # PRIMARY, SECOND or AGREED
    status: str  # NOT_STARTED, DRAFT_LABEL or COMPLETE_LABEL: how far their own scoring has got
    updated_at: datetime | None

    @property
    def label(self) -> str:
        """"draft", "second marking, not started", ...: what the inspector reads beside the case."""
        words = PURPOSE_WORDS.get(self.purpose, self.purpose)
        return f"{words}, {self.status}" if words else self.status


def own(session: Session, actor: Actor, *, inspection: inspections.InspectionRef = None) -> dict[int, Own]:
    """case id -> the actor's own assessment of it, for every case of the inspection they hold
    one of (one query: the first by purpose per case, ranked in SQL)."""
    inspection = inspections.resolve(session, inspection)
    order = case(assessments.PURPOSE_ORDER, value=Assessment.purpose, else_=9)
    # started as the register counts it: anything saved after it was made (or complete)
    status = case((Assessment.status == COMPLETE, COMPLETE_LABEL),
                  (Assessment.version > 1, DRAFT_LABEL), else_=NOT_STARTED)
    rank = func.row_number().over(partition_by=Assessment.case_id, order_by=[order, Assessment.id]).label("rank")
    ranked = (select(Assessment.case_id, CaseFile.case_ref, Assessment.purpose, status.label("status"),
                     Assessment.updated_at, rank)
              .join(CaseFile, CaseFile.id == Assessment.case_id)
              .where(and_(Assessment.inspector == actor.name, CaseFile.inspection_id == inspection.id))
              .subquery("own"))
    rows = session.execute(select(ranked.c.case_id, ranked.c.case_ref, ranked.c.purpose, ranked.c.status,
                                  ranked.c.updated_at).where(ranked.c.rank == 1)).all()
    return {cid: Own(cid, ref, purpose, st, updated) for cid, ref, purpose, st, updated in rows}


def waiting_second_markings(session: Session, actor: Actor, *,
                            inspection: inspections.InspectionRef = None) -> list[Own]:
    """The actor's second markings not complete yet, the one saved most recently first (a
    second marking just assigned and not started comes after those already begun)."""
    waiting = [o for o in own(session, actor, inspection=inspection).values()
               if o.purpose == SECOND and o.status != COMPLETE_LABEL]
    return sorted(waiting, key=lambda o: (o.status == DRAFT_LABEL, str(o.updated_at or ""), o.case_ref),
                  reverse=True)
