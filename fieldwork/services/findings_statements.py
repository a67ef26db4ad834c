"""Prepared findings: a questionnaire's overall findings as SQL text, compiled once per start.

``fieldwork findings QUESTIONNAIRE`` (no breakdown, no filter) on a SQLite database runs these
statements through the standard library's ``sqlite3`` (``fieldwork.findings_prepared``) rather
than building them through SQLAlchemy: its import is 0.35-0.45 s of CPU on the shared machine,
more than the counting itself at 20,000 cases (docs/findings-uncertainty.md, fifth pass). The
statements are the ones ``counting.count`` sends for the same request, built by the same
functions (``counting.fill_statement``, ``complement_statement``, ``answers_statement``,
``pivot_statement``) and compiled for SQLite with their bound values beside them; their rows
are read by the same readers (``count_results``) and arranged by the same code
(``findings_report``). So a prepared run and ``findings.compute`` count alike by
construction, and ``tests/test_findings_prepared.py`` checks that they print the same.

Only the data the statements depend on is fixed in them: the inspection, the questionnaire
version and its codes and indicators. Nothing about the answers is: whether the counts are
taken by the complement is decided when they run, by ``count_results.by_complement``, as
``counting.count`` decides it.

Prepared at a start that migrated and seeded the database (``fieldwork.startup``), for every
questionnaire attached to an inspection, keyed by the start fingerprint, so code or criteria
changed since, or a questionnaire version added since, find none and take the whole way. A
questionnaire is prepared only where the overall findings are single-choice counts and
case-level indicators: one with repeat groups, select_multiple questions, numbers or dates
(the ``summaries``) or lists in files not brought is counted the whole way every time.
"""

from __future__ import annotations

import json

from sqlalchemy import delete, func, select, text
from sqlalchemy.schema import CreateTable, DropTable
from sqlmodel import Session

from fieldwork.problems import ProblemError
from fieldwork.questionnaire import answers as answer_types
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.services import counting, entry_indicators, inspections, repeat_findings, summaries
from models import COMPLETE, DRAFT, Inspection, InspectionQuestionnaire, QuestionnaireVersion

FORMAT = 1  # of the stored JSON; a reader finding another takes the whole way


def preparable(q: Questionnaire) -> bool:
    """Whether the overall findings of ``q`` are only what the prepared statements count."""
    if q.repeats or q.multiple_choice_questions or summaries.summarised(q):
        return False
    if any(x.choices and answer_types.FILE_LIST.search(x.choices) and not q.choices.get(x.choices)
           for x in q.single_choice_questions):
        return False  # its codes are the ones answered: found by a query at every count
    try:
        repeat_findings.check_indicators(q)
        counting.plan_pivots(q.indicators, [], entry_indicators.Reach.of(q))
    except ProblemError:
        return False  # refused by name when counted the whole way
    return True


def _compiled(statement, dialect) -> list:
    """[SQL text, positional values] of a statement, as the driver would be sent them."""
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    processors = getattr(compiled, "_bind_processors", {}) or {}
    values = []
    for name in getattr(compiled, "positiontup", None) or ():  # DDL has none
        value = compiled.params[name]
        values.append(processors[name](value) if name in processors else value)
    return [str(compiled), values]


def build(session: Session, inspection: Inspection, version: QuestionnaireVersion) -> dict | None:
    """The statements of the overall findings of ``version`` in ``inspection`` (None where it
    is not preparable), compiled for the session's database."""
    q = inspections.questionnaire_of(version)
    if not preparable(q):
        return None
    dialect = session.get_bind().dialect
    questions = {x.name: q.codes(x.name) for x in q.single_choice_questions}
    pop = counting.population_table()
    base = counting.population(inspection.id, q.id, {}, status=COMPLETE, counted_only=True).subquery("base")
    drafts = counting.population(inspection.id, q.id, {}, status=DRAFT, counted_only=True).subquery()
    pivots = [counting.pivot_statement(pop, pivot, grouped=False, bits=1)
              for pivot in counting.plan_pivots(q.indicators, [], entry_indicators.Reach.of(q))]
    return {
        "format": FORMAT,
        "create": _compiled(CreateTable(pop), dialect),
        "fill": _compiled(counting.fill_statement(pop, base, None, ()), dialect),
        "cases": _compiled(select(func.count()).select_from(pop), dialect),
        "assessments": _compiled(counting.assessments_statement(), dialect),
        "complement": _compiled(counting.complement_statement(dialect.name, questions), dialect) if questions else None,
        "joined": _compiled(counting.answers_statement(pop, list(questions), grouped=False), dialect)
        if questions else None,
        "pivots": [[_compiled(query, dialect), layout.to_json()] for query, layout in pivots],
        "drop": _compiled(DropTable(pop), dialect),
        "drafts": _compiled(select(func.count()).select_from(drafts), dialect),
    }


def store(session: Session, fingerprint: str) -> int:
    """Prepare, in the caller's transaction, every questionnaire attached to an inspection whose
    current version has no statements made by this code (``fingerprint``); SQLite only, where
    the findings command reads them. Returns how many were (re)made."""
    if session.get_bind().dialect.name != "sqlite":
        return 0
    from models import PreparedFindings  # its class built only by a start that stores (models.LAZY)

    made = 0
    # statements made by other code are never read again (the reader looks for its own print)
    session.execute(delete(PreparedFindings).where(PreparedFindings.fingerprint != fingerprint))
    pairs = session.exec(select(Inspection, InspectionQuestionnaire.questionnaire)
                         .join(InspectionQuestionnaire, InspectionQuestionnaire.inspection_id == Inspection.id)).all()
    for inspection, questionnaire_id in pairs:
        try:
            version = inspections.current_version(session, questionnaire_id)
        except ProblemError:
            continue
        key = {"inspection_id": inspection.id, "questionnaire_version_id": version.id}
        if session.exec(select(PreparedFindings.id).filter_by(**key)).first() is not None:
            continue
        statements = build(session, inspection, version)
        if statements is None:
            continue
        # ON CONFLICT: another process starting on the same file at the same moment made it too
        session.execute(text("INSERT INTO prepared_findings (inspection_id, questionnaire_version_id, fingerprint, "
                             "statements) VALUES (:inspection_id, :questionnaire_version_id, :fingerprint, :statements) "
                             "ON CONFLICT (inspection_id, questionnaire_version_id) DO UPDATE SET "
                             "fingerprint = excluded.fingerprint, statements = excluded.statements"),
                        {**key, "fingerprint": fingerprint, "statements": json.dumps(statements)})
        made += 1
    return made
