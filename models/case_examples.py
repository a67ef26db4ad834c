"""Case examples: a case a lead marks as an example for a criterion or a finding, with a
short pseudonymised narrative for the report ("In one case ...", case studies in boxes)."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from models.core import utcnow


class CaseExample(SQLModel, table=True):
    __tablename__ = "case_example"

    id: Optional[int] = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    questionnaire: str = Field(index=True, max_length=100)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    criterion: Optional[str] = Field(default=None, max_length=20)  # a specific criterion, e.g. "3.1"
    finding: Optional[str] = Field(default=None, max_length=100)  # a question or indicator id
    answer: Optional[str] = Field(default=None, max_length=100)  # the question's answer code
    narrative: str = Field(sa_type=Text)  # pseudonymised: no names, no dates of birth, no addresses
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
