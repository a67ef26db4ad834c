"""Which level of a questionnaire a question is answered at: once per case, or once per entry
of a repeat group. The case-level questionnaire is what the wide table, its import and the
case-level findings work on; the questions of each repeat go to its own table and counts.

Instance paths (the ``answer.instance`` column) name an entry as ODK positions it:
``incident[2]`` for the second incident, ``incident[2]/pin[1]`` for the first PIN of it;
1-based, the outermost repeat first, "" for a case-level answer.
"""

from __future__ import annotations

from dataclasses import replace

from fieldwork import expr
from fieldwork.questionnaire import entries as entry_paths
from fieldwork.questionnaire.model import Question, Questionnaire, Repeat

def case_level(q: Questionnaire) -> Questionnaire:
    """The questionnaire without the questions asked inside repeat groups (itself if it has none)."""
    if not q.repeats:
        return q
    return replace(q, questions=tuple(x for x in q.questions if not q.repeat_of(x.name)))


def questions_of(q: Questionnaire, repeat: str) -> list[Question]:
    """The questions asked once per entry of ``repeat`` itself (not those of a repeat inside it)."""
    return [x for x in q.questions if q.repeat_of(x.name) == repeat]


def repeat_named(q: Questionnaire, name: str) -> Repeat | None:
    return next((r for r in q.repeats if r.name == name), None)


def depth(q: Questionnaire, repeat: str) -> int:
    return len(q.repeat_chain(repeat))


instance_path = entry_paths.path  # one writer of instance paths, shared with the app's entries


def parse_path(path: str) -> list[tuple[str, int]] | None:
    """``incident[2]/pin[1]`` -> [("incident", 2), ("pin", 1)]; None if it is not such a path."""
    try:
        return entry_paths.steps(path) if path else None
    except ValueError:
        return None


def expression_values(q: Questionnaire, answers: dict, entries: dict[str, dict], instance: str = "") -> dict:
    """What an expression is evaluated with for the entry ``instance`` ("" for the case): the
    case's answers, those of the entries around it and its own, and every entry, so that
    ``count()``, ``sum()``, ``position()`` and ``indexed-repeat()`` reach them (fieldwork.expr)."""
    values = dict(answers)
    parts = instance.split("/") if instance else []
    for k in range(1, len(parts) + 1):
        values.update(entries.get("/".join(parts[:k]), {}))
    repeat_of = {x.name: q.repeat_of(x.name) for x in q.questions}
    repeat_of.update({f"#{r.name}": r.name for r in q.repeats})  # every repeat named, even one with no question
    return expr.with_entries(values, entries, repeat_of, instance)
