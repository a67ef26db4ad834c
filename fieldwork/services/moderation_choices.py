"""A lead's agreed answers are kept whichever of the Moderation page's two buttons is pressed.

The page holds one choice per disagreement. **Save agreed answers** records the choices;
**Finish moderation** records them too and then finishes, in the same transaction. Why
finishing saves first: a lead who has chosen answers and presses Finish means "these are
the answers"; throwing them away because a second button was not pressed first (walk 23, F7)
cost every choice on a page of 16 to 30+ questions. And why a refused finish still keeps the
choices: each agreed answer is a decision complete in itself (exactly what Save records), so
storing it is never half-written; only the agreed assessment, which needs every decision, is
not written, and the refusal names just the questions still undecided.

Two leads on one case (walk 23, F20): each press states what the lead *saw* stored for each
question when they opened the case (``seen``, from ``stamps``). A choice that would replace an
agreed answer saved since by someone else (another lead, or the same account in another tab) is
a clash: the whole press is refused (``moderation_changed``) before anything is written, each
clash naming both answers, who saved the stored one and when, so the lead picks which stands.
Keeping theirs is pressing again with ``seen`` updated to the stamps of the clash (a third save
in between is a clash again); keeping the stored one is not choosing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from sqlalchemy import update
from sqlmodel import Session

from fieldwork.problem_codes import DATABASE_BUSY, MODERATION_CHANGED
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire import entries
from fieldwork.services import second_marking
from fieldwork.services.permissions import Actor
from models import SecondMarking


@dataclass(frozen=True)
class Finished:
    recorded: int  # agreed answers recorded or changed by this press
    agreed_uid: str | None  # the agreed assessment written; None when the finish was refused
    refusal: ProblemError | None = None  # why it is not finished; the recorded choices are kept all the same


@dataclass(frozen=True)
class Clash:
    """One question whose agreed answer someone else saved after this lead opened the case."""
    slot: str  # the question in its entry
    where: str  # the question (and entry) in words
    mine: str  # the answer this lead chose (a code; second_marking.NOT_ASKED for "not asked")
    mine_label: str
    stored: str  # the answer stored now
    stored_label: str
    stored_by: str
    stored_at: datetime | None
    stamp: str  # the stored decision's stamp: what keeping mine states it replaces

    @property
    def words(self) -> str:
        when = f" at {self.stored_at:%H:%M} on {self.stored_at:%d %b %Y}" if self.stored_at else ""
        return f"{self.where}: yours: {self.mine_label}; saved by {self.stored_by}{when}: {self.stored_label}"


class ChoicesChanged(ProblemError):
    """Refused, nothing written: agreed answers saved by someone else since the lead opened the case."""

    def __init__(self, clashes: list[Clash]):
        self.clashes = clashes
        super().__init__([Problem(MODERATION_CHANGED, c.words, item=c.slot) for c in clashes],
                         "your agreed answers were not saved: another lead saved agreed answers to "
                         f"{len(clashes)} of these question(s) after you opened the case")


def stamp(d: second_marking.Disagreement) -> str | None:
    """What identifies one saved agreed answer (None: undecided): a later save changes it."""
    if not d.decided:
        return None
    return f"{d.agreed}|{d.agreed_by}|{d.agreed_at.isoformat() if d.agreed_at else ''}"


def stamps(view: second_marking.Moderation) -> dict[str, str | None]:
    """slot -> the stamp of its stored agreed answer: what a lead opening the case sees."""
    return {d.slot: stamp(d) for d in view.disagreements}


def clashes(view: second_marking.Moderation, picks: Mapping[str, str | None],
            seen: Mapping[str, str | None]) -> list[Clash]:
    """The choices that would replace an agreed answer the lead did not see (saved since)."""
    out = []
    for d in view.disagreements:
        pick, now = picks.get(d.slot), stamp(d)
        if pick is None or not d.decided or pick == d.agreed or seen.get(d.slot) == now:
            continue
        labels = dict(d.options)
        out.append(Clash(d.slot, d.where, pick, labels.get(pick, pick), d.agreed, labels.get(d.agreed, d.agreed),
                         d.agreed_by or "another lead", d.agreed_at, now))
    return out


def record(session: Session, actor: Actor, marking_id: int, picks: Mapping[str, str | None],
           seen: Mapping[str, str | None] | None = None) -> int:
    """Record each chosen agreed answer ({slot: value}; None: not chosen yet) that differs from
    the one stored; returns how many. A choice the service refuses refuses them all. With
    ``seen`` (``stamps`` of the case as the lead opened it), a choice replacing an agreed
    answer saved since refuses them all too (``ChoicesChanged``, naming both answers)."""
    # Two leads pressing at the same moment: the second waits here until the first commits, then
    # reads what it wrote, so the clash is found rather than written over. An UPDATE that changes
    # nothing takes the case's write lock on both databases: PostgreSQL's row lock, and SQLite's
    # one writer (whose driver otherwise reads outside any transaction until its first write,
    # so a read-then-write let the second save overwrite the first: the test shows it).
    # Objects read before the wait are reread.
    session.execute(update(SecondMarking).where(SecondMarking.id == marking_id).values(id=SecondMarking.id))
    session.expire_all()
    view = second_marking.moderation(session, actor, marking_id)
    if seen is not None and (found := clashes(view, picks, seen)):
        raise ChoicesChanged(found)
    stored = {d.slot: d for d in view.disagreements}
    changed = {slot: value for slot, value in picks.items()
               if value is not None and (slot not in stored or value != stored[slot].agreed)}
    for slot, value in changed.items():
        instance, question = entries.split(slot)
        was = stored.get(slot)
        # the trail says whose agreed answer was replaced when it was someone else's (Keep mine)
        other = was.agreed_by if was is not None and was.decided and was.agreed_by != actor.name else None
        second_marking.agree(session, actor, marking_id, question, value, instance=instance, replaces=other)
    return len(changed)


def finish(session: Session, actor: Actor, marking_id: int, picks: Mapping[str, str | None],
           seen: Mapping[str, str | None] | None = None) -> Finished:
    """Record the choices, then finish the moderation (``second_marking.finish``). Refused
    because questions are still undecided (or the agreed answers leave a required one
    unanswered), the choices recorded stay in this transaction and the refusal comes back in
    ``Finished.refusal``; any other refusal (a clash with ``seen`` among them) is raised and
    nothing is kept."""
    recorded = record(session, actor, marking_id, picks, seen)
    try:
        uid = second_marking.finish(session, actor, marking_id)
    except ProblemError as exc:
        # finish() refuses before it writes anything, so the session holds only the choices;
        # a busy database is the exception: then nothing can be kept
        if not recorded or any(p.code == DATABASE_BUSY for p in exc.problems):
            raise
        return Finished(recorded, None, exc)
    return Finished(recorded, uid)
