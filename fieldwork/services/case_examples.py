"""Case examples: cases a lead marks as an example for a criterion or a finding, each with a
short pseudonymised narrative, for the report's "In one case ..." sentences and case-study
boxes.

API (other capabilities, such as the Word report, read examples through these only):

* ``mark(session, actor, questionnaire_id, case_ref, narrative, *, criterion=None,
  finding=None, answer=None, inspection=None) -> Marked`` — leads and admins; the case
  must hold a complete, counted assessment of the questionnaire in the inspection; name a
  specific criterion of the inspection's framework, or a finding (a single-choice question
  with one of its codes, or an indicator), or both. The same example twice (same case,
  criterion, finding, answer and narrative) is refused. The narrative is required, at most
  ``MAX_NARRATIVE`` characters, and checked like an evidence note
  (``privacy.note_warnings``): what looks like personal data comes back in
  ``Marked.warnings`` for the page to show (not refused: the lead decides). One audit row,
  with codes only, never the narrative.
* ``narrative_warnings(narrative) -> list[str]`` — the same check, for a page to warn before
  it saves.
* ``list_examples(session, actor, questionnaire_id, *, inspection=None) ->
  list[Example]`` — every example of the questionnaire in the inspection, oldest first.
* ``of_assessment(session, actor, uid) -> list[Example]`` — the examples marked on the case of
  one assessment, for whoever may read that assessment (its own inspector, a lead, an admin):
  the read-only case (``fieldwork/ui/case_record.py``) lists them.
* ``by_criterion(examples, framework) -> dict[str, list[Example]]`` — specific criterion id
  -> the examples listed under it: those marked for it, and those marked for a finding that
  evidences it (``Example.criteria``), in framework order.
* ``remove(session, actor, example_id)`` — leads and admins; audited.
* ``Example`` has ``id, case_ref, force, criterion, finding, answer, finding_label,
  answer_label, criteria (tuple), narrative, created_by, created_at`` and ``title`` (what it
  is an example of, in words).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from fieldwork import audit
from fieldwork.catalog import load_catalog
from fieldwork.problem_codes import (
    DUPLICATE_EXAMPLE, EMPTY_NARRATIVE, NOTHING_NAMED, NOT_COUNTED, TOO_LONG, UNKNOWN_ANSWER, UNKNOWN_CASE, UNKNOWN_CRITERION,
    UNKNOWN_ASSESSMENT, UNKNOWN_EXAMPLE, UNKNOWN_FINDING,
)
from fieldwork.problems import Problem, ProblemError
from fieldwork.services import inspections, privacy
from fieldwork.services.permissions import LEADS, Actor, require_owner, require_role
from fieldwork.services import actor_check
from models import COMPLETE, Answer, Assessment, CaseExample, CaseFile, Inspection

MAX_NARRATIVE = 2000
EXAMPLE_MARKED = "example.marked"
EXAMPLE_REMOVED = "example.removed"


@dataclass(frozen=True)
class Example:
    id: int
    case_ref: str
    force: str | None
    criterion: str | None
    finding: str | None
    answer: str | None
    finding_label: str
    answer_label: str
    criteria: tuple[str, ...]  # the criteria it is listed under
    narrative: str
    created_by: str
    created_at: datetime

    @property
    def title(self) -> str:
        if self.finding:
            return self.finding_label + (f" – {self.answer_label}" if self.answer_label else "")
        return f"criterion {self.criterion}"


@dataclass(frozen=True)
class Marked:
    example: Example
    warnings: list[str] = field(default_factory=list)  # what looks like personal data in the narrative


def _framework(inspection):
    return load_catalog().frameworks.get(inspection.framework)


def _specific_ids(framework) -> list[str]:
    return [s.id for g in framework.general for s in g.specific] if framework else []


def _finding_meta(q, finding: str | None, answer: str | None) -> tuple[str, str, tuple[str, ...]]:
    if not finding:
        return "", "", ()
    indicator = next((i for i in q.indicators if i.id == finding), None)
    if indicator is not None:
        return indicator.label, "", tuple(indicator.criteria)
    if q.has_question(finding):
        question = q.question(finding)
        labels = {o.code: o.label for o in q.options(finding)} if question.is_single_choice else {}
        return question.label, labels.get(answer or "", answer or ""), tuple(question.criteria)
    return finding, answer or "", ()


def _check(q, framework, criterion, finding, answer, narrative) -> list[Problem]:
    problems = []
    if not criterion and not finding:
        problems.append(Problem(NOTHING_NAMED, "name the criterion or the finding this case is an example of",
                                field="criterion"))
    if criterion and criterion not in _specific_ids(framework):
        problems.append(Problem(UNKNOWN_CRITERION, f"{criterion!r} is not a specific criterion of the framework "
                                "(e.g. 3.1)", field="criterion", item=criterion))
    if finding:
        indicator = any(i.id == finding for i in q.indicators)
        if indicator and answer:
            problems.append(Problem(UNKNOWN_ANSWER, f"{finding!r} is an indicator: it has no answer",
                                    field="answer", item=finding))
        elif not indicator:
            if not q.has_question(finding) or not q.question(finding).is_single_choice:
                problems.append(Problem(UNKNOWN_FINDING, f"{q.id} has no finding {finding!r}", field="finding",
                                        item=finding))
            elif answer not in q.codes(finding):
                problems.append(Problem(UNKNOWN_ANSWER, f"{answer!r} is not a code of {finding!r} (codes: "
                                        f"{', '.join(q.codes(finding))})", field="answer", item=finding))
    text = (narrative or "").strip()
    if not text:
        problems.append(Problem(EMPTY_NARRATIVE, "write a short pseudonymised narrative of the case",
                                field="narrative"))
    elif len(text) > MAX_NARRATIVE:
        problems.append(Problem(TOO_LONG, f"the narrative has {len(text)} characters; at most {MAX_NARRATIVE}",
                                field="narrative"))
    return problems


def mark(session: Session, actor: Actor, questionnaire_id: str, case_ref: str, narrative: str, *,
         criterion: str | None = None, finding: str | None = None, answer: str | None = None,
         inspection: inspections.InspectionRef = None) -> Marked:
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    require_role(actor, LEADS, "mark case examples")
    inspection = inspections.resolve(session, inspection)
    q = inspections.questionnaire_of(inspections.current_version(session, questionnaire_id))
    criterion, finding, answer = (criterion or None), (finding or None), (answer or None)
    problems = _check(q, _framework(inspection), criterion, finding, answer, narrative)
    case_file = session.execute(select(CaseFile).where(
        CaseFile.inspection_id == inspection.id, CaseFile.questionnaire == q.id,
        CaseFile.case_ref == case_ref)).scalars().first()
    if case_file is None:
        problems.append(Problem(UNKNOWN_CASE, f"no {q.id} case {case_ref!r} in {inspection.name}",
                                field="case_ref", item=case_ref))
    elif not session.execute(select(Assessment.id).where(
            Assessment.case_id == case_file.id, Assessment.status == COMPLETE,
            Assessment.counted.is_(True))).first():
        problems.append(Problem(NOT_COUNTED, f"case {case_ref} has no complete, counted assessment: an example "
                                "must be one of the cases behind the findings", field="case_ref", item=case_ref))
    elif not problems and _marked_already(session, case_file, criterion, finding, answer, narrative.strip()):
        problems.append(Problem(DUPLICATE_EXAMPLE, f"case {case_ref} is already an example of this with the same "
                                "narrative (listed on this page and under its criteria on the Findings page): "
                                "nothing to add", field="narrative", item=case_ref, item_kind="case"))
    if problems:
        raise ProblemError(problems, "the case example was refused")
    row = CaseExample(inspection_id=inspection.id, questionnaire=q.id, case_id=case_file.id, criterion=criterion,
                      finding=finding, answer=answer, narrative=narrative.strip(), created_by=actor.name)
    session.add(row)
    session.flush()
    audit.record(session, actor.name, EXAMPLE_MARKED, inspection_id=inspection.id, case_ref=case_ref,
                 question=finding, example=row.id, criterion=criterion, answer=answer)
    example = _examples(session, q, inspection, [CaseExample.id == row.id])[0]
    return Marked(example, privacy.note_warnings(row.narrative))


def _marked_already(session: Session, case_file: CaseFile, criterion: str | None, finding: str | None,
                    answer: str | None, narrative: str) -> bool:
    """The same example stored already: same case, criterion, finding and answer, same narrative
    (a second click, or a refusal shown stale, made identical rows in the workbook: walk 23, F4)."""
    return session.execute(select(CaseExample.id).where(
        CaseExample.case_id == case_file.id, CaseExample.criterion == criterion, CaseExample.finding == finding,
        CaseExample.answer == answer, CaseExample.narrative == narrative).limit(1)).first() is not None


def narrative_warnings(narrative: str) -> list[str]:
    """What looks like personal data in a narrative (the evidence-note check), for the page to
    say before it is saved."""
    return privacy.note_warnings(narrative or "")


def _examples(session: Session, q, inspection, where) -> list[Example]:
    f = aliased(Answer, name="f")
    force_var = "force" if q.has_question("force") else None
    query = (select(CaseExample, CaseFile.case_ref, f.value if force_var else CaseFile.case_ref)
             .join(CaseFile, CaseFile.id == CaseExample.case_id)
             .outerjoin(Assessment, and_(Assessment.case_id == CaseFile.id, Assessment.status == COMPLETE,
                                         Assessment.counted.is_(True)))
             .outerjoin(f, and_(f.assessment_id == Assessment.id, f.question == (force_var or "")))
             .where(CaseExample.inspection_id == inspection.id, CaseExample.questionnaire == q.id, *where)
             .order_by(CaseExample.created_at, CaseExample.id))
    out, seen = [], set()
    for row, ref, force in session.execute(query):
        if row.id in seen:  # a case with two counted assessments (never expected) lists once
            continue
        seen.add(row.id)
        label, answer_label, criteria = _finding_meta(q, row.finding, row.answer)
        listed = tuple(dict.fromkeys(([row.criterion] if row.criterion else []) + list(criteria)))
        out.append(Example(row.id, ref, force if force_var else None, row.criterion, row.finding, row.answer,
                           label, answer_label, listed, row.narrative, row.created_by, row.created_at))
    return out


def list_examples(session: Session, actor: Actor, questionnaire_id: str, *,
                  inspection: inspections.InspectionRef = None) -> list[Example]:
    require_role(actor, LEADS, "see case examples")
    inspection = inspections.resolve(session, inspection)
    q = inspections.questionnaire_of(inspections.current_version(session, questionnaire_id))
    return _examples(session, q, inspection, [])


def of_assessment(session: Session, actor: Actor, uid: str) -> list[Example]:
    """The examples marked on the case one assessment scores, oldest first. Read as the
    assessment is: by its own inspector, or a lead or admin (``assessments.load``'s rule)."""
    found = session.execute(select(Assessment.case_id, Assessment.inspector, CaseFile.inspection_id,
                                   CaseFile.questionnaire)
                            .join(CaseFile, CaseFile.id == Assessment.case_id).where(Assessment.uid == uid)).first()
    if found is None:
        raise ProblemError([Problem(UNKNOWN_ASSESSMENT, "no such assessment: it may have been removed")])
    case_id, inspector, inspection_id, questionnaire_id = found
    if not actor.is_lead:
        require_owner(actor, inspector, "read the case examples of another inspector's case")
    q = inspections.questionnaire_of(inspections.current_version(session, questionnaire_id))
    return _examples(session, q, session.get(Inspection, inspection_id), [CaseExample.case_id == case_id])


def by_criterion(examples: list[Example], framework) -> dict[str, list[Example]]:
    """Specific criterion id -> its examples, for every criterion of the framework that has any."""
    out: dict[str, list[Example]] = {}
    for cid in _specific_ids(framework):
        listed = [e for e in examples if cid in e.criteria]
        if listed:
            out[cid] = listed
    return out


def remove(session: Session, actor: Actor, example_id: int) -> None:
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    require_role(actor, LEADS, "remove case examples")
    row = session.get(CaseExample, example_id)
    if row is None:
        raise ProblemError([Problem(UNKNOWN_EXAMPLE, f"no case example {example_id}", item=str(example_id))])
    ref = session.get(CaseFile, row.case_id).case_ref
    audit.record(session, actor.name, EXAMPLE_REMOVED, inspection_id=row.inspection_id, case_ref=ref,
                 question=row.finding, example=row.id)
    session.delete(row)


SHEET_HEADER = ["criterion", "case_ref", "force", "finding", "answer", "example_of", "narrative", "marked_by",
                "marked_at"]


def sheet_rows(examples: list[Example], framework) -> list[list]:
    """The workbook's ``case_examples`` sheet: one row per example and criterion it is listed
    under (an example of a finding with no criterion: one row, criterion blank)."""
    rows = []
    order = {cid: i for i, cid in enumerate(_specific_ids(framework))}
    for e in examples:
        for cid in (e.criteria or (None,)):
            rows.append([cid, e.case_ref, e.force, e.finding, e.answer, e.title, e.narrative, e.created_by,
                         e.created_at.replace(tzinfo=None) if e.created_at else None])
    rows.sort(key=lambda r: (order.get(r[0], len(order)), r[1]))
    return rows
