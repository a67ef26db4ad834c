"""The entries of repeat groups of the counted complete assessments an export holds, read with
one query (never one per assessment): for the workbook's repeat sheets and the CSV export's
repeat files (``exports/repeat_tables.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from fieldwork.questionnaire import repeat_levels
from fieldwork.services.wide_table import Responses
from models import Answer, Assessment
from fieldwork.services import store


@dataclass
class Entry:
    uid: str  # the assessment's
    instance: str  # "incident[2]/pin[1]"
    answers: dict[str, str] = field(default_factory=dict)

    @property
    def repeat(self) -> str:
        return self.instance.rsplit("/", 1)[-1].split("[", 1)[0]

    @property
    def parent(self) -> str:
        return self.instance.rsplit("/", 1)[0] if "/" in self.instance else ""


def _order(instance: str) -> tuple:
    steps = repeat_levels.parse_path(instance) or []
    return tuple((name, n) for name, n in steps)


def load(session: Session, resp: Responses) -> dict[str, list[Entry]]:
    """repeat -> its entries, by case in the export's row order, then by position."""
    q = resp.questionnaire
    if not q.repeats:
        return {}
    uids = [r.uid for r in resp.rows]
    found: dict[tuple[str, str], Entry] = {}
    for start in range(0, len(uids), store.CHUNK):
        rows = session.execute(
            select(Assessment.uid, Answer.instance, Answer.question, Answer.value)
            .join(Answer, Answer.assessment_id == Assessment.id)
            .where(Assessment.uid.in_(uids[start:start + store.CHUNK]), Answer.instance != "")).all()
        for uid, instance, question, value in rows:
            if not q.has_question(question):
                continue
            # an entry exists once it has a row, answered or not (the app's Add writes a blank one)
            entry = found.setdefault((uid, instance), Entry(uid, instance))
            if value not in (None, ""):
                entry.answers[question] = value
    rank = {uid: i for i, uid in enumerate(uids)}
    out: dict[str, list[Entry]] = {r.name: [] for r in q.repeats}
    for (uid, instance), entry in sorted(found.items(), key=lambda kv: (rank[kv[0][0]], _order(kv[0][1]))):
        if entry.repeat in out:
            out[entry.repeat].append(entry)
    return out
