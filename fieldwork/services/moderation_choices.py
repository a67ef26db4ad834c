"""A lead's agreed answers are kept whichever of the Moderation page's two buttons is pressed.

The page holds one choice per disagreement. **Save agreed answers** records the choices;
**Finish moderation** records them too and then finishes, in the same transaction. Why
finishing saves first: a lead who has chosen answers and presses Finish means "these are
the answers"; throwing them away because a second button was not pressed first (walk 23, F7)
cost every choice on a page of 16 to 30+ questions. And why a refused finish still keeps the
choices: each agreed answer is a decision complete in itself (exactly what Save records), so
storing it is never half-written; only the agreed assessment, which needs every decision, is
not written, and the refusal names just the questions still undecided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from sqlmodel import Session

from fieldwork.problem_codes import DATABASE_BUSY
from fieldwork.problems import ProblemError
from fieldwork.questionnaire import entries
from fieldwork.services import second_marking
from fieldwork.services.permissions import Actor


@dataclass(frozen=True)
class Finished:
    recorded: int  # agreed answers recorded or changed by this press
    agreed_uid: str | None  # the agreed assessment written; None when the finish was refused
    refusal: ProblemError | None = None  # why it is not finished; the recorded choices are kept all the same


def record(session: Session, actor: Actor, marking_id: int, picks: Mapping[str, str | None]) -> int:
    """Record each chosen agreed answer ({slot: value}; None: not chosen yet) that differs from
    the one stored; returns how many. A choice the service refuses refuses them all."""
    view = second_marking.moderation(session, actor, marking_id)
    stored = {d.slot: d.agreed for d in view.disagreements}
    changed = {slot: value for slot, value in picks.items() if value is not None and value != stored.get(slot)}
    for slot, value in changed.items():
        instance, question = entries.split(slot)
        second_marking.agree(session, actor, marking_id, question, value, instance=instance)
    return len(changed)


def finish(session: Session, actor: Actor, marking_id: int, picks: Mapping[str, str | None]) -> Finished:
    """Record the choices, then finish the moderation (``second_marking.finish``). Refused
    because questions are still undecided (or the agreed answers leave a required one
    unanswered), the choices recorded stay in this transaction and the refusal comes back in
    ``Finished.refusal``; any other refusal is raised and nothing is kept."""
    recorded = record(session, actor, marking_id, picks)
    try:
        uid = second_marking.finish(session, actor, marking_id)
    except ProblemError as exc:
        # finish() refuses before it writes anything, so the session holds only the choices;
        # a busy database is the exception: then nothing can be kept
        if not recorded or any(p.code == DATABASE_BUSY for p in exc.problems):
            raise
        return Finished(recorded, None, exc)
    return Finished(recorded, uid)
