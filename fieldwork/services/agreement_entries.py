"""Agreement over the entries of repeat groups: which entries each marker recorded, counted in
the database (docs/repeats.md, "Second marking over entries").

Entries are paired by their instance path: the n-th incident of the first marker with the
n-th incident of the second, ``incident[2]/pin[1]`` with ``incident[2]/pin[1]``. A marker
*recorded* an entry when they hold any answer row at its path (adding an entry writes one).
Every function here takes ``pairs``, a subquery with columns pair, first_id and second_id (the
assessment ids of each second-marked case), and counts with GROUP BY; nothing loops over
assessments in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, literal, select, union_all
from sqlmodel import Session

from fieldwork.questionnaire import entries
from fieldwork.questionnaire.model import Questionnaire
from models import Answer


def presence(pairs):
    """(pair, instance, in_first, in_second): every entry either marker recorded, and which of
    them did (1 or 0)."""
    sides = union_all(*(
        select(pairs.c.pair, Answer.instance, literal(first).label("first"), literal(1 - first).label("second"))
        .join(Answer, Answer.assessment_id == side).where(Answer.instance != "")
        for first, side in ((1, pairs.c.first_id), (0, pairs.c.second_id)))).subquery()
    return (select(sides.c.pair, sides.c.instance, func.max(sides.c.first).label("in_first"),
                   func.max(sides.c.second).label("in_second"))
            .group_by(sides.c.pair, sides.c.instance)).subquery()


@dataclass
class EntryUnits:
    """Entries of one repeat group over the complete pairs."""

    both: int = 0  # entries both markers recorded (the n-th of each): the pairs its questions compare
    first_only: int = 0  # entries only the first marker recorded
    second_only: int = 0


def entry_units(session: Session, pairs) -> dict[str, EntryUnits]:
    """repeat name -> its entries recorded by both, the first only, the second only. Grouped
    by instance path in the database (a handful of rows: one per path such as ``incident[2]``),
    then summed per repeat."""
    seen = presence(pairs)
    out: dict[str, EntryUnits] = {}
    for instance, in_first, in_second, n in session.execute(
            select(seen.c.instance, seen.c.in_first, seen.c.in_second, func.count())
            .group_by(seen.c.instance, seen.c.in_first, seen.c.in_second)).all():
        if not entries.is_path(instance):  # not an instance path: no entry of any repeat
            continue
        repeat = entries.steps(instance)[-1][0]
        units = out.setdefault(repeat, EntryUnits())
        if in_first and in_second:
            units.both += n
        elif in_first:
            units.first_only += n
        else:
            units.second_only += n
    return out


def entry_counts(session: Session, pairs, questionnaire: Questionnaire, repeat: str) -> list[tuple[int, int, int]]:
    """[(entries the first recorded, entries the second recorded, pairs)] for one repeat group,
    each case's entries of it counted (nested ones over the whole case: every PIN of every
    incident). A pair where neither recorded one counts as (0, 0)."""
    own = [q.name for q in questionnaire.questions if questionnaire.repeat_of(q.name) == repeat]
    if not own:
        return []

    def per_pair(side):
        return (select(pairs.c.pair, func.count(func.distinct(Answer.instance)).label("n"))
                .join(Answer, Answer.assessment_id == side)
                .where(Answer.question.in_(own), Answer.instance != "")
                .group_by(pairs.c.pair)).subquery()

    n1, n2 = per_pair(pairs.c.first_id), per_pair(pairs.c.second_id)
    first, second = func.coalesce(n1.c.n, 0), func.coalesce(n2.c.n, 0)
    rows = session.execute(select(first, second, func.count()).select_from(pairs)
                           .outerjoin(n1, n1.c.pair == pairs.c.pair).outerjoin(n2, n2.c.pair == pairs.c.pair)
                           .group_by(first, second)).all()
    return [(int(a), int(b), int(n)) for a, b, n in rows]


def join_presence(query, asked, seen):
    """``query`` outer-joined to ``presence`` on the asked row's pair and entry."""
    return query.outerjoin(seen, and_(seen.c.pair == asked.c.pair, seen.c.instance == asked.c.instance))
