"""Scoring one case: load an assessment, save answers as they are given, mark it complete,
reopen it.

Every save states the version it read (``Assessment.version``, the optimistic lock): the
UPDATE that raises the version matches only that version, so when two people edit the same
assessment the second save is refused (``stale_version``) instead of silently overwriting
the first. A save that also states what it read of each question it changes (``read=``, as
the Assess form does) is checked question by question instead: it goes through if nobody
changed those questions since, and only a change to the same question is refused
(``changed_elsewhere``, with what is stored now, for the inspector to choose). Skip logic runs on every save: answers to questions that the new answers make
irrelevant are cleared and returned, so the page can tell the inspector. The case reference
lives on the case (``case_file.case_ref``), never as an answer row, and cannot be edited here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping

from sqlalchemy import case, select, update
from sqlmodel import Session

from fieldwork import audit, contract
from fieldwork.problem_codes import (
    BAD_VALUE, CHANGED_ELSEWHERE, CONSTRAINT, MISSING_ANSWER, NOT_ASKED, NOT_COMPLETE, NOT_DRAFT, OUTSIDE_FILTER,
    READ_ONLY, NO_ENTRY, STALE_VERSION, TOO_MANY_ENTRIES, UNKNOWN_ASSESSMENT, UNKNOWN_CODE, UNKNOWN_QUESTION,
)
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire import answers as answer_types
from fieldwork.questionnaire import entries as repeat_entries
from fieldwork.questionnaire import filter_checks, rule_words
from fieldwork.questionnaire.model import Question, Questionnaire
from fieldwork.services import inspections, permissions
from fieldwork.services.permissions import Actor
from fieldwork.services import actor_check, characters
from models import (AGREED, COMPLETE, DRAFT, PRIMARY, SECOND, Answer, Assessment, AuditEvent, CaseFile,
                    QuestionnaireVersion, new_uid, utcnow)

FORCE = "force"  # the case's force: an answer of the context section (contract section 6)

CASE_REF = contract.CASE_REF
MAX_TEXT = 2000  # answer.value's length
MAX_NOTE = 10_000  # an evidence note: references and what was seen, not a copy of the file
PURPOSE_ORDER = {PRIMARY: 0, SECOND: 1, AGREED: 2}  # which of one person's assessments of a case to open


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()  # as a change's value: leave the stored answer as it is (a note-only save)
Changes = Mapping[str, tuple]  # question -> (value, None for blank or KEEP; note or None to keep)
Read = Mapping[str, tuple[str | None, str]]  # question -> (value, note) as the caller last read them


@dataclass(frozen=True)
class AssessmentView:
    """One assessment as the Assess page shows it."""

    uid: str
    case_id: int
    case_ref: str
    inspection_id: int
    questionnaire: Questionnaire  # the version it is scored on (parsed once per process)
    inspector: str
    purpose: str
    status: str
    version: int
    answers: dict[str, str]  # slot -> code (case_ref included); blank answers left out. A slot is the
    # question's name, or inside a repeat group "instance/question" (fieldwork/questionnaire/entries.py)
    notes: dict[str, str]  # question -> evidence note; empty notes left out
    completed_at: datetime | None
    editable: bool  # the actor owns it (a lead may read another's, never write it)
    instances: frozenset[str] = frozenset()  # the entries of repeat groups with a stored row


@dataclass(frozen=True)
class SaveResult:
    version: int  # the assessment's version after the save: state it in the next save
    changed: list[str] = field(default_factory=list)  # questions whose answer changed
    cleared: list[str] = field(default_factory=list)  # answers cleared: skip logic hid their question
    notes_changed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Clash:
    """A question changed elsewhere since the caller read it: what is stored now."""

    question: str
    value: str | None
    note: str


@dataclass(frozen=True)
class StatusResult:
    version: int
    status: str


@dataclass(frozen=True)
class _Row:
    id: int
    uid: str
    case_id: int
    case_ref: str
    inspection_id: int
    version_id: int
    inspector: str
    purpose: str
    status: str
    version: int
    completed_at: datetime | None


def _row(session: Session, uid: str) -> _Row:
    found = session.execute(
        select(Assessment.id, Assessment.uid, Assessment.case_id, CaseFile.case_ref, CaseFile.inspection_id,
               Assessment.questionnaire_version_id, Assessment.inspector, Assessment.purpose, Assessment.status,
               Assessment.version, Assessment.completed_at)
        .join(CaseFile, CaseFile.id == Assessment.case_id).where(Assessment.uid == uid)).first()
    if found is None:
        raise ProblemError([Problem(UNKNOWN_ASSESSMENT, "no such assessment: it may have been removed")])
    return _Row(*found)


def _questionnaire(session: Session, row: _Row) -> Questionnaire:
    """The wording the assessment is scored on (parsed once per process, then cached)."""
    return inspections.questionnaire_of(session.get(QuestionnaireVersion, row.version_id))


def _stored(session: Session, assessment_id: int) -> dict[str, tuple[int, str | None, str]]:
    """slot -> (answer id, value, note), in one query."""
    rows = session.execute(select(Answer.question, Answer.instance, Answer.id, Answer.value, Answer.note)
                           .where(Answer.assessment_id == assessment_id)).all()
    return {repeat_entries.slot(inst or "", q): (i, v, n or "") for q, inst, i, v, n in rows}


def _instances(stored: Mapping[str, tuple]) -> frozenset[str]:
    """The entries with a stored row (blank rows too: an entry just added has no answer yet)."""
    return frozenset(i for i in (repeat_entries.split(k)[0] for k in stored) if i)


def _name(slot: str) -> str:
    return repeat_entries.split(slot)[1]


def _known(questionnaire: Questionnaire, slot: str) -> bool:
    return questionnaire.has_question(_name(slot)) and repeat_entries.instance_problem(questionnaire, slot) is None


def where_label(questionnaire: Questionnaire, slot: str) -> str:
    """“Label”, or “Label” (Incident 2) for an answer in an entry."""
    instance, name = repeat_entries.split(slot)
    label = f"“{questionnaire.question(name).label}”"
    return f"{label} ({repeat_entries.title(questionnaire, instance)})" if instance else label


def _values(row: _Row, questionnaire: Questionnaire, stored: Mapping[str, tuple]) -> dict[str, str]:
    answers = {q: v for q, (_, v, _) in stored.items() if v not in (None, "")}
    if questionnaire.has_question(CASE_REF):
        answers[CASE_REF] = row.case_ref
    return answers


def load(session: Session, actor: Actor, uid: str) -> AssessmentView:
    """The answers and notes of one assessment. Its own inspector reads it; so may a lead
    (read-only). Another inspector may not: a second marker never sees the first marking. The
    account is read again as it stands now (its forces; a disabled account or an ended session
    reads nothing): the form's Reload keeps the actor of the page's last full run."""
    actor = actor_check.at_write(session, actor)
    row = _row(session, uid)
    if not actor.is_lead:
        permissions.require_owner(actor, row.inspector, "open another inspector's assessment")
        _require_force(session, actor, row, "open")
    questionnaire = _questionnaire(session, row)
    stored = _stored(session, row.id)
    return AssessmentView(
        uid=row.uid, case_id=row.case_id, case_ref=row.case_ref, inspection_id=row.inspection_id,
        questionnaire=questionnaire, inspector=row.inspector, purpose=row.purpose, status=row.status,
        version=row.version, answers=_values(row, questionnaire, stored),
        notes={q: n for q, (_, _, n) in stored.items() if n}, completed_at=row.completed_at,
        editable=actor.name == row.inspector, instances=_instances(stored))


@dataclass(frozen=True)
class Stored:
    """What the database holds of one assessment now: the part of ``AssessmentView`` that
    changes when it is saved (elsewhere too)."""

    version: int
    status: str
    answers: dict[str, str]
    notes: dict[str, str]
    instances: frozenset[str]


def reread(session: Session, actor: Actor, uid: str, questionnaire: Questionnaire) -> Stored | None:
    """The actor's own assessment as stored now, in one query (the Assess form re-reads it on
    every section switch: another tab or laptop may have saved since). None when it is not
    theirs to read this way (removed, another's): ``load`` says why. The account is checked as
    every other service checks it, on the same path (``actor_check.at_write``: enabled, its
    session token live, its role and force limits read again): a session ended elsewhere
    raises ``SessionEnded``, a case of a force taken away ``PermissionDenied``."""
    actor = actor_check.at_write(session, actor)
    query = (select(Assessment.version, Assessment.status, CaseFile.case_ref, Answer.question, Answer.instance,
                    Answer.id, Answer.value, Answer.note)
             .join(CaseFile, CaseFile.id == Assessment.case_id)
             .outerjoin(Answer, Answer.assessment_id == Assessment.id)
             .where(Assessment.uid == uid, Assessment.inspector == actor.name))
    rows = session.execute(query).all()
    if not rows:
        return None
    version, status, case_ref = rows[0][:3]
    stored = {repeat_entries.slot(inst or "", q): (i, v, n or "") for *_, q, inst, i, v, n in rows if q is not None}
    if actor.forces and not actor.is_lead:  # as _require_force, from the row just read (no second query)
        permissions.require_case_force(actor, stored.get(FORCE, (None, None))[1], case_ref)
    answers = {q: v for q, (_, v, _) in stored.items() if v not in (None, "")}
    if questionnaire.has_question(CASE_REF):  # lives on the case, as in load
        answers[CASE_REF] = case_ref
    return Stored(version=version, status=status, answers=answers,
                  notes={q: n for q, (_, _, n) in stored.items() if n}, instances=_instances(stored))


def own_assessment(session: Session, actor: Actor, case_id: int) -> str | None:
    """The uid of the actor's own assessment of a case (their primary scoring before a second
    marking or an agreed version), or None if they have none."""
    order = case(PURPOSE_ORDER, value=Assessment.purpose, else_=9)
    return session.execute(select(Assessment.uid).where(Assessment.case_id == case_id,
                                                        Assessment.inspector == actor.name)
                           .order_by(order, Assessment.id)).scalars().first()


# --- checking values --------------------------------------------------------------------


def normalise(questionnaire: Questionnaire, question: Question, value) -> tuple[str | None, str | None]:
    """(the value as stored, or None for blank; why it is refused, or None). The import's own
    conversion (``fieldwork.questionnaire.answers``), so the app stores what an import would."""
    stored, fault = answer_types.convert(questionnaire, question, value)
    return stored, (fault[1] if fault else None)


def check_answers(questionnaire: Questionnaire, given: Mapping[str, object], *, read_only: tuple[str, ...] = (),
                  ) -> tuple[dict[str, str | None], list[Problem]]:
    """Normalise given answers: (slot -> stored value, every problem found). A slot is a
    question's name, or ``instance/question`` for an entry of a repeat group."""
    problems: list[Problem] = []
    values: dict[str, str | None] = {}
    for name, value in given.items():
        if not questionnaire.has_question(_name(name)):
            problems.append(Problem(UNKNOWN_QUESTION, f"{questionnaire.id} has no question {_name(name)!r}",
                                    item=name))
            continue
        wrong_entry = repeat_entries.instance_problem(questionnaire, name)
        if wrong_entry:
            problems.append(Problem(NO_ENTRY, f"“{questionnaire.question(_name(name)).label}” {wrong_entry}",
                                    item=name))
            continue
        if name in read_only:
            problems.append(Problem(READ_ONLY, "is fixed when the case is added and cannot be changed here",
                                    item=name))
            continue
        question = questionnaire.question(_name(name))
        stored, fault = normalise(questionnaire, question, value)
        if fault:
            code = UNKNOWN_CODE if question.choices else BAD_VALUE
            problems.append(Problem(code, f"“{question.label}”: {fault}", item=name))
        else:
            values[name] = stored
    return values, problems


def _constraint_problem(questionnaire: Questionnaire, name: str) -> Problem:
    q = questionnaire.question(_name(name))
    instance = repeat_entries.split(name)[0]
    where = f"{repeat_entries.title(questionnaire, instance)}: " if instance else ""
    return Problem(CONSTRAINT, where + (q.constraint_message or f"“{q.label}” fails its check ({q.constraint})"),
                   field=q.section, item=name)


def not_asked(questionnaire: Questionnaire, answers: Mapping[str, object], names, instances=()) -> list[Problem]:
    """Problems for the given answers whose question the answers' skip logic hides (in an
    entry: that entry's answers; or the entry is beyond the form's count)."""
    asked = repeat_entries.Entries(questionnaire, answers, instances).asked
    return [Problem(NOT_ASKED, f"{where_label(questionnaire, n)} is not asked for this case ({_why_not(questionnaire, n)})",
                    item=n)
            for n in names if answers.get(n) not in (None, "") and n not in asked]


def _why_not(questionnaire: Questionnaire, slot: str) -> str:
    """Why a question is not asked, in words ("asked only when “Charged?” is Yes")."""
    instance, name = repeat_entries.split(slot)
    if questionnaire.rule(questionnaire.question(name)) or not instance:
        return rule_words.asked_only_when(questionnaire, name)
    return "its entry is beyond the number of entries the form sets"


def outside_filters(questionnaire: Questionnaire, answers: Mapping[str, object], names=None,
                    instances=()) -> list[Problem]:
    """Problems for answers (of ``names``, else all) that their choice_filter's list leaves out."""
    return [Problem(OUTSIDE_FILTER, filter_checks.refusal(questionnaire, answers, n, instances),
                    field=questionnaire.question(_name(n)).section, item=n)
            for n in filter_checks.outside(questionnaire, answers, instances, names)]


# --- writing ----------------------------------------------------------------------------


def _bump(session: Session, row: _Row, expected_version: int, **values) -> int:
    """Raise the version if it is still the one the caller read; refuse otherwise. The
    WHERE on the version makes this the lock: of two saves from the same version, one wins."""
    from fieldwork.services import revision_content

    revision_content.record_superseded(session, row.id)  # what the revision held, for bundles' merges
    result = session.execute(
        update(Assessment)
        .where(Assessment.id == row.id, Assessment.version == expected_version)
        .values(version=Assessment.version + 1, revision=new_uid(), parent_revision=Assessment.revision,
                updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        now = session.execute(select(Assessment.version).where(Assessment.id == row.id)).scalar()
        raise ProblemError([Problem(
            STALE_VERSION,
            f"Someone else saved this assessment first (it is now at version {now}; you were editing version "
            f"{expected_version}). Your last change was not saved: reload to see the stored answers, then make "
            "it again if it is still needed.", item=row.case_ref)],
            "this assessment was changed elsewhere")
    return expected_version + 1


def _require_force(session: Session, actor: Actor, row: _Row, action: str) -> None:
    """An inspector whose forces are limited reaches only those forces' cases, now: an admin who
    takes a force away (a conflict of interest) stops the next save from a form left open as well
    as the next opening (attacker re-test 22, F5). The case's force is its stored answer."""
    if actor.forces and not actor.is_lead:
        force = session.scalar(select(Answer.value).where(Answer.assessment_id == row.id, Answer.question == FORCE,
                                                          Answer.instance == ""))
        permissions.require_case_force(actor, force, row.case_ref, action)


def _require_editable(actor: Actor, row: _Row, action: str, session: Session) -> None:
    permissions.require_owner(actor, row.inspector, f"{action} another inspector's assessment")
    _require_force(session, actor, row, action)
    if row.status != DRAFT:
        raise ProblemError([Problem(NOT_DRAFT, f"{row.case_ref} is marked complete: reopen it before changing it",
                                    item=row.case_ref)], "the assessment is complete")


def save(session: Session, actor: Actor, uid: str, expected_version: int, changes: Changes, *,
         read: Read | None = None, chose: Mapping | None = None) -> SaveResult:
    """Store answers and notes, clear what skip logic now hides, raise the version.

    ``changes`` maps a question to (value, note): value None or "" leaves it blank, KEEP
    leaves the stored answer; note None keeps the stored note. Refused as a whole (every
    problem named) on an unknown question or code, an answer to a question that is not asked,
    or a version someone else has saved — or, with ``read`` (question -> (value, note) as the
    caller last read it), only if one of the changed questions was changed since
    (``changed_elsewhere``; each problem's ``item`` names the question). ``chose``: the
    inspector settled such a clash by keeping their change (``record_choice``'s arguments
    for the one question changed), recorded with the save."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    row = _row(session, uid)
    _require_editable(actor, row, "change", session)
    questionnaire = _questionnaire(session, row)
    given = {n: v for n, (v, _) in changes.items() if v is not KEEP}
    values, problems = check_answers(questionnaire, given, read_only=(CASE_REF,))
    kept = [n for n, (v, _) in changes.items() if v is KEEP]
    problems += [Problem(UNKNOWN_QUESTION, f"{questionnaire.id} has no question {n!r}", item=n)
                 for n in kept if not _known(questionnaire, n) or n == CASE_REF]
    notes = {n: note for n, (v, note) in changes.items() if note is not None
             and (n in values or (v is KEEP and _known(questionnaire, n) and n != CASE_REF))}
    problems += [Problem(BAD_VALUE, f"the evidence note is {len(note):,} characters long; at most {MAX_NOTE:,} are "
                         "kept: record references and what was seen, not a copy of the file", item=n, field="note")
                 for n, note in notes.items() if len(note) > MAX_NOTE]
    problems += characters.answer_problems(values, notes)  # the one rule for characters (imports, bundles too)

    stored = _stored(session, row.id)
    instances = _instances(stored)
    before = _values(row, questionnaire, stored)
    if read is not None and row.version != expected_version:
        _refuse_if_renumbered(session, row, expected_version, [*values, *notes])
        problems += _clashes(questionnaire, changes, read, before, stored)
        expected_version = row.version  # nobody else touched these questions: save over the newer version
    no_entry = _missing_entries(questionnaire, before, instances, [*values, *notes])
    problems += no_entry
    after = {**before, **values}
    after = {n: v for n, v in after.items() if v not in (None, "")}
    problems += not_asked(questionnaire, after, [n for n in values if n not in {p.item for p in no_entry}], instances)
    problems += [_constraint_problem(questionnaire, n)
                 for n in repeat_entries.Entries(questionnaire, after, instances).constraint_failures() if n in values]
    problems += outside_filters(questionnaire, after, [n for n in values if n in after], instances)
    if FORCE in values and values[FORCE]:
        permissions.require_force(actor, values[FORCE], "move a case to a force you do not cover")
    if problems:
        raise ProblemError(problems, "the change was not saved")
    _recalculate(questionnaire, before, after, values, instances)
    _fill_metadata(questionnaire, actor, before, after, values)
    cleared = repeat_entries.Entries(questionnaire, after, instances).irrelevant()
    version = _bump(session, row, expected_version)

    now = utcnow()
    where = dict(inspection_id=row.inspection_id, case_ref=row.case_ref, assessment_uid=row.uid)
    changed, notes_changed = [], []
    for name in dict.fromkeys([*values, *notes, *cleared]):
        old_value = before.get(name)
        new_value = None if name in cleared else values[name] if name in values else old_value
        old_note = stored[name][2] if name in stored else ""
        new_note = old_note if name not in notes else notes[name]
        if new_value == old_value and new_note == old_note:
            continue
        instance, question = repeat_entries.split(name)
        if name in stored:
            session.execute(update(Answer).where(Answer.id == stored[name][0])
                            .values(value=new_value, note=new_note, updated_at=now)
                            .execution_options(synchronize_session=False))
        else:
            session.add(Answer(assessment_id=row.id, question=question, instance=instance, value=new_value,
                               note=new_note, updated_at=now))
        # codes only in the trail: free text (text, date and number answers, notes) never
        is_code = questionnaire.question(question).is_single_choice
        entry = {"instance": instance} if instance else {}  # which entry of a repeat group
        if name in cleared:
            audit.record(session, actor.name, audit.ANSWER_CLEARED, question=question,
                         old_value=old_value if is_code else None, reason="not_asked", **entry, **where)
        elif new_value != old_value:
            changed.append(name)
            audit.record(session, actor.name, audit.ANSWER_CHANGED, question=question,
                         old_value=old_value if is_code else None, new_value=new_value if is_code else None,
                         **({} if is_code else {"type": questionnaire.question(question).type}), **entry, **where)
        if new_note != old_note:
            notes_changed.append(name)
            audit.record(session, actor.name, audit.NOTE_CHANGED, question=question, **entry, **where)
    if chose:
        record_choice(session, actor, uid, **chose)
    session.flush()
    return SaveResult(version, changed, [n for n in cleared if n in before], notes_changed)


def _refuse_if_renumbered(session: Session, row: _Row, read_version: int, names) -> None:
    """An entry removed elsewhere since the caller read the assessment deleted or renumbered the
    entry a change is meant for: the per-question rule cannot tell (incident 3 may now be
    incident 2), so the change is refused as a stale save (the form offers Reload)."""
    instances = {repeat_entries.split(n)[0] for n in names} - {""}
    if not instances:
        return
    details = session.execute(select(AuditEvent.detail).where(AuditEvent.assessment_uid == row.uid,
                                                              AuditEvent.action == audit.ENTRY_REMOVED)).scalars()
    removed = [d["instance"] for d in map(json.loads, details) if d.get("version", 0) > read_version]
    if any(repeat_entries.touched_by_removal(i, r) for i in instances for r in removed):
        raise ProblemError([Problem(
            STALE_VERSION, "An entry was removed elsewhere (another tab or laptop) since you opened this assessment, "
            "and the entries after it were renumbered. Your last change was not saved: reload to see the entries as "
            "they are stored, then make it again.", item=row.case_ref)], "the entries were changed elsewhere")


def _missing_entries(questionnaire: Questionnaire, before: Mapping[str, object], instances, names) -> list[Problem]:
    """An answer or note to an entry that does not exist (removed in another tab, or never added)."""
    names = [n for n in names if repeat_entries.split(n)[0]]
    if not names:
        return []
    existing = repeat_entries.Entries(questionnaire, before, instances)
    return [Problem(NO_ENTRY, f"{repeat_entries.title(questionnaire, repeat_entries.split(n)[0])} does not exist "
                              "(it may have been removed elsewhere): reload to see the entries as stored", item=n)
            for n in names if not existing.exists(repeat_entries.split(n)[0])]


def _recalculate(questionnaire: Questionnaire, before: Mapping[str, object], after: dict, values: dict,
                 instances=()) -> None:
    """Work every ``calculate`` out again from the answers as they now stand and store what
    changed (a calculation never comes from the inspector; one using today() keeps its value).
    A calculation inside a repeat group is worked out in each entry, from that entry's answers."""
    for name in [n for n in values if questionnaire.question(_name(n)).is_computed and repeat_entries.split(n)[0]]:
        values.pop(name)
        if name in before:
            after[name] = before[name]
        else:
            after.pop(name, None)
    if questionnaire.repeats:
        worked = repeat_entries.Entries(questionnaire, after, instances)
        for name, new in worked.values.items():
            instance, question = repeat_entries.split(name)
            if not instance or not questionnaire.question(question).is_computed:
                continue
            _keep_computed(name, None if new in (None, "") or name not in worked.asked else str(new), before, after,
                           values)
    computed = [q.name for q in questionnaire.questions if q.is_computed and not questionnaire.repeat_of(q.name)]
    if not computed:
        return
    for name in computed:  # what an inspector sent for a calculation is not kept
        values.pop(name, None)
        if name in before:
            after[name] = before[name]
    if questionnaire.repeats:  # a case's calculation may read the entries: count(${incident_date}) (walk 24, W3)
        entries = repeat_entries.Entries(questionnaire, after, instances)
        worked, asked = entries.values, entries.asked
    else:
        worked = questionnaire.with_calculations(after)
        asked = questionnaire.relevant_names(worked)
    for name in computed:
        new = worked.get(name) if name in asked else None
        _keep_computed(name, None if new in (None, "") else str(new), before, after, values)


def _keep_computed(name: str, new: str | None, before: Mapping[str, object], after: dict, values: dict) -> None:
    """A calculated answer as worked out now: written where it changed, and in the answers after."""
    if new != before.get(name):
        values[name] = new
    if new is None:
        after.pop(name, None)
    else:
        after[name] = new


def _fill_metadata(questionnaire: Questionnaire, actor: Actor, before: Mapping[str, object], after: dict,
                   values: dict) -> None:
    """XLSForm metadata questions are filled in, never asked: when the scoring started (and
    its date), who scored it and on what; ``end`` follows the latest save."""
    now = utcnow().replace(microsecond=0)
    fill = {"start": now.isoformat(), "today": now.date().isoformat(), "username": actor.name,
            "deviceid": "fieldwork", "end": now.isoformat()}
    for q in questionnaire.questions:
        if questionnaire.repeats and questionnaire.repeat_of(q.name):
            continue  # asked per entry: not the scoring's own when and who
        if q.type in fill and (q.type == "end" or before.get(q.name) in (None, "")):
            values[q.name] = after[q.name] = fill[q.type]


def _clashes(questionnaire: Questionnaire, changes: Changes, read: Read, before: Mapping[str, str],
             stored: Mapping[str, tuple]) -> list[Problem]:
    """A problem for each change whose answer (or note) was changed by someone else since the
    caller read it. An answer changed elsewhere and a note written here do not clash."""
    problems = []
    for name, (value, note) in changes.items():
        if not _known(questionnaire, name):
            continue
        was_value, was_note = read.get(name, (None, ""))
        now_value, now_note = before.get(name), stored[name][2] if name in stored else ""
        answer_moved = value is not KEEP and (now_value or None) != (was_value or None)
        note_moved = note is not None and (now_note or "") != (was_note or "")
        if answer_moved or note_moved:
            problems.append(Problem(
                CHANGED_ELSEWHERE, f"{where_label(questionnaire, name)} was changed elsewhere (another tab or "
                                   "laptop) after you opened it: your change is kept on screen beside the stored "
                                   "one for you to choose.", item=name, field="answer" if answer_moved else "note"))
    return problems


def clash_of(session: Session, uid: str, name: str) -> Clash:
    """What is stored now for one question (to show beside the inspector's own change)."""
    row = _row(session, uid)
    stored = _stored(session, row.id)
    value = _values(row, _questionnaire(session, row), stored).get(name)
    return Clash(name, value, stored[name][2] if name in stored else "")


def record_choice(session: Session, actor: Actor, uid: str, name: str, *, kept: str, mine: str | None,
                  stored: str | None, notes_differed: bool) -> None:
    """The trail of a clash settled by the inspector: both answers (codes only; notes are never
    copied into the trail) and which was kept ("mine" or "stored")."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    row = _row(session, uid)
    permissions.require_owner(actor, row.inspector, "settle a change to another inspector's assessment")
    _require_force(session, actor, row, "change")
    is_code = _questionnaire(session, row).question(_name(name)).is_single_choice
    instance, question = repeat_entries.split(name)
    audit.record(session, actor.name, audit.CHANGE_CHOSEN, inspection_id=row.inspection_id, case_ref=row.case_ref,
                 assessment_uid=row.uid, question=question, old_value=stored if is_code else None,
                 new_value=mine if is_code else None, kept=kept, notes_differed=notes_differed,
                 **({"instance": instance} if instance else {}))


def completion_problems(questionnaire: Questionnaire, answers: Mapping[str, object], instances=()) -> list[Problem]:
    """What stands between these answers and a complete assessment: every required, relevant
    question unanswered (with its section; in a repeat group, entry by entry: "Incident 2:
    “When” is required"), every failed constraint, every answer to a question not asked, every
    repeat group with more entries than the form allows."""
    titles = {s.id: s.title for s in questionnaire.sections}
    problems = []
    worked = repeat_entries.Entries(questionnaire, answers, instances)
    for slot in worked.missing_required():
        instance, name = repeat_entries.split(slot)
        q = questionnaire.question(name)
        said = f": {q.required_message}" if q.required_message else ""
        message = (f"{repeat_entries.title(questionnaire, instance)}: “{q.label}” is required{said}" if instance
                   else f"not answered: “{q.label}” ({titles.get(q.section, q.section)}){said}")
        problems.append(Problem(MISSING_ANSWER, message, field=q.section, item=slot))
    problems += [_constraint_problem(questionnaire, name) for name in worked.constraint_failures()]
    problems += not_asked(questionnaire, answers, list(answers), instances)
    problems += outside_filters(questionnaire, answers, None, instances)
    for repeat, parent, n in worked.too_many():
        r = questionnaire.repeat(repeat)
        where = f" in {repeat_entries.title(questionnaire, parent)}" if parent else ""
        problems.append(Problem(TOO_MANY_ENTRIES, f"“{r.label}”{where} has {n} entries; the form allows at most "
                                f"{r.max_entries}: remove one", item=repeat_entries.path(parent, repeat, n)))
    return problems


def mark_complete(session: Session, actor: Actor, uid: str, expected_version: int) -> StatusResult:
    """Mark a draft complete, or refuse with everything that is missing."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    row = _row(session, uid)
    _require_editable(actor, row, "complete", session)
    questionnaire = _questionnaire(session, row)
    stored = _stored(session, row.id)
    answers = _values(row, questionnaire, stored)
    problems = completion_problems(questionnaire, answers, _instances(stored))
    if problems:
        missing = sum(p.code == MISSING_ANSWER for p in problems)
        raise ProblemError(problems, f"not complete yet: {missing} required answer(s) missing" if missing
                           else "not complete yet")
    version = _bump(session, row, expected_version, status=COMPLETE, completed_at=utcnow())
    audit.record(session, actor.name, audit.STATUS_CHANGED, inspection_id=row.inspection_id, case_ref=row.case_ref,
                 assessment_uid=row.uid, old_value=DRAFT, new_value=COMPLETE, version=version)
    return StatusResult(version, COMPLETE)


def reopen(session: Session, actor: Actor, uid: str, expected_version: int) -> StatusResult:
    """Back to draft, by the assessment's own inspector; the trail records it."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    row = _row(session, uid)
    permissions.require_owner(actor, row.inspector, "reopen another inspector's assessment")
    _require_force(session, actor, row, "reopen")
    if row.status != COMPLETE:
        raise ProblemError([Problem(NOT_COMPLETE, f"{row.case_ref} is not complete: there is nothing to reopen",
                                    item=row.case_ref)])
    version = _bump(session, row, expected_version, status=DRAFT, completed_at=None)
    audit.record(session, actor.name, audit.STATUS_CHANGED, inspection_id=row.inspection_id, case_ref=row.case_ref,
                 assessment_uid=row.uid, old_value=COMPLETE, new_value=DRAFT, version=version)
    return StatusResult(version, DRAFT)
