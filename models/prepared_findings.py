"""Prepared findings: a questionnaire's overall findings as SQL text, compiled once per start
(fieldwork.services.findings_statements) and run by the findings command through the standard
library's sqlite3 (fieldwork.findings_prepared). Derived from the code, the criteria and the
questionnaire version alone, never from the answers: no case data is kept here."""

from __future__ import annotations

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class PreparedFindings(SQLModel, table=True):
    __tablename__ = "prepared_findings"
    __table_args__ = (UniqueConstraint("inspection_id", "questionnaire_version_id"),)

    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspection.id")
    questionnaire_version_id: int = Field(foreign_key="questionnaire_version.id")
    # the start fingerprint (fieldwork.start_fingerprint) of the code that compiled them
    fingerprint: str = Field(max_length=64)
    statements: str = Field(sa_type=Text)  # JSON: see findings_statements.build
