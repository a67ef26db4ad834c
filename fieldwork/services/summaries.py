"""Counts for the question types beyond single choice, made in the database:

- ``select_multiple``: the ticks of each option and the cases asked (``count_multiple``);
  ``fieldwork.services.findings`` turns them into one entry per option — count = cases that
  ticked it, denominator = cases asked less those that ticked ``na`` — so the percentages
  need not sum to 100;
- numbers (``integer``, ``decimal``, ``range``) and dates: the top-level ``summaries`` of the
  findings JSON, overall and per group: ``n``, ``min``, ``max``, ``median``, quartiles ``q1``
  and ``q3`` and ``mean`` for numbers; ``earliest``, ``median`` and ``latest`` for dates.

Each is one query per question (and one more per question with ``--by``): the database
ranks the values (a window function) and returns only the few order statistics the
quartiles need, so Python never sees the answers themselves. Quartiles are interpolated
between neighbouring values as Excel's QUARTILE.INC does (R type 7), on the exact decimal
text, so 0.1 and 0.2 give a median of 0.15, never 0.15000000000000002. The mean is the
database's average, rounded to 4 decimal places. A date's median, when the middle falls
between two days, is the earlier day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence

from sqlalchemy import Float, and_, case, cast, func, literal, null, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from fieldwork import expr
from fieldwork.questionnaire.model import NOT_APPLICABLE, Question, Questionnaire
from models import Answer

NUMBER_TYPES = ("integer", "decimal", "range")
DATE_TYPES = ("date",)
MOMENT_TYPES = ("time", "datetime")  # earliest, median, latest, as dates; the median is the lower middle one
_VALID = {"date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "time": r"^[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$",
          "datetime": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}"}
NOT_NUMBERS = "not summarised: its values are not all numbers"


def summarised(q: Questionnaire) -> list[Question]:
    return [x for x in q.questions if x.type in NUMBER_TYPES + DATE_TYPES + MOMENT_TYPES + ("calculate",)]


def _grouped(base, by: str | None, by_codes: Sequence[str]):
    """(the population as (aid, grp), grouped?): grp is NULL overall or for a blank group."""
    if by is None:
        return select(base.c.aid, null().label("grp")).subquery("p"), False
    g = aliased(Answer, name="g")
    query = (select(base.c.aid, case((g.value.in_(list(by_codes)), g.value), else_=null()).label("grp"))
             .select_from(base).outerjoin(g, and_(g.assessment_id == base.c.aid, g.question == by)))
    return query.subquery("p"), True


# --- select_multiple ---------------------------------------------------------------------


@dataclass(frozen=True)
class OptionCounts:
    asked: int  # cases with an answer
    na: int  # of those, cases that ticked na
    ticked: dict  # code -> cases that ticked it


def count_multiple(session: Session, q: Questionnaire, base, *, by: str | None = None,
                   by_codes: Sequence[str] = ()) -> dict[str, dict[str | None, OptionCounts]]:
    """question -> group (None overall) -> counts, for every select_multiple question."""
    out: dict[str, dict[str | None, OptionCounts]] = {}
    for question in q.multiple_choice_questions:
        codes = q.codes(question.name)
        out[question.name] = {}
        for grouped in ((False, True) if by else (False,)):
            pop, _ = _grouped(base, by if grouped else None, by_codes)
            a = aliased(Answer, name="a")
            padded = literal(" ") + a.value + literal(" ")
            columns = [func.count().label("asked")] + [
                func.sum(case((padded.like(f"% {code} %"), 1), else_=0)) for code in codes]
            query = (select(pop.c.grp, *columns).select_from(a).join(pop, pop.c.aid == a.assessment_id)
                     .where(a.question == question.name, a.value.is_not(None), a.value != "")
                     .group_by(pop.c.grp))
            for grp, asked, *ticks in session.execute(query):
                if grouped and grp is None:
                    continue  # a blank group value counts in the overall entries only
                ticked = {code: int(n or 0) for code, n in zip(codes, ticks)}
                out[question.name][grp if grouped else None] = OptionCounts(int(asked), ticked.get(NOT_APPLICABLE, 0),
                                                                            ticked)
    return out


# --- numbers and dates ---------------------------------------------------------------------


def _quantile(values: dict[int, str], n: int, k: int) -> Decimal:
    """The k-th quartile (k = 0..4) of n sorted values, of which ``values`` holds the ranks
    needed (1-based), interpolated as QUARTILE.INC does."""
    whole, part = divmod((n - 1) * k, 4)
    low = Decimal(values[whole + 1])
    if part == 0:
        return low
    return low + (Decimal(values[whole + 2]) - low) * Decimal(part) / 4


def _number(value: Decimal | None):
    if value is None:
        return None
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def _ranked(session: Session, question: Question, base, by, by_codes, grouped: bool, numeric: bool):
    pop, _ = _grouped(base, by if grouped else None, by_codes)
    a = aliased(Answer, name="a")
    key = cast(a.value, Float) if numeric else a.value
    valid = a.value.regexp_match(expr.NUMBER if numeric else _VALID.get(question.type, _VALID["date"]))
    inner = (select(pop.c.grp.label("grp"), a.value.label("raw"),
                    func.row_number().over(partition_by=pop.c.grp, order_by=(key, a.value)).label("rn"),
                    func.count().over(partition_by=pop.c.grp).label("n"),
                    (func.avg(cast(a.value, Float)).over(partition_by=pop.c.grp) if numeric else null()).label("mean"))
             .select_from(a).join(pop, pop.c.aid == a.assessment_id)
             .where(a.question == question.name, a.value.is_not(None), valid)).subquery("r")
    wanted = [inner.c.rn == inner.c.n]
    for k in (0, 1, 2, 3):
        position = ((inner.c.n - 1) * k) // 4
        wanted += [inner.c.rn == position + 1, inner.c.rn == position + 2]
    query = select(inner.c.grp, inner.c.rn, inner.c.n, inner.c.raw, inner.c.mean).where(or_(*wanted))
    ranks: dict[str | None, dict] = {}
    for grp, rn, n, raw, mean in session.execute(query):
        if grouped and grp is None:
            continue
        cell = ranks.setdefault(grp if grouped else None, {"n": int(n), "mean": mean, "values": {}})
        cell["values"][int(rn)] = raw
    return ranks


def _number_entry(question: Question, group, cell) -> dict:
    entry = {"id": question.name, "group": group, "type": "number", "n": 0, "min": None, "q1": None,
             "median": None, "q3": None, "max": None, "mean": None}
    if not cell:
        return entry
    n, values = cell["n"], cell["values"]
    quartiles = [_number(_quantile(values, n, k)) for k in range(5)]
    mean = Decimal(repr(float(cell["mean"]))).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    entry.update(n=n, min=quartiles[0], q1=quartiles[1], median=quartiles[2], q3=quartiles[3], max=quartiles[4],
                 mean=_number(mean))
    return entry


def _date_entry(question: Question, group, cell) -> dict:
    entry = {"id": question.name, "group": group, "type": "date", "n": 0, "earliest": None, "median": None,
             "latest": None}
    if not cell:
        return entry
    n, values = cell["n"], cell["values"]
    low, high = date.fromisoformat(values[(n - 1) // 2 + 1]), date.fromisoformat(values[n // 2 + 1])
    median = low + timedelta(days=(high - low).days // 2)
    entry.update(n=n, earliest=values[1], median=median.isoformat(), latest=values[n])
    return entry


def _moment_entry(question: Question, group, cell) -> dict:
    entry = {"id": question.name, "group": group, "type": question.type, "n": 0, "earliest": None, "median": None,
             "latest": None}
    if cell:
        n, values = cell["n"], cell["values"]
        entry.update(n=n, earliest=values[1], median=values[(n - 1) // 2 + 1], latest=values[n])
    return entry


def _not_numbers(session: Session, question: Question, base) -> int:
    """How many answers of a calculate are not numbers (then it is not summarised)."""
    a = aliased(Answer, name="a")
    query = (select(func.count()).select_from(a).join(base, base.c.aid == a.assessment_id)
             .where(a.question == question.name, a.value.is_not(None), a.value != "",
                    ~a.value.regexp_match(expr.NUMBER)))
    return int(session.execute(query).scalar_one())


def compute(session: Session, q: Questionnaire, base, *, by: str | None = None, by_codes: Sequence[str] = (),
            groups: Sequence[str] = ()) -> list[dict]:
    """The ``summaries`` of the findings JSON: each numeric or date question overall, then per
    group (every group that has cases, as the findings have)."""
    out = []
    for question in summarised(q):
        if question.type == "calculate":  # a number only if every value worked out is one
            other = _not_numbers(session, question, base)
            if other:
                out.append({"id": question.name, "group": None, "type": "skipped", "n": other, "why": NOT_NUMBERS})
                continue
        numeric = question.type in NUMBER_TYPES + ("calculate",)
        ranks = _ranked(session, question, base, by, by_codes, False, numeric)
        if by:
            ranks.update(_ranked(session, question, base, by, by_codes, True, numeric))
        make = _number_entry if numeric else (_moment_entry if question.type in MOMENT_TYPES else _date_entry)
        out.append(make(question, None, ranks.get(None)))
        out.extend(make(question, g, ranks.get(g)) for g in groups)
    return out
