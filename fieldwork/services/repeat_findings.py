"""Findings over the entries of repeat groups: counted in the database, as every finding is.

A question asked once per entry (every PIN issued, every incident) is counted two ways, and
each findings entry says which (``unit``):

* ``entries``: the entries answering each code, over the entries that answered the question
  (less those answered ``na``), exactly as a case-level question counts cases — "57 PINs in
  all, 12 of them (21 percent) served in person";
* ``cases``: the cases with at least one entry answering each code, over the cases with at
  least one entry answering the question (less the cases whose entries all answered ``na``).
  A case can count under several codes, so these need not add up to 100 percent.

Each repeat group itself gives one entry (kind ``repeat``, unit ``cases``): the cases with at
least one entry over the cases in the population, with the number of entries beside it
(``entries``) — "PINs issued in 41 of 270 cases; 57 in all". An entry counts once it has a row
for one of its repeat's own questions, answered or not (the app's Add writes a blank one).

Three GROUP BY queries over the answer table (codes; cases per question; entries per repeat),
joined to the findings' population, grouped by the ``by`` variable where there is one; Python
only arranges the aggregated rows. This module counts and words; ``findings.py`` makes the
entries (``Finding``) with their intervals and comparisons, as it does for select_multiple
questions, which are counted by entries through the query the case-level ones use (it counts
answer rows, which are entries here).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from fieldwork import expr
from fieldwork.problem_codes import BY_ENTRY_VARIABLE, INDICATOR_OVER_ENTRIES  # noqa: F401 (tests name it here)
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire.model import NOT_APPLICABLE, NOT_KNOWN, Questionnaire
from fieldwork.questionnaire import repeat_levels
from fieldwork.services import entry_indicators, summaries
from fieldwork.wording import render
from models import Answer

CASES = "cases"
ENTRIES = "entries"
REPEAT = "repeat"

ENTRIES_TEXT = "“{question}” {answer_label}: {count} of {denominator} entries ({percent} percent)"
ENTRIES_NA_TEXT = "“{question}” not applicable in {count} of the {asked} entries that answered it"
ENTRIES_EMPTY_TEXT = "“{question}” {answer_label}: no entry answered this question"
CASES_TEXT = ("“{question}” {answer_label} in at least one entry: {count} of {denominator} cases "
              "({percent} percent)")
CASES_NA_TEXT = "“{question}” not applicable in an entry of {count} of the {asked} cases whose entries answered it"
CASES_EMPTY_TEXT = "“{question}” {answer_label}: no case has an entry answering this question"
REPEAT_TEXT = "{question}: in {count} of {denominator} cases ({percent} percent); {entries} in all"
REPEAT_EMPTY_TEXT = "{question}: no case is in the population"


def entry_questions(q: Questionnaire) -> set[str]:
    return {x.name for x in q.questions if q.repeat_of(x.name)}


def check_request(q: Questionnaire, by: str | None) -> None:
    """A breakdown is by a value each case has once: not by a question asked per entry."""
    if by and q.has_question(by) and q.repeat_of(by):
        raise ProblemError([Problem(BY_ENTRY_VARIABLE, f"{by!r} is asked once per entry of repeat group "
                                    f"{q.repeat_of(by)!r}, so a case may hold several values: break findings down "
                                    "by a question asked once per case", field="by", item=by)],
                           "the findings request was refused")


def check_indicators(q: Questionnaire) -> None:
    """Indicators count cases; one reading entries is counted over them (entry_indicators), and
    refused by name only where that has no meaning (two questions asked per entry in one test,
    a repeat group used as a value, sum() of a repeat group)."""
    entry_indicators.check(q)


def _population(base, by: str | None, by_codes: Sequence[str]):
    pop, _ = summaries._grouped(base, by, by_codes)
    return pop


def _cells(rows, groups: Sequence[str]) -> dict:
    """{key: {None: overall, group: n}} from (key..., grp, n) rows: overall sums every group's
    rows (a case is in one group or none), groups only those with cases."""
    out: dict = {}
    for *key, grp, n in rows:
        key = tuple(key) if len(key) > 1 else key[0]
        cell = out.setdefault(key, {})
        cell[None] = cell.get(None, 0) + int(n or 0)
        if grp is not None and grp in groups:
            cell[grp] = int(n or 0)
    return out


def percent_half_up(count: int, denominator: int) -> int | None:
    """As findings.percent_half_up (integers only, halves up): the sentences need it here."""
    return None if denominator <= 0 else (200 * count + denominator) // (2 * denominator)


def multiple_inside(q: Questionnaire) -> Questionnaire:
    """The select_multiple questions asked in a repeat group, as a questionnaire of their own."""
    return replace(q, questions=tuple(x for x in q.questions if q.repeat_of(x.name) and x.is_multiple_choice))


def compute(session: Session, q: Questionnaire, base, *, by: str | None, by_codes: Sequence[str],
            groups: Sequence[str], populations: dict) -> list[dict]:
    """The fields of a findings entry (all but its interval and its comparison with the rest)
    for every repeat group and every single-choice question asked in one: each figure's
    overall entry, then its groups."""
    if not q.repeats:
        return []
    pop = _population(base, by, by_codes)
    singles = [x for x in q.single_choice_questions if q.repeat_of(x.name)]
    a = aliased(Answer, name="a")
    answered = and_(a.instance != "", a.value.is_not(None), a.value != "")
    by_code_entries, by_code_cases, per_question = {}, {}, {}
    if singles:
        rows = session.execute(
            select(a.question, a.value, pop.c.grp, func.count(), func.count(distinct(a.assessment_id)))
            .select_from(a).join(pop, pop.c.aid == a.assessment_id)
            .where(a.question.in_([x.name for x in singles]), answered)
            .group_by(a.question, a.value, pop.c.grp)).all()
        by_code_entries = _cells([(qn, v, g, n) for qn, v, g, n, _ in rows], groups)
        by_code_cases = _cells([(qn, v, g, c) for qn, v, g, _, c in rows], groups)
        case_rows = session.execute(
            select(a.question, pop.c.grp, func.count(distinct(a.assessment_id)),
                   func.count(distinct(case((a.value != NOT_APPLICABLE, a.assessment_id)))))
            .select_from(a).join(pop, pop.c.aid == a.assessment_id)
            .where(a.question.in_([x.name for x in singles]), answered)
            .group_by(a.question, pop.c.grp)).all()
        per_question = (_cells([(qn, g, n) for qn, g, n, _ in case_rows], groups),
                        _cells([(qn, g, m) for qn, g, _, m in case_rows], groups))
    out = []
    for repeat in q.repeats:
        out += _repeat_entries(session, q, repeat, pop, groups, populations)
    for question in singles:
        for unit in (ENTRIES, CASES):
            for group in (None, *groups):
                out += _question_entries(q, question, unit, group, by_code_entries, by_code_cases, per_question)
    return _regroup(out)


def _regroup(entries: list[dict]) -> list[dict]:
    """Each code's overall entry followed by its groups, as the case-level findings are laid out."""
    order: dict = {}
    for f in entries:
        order.setdefault((f["id"], f["unit"], f["answer"]), []).append(f)
    return [f for fs in order.values() for f in sorted(fs, key=lambda f: f["group"] is not None)]


def _repeat_entries(session, q: Questionnaire, repeat, pop, groups, populations) -> list[dict]:
    own = [x.name for x in repeat_levels.questions_of(q, repeat.name)]
    if not own:
        return []
    a = aliased(Answer, name="e")
    # an entry exists once it has a row, answered or not (the app's Add writes a blank one)
    entries = (select(a.assessment_id.label("aid"), a.instance.label("instance")).distinct()
               .where(a.question.in_(own), a.instance != "").subquery("entries"))
    rows = session.execute(select(pop.c.grp, func.count(), func.count(distinct(entries.c.aid)))
                           .select_from(entries).join(pop, pop.c.aid == entries.c.aid).group_by(pop.c.grp)).all()
    n_entries = _cells([("n", g, n) for g, n, _ in rows], groups).get("n", {})
    n_cases = _cells([("n", g, c) for g, _, c in rows], groups).get("n", {})
    out = []
    for group in (None, *groups):
        count, denominator = n_cases.get(group, 0), populations.get(group, 0)
        percent = percent_half_up(count, denominator)
        values = {"count": count, "denominator": denominator, "percent": percent, "entries": n_entries.get(group, 0),
                  "question": repeat.label, "asked": denominator, "population": denominator, "not_known": 0,
                  "not_applicable": 0, "answer": "", "answer_label": ""}
        out.append(dict(id=repeat.name, answer=None, group=group, count=count, denominator=denominator,
                        percent=percent, not_known=0, not_applicable=0,
                        text=render(REPEAT_TEXT if denominator else REPEAT_EMPTY_TEXT, values), footnotes=(),
                        kind=REPEAT, label=repeat.label, criteria=(), unit=CASES, entries=n_entries.get(group, 0),
                        repeat=repeat.name))
    return out


def _question_entries(q, question, unit, group, by_code_entries, by_code_cases, per_question) -> list[dict]:
    options = q.options(question.name)
    if unit == ENTRIES:
        by_code = {c.code: by_code_entries.get((question.name, c.code), {}).get(group, 0) for c in options}
        asked = sum(by_code.values())
        na, nk = by_code.get(NOT_APPLICABLE, 0), by_code.get(NOT_KNOWN, 0)
        denominator = asked - na
        texts = (ENTRIES_TEXT, ENTRIES_NA_TEXT, ENTRIES_EMPTY_TEXT)
    else:
        by_code = {c.code: by_code_cases.get((question.name, c.code), {}).get(group, 0) for c in options}
        asked = per_question[0].get(question.name, {}).get(group, 0) if per_question else 0
        denominator = per_question[1].get(question.name, {}).get(group, 0) if per_question else 0
        na, nk = by_code.get(NOT_APPLICABLE, 0), by_code.get(NOT_KNOWN, 0)
        texts = (CASES_TEXT, CASES_NA_TEXT, CASES_EMPTY_TEXT)
    out = []
    for option in options:
        count = by_code[option.code]
        own = asked if option.code == NOT_APPLICABLE else denominator
        percent = percent_half_up(count, own)
        values = {"count": count, "denominator": own, "percent": percent, "not_known": nk, "not_applicable": na,
                  "asked": asked, "population": asked, "answer": option.code, "answer_label": option.label,
                  "question": question.label}
        template = texts[2] if own == 0 else texts[1] if option.code == NOT_APPLICABLE else texts[0]
        footnotes = tuple(render(question.footnotes[k], values) for k, n in (("not_known", nk), ("not_applicable", na))
                          if n and question.footnotes.get(k))
        out.append(dict(id=question.name, answer=option.code, group=group, count=count, denominator=own,
                        percent=percent, not_known=nk, not_applicable=na, text=render(template, values),
                        footnotes=footnotes, kind="question", label=question.label,
                        criteria=tuple(question.criteria), answer_label=option.label, unit=unit,
                        repeat=q.repeat_of(question.name)))
    return out


def entry_summaries(session: Session, q: Questionnaire, base, *, by: str | None, by_codes: Sequence[str],
                    groups: Sequence[str]) -> list[dict]:
    """Numbers and dates asked in a repeat group, summarised over the entries (``n`` counts
    entries; ``unit: "entries"``), by the same window-function query as the case-level ones."""
    inside = replace(q, questions=tuple(x for x in q.questions if q.repeat_of(x.name)))
    if not summaries.summarised(inside):
        return []
    return [{**x, "unit": ENTRIES} for x in summaries.compute(session, inside, base, by=by, by_codes=by_codes,
                                                             groups=groups)]
