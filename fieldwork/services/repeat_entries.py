"""Adding and removing entries of a repeat group in a draft assessment (the Assess form's
"Add incident" / "Remove incident 2").

Both are saves like any other: they state the version they read (the optimistic lock; an
entry added or removed elsewhere meanwhile is refused as ``stale_version``), raise it, and
write the audit trail in the same transaction. Adding an entry writes one blank answer row
for its first question, so the entry exists before anything is answered (a refresh or
another tab shows it). Removing one deletes its answers and those of the entries inside it,
each audited (codes only), and renumbers the later entries so there is no gap, as ODK does:
remove incident 2 of 3 and incident 3 becomes incident 2.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlmodel import Session

from fieldwork import audit
from fieldwork.problem_codes import ENTRY_REFUSED, UNKNOWN_REPEAT
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire import entries as repeat_entries
from fieldwork.services import actor_check, assessments
from fieldwork.services.permissions import Actor
from models import Answer

@dataclass(frozen=True)
class EntryResult:
    version: int  # state it in the next save
    instance: str  # the entry added, or the one removed
    removed_answers: int = 0  # answers (or notes) deleted with the entry


def _state(session: Session, row) -> tuple:
    questionnaire = assessments._questionnaire(session, row)
    stored = assessments._stored(session, row.id)
    answers = assessments._values(row, questionnaire, stored)
    return questionnaire, stored, repeat_entries.Entries(questionnaire, answers, assessments._instances(stored))


def add_entry(session: Session, actor: Actor, uid: str, expected_version: int, repeat: str,
              parent: str = "") -> EntryResult:
    """Add the next entry of ``repeat`` (inside the entry ``parent`` for a nested repeat)."""
    actor = actor_check.at_write(session, actor)
    row = assessments._row(session, uid)
    assessments._require_editable(actor, row, "change", session)
    questionnaire, _, worked = _state(session, row)
    if not any(r.name == repeat for r in questionnaire.repeats):
        raise ProblemError([Problem(UNKNOWN_REPEAT, f"{questionnaire.id} has no repeat group {repeat!r}", item=repeat)])
    refusal = worked.add_refusal(repeat, parent)
    if refusal:
        raise ProblemError([Problem(ENTRY_REFUSED, f"No entry added: {refusal}.", item=repeat)], "no entry added")
    instance = repeat_entries.path(parent, repeat, len(worked.under(repeat, parent)) + 1)
    first = next(q for q in questionnaire.questions
                 if repeat in questionnaire.repeat_chain(questionnaire.repeat_of(q.name)))
    version = assessments._bump(session, row, expected_version)
    session.add(Answer(assessment_id=row.id, question=first.name, instance=instance, value=None, note=""))
    audit.record(session, actor.name, audit.ENTRY_ADDED, inspection_id=row.inspection_id, case_ref=row.case_ref,
                 assessment_uid=row.uid, repeat=repeat, instance=instance, version=version)
    session.flush()
    return EntryResult(version, instance)


def remove_entry(session: Session, actor: Actor, uid: str, expected_version: int, instance: str) -> EntryResult:
    """Remove one entry: its answers (and its nested entries') deleted, the later ones renumbered."""
    actor = actor_check.at_write(session, actor)
    row = assessments._row(session, uid)
    assessments._require_editable(actor, row, "change", session)
    questionnaire, stored, worked = _state(session, row)
    try:
        repeat_entries.steps(instance)
    except ValueError as exc:
        raise ProblemError([Problem(ENTRY_REFUSED, f"No entry removed: {exc}.", item=instance)]) from exc
    refusal = worked.remove_refusal(instance)
    if refusal:
        raise ProblemError([Problem(ENTRY_REFUSED, f"No entry removed: {refusal}.", item=instance)],
                           "no entry removed")
    version = assessments._bump(session, row, expected_version)
    where = dict(inspection_id=row.inspection_id, case_ref=row.case_ref, assessment_uid=row.uid)
    gone = [k for k in stored if repeat_entries.split(k)[0] == instance
            or repeat_entries.split(k)[0].startswith(instance + "/")]
    answered = [k for k in gone if stored[k][1] not in (None, "") or stored[k][2]]
    for key in answered:
        entry, name = repeat_entries.split(key)
        _, value, note = stored[key]
        is_code = questionnaire.question(name).is_single_choice
        audit.record(session, actor.name, audit.ANSWER_CLEARED, question=name, instance=entry,
                     old_value=value if is_code else None, reason="entry_removed", **where)
    if gone:
        session.execute(delete(Answer).where(Answer.id.in_([stored[k][0] for k in gone]))
                        .execution_options(synchronize_session=False))
    # later entries move down one, lowest first: each new path was freed by the one before
    moves = sorted(((k, repeat_entries.renumbered(repeat_entries.split(k)[0], instance)) for k in stored if k not in gone),
                   key=lambda m: repeat_entries.steps(repeat_entries.split(m[0])[0]))
    for key, new in moves:
        if new != repeat_entries.split(key)[0]:
            session.execute(update(Answer).where(Answer.id == stored[key][0]).values(instance=new)
                            .execution_options(synchronize_session=False))
    audit.record(session, actor.name, audit.ENTRY_REMOVED, repeat=repeat_entries.steps(instance)[-1][0],
                 instance=instance, answers=len(answered), version=version, **where)
    session.flush()
    return EntryResult(version, instance, len(answered))


def entries_of(session: Session, actor: Actor, uid: str) -> repeat_entries.Entries:
    """The entries of one assessment as stored (for a reader: its own inspector or a lead)."""
    view = assessments.load(session, actor, uid)
    return repeat_entries.Entries(view.questionnaire, view.answers, view.instances)

