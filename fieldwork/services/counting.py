"""The counting behind findings: GROUP BY queries over the answer table, run in the database.

Python never sees an assessment here, only aggregated rows (one per answer code, group and
indicator). Three steps, in the caller's transaction:

1. The **population** (complete, counted assessments of the questionnaire in the inspection,
   narrowed by the filters) is written once into a temporary table keyed by assessment id,
   with the code of the ``by`` variable beside each assessment. Every later query joins to
   it by primary key, so the population's joins and filters run once, not per query.
2. **Question counts**: one GROUP BY (question, value) over the answer table for every
   single-choice question at once. It scans the covering index ``ix_answer_counting``
   (question, value, assessment_id) in order, so the GROUP BY needs no sort.
   With ``by``, PostgreSQL simply groups by (question, value, group) with its hash
   aggregate. SQLite has no hash aggregate: grouping 3 million answer rows by a third key
   means sorting all of them, which takes seconds. So on SQLite each assessment carries
   precomputed *weights*: group i adds ``1 << (b * (i % k))`` to column ``w{i // k}``, where
   ``b`` bits hold the largest group's size and ``k = 63 // b`` groups share one 64-bit
   column. ``SUM(w_j)`` per (question, value) then holds ``k`` group counts side by side,
   decoded by shifting; no sort and no per-row CASE. (100,000 cases by 43 forces: 12 bits,
   5 groups a column, 9 sums per row.)
3. **Indicators**: a pivot with one column per variable the indicators need (one LEFT JOIN of
   the answer table per variable, each a primary-key-prefix seek on ``ix_answer_pivot``),
   over which ``fieldwork.expr.to_sql`` compiles every population and condition into
   ``SUM(CASE ...)`` columns of one GROUP BY on the group. (A ``MAX(CASE WHEN question = ...)``
   pivot grouped by assessment gives the same table but evaluates every CASE on every
   answer row: twice as slow here.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, and_, case, func, insert, null, select, true
from sqlalchemy.orm import aliased
from sqlmodel import Session

from fieldwork import expr
from fieldwork.questionnaire.model import Indicator
from models import Answer, Assessment, CaseFile

POPULATION_TABLE = "fw_findings_population"
MAX_JOINS = 50  # variables per indicator query: SQLite allows 64 tables in one join
WORD_BITS = 63  # a signed 64-bit SUM holds 63 bits of counts


@dataclass
class IndicatorCount:
    population: int = 0
    count: int = 0


@dataclass
class Counts:
    cases: int = 0  # the whole population
    group_cases: dict[str, int] = field(default_factory=dict)  # group code -> cases, groups with cases only
    # (question, value) -> {None: overall, group code: n}
    answers: dict[tuple[str, str], dict[str | None, int]] = field(default_factory=dict)
    # indicator id -> {None: overall, group code: IndicatorCount}
    indicators: dict[str, dict[str | None, IndicatorCount]] = field(default_factory=dict)


def population(inspection_id: int, questionnaire_id: str, filters: Mapping[str, Sequence[str]], *,
               status: str, counted_only: bool):
    """SELECT of the ids (column ``aid``) of the assessments in the population."""
    query = (select(Assessment.id.label("aid"))
             .join(CaseFile, CaseFile.id == Assessment.case_id)
             .where(CaseFile.inspection_id == inspection_id, CaseFile.questionnaire == questionnaire_id,
                    Assessment.status == status))
    if counted_only:
        query = query.where(Assessment.counted.is_(True))
    for name, codes in filters.items():
        query = query.where(Assessment.id.in_(
            select(Answer.assessment_id).where(Answer.question == name, Answer.value.in_(list(codes)))))
    return query


def count_rows(session: Session, query) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _packing(sizes: Sequence[int]) -> tuple[int, int]:
    """(bits per group count, groups per 64-bit column) for groups of these sizes."""
    bits = max(1, max(sizes, default=1).bit_length())
    return bits, max(1, WORD_BITS // bits)


def count(session: Session, base, *, by: str | None, by_codes: Sequence[str], questions: Sequence[str],
          indicators: Sequence[Indicator]) -> Counts:
    """Count the population ``base`` (a SELECT of assessment ids named ``aid``)."""
    out = Counts()
    base = base.subquery("base")
    sqlite = session.get_bind().dialect.name == "sqlite"

    # the groups that hold cases, and their sizes (they set the packing on SQLite)
    groups: list[str] = []
    if by is not None:
        g = aliased(Answer, name="g")
        rows = session.execute(
            select(g.value, func.count()).select_from(base)
            .outerjoin(g, and_(g.assessment_id == base.c.aid, g.question == by)).group_by(g.value)).all()
        sizes = {value: int(n) for value, n in rows}
        groups = [c for c in by_codes if sizes.get(c)]
        out.group_cases = {c: sizes[c] for c in groups}
    packed = sqlite and bool(groups)
    bits, per_word = _packing([out.group_cases[c] for c in groups]) if packed else (0, 1)
    words = -(-len(groups) // per_word) if packed else 0

    metadata = MetaData()
    pop = Table(POPULATION_TABLE, metadata,
                Column("aid", Integer, primary_key=True, autoincrement=False),
                Column("grp", String(100)),
                *[Column(f"w{j}", BigInteger) for j in range(words)],
                prefixes=["TEMPORARY"])
    pop.drop(session.connection(), checkfirst=True)  # left by an earlier failure on this connection
    pop.create(session.connection())
    try:
        _fill(session, pop, base, by, groups, bits, per_word, words)
        _count_answers(session, out, pop, questions, groups, bits, per_word, words, packed)
        _count_indicators(session, out, pop, indicators, grouped=by is not None)
    finally:
        pop.drop(session.connection())
    return out


def _fill(session, pop, base, by, groups, bits, per_word, words) -> None:
    columns = [base.c.aid]
    names = ["aid"]
    query = select(base.c.aid)
    if by is not None and groups:
        g = aliased(Answer, name="g")
        columns.append(case((g.value.in_(groups), g.value), else_=None))
        names.append("grp")
        for j in range(words):
            weights = {code: 1 << (bits * (i % per_word)) for i, code in enumerate(groups) if i // per_word == j}
            columns.append(case(weights, value=g.value, else_=0))
            names.append(f"w{j}")
        query = (select(*columns).select_from(base)
                 .outerjoin(g, and_(g.assessment_id == base.c.aid, g.question == by)))
    session.execute(insert(pop).from_select(names, query))


def _count_answers(session, out: Counts, pop, questions, groups, bits, per_word, words, packed) -> None:
    if not questions:
        return
    a = aliased(Answer, name="a")
    where = (a.question.in_(list(questions)), a.value.is_not(None), a.value != "")
    if packed:
        query = (select(a.question, a.value, func.count(), *[func.sum(pop.c[f"w{j}"]) for j in range(words)])
                 .select_from(a).join(pop, pop.c.aid == a.assessment_id).where(*where)
                 .group_by(a.question, a.value))
        mask = (1 << bits) - 1
        for question, value, n, *sums in session.execute(query):
            cell = out.answers.setdefault((question, value), {})
            cell[None] = int(n)
            for i, code in enumerate(groups):
                cell[code] = (int(sums[i // per_word] or 0) >> (bits * (i % per_word))) & mask
        return
    # no groups (no ``by``): group by (question, value) alone, which the index gives in order
    keys = [a.question, a.value, pop.c.grp] if groups else [a.question, a.value]
    query = (select(a.question, a.value, pop.c.grp if groups else null(), func.count()).select_from(a)
             .join(pop, pop.c.aid == a.assessment_id).where(*where).group_by(*keys))
    for question, value, grp, n in session.execute(query):
        cell = out.answers.setdefault((question, value), {})
        cell[None] = cell.get(None, 0) + int(n)
        if grp is not None:
            cell[grp] = int(n)


def _batches(parsed: list[tuple[Indicator, expr.Node | None, expr.Node]]) -> list[list]:
    """Indicators in batches whose variables fit one query's joins (always at least one batch,
    which also counts the cases per group)."""
    batches: list[list] = [[]]
    seen: set[str] = set()
    for item in parsed:
        needs = {v for node in item[1:] if node is not None for v in expr.variables(node)}
        if batches[-1] and len(seen | needs) > MAX_JOINS:
            batches.append([])
            seen = set()
        batches[-1].append(item)
        seen |= needs
    return batches


def _count_indicators(session, out: Counts, pop, indicators: Sequence[Indicator], *, grouped: bool) -> None:
    parsed = [(ind, expr.parse(ind.population) if ind.population.strip() else None, expr.parse(ind.condition))
              for ind in indicators]
    for number, batch in enumerate(_batches(parsed)):
        variables = list(dict.fromkeys(v for item in batch for node in item[1:] if node is not None
                                       for v in expr.variables(node)))
        joined = {name: aliased(Answer, name=f"v{i}") for i, name in enumerate(variables)}
        column = lambda name: joined[name].value  # noqa: E731  (NULL when unanswered: to_sql adds COALESCE)
        selects = [pop.c.grp, func.count()]
        for _, pop_node, cond_node in batch:
            in_pop = expr.to_sql(pop_node, column) if pop_node is not None else true()
            selects.append(func.sum(case((in_pop, 1), else_=0)))
            selects.append(func.sum(case((and_(in_pop, expr.to_sql(cond_node, column)), 1), else_=0)))
        query = select(*selects).select_from(pop)
        for name, alias in joined.items():
            query = query.outerjoin(alias, and_(alias.assessment_id == pop.c.aid, alias.question == name))
        if grouped:
            query = query.group_by(pop.c.grp)
        for grp, cases, *sums in session.execute(query):
            if number == 0:
                out.cases += int(cases)
            for i, (ind, _, _) in enumerate(batch):
                cells = out.indicators.setdefault(ind.id, {})
                p, c = int(sums[2 * i] or 0), int(sums[2 * i + 1] or 0)
                total = cells.setdefault(None, IndicatorCount())
                total.population += p
                total.count += c
                if grp is not None:
                    cells[grp] = IndicatorCount(p, c)
