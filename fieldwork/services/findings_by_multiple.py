"""Findings broken down by a ``select_multiple`` question (``fieldwork findings --by``).

A case may tick several options, so it belongs to several groups: the group of an option is
the cases that ticked it (the groups overlap, and their sizes need not add up to the cases
counted). Each group is counted as the whole population is, in the database, over the cases
that ticked that option — one count per option — and its overall figures become the group's.
"""

from __future__ import annotations

from typing import Sequence

from sqlalchemy import literal, select
from sqlmodel import Session

from fieldwork.questionnaire.model import Indicator, Questionnaire
from fieldwork.services import counting, summaries
from models import Answer, Assessment


def ticking(base, by: str, code: str):
    """The population ``base`` narrowed to the cases that ticked ``code`` of ``by``."""
    padded = literal(" ") + Answer.value + literal(" ")
    return base.where(Assessment.id.in_(select(Answer.assessment_id).where(Answer.question == by,
                                                                           padded.like(f"% {code} %"))))


def count(session: Session, base, *, by: str, by_codes: Sequence[str], questions, indicators: Sequence[Indicator],
          reach=None) -> counting.Counts:
    """Counts as ``counting.count`` gives them with ``by``, each group being an option's cases."""
    reach = reach or counting.entry_indicators.NO_REACH
    out = counting.count(session, base, by=None, by_codes=(), questions=questions, indicators=indicators,
                         reach=reach)
    for code in by_codes:
        part = counting.count(session, ticking(base, by, code), by=None, by_codes=(), questions=questions,
                              indicators=indicators, reach=reach)
        if not part.cases:
            continue
        out.group_cases[code] = part.cases
        for key, cells in part.answers.items():
            out.answers.setdefault(key, {None: 0})[code] = cells.get(None, 0)
        for iid, cells in part.indicators.items():
            out.indicators.setdefault(iid, {None: counting.IndicatorCount()})[code] = cells.get(
                None, counting.IndicatorCount())
    return out


def ticked(session: Session, q: Questionnaire, base, *, by: str, groups: Sequence[str]) -> dict:
    """``summaries.count_multiple``'s figures, each group being an option's cases."""
    out = summaries.count_multiple(session, q, base.subquery("base"))
    for code in groups:
        part = summaries.count_multiple(session, q, ticking(base, by, code).subquery("base"))
        for name, cells in part.items():
            if None in cells:
                out.setdefault(name, {})[code] = cells[None]
    return out


def summarise(session: Session, q: Questionnaire, base, *, by: str, groups: Sequence[str]) -> list[dict]:
    """``summaries.compute``'s entries: each question overall, then for each option's cases."""
    overall = summaries.compute(session, q, base.subquery("base"))
    per_group = {code: summaries.compute(session, q, ticking(base, by, code).subquery("base")) for code in groups}
    out = []
    for i, entry in enumerate(overall):
        out.append(entry)
        if entry["type"] != "skipped":
            out.extend({**per_group[code][i], "group": code} for code in groups
                       if per_group[code][i]["id"] == entry["id"])
    return out
