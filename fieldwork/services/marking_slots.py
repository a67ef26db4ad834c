"""Second marking over slots: an assessment's answers keyed by question *and* entry, in the
order a moderator reads them, and the agreed answers closed up where a whole entry went.

A slot is the question's name outside a repeat group, else ``instance/question``
(``incident[2]/pin[1]/served``; fieldwork/questionnaire/entries.py). Moderation compares the
first and second markings slot by slot: the n-th entry of one with the n-th of the other.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from fieldwork.questionnaire import entries
from fieldwork.questionnaire.model import Questionnaire
from models import Answer


def answers(session: Session, assessment_id: int) -> dict[str, tuple[str | None, str]]:
    """slot -> (value, note) of every answer row of one assessment."""
    return {entries.slot(i, q): (v, n or "") for q, i, v, n in session.execute(
        select(Answer.question, Answer.instance, Answer.value, Answer.note)
        .where(Answer.assessment_id == assessment_id)).all()}


def ordered(questionnaire: Questionnaire, slots) -> list[str]:
    """The slots of known questions in reading order: the form's order, each entry's own
    questions together ("Incident 1" before "Incident 2", an incident's own answers before its
    PINs), the entries placed where their repeat group begins in the form."""
    position = {q.name: i for i, q in enumerate(questionnaire.questions)}
    starts: dict[str, int] = {}  # outermost repeat -> where its first question stands
    for q in questionnaire.questions:
        repeat = questionnaire.repeat_of(q.name)
        if repeat:
            starts.setdefault(questionnaire.repeat_chain(repeat)[0], position[q.name])

    def key(slot: str):
        instance, name = entries.split(slot)
        parts = entries.steps(instance)
        anchor = starts.get(parts[0][0], position[name]) if parts else position[name]
        return anchor, tuple(i for _, i in parts), position[name]

    known = [s for s in slots
             if entries.is_path(entries.split(s)[0]) and questionnaire.has_question(entries.split(s)[1])]
    return sorted(known, key=key)


def closed_up(slots) -> dict[str, str]:
    """slot -> its slot once the agreed answers have no gap among the entries: an entry left
    without any answer (the moderator agreed every one of its answers as not asked) goes, and
    the later entries of its repeat move down one, as removing an entry in the app does
    (incident 3 becomes incident 2, its PINs with it)."""
    slots = list(slots)
    held: set[str] = set()
    for s in slots:
        instance = entries.split(s)[0]
        while instance:
            held.add(instance)
            instance = entries.parent_of(instance)
    new = {"": ""}
    for instance in sorted(held, key=lambda i: (len(entries.steps(i)), [n for _, n in entries.steps(i)])):
        parent = entries.parent_of(instance)
        repeat = entries.steps(instance)[-1][0]
        siblings = sorted((entries.index_of(i) for i in held
                           if entries.parent_of(i) == parent and entries.steps(i)[-1][0] == repeat))
        new[instance] = entries.path(new[parent], repeat, siblings.index(entries.index_of(instance)) + 1)
    return {s: entries.slot(new[entries.split(s)[0]], entries.split(s)[1]) for s in slots}
