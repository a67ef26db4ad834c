"""Indicators over the entries of repeat groups, compiled to SQL (issue 12).

``fieldwork.questionnaire.entry_terms`` finds the parts of an indicator that read questions asked
once per entry and says what they mean (count() and sum() over the case's entries; an atom true
when at least one entry makes it true, as XPath compares a nodeset). Here each part becomes a
correlated aggregate over the answer table, keyed by the case's assessment id, and the rest of
the expression compiles as ever (``expr.to_sql``) around them:

* ``count``: ``SELECT COUNT(DISTINCT instance)`` of the rows of the repeat group's own questions
  (an entry exists once it has a row, answered or not, as the findings count entries);
* ``sum``: ``SELECT COALESCE(SUM(number), 0)`` of the question's answers in entries, numbers only;
* ``indexed-repeat``: the answer row of that question at that instance path;
* ``any``: ``EXISTS`` an entry row whose answer to the question (``LEFT JOIN``: blank where it has
  none) makes the atom true.

Each is one seek on the covering index ``ix_answer_pivot`` (assessment, question, value) per case,
as the pivot's own joins are (fieldwork.services.counting); Python sees no assessment. Each
subquery correlates with everything but its own tables (``correlate_except``): a count() inside an
"any entry" test must still name the case's row two levels up, which SQLAlchemy's automatic
correlation (one level) would instead join as a cross product.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Float, and_, case, cast, exists, func, literal, select
from sqlalchemy.orm import aliased

from fieldwork import expr, expr_sql_values
from fieldwork.problem_codes import INDICATOR_OVER_ENTRIES
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire import entry_terms, repeat_levels
from fieldwork.questionnaire.model import Questionnaire
from models import Answer


@dataclass(frozen=True)
class Reach:
    """What the compiler needs of the questionnaire: each question asked per entry with its
    innermost repeat group, and each repeat group's own questions (whose rows make its entries)."""

    repeat_of: dict  # question -> repeat group
    own: dict  # repeat group -> tuple of its own questions

    @classmethod
    def of(cls, q: Questionnaire) -> "Reach":
        return cls({x.name: q.repeat_of(x.name) for x in q.questions if q.repeat_of(x.name)},
                   {r.name: tuple(x.name for x in repeat_levels.questions_of(q, r.name)) for r in q.repeats})

    @property
    def empty(self) -> bool:
        return not self.own

    def read(self, node: expr.Node) -> entry_terms.Reading:
        return entry_terms.read(node, set(self.repeat_of), set(self.own))

    def case_variables(self, node: expr.Node) -> list[str]:
        """The case-level questions ``node`` reads: those a pivot joins once per case."""
        return [v for v in expr.variables(node) if v not in self.repeat_of and v not in self.own]

    def repeat(self, name: str) -> str:
        return name if name in self.own else self.repeat_of[name]


NO_REACH = Reach({}, {})


def check(q: Questionnaire, indicators=None) -> None:
    """Refuse, by indicator and with what and why, any indicator that cannot be counted."""
    reach = Reach.of(q)
    problems = []
    for ind in q.indicators if indicators is None else indicators:
        for field_name, text in (("population", ind.population), ("condition", ind.condition)):
            if not text.strip():
                continue
            for fault in reach.read(expr.parse(text)).faults:
                problems.append(Problem(INDICATOR_OVER_ENTRIES, f"indicator {ind.id!r}: the {field_name} {fault}",
                                        field=field_name, item=ind.id, item_kind="indicator"))
    if problems:
        raise ProblemError(problems, "the indicators cannot be counted")


def to_sql(node: expr.Node, column: Callable[[str], object], aid, reach: Reach):
    """``node`` as a SQL boolean for the case whose assessment id is the column ``aid``;
    ``column(name)`` gives a case-level question's value, as for ``expr.to_sql``."""
    if reach.empty:
        return expr.to_sql(node, column)
    reading = reach.read(node)
    if reading.faults:  # checked when the form is added and before counting: a guard only
        raise ProblemError([Problem(INDICATOR_OVER_ENTRIES, reading.faults[0])], "the indicator cannot be counted")
    aggregates = {}
    for n, term in reading.terms.items():
        if term.kind != entry_terms.ANY:
            aggregates[n] = _aggregate(term, aid, reach)
    compiled = dict(aggregates)
    for n, term in reading.terms.items():
        if term.kind == entry_terms.ANY:
            compiled[n] = _any(term, aid, reach, column, aggregates)
    return expr.to_sql(node, column, compiled)


def _entry_rows(alias, aid, reach: Reach, repeat: str):
    return and_(alias.assessment_id == aid, alias.question.in_(reach.own[repeat]), alias.instance != "")


def _aggregate(term: entry_terms.Term, aid, reach: Reach):
    if term.kind == entry_terms.INDEXED:  # one entry's answer, by its instance path
        i = aliased(Answer, name="ei")
        return (select(i.value).where(i.assessment_id == aid, i.question == term.name, i.instance == term.instance)
                .correlate_except(i).scalar_subquery())
    if term.kind == entry_terms.COUNT:
        e = aliased(Answer, name="ec")
        repeat = reach.repeat(term.name)
        return cast(select(func.count(func.distinct(e.instance))).where(_entry_rows(e, aid, reach, repeat))
                    .correlate_except(e).scalar_subquery(), Float)
    v = aliased(Answer, name="es")
    number = expr_sql_values.strict_number(func.coalesce(v.value, ""))  # as sum() reads it: expr._number
    return func.coalesce(select(func.sum(number)).where(v.assessment_id == aid, v.question == term.name,
                                                        v.instance != "").correlate_except(v).scalar_subquery(),
                         literal(0.0))


def _any(term: entry_terms.Term, aid, reach: Reach, column, aggregates):
    repeat = reach.repeat(term.name)
    e = aliased(Answer, name="ee")
    if term.name == repeat:  # ${pin} alone: the case has an entry
        return exists(select(literal(1)).where(_entry_rows(e, aid, reach, repeat)).correlate_except(e))
    v = aliased(Answer, name="ev")
    own = lambda name: v.value if name == term.name else column(name)  # noqa: E731
    # inside an entry the question is the entry's own answer; count()/sum() stay the case's
    holds = expr.to_sql(term.node, own, aggregates)
    query = (select(literal(1)).select_from(e)
             .outerjoin(v, and_(v.assessment_id == e.assessment_id, v.instance == e.instance,
                                v.question == term.name))
             .where(_entry_rows(e, aid, reach, repeat), holds).correlate_except(e, v))
    return exists(query)
