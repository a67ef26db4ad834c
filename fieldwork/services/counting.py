"""The counting behind findings: GROUP BY queries over the answer table, run in the database.

Python never sees an assessment here, only aggregated rows (one per answer code and group, or
one per group). In the caller's transaction:

1. The **population** (complete, counted assessments of the questionnaire in the inspection,
   narrowed by the filters) is written once into a temporary table keyed by assessment id,
   with the ``by`` variable's code beside each; its GROUP BY gives the cases per group. Every
   later query joins to it by primary key, so the population's joins and filters run once.
   (PostgreSQL gets it ANALYZEd: autovacuum never looks at temporary tables.)
2. **Question counts**, one GROUP BY (question, value) over the answer table for every
   single-choice question at once. It scans the covering index ``ix_answer_counting``
   (question, value, assessment_id) in its order, so the GROUP BY needs no sort. With
   ``by`` on PostgreSQL the same query groups by (question, value, group): its hash
   aggregate does that in one pass. Without ``by``, when the assessments outside the
   population are fewer than half of it (the usual case: every complete case counts), the
   counts are taken **by the complement**: every answer row's count of each (question, code),
   each counted where it lies in the index with no join, sort or grouping, less the rows of
   the outsiders (a seek each): a fifth of the joined GROUP BY's time at 100,000 cases.
3. **Indicators**: a pivot with one column per variable the indicators need (a LEFT JOIN of
   the answer table per variable, each a seek on the covering index ``ix_answer_pivot``)
   over which ``fieldwork.expr.to_sql`` compiles every population and condition into
   ``SUM(CASE ...)`` columns of one GROUP BY on the group. (A ``MAX(CASE WHEN question = ...)
   GROUP BY assessment_id`` pivot gives the same table but evaluates every CASE on every
   answer row: twice as slow on 100,000 assessments. Grouping the pivot into the distinct
   combinations of the variables' answers first, and evaluating the expressions once per
   combination, gave the same counts but was no faster: the seeks are the cost, not the
   expressions — docs/findings-uncertainty.md.)

With ``by`` on **SQLite** and a large population (``PACKED_FROM`` cases or more), step 2 would
have to group 3 million answer rows by a third key;
SQLite has no hash aggregate, so that is a sort of every row and takes seconds. Instead the
pivot of step 3 carries every single-choice question too and counts each question's codes
with *packed sums*: code j adds ``1 << (b * (j % k))`` to the ``(j // k)``-th sum of its
question, where ``b`` bits hold the largest group's size and ``k = 63 // b`` codes share one
64-bit sum; the GROUP BY is then on the group alone (a sort of one row per assessment), and
the counts are read back by shifting. (The ``by`` variable's own counts are the group sizes
and are not pivoted.) A pivot joins at most ``MAX_JOINS`` variables (SQLite
allows 64 tables in a join); more make more pivots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from sqlalchemy import (Column, Integer, MetaData, String, Table, and_, bindparam, case, func, insert, null, select, text,
                        true)
from sqlalchemy.orm import aliased
from sqlmodel import Session

from fieldwork import expr
from fieldwork.services import entry_indicators
from fieldwork.services.count_results import (Counts, IndicatorCount, PivotLayout, by_complement, read_answers,  # noqa: F401
                                               read_complement, read_pivot)
from fieldwork.problem_codes import INDICATOR_TOO_WIDE as TOO_MANY_VARIABLES
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire.model import Indicator
from models import Answer, Assessment, CaseFile

POPULATION_TABLE = "fw_findings_population"
MAX_JOINS = 50
WORD_BITS = 63  # a signed 64-bit SUM holds 63 bits of counts
# Below this many cases the plain GROUP BY (question, value, group) beats the packed sums on
# SQLite: its sort is of a few hundred thousand answer rows, while the packed pivot seeks every
# question of every case. Measured by force (one process, load 15, 2026-12-06): 10,000 cases
# plain 2.8-3.3 s, packed 5.3-5.6 s; 20,000 plain 9.6 s, packed 10.7-22 s; 100,000 plain
# 27.5 s, packed 24.8 s.
PACKED_FROM = 50_000


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


@dataclass
class _Pivot:
    """One pivot query: the variables it joins, the indicators and packed questions it counts."""
    variables: list[str] = field(default_factory=list)
    indicators: list[tuple[Indicator, expr.Node | None, expr.Node]] = field(default_factory=list)
    questions: list[tuple[str, list[str]]] = field(default_factory=list)  # (name, codes), packed sums

    def fits(self, names: set[str]) -> bool:
        return len(set(self.variables) | names) <= MAX_JOINS

    def join(self, names) -> None:
        self.variables += [n for n in names if n not in self.variables]


def plan_pivots(indicators: Sequence[Indicator], packed: Sequence[tuple[str, list[str]]],
          reach: entry_indicators.Reach = entry_indicators.NO_REACH) -> list[_Pivot]:
    """Indicators, then packed questions, into as few pivots as the join limit allows (always
    at least one: it also counts the cases per group). A pivot joins the case-level questions
    only; questions asked per entry are reached by entry_indicators' subqueries."""
    pivots = [_Pivot()]
    problems = []
    for ind in indicators:
        nodes = (expr.parse(ind.population) if ind.population.strip() else None, expr.parse(ind.condition))
        names = list(dict.fromkeys(v for node in nodes if node is not None for v in reach.case_variables(node)))
        if len(names) > MAX_JOINS:
            problems.append(Problem(TOO_MANY_VARIABLES, f"uses {len(names)} variables; an indicator may use at "
                                    f"most {MAX_JOINS}", item=ind.id))
            continue
        if not pivots[-1].fits(set(names)):
            pivots.append(_Pivot())
        pivots[-1].join(names)
        pivots[-1].indicators.append((ind, *nodes))
    if problems:
        raise ProblemError(problems, "the indicators cannot be counted")
    for name, codes in packed:
        if not pivots[-1].fits({name}):
            pivots.append(_Pivot())
        pivots[-1].join([name])
        pivots[-1].questions.append((name, codes))
    return pivots


def count(session: Session, base, *, by: str | None, by_codes: Sequence[str], questions: Mapping[str, list[str]],
          indicators: Sequence[Indicator], packed: bool | None = None, complement: bool | None = None,
          reach: entry_indicators.Reach = entry_indicators.NO_REACH) -> Counts:
    """Count the population ``base`` (a SELECT of assessment ids named ``aid``); ``questions``
    maps each single-choice question to its codes. ``packed`` picks how questions are counted
    by group (default: packed sums on SQLite, a plain GROUP BY elsewhere); ``complement`` how
    they are counted overall (default: by the complement when the assessments outside the
    population are fewer than half of it). Every way gives the same counts on either database,
    which the tests check. ``reach``: the questionnaire's repeat groups, for indicators reading
    entries (entry_indicators)."""
    out = Counts()
    base = base.subquery("base")
    by_size = packed is None  # on SQLite: packed sums only for a population large enough to gain
    if packed is None:
        packed = session.get_bind().dialect.name == "sqlite"
    packed = packed and by is not None
    # packed: the ``by`` variable's own counts are the group sizes, so it is not pivoted
    pivoted = [(name, codes) for name, codes in questions.items() if name != by] if packed else []
    pivots = plan_pivots(indicators, pivoted, reach)  # refuses before anything is written
    pop = population_table()
    pop.drop(session.connection(), checkfirst=True)  # left by an earlier failure on this connection
    pop.create(session.connection())
    _fill(session, pop, base, by, by_codes)
    if session.get_bind().dialect.name == "postgresql":
        # autovacuum never analyses a temporary table: without statistics the planner guesses
        # its size and picks nested loops over 3 million answers (seconds instead of one)
        session.execute(text(f"ANALYZE {POPULATION_TABLE}"))
    sizes = {grp: int(n) for grp, n in session.execute(select(pop.c.grp, func.count()).group_by(pop.c.grp))}
    out.cases = sum(sizes.values())
    out.group_cases = {c: sizes[c] for c in by_codes if sizes.get(c)}
    if packed and by_size and out.cases < PACKED_FROM:
        packed, pivots = False, plan_pivots(indicators, [], reach)
    if not packed and by is None and (complement if complement is not None else
                                      by_complement(out.cases, _assessments(session))):
        if questions:
            read_complement(out, session.execute(complement_statement(session.get_bind().dialect.name, questions)))
    elif not packed:
        _count_answers(session, out, pop, list(questions), grouped=by is not None)
    elif by in questions:
        for code in questions[by]:
            if sizes.get(code):
                out.answers[(by, code)] = {None: sizes[code], code: sizes[code]}
    bits = max(1, max(sizes.values(), default=1).bit_length())
    for pivot in pivots:
        query, layout = pivot_statement(pop, pivot, grouped=by is not None, bits=bits, reach=reach)
        read_pivot(out, session.execute(query), layout)
    # Dropped on success only: after a database error the transaction is rolled back, and the
    # table with it (a DROP then would fail on PostgreSQL and hide the real error).
    pop.drop(session.connection())
    return out


def population_table() -> Table:
    """The temporary table the population is written into (one per connection)."""
    return Table(POPULATION_TABLE, MetaData(), Column("aid", Integer, primary_key=True, autoincrement=False),
                 Column("grp", String(100)), prefixes=["TEMPORARY"])


def fill_statement(pop: Table, base, by: str | None, by_codes: Sequence[str]):
    """The INSERT that writes the population ``base`` (a subquery with ``aid``) into ``pop``,
    with each case's code of the ``by`` variable beside it."""
    if by is None:
        return insert(pop).from_select(["aid"], select(base.c.aid))
    g = aliased(Answer, name="g")
    query = (select(base.c.aid, case((g.value.in_(list(by_codes)), g.value), else_=null())).select_from(base)
             .outerjoin(g, and_(g.assessment_id == base.c.aid, g.question == by)))
    return insert(pop).from_select(["aid", "grp"], query)


def _fill(session, pop, base, by, by_codes) -> None:
    session.execute(fill_statement(pop, base, by, by_codes))


def answers_statement(pop: Table, questions: list[str], *, grouped: bool):
    """Counts (question, value, group or NULL, n) of the population's answers, joined to it."""
    a = aliased(Answer, name="a")
    keys = [a.question, a.value, pop.c.grp] if grouped else [a.question, a.value]
    return (select(a.question, a.value, pop.c.grp if grouped else null(), func.count()).select_from(a)
            .join(pop, pop.c.aid == a.assessment_id)
            .where(a.question.in_(questions), a.value.is_not(None), a.value != "")
            .group_by(*keys))


def _count_answers(session, out: Counts, pop, questions: list[str], *, grouped: bool) -> None:
    if questions:
        read_answers(out, session.execute(answers_statement(pop, questions, grouped=grouped)))


def assessments_statement():
    """How many assessments the database holds (against the population: ``by_complement``)."""
    return select(func.count()).select_from(Assessment)


def _assessments(session) -> int:
    return int(session.scalar(assessments_statement()) or 0)


# Above this many (question, code) pairs the complement's first part is one GROUP BY over
# every answer row instead of one count per pair (each pair is two bound values; SQLite takes
# 32,766 in a statement).
PAIRS_COUNTED_APART = 5_000


def complement_statement(dialect: str, questions: Mapping[str, Sequence[str]]):
    """Overall counts (question, code, n) as every answer row's count less the count of the
    rows of assessments outside the population. The first part is one count per (question,
    code) of the questionnaire, each a range of the covering index ``ix_answer_counting``
    counted where it lies, with nothing grouped or sorted: 0.30 s against 0.72 s for a GROUP BY
    over the same 2.9 million index entries at 100,000 cases (SQLite, same process,
    docs/findings-uncertainty.md, fifth pass); a code no answer holds counts 0. The second
    part seeks only the outsiders' answers. Exact: every answer row belongs to an assessment (a
    foreign key), which is either in the population or outside it; values outside the
    questionnaire's codes are left out, as findings never read them.

    One statement, so both parts read the same data even where each statement sees the
    latest commits (PostgreSQL's READ COMMITTED): an answer saved meanwhile to a draft is
    counted and subtracted alike, never one without the other."""
    names = list(questions)
    pairs = [(name, code) for name, codes in questions.items() for code in codes]
    # The outsiders must drive their join (a range of ix_answer_pivot each): SQLite's planner,
    # knowing nothing of the temporary table's size, would scan every answer instead, unless
    # CROSS JOIN fixes the order (its documented way to); PostgreSQL plans it from sizes.
    join = "CROSS JOIN" if dialect == "sqlite" else "JOIN"
    counted = "a.question IN :questions AND a.value IS NOT NULL AND a.value != ''"
    outsiders = (f"SELECT a.question, a.value, -count(*) FROM (SELECT o.id FROM assessment AS o WHERE NOT EXISTS "
                 f"(SELECT 1 FROM {POPULATION_TABLE} AS p WHERE p.aid = o.id)) AS outside {join} answer AS a "
                 f"ON a.assessment_id = outside.id WHERE {counted} GROUP BY a.question, a.value")
    if not pairs or len(pairs) > PAIRS_COUNTED_APART:
        statement = text(
            f"SELECT question, value, sum(n) FROM ("
            f"SELECT a.question AS question, a.value AS value, count(*) AS n FROM answer AS a WHERE {counted} "
            f"GROUP BY a.question, a.value UNION ALL {outsiders}) AS parts GROUP BY question, value")
        return statement.bindparams(bindparam("questions", value=names, expanding=True))
    values = ", ".join(f"(:q{i}, :c{i})" for i in range(len(pairs)))
    # CAST: PostgreSQL types a VALUES list's bound values as unknown, which it cannot compare
    codes = f"WITH codes (question, value) AS (VALUES {values}) " if dialect == "sqlite" else (
        f"WITH codes (question, value) AS (SELECT CAST(q AS VARCHAR), CAST(c AS VARCHAR) FROM (VALUES {values}) "
        f"AS listed (q, c)) ")
    statement = text(
        f"{codes}SELECT question, value, sum(n) FROM ("
        f"SELECT c.question AS question, c.value AS value, "
        f"(SELECT count(*) FROM answer AS a WHERE a.question = c.question AND a.value = c.value) AS n "
        f"FROM codes AS c UNION ALL {outsiders}) AS parts "
        f"WHERE EXISTS (SELECT 1 FROM codes AS k WHERE k.question = parts.question AND k.value = parts.value) "
        f"GROUP BY question, value")
    binds = {f"q{i}": name for i, (name, _) in enumerate(pairs)} | {f"c{i}": code for i, (_, code) in enumerate(pairs)}
    return statement.bindparams(bindparam("questions", value=names, expanding=True), **binds)


def pivot_statement(pop: Table, pivot: _Pivot, *, grouped: bool, bits: int,
                    reach: entry_indicators.Reach = entry_indicators.NO_REACH) -> tuple:
    """One pivot's query and where its rows hold what (``count_results.PivotLayout``)."""
    joined = {name: aliased(Answer, name=f"v{i}") for i, name in enumerate(pivot.variables)}
    column = lambda name: joined[name].value  # noqa: E731  (NULL when unanswered: to_sql adds COALESCE)
    selects = [pop.c.grp if grouped else null(), func.count()]
    for _, pop_node, cond_node in pivot.indicators:
        in_pop = entry_indicators.to_sql(pop_node, column, pop.c.aid, reach) if pop_node is not None else true()
        selects.append(func.sum(case((in_pop, 1), else_=0)))
        holds = entry_indicators.to_sql(cond_node, column, pop.c.aid, reach)
        selects.append(func.sum(case((and_(in_pop, holds), 1), else_=0)))
    per_word = max(1, WORD_BITS // bits)
    packed = []  # (question, code, index of its sum in the row, shift)
    for name, codes in pivot.questions:
        for start in range(0, len(codes), per_word):
            part = codes[start:start + per_word]
            packed += [(name, code, len(selects), bits * j) for j, code in enumerate(part)]
            selects.append(func.sum(case({code: 1 << (bits * j) for j, code in enumerate(part)},
                                         value=joined[name].value, else_=0)))
    query = select(*selects).select_from(pop)
    for name, alias in joined.items():
        query = query.outerjoin(alias, and_(alias.assessment_id == pop.c.aid, alias.question == name))
    if grouped:
        query = query.group_by(pop.c.grp)
    return query, PivotLayout(tuple(ind.id for ind, _, _ in pivot.indicators), tuple(packed), bits)
