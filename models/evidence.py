"""Evidence beyond case files, and the judgements inspectors make from it (issue 14).

``evidence_item``
    An interview, focus group, document, force data return, victim-research finding or
    observation: its kind, date, the force and/or CPS Area it is about (neither: national),
    a pseudonymous source description (role and organisation, never a name), the specific
    criteria it bears on and a summary. Documents are referenced (``reference``), never
    uploaded. ``uid`` identifies it across laptops; ``revision`` changes on every save.
``evidence_excerpt``
    A passage of the notes tagged with one specific criterion and one codebook code.
``judgement``
    One graded judgement per inspection × unit (a force or a CPS Area) × specific criterion,
    with its rationale; ``judgement_link`` rows name the evidence it rests on (evidence
    items, excerpts, case-file findings). Every grade given is kept in ``judgement_history``
    (and audited with old and new grade), so a changed judgement never loses its past.
``finding_bearing``
    A lead's statement that a case-file finding bears on a criterion's grade: at or above
    ``threshold`` percent it points favourably (or, with ``favourable_when = 'below'``,
    unfavourably). The Judgements grid marks "check" where the findings and the grade point
    opposite ways.
``record_revision``
    The revision chain of evidence items and judgements (as ``assessment_revision`` is for
    assessments), so a bundle merge can tell whether one copy descends from another.
``evidence_conflict``
    What a merge kept instead of overwriting: the incoming copy, whole, for the lead to take
    or set aside.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.core import new_uid, utcnow

# evidence_item.kind
INTERVIEW = "interview"
FOCUS_GROUP = "focus_group"
DOCUMENT = "document"
DATA_RETURN = "data_return"
VICTIM_RESEARCH = "victim_research"
OBSERVATION = "observation"
EVIDENCE_KINDS = (INTERVIEW, FOCUS_GROUP, DOCUMENT, DATA_RETURN, VICTIM_RESEARCH, OBSERVATION)
CASE_FILES = "case_files"  # the kind of evidence a linked case-file finding is, in the grid's counts

# judgement.unit_type
FORCE = "force"
CPS_AREA = "cps_area"
UNIT_TYPES = (FORCE, CPS_AREA)

# judgement_link.kind
LINK_EVIDENCE = "evidence"
LINK_EXCERPT = "excerpt"
LINK_FINDING = "finding"
LINK_KINDS = (LINK_EVIDENCE, LINK_EXCERPT, LINK_FINDING)

# finding_bearing.favourable_when
AT_LEAST = "at_least"
BELOW = "below"


class EvidenceItem(SQLModel, table=True):
    __tablename__ = "evidence_item"

    id: Optional[int] = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True, index=True, max_length=32)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    ref: str = Field(max_length=40)  # the team's own reference, e.g. EV-0001 (not unique across laptops)
    kind: str = Field(max_length=30)
    held_on: date
    force: Optional[str] = Field(default=None, index=True, max_length=60)
    cps_area: Optional[str] = Field(default=None, index=True, max_length=60)
    source: str = Field(max_length=200)  # role and organisation, never a name
    criteria: str = Field(default="", max_length=400)  # space-separated specific criteria
    summary: str = Field(default="", sa_type=Text)
    reference: str = Field(default="", max_length=400)  # where a document is held; never the document
    created_by: str = Field(index=True, max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    revision: str = Field(default_factory=new_uid, max_length=32)
    parent_revision: Optional[str] = Field(default=None, max_length=32)

    @property
    def criteria_list(self) -> list[str]:
        return self.criteria.split()


class EvidenceExcerpt(SQLModel, table=True):
    __tablename__ = "evidence_excerpt"

    id: Optional[int] = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True, index=True, max_length=32)
    evidence_id: int = Field(foreign_key="evidence_item.id", index=True)
    position: int = Field(default=0)
    criterion: str = Field(index=True, max_length=20)
    code: str = Field(max_length=60)
    text: str = Field(sa_type=Text)


class Judgement(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("inspection_id", "unit_type", "unit", "criterion"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, unique=True, index=True, max_length=32)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    unit_type: str = Field(max_length=20)  # force | cps_area
    unit: str = Field(max_length=60)
    criterion: str = Field(max_length=20)
    grade: str = Field(max_length=40)
    rationale: str = Field(default="", sa_type=Text)
    judged_by: str = Field(max_length=100)
    judged_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)  # optimistic lock, as for assessments
    revision: str = Field(default_factory=new_uid, max_length=32)
    parent_revision: Optional[str] = Field(default=None, max_length=32)


class JudgementLink(SQLModel, table=True):
    __tablename__ = "judgement_link"
    __table_args__ = (UniqueConstraint("judgement_id", "kind", "target"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    judgement_id: int = Field(foreign_key="judgement.id", index=True)
    kind: str = Field(max_length=20)  # evidence | excerpt | finding
    # evidence/excerpt: its uid; finding: "QUESTIONNAIRE:FINDING_ID:ANSWER" (answer empty for an indicator)
    target: str = Field(max_length=300)


class JudgementHistory(SQLModel, table=True):
    """Every grade a judgement was given, oldest first: who, when, the grade it replaced."""

    __tablename__ = "judgement_history"

    id: Optional[int] = Field(default=None, primary_key=True)
    judgement_uid: str = Field(index=True, max_length=32)
    grade: str = Field(max_length=40)
    old_grade: Optional[str] = Field(default=None, max_length=40)
    rationale: str = Field(default="", sa_type=Text)
    links: str = Field(default="[]", sa_type=Text)  # JSON list of [kind, target]
    judged_by: str = Field(max_length=100)
    judged_at: datetime = Field(default_factory=utcnow)
    revision: str = Field(max_length=32)


class FindingBearing(SQLModel, table=True):
    __tablename__ = "finding_bearing"
    __table_args__ = (UniqueConstraint("inspection_id", "criterion", "questionnaire", "finding", "answer"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    criterion: str = Field(max_length=20)
    questionnaire: str = Field(max_length=100)
    finding: str = Field(max_length=100)
    answer: str = Field(default="", max_length=100)  # "" for an indicator
    threshold: int  # percent
    favourable_when: str = Field(default=AT_LEAST, max_length=20)  # at_least | below
    set_by: str = Field(max_length=100)
    set_at: datetime = Field(default_factory=utcnow)


class RecordRevision(SQLModel, table=True):
    """One row per superseded revision of an evidence item or judgement (kind + uid)."""

    __tablename__ = "record_revision"
    __table_args__ = (UniqueConstraint("kind", "uid", "revision"), Index("ix_record_revision_uid", "kind", "uid"))

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # evidence | judgement
    uid: str = Field(max_length=32)
    revision: str = Field(max_length=32)
    parent_revision: Optional[str] = Field(default=None, max_length=32)


class EvidenceConflict(SQLModel, table=True):
    """An incoming copy a merge did not apply because both sides had changed (or, for a
    judgement, another judgement of the same cell exists): kept whole for the lead."""

    __tablename__ = "evidence_conflict"
    __table_args__ = (UniqueConstraint("kind", "uid", "revision"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    kind: str = Field(max_length=20)  # evidence | judgement
    uid: str = Field(max_length=32)  # the incoming record's uid
    local_uid: str = Field(max_length=32)  # the record here it collided with
    revision: str = Field(max_length=32)
    content: str = Field(sa_type=Text)  # the incoming record as JSON (as the bundle carried it)
    bundle_id: str = Field(default="", max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
    resolved_by: Optional[str] = Field(default=None, max_length=100)
    resolved_at: Optional[datetime] = None
    resolution: Optional[str] = Field(default=None, max_length=20)  # taken | set_aside
