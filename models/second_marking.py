"""Second marking and its moderation.

``second_marking`` links a sampled primary assessment to its blind second marking and, after
moderation, to the agreed assessment; ``moderation_decision`` holds the agreed answer for each
question (and entry of a repeat group) the two inspectors disagreed on, and who agreed it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.core import utcnow


class SecondMarking(SQLModel, table=True):
    __tablename__ = "second_marking"

    id: Optional[int] = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    questionnaire: str = Field(index=True, max_length=100)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    primary_uid: str = Field(unique=True, max_length=32)
    second_uid: str = Field(unique=True, max_length=32)
    first_inspector: str = Field(max_length=100)
    second_inspector: str = Field(index=True, max_length=100)
    sample_rule: str = Field(default="", max_length=200)  # e.g. "10% per force, seed 2017"
    assigned_by: str = Field(max_length=100)
    assigned_at: datetime = Field(default_factory=utcnow)
    agreed_uid: Optional[str] = Field(default=None, max_length=32)  # set when moderation is finished
    moderated_by: Optional[str] = Field(default=None, max_length=100)
    moderated_at: Optional[datetime] = None


class ModerationDecision(SQLModel, table=True):
    __tablename__ = "moderation_decision"
    # one decision per question and entry of a repeat group ("" outside any repeat)
    __table_args__ = (UniqueConstraint("marking_id", "question", "instance"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    marking_id: int = Field(foreign_key="second_marking.id", index=True)
    question: str = Field(max_length=100)
    # the entry the disagreement is in, as its instance path ("incident[2]/pin[1]"); "" outside a repeat
    instance: str = Field(default="", max_length=200)
    first_value: Optional[str] = Field(default=None, max_length=2000)
    second_value: Optional[str] = Field(default=None, max_length=2000)
    agreed_value: Optional[str] = Field(default=None, max_length=2000)  # None: the question is not asked
    agreed_by: str = Field(max_length=100)
    agreed_at: datetime = Field(default_factory=utcnow)
