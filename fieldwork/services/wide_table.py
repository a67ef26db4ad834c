"""The wide table of responses (contract section 7): one row per case, one column per variable.

This module holds the layout that the importer reads and every exporter writes, and reads
the counted complete assessments of a questionnaire out of the database with a handful of
queries (never one per assessment).

Columns, left to right:

* the questionnaire's variables, in questionnaire order, cells holding codes (``case_ref``
  first: it is the row's identity);
* ``meta:inspector`` — who scored the case (kept on re-import);
* ``meta:<marker>`` columns that other capabilities add for the reader (for example
  ``meta:second_marked``); they are listed in ``INFORMATIONAL_META`` and ignored on import;
* with evidence notes only: ``note:<variable>`` — the inspector's note beside that answer.

A variable name is letters, digits and underscores, so a name holding a colon can never
clash with one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, literal, select
from sqlmodel import Session

from fieldwork import contract
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.services import inspections
from models import COMPLETE, DRAFT, Answer, Assessment, CaseFile, Inspection, QuestionnaireVersion

NOTE_PREFIX = "note:"
META_PREFIX = "meta:"
INSPECTOR_COLUMN = "meta:inspector"
# Columns an export writes for the reader that carry nothing an import should store.
INFORMATIONAL_META = {"meta:second_marked"}
CASE_REF = contract.CASE_REF


def note_column(variable: str) -> str:
    return NOTE_PREFIX + variable


def variables(questionnaire: Questionnaire) -> list[str]:
    """The variable columns: ``case_ref`` first, then the questions in questionnaire order."""
    # a question asked once per entry of a repeat group has its own table (exports/repeat_tables.py)
    names = [q.name for q in questionnaire.questions if q.name != CASE_REF and not questionnaire.repeat_of(q.name)]
    return [CASE_REF, *names]


def columns(questionnaire: Questionnaire, *, with_notes: bool = False, markers: tuple[str, ...] = ()) -> list[str]:
    cols = [*variables(questionnaire), INSPECTOR_COLUMN, *(META_PREFIX + m for m in markers)]
    if with_notes:
        cols += [note_column(v) for v in variables(questionnaire) if v != CASE_REF]
    return cols


@dataclass
class ResponseRow:
    uid: str
    case_ref: str
    inspector: str
    answers: dict[str, str] = field(default_factory=dict)  # variable -> code (only what was asked)
    notes: dict[str, str] = field(default_factory=dict)  # variable -> evidence note (only with notes)


@dataclass
class Responses:
    inspection: Inspection
    version: QuestionnaireVersion  # the current version: its questions are the columns
    questionnaire: Questionnaire
    rows: list[ResponseRow]
    complete: int  # complete assessments counted in findings (= len(rows))
    drafts: int  # draft assessments, left out
    not_counted: int  # complete but not counted (a replaced primary, a second marking)
    other_versions: int  # counted assessments scored on another version of the questionnaire
    with_notes: bool

    @property
    def duplicate_case_refs(self) -> list[str]:
        """Cases with more than one counted assessment (conflicts a lead has yet to resolve):
        a file holding them cannot be re-imported as it is."""
        seen: dict[str, int] = {}
        for row in self.rows:
            seen[row.case_ref] = seen.get(row.case_ref, 0) + 1
        return sorted(ref for ref, n in seen.items() if n > 1)


def _scope(inspection_id: int, questionnaire_id: str):
    return (CaseFile.inspection_id == inspection_id, CaseFile.questionnaire == questionnaire_id)


def load(session: Session, questionnaire_id: str, *, inspection: inspections.InspectionRef = None,
         with_notes: bool = False) -> Responses:
    """Every counted complete assessment of the questionnaire in the inspection, with answers
    (and notes if asked). Three queries: assessments, answers, and the status counts."""
    inspection = inspections.resolve(session, inspection)
    version = inspections.current_version(session, questionnaire_id)
    questionnaire = inspections.questionnaire_of(version)
    scope = _scope(inspection.id, questionnaire_id)
    counted = (Assessment.status == COMPLETE, Assessment.counted.is_(True))

    heads = session.execute(
        select(Assessment.id, Assessment.uid, CaseFile.case_ref, Assessment.inspector,
               Assessment.questionnaire_version_id)
        .join(CaseFile, CaseFile.id == Assessment.case_id)
        .where(*scope, *counted)
        .order_by(CaseFile.case_ref, Assessment.id)).all()
    rows: dict[int, ResponseRow] = {}
    other_versions = 0
    for aid, uid, ref, inspector, version_id in heads:
        rows[aid] = ResponseRow(uid, ref, inspector)
        other_versions += version_id != version.id

    # Notes are read only when asked for: a de-identified export never holds them in memory.
    note = Answer.note if with_notes else literal("")
    answers = session.execute(
        select(Answer.assessment_id, Answer.question, Answer.value, note)
        .join(Assessment, Assessment.id == Answer.assessment_id)
        .join(CaseFile, CaseFile.id == Assessment.case_id)
        # the wide table's cells are case-level answers; entries of repeat groups are not its columns
        .where(*scope, *counted, Answer.instance == "")).all()
    for aid, question, value, text in answers:
        row = rows[aid]
        if question == CASE_REF:
            continue  # the case file's reference is the one that counts
        if value not in (None, ""):
            row.answers[question] = value
        if text:
            row.notes[question] = text

    counts = status_counts(session, inspection.id, questionnaire_id)
    return Responses(inspection, version, questionnaire, list(rows.values()), len(rows), counts[DRAFT],
                     counts[NOT_COUNTED], other_versions, with_notes)


NOT_COUNTED = "complete, not counted"


def status_counts(session: Session, inspection_id: int, questionnaire_id: str) -> dict[str, int]:
    """{'complete': counted complete, 'draft': drafts, 'complete, not counted': the rest}: one GROUP BY."""
    rows = session.execute(
        select(Assessment.status, Assessment.counted, func.count())
        .join(CaseFile, CaseFile.id == Assessment.case_id)
        .where(*_scope(inspection_id, questionnaire_id))
        .group_by(Assessment.status, Assessment.counted)).all()
    out = {COMPLETE: 0, DRAFT: 0, NOT_COUNTED: 0}
    for status, counted, n in rows:
        key = DRAFT if status == DRAFT else COMPLETE if counted else NOT_COUNTED
        out[key] += n
    return out
