"""The core tables: inspections, questionnaire versions, cases, assessments and answers.

One row per assessment and question (``answer``), so findings are a GROUP BY in the
database. Times are UTC. An assessment's ``uid`` identifies it across laptops (bundles);
``version`` is its optimistic lock, raised by one on every save.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional
from uuid import uuid4

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_uid() -> str:
    return uuid4().hex


DRAFT = "draft"
COMPLETE = "complete"
STATUSES = (DRAFT, COMPLETE)

PRIMARY = "primary"  # the inspector's scoring of the case
SECOND = "second"  # a blind second marking (counts only for agreement)
AGREED = "agreed"  # the moderated answers that replace the primary in findings
PURPOSES = (PRIMARY, SECOND, AGREED)


class Inspection(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=100)
    name: str = Field(max_length=200)
    title: str = Field(default="", max_length=400)
    framework: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
    # the form its case references take (a regular expression, the inspection file's
    # case_ref_pattern); NULL: the default, fieldwork.services.case_refs.DEFAULT_PATTERN
    case_ref_pattern: Optional[str] = Field(default=None, max_length=200)


class QuestionnaireVersion(SQLModel, table=True):
    __tablename__ = "questionnaire_version"
    __table_args__ = (UniqueConstraint("questionnaire", "version"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    questionnaire: str = Field(index=True, max_length=100)  # e.g. "case_review"
    version: str = Field(max_length=50)
    title: str = Field(default="", max_length=400)
    content_hash: str = Field(max_length=64)
    definition: str = Field(sa_type=Text)  # JSON of Questionnaire.to_dict()
    created_at: datetime = Field(default_factory=utcnow)


class InspectionQuestionnaire(SQLModel, table=True):
    __tablename__ = "inspection_questionnaire"

    inspection_id: int = Field(foreign_key="inspection.id", primary_key=True)
    questionnaire: str = Field(primary_key=True, max_length=100)


class CaseFile(SQLModel, table=True):
    """A case in an inspection's sample. Named case_file: CASE is an SQL keyword."""

    __tablename__ = "case_file"
    # HS-0001 and hs-0001 are one case: a unique index on lower(case_ref) (fieldwork.db.FOLDED_INDEXES)
    # makes the database itself refuse the second, so a race cannot duplicate a case.
    __table_args__ = (UniqueConstraint("inspection_id", "questionnaire", "case_ref"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    questionnaire: str = Field(index=True, max_length=100)
    case_ref: str = Field(max_length=64)  # pseudonymised, never a name
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(default="", max_length=100)
    # where an imported ODK Central / KoboToolbox submission came from ("" otherwise)
    source_instance_id: str = Field(default="", max_length=100)
    source_submitted_by: str = Field(default="", max_length=100)
    source_submitted_at: str = Field(default="", max_length=40)  # as the tool wrote it (ISO 8601)
    source_review_state: str = Field(default="", max_length=40)  # ODK Central's ReviewState (approved, ...)


class Assessment(SQLModel, table=True):
    __table_args__ = (Index("ix_assessment_counting", "case_id", "status", "counted"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True, index=True, max_length=32)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    questionnaire_version_id: int = Field(foreign_key="questionnaire_version.id", index=True)
    inspector: str = Field(index=True, max_length=100)
    status: str = Field(default=DRAFT, index=True, max_length=20)
    purpose: str = Field(default=PRIMARY, max_length=20)
    counted: bool = Field(default=True, index=True)  # findings count complete assessments with counted = true
    version: int = Field(default=1)  # optimistic lock
    revision: str = Field(default_factory=new_uid, max_length=32)  # changes on every save (bundles)
    parent_revision: Optional[str] = Field(default=None, max_length=32)
    conflict: bool = Field(default=False)  # flagged by a merge for the lead to resolve
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    completed_at: Optional[datetime] = None


class Answer(SQLModel, table=True):
    __table_args__ = (
        # one answer per question and entry of a repeat group ("" outside any repeat)
        UniqueConstraint("assessment_id", "question", "instance"),
        Index("ix_answer_question_value", "question", "value"),
        # Findings (fieldwork/services/counting.py): a covering index scanned in (question,
        # value) order counts every question in one GROUP BY without a sort, and one that
        # answers a pivot's (assessment, question) seek without reading the row.
        Index("ix_answer_counting", "question", "value", "assessment_id"),
        Index("ix_answer_pivot", "assessment_id", "question", "value"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    question: str = Field(max_length=100)
    # the entry of a repeat group the answer belongs to, as its instance path ("incident[2]/pin[1]",
    # 1-based as XPath counts); "" for every question outside a repeat
    instance: str = Field(default="", max_length=200)
    value: Optional[str] = Field(default=None, max_length=2000)  # a code; NULL = not asked / not answered
    note: str = Field(default="", sa_type=Text)  # the inspector's evidence note
    updated_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """Append-only: the database refuses UPDATE and DELETE on this table (see fieldwork.db)."""

    __tablename__ = "audit_event"

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(index=True, max_length=100)
    action: str = Field(index=True, max_length=50)  # e.g. "answer.changed"
    inspection_id: Optional[int] = Field(default=None, index=True)
    case_ref: Optional[str] = Field(default=None, max_length=64)
    assessment_uid: Optional[str] = Field(default=None, index=True, max_length=32)
    question: Optional[str] = Field(default=None, max_length=100)
    old_value: Optional[str] = Field(default=None, sa_type=Text)
    new_value: Optional[str] = Field(default=None, sa_type=Text)
    detail: str = Field(default="", sa_type=Text)  # JSON: counts, file names; never case content
    # The hash chain (fieldwork.services.audit_chain): SHA-256 of the previous row's hash and this
    # row's content. NULL only in rows written before the chain began.
    prev_hash: Optional[str] = Field(default=None, max_length=64)
    row_hash: Optional[str] = Field(default=None, max_length=64)


class AuditHead(SQLModel, table=True):
    """The audit chain's head, one row: how many rows it holds and the last row's hash. Every
    audit write updates it first, which serialises writers (a row lock on PostgreSQL, the write
    lock on SQLite), so the chain never forks; a truncated or shortened trail no longer ends
    where the head says."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    rows: int = Field(default=0)
    last_hash: str = Field(default="", max_length=64)
    last_at: Optional[datetime] = None
    # The guard triggers this database has been made with (names, comma-separated; written by each
    # migration, fieldwork.audit_tables): a guard it lists found missing was dropped, one it does
    # not list came with an upgrade. NULL in a database made before the record was kept.
    guards: Optional[str] = Field(default=None, max_length=2000)


class StartStamp(SQLModel, table=True):
    """One row: the fingerprint of the code and criteria folder that last migrated and seeded
    this database (fieldwork.start_stamp). A command that only reads skips both when it matches."""

    __tablename__ = "start_stamp"

    id: int = Field(default=1, primary_key=True)
    fingerprint: str = Field(max_length=64)
