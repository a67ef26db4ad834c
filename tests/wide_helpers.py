"""Helpers for the import and export tests: wide files built in memory, and the row counts
that show a refused import changed nothing."""

from __future__ import annotations

import csv
import io
import random

from openpyxl import Workbook
from sqlalchemy import func, select

from fieldwork import db
from fieldwork.services import inspections, synthetic
from fieldwork.services.permissions import LEAD, Actor
from models import Answer, Assessment, AuditEvent, CaseFile

LEAD_USER = Actor("lead1", LEAD)


def case_review_rows(session, n: int, *, seed: int = 7, prefix: str = "HS") -> list[dict]:
    """``n`` valid case_review rows (codes by variable, case_ref included)."""
    q = inspections.load_questionnaire(session, "case_review")
    rnd = random.Random(seed)
    return [{"case_ref": f"{prefix}-{i:04d}", **synthetic.answers(q, rnd)} for i in range(1, n + 1)]


def columns_of(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(k for r in rows for k in r))


def csv_bytes(rows: list[dict], columns: list[str] | None = None, *, encoding: str = "utf-8",
              delimiter: str = ",") -> bytes:
    columns = columns or columns_of(rows)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict], columns: list[str] | None = None, *, sheet: str = "responses",
               extra_sheets: tuple[str, ...] = ()) -> bytes:
    columns = columns or columns_of(rows)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(columns)
    for r in rows:
        ws.append([r.get(c) for c in columns])
    for name in extra_sheets:
        wb.create_sheet(name)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row_counts(engine) -> tuple[int, int, int]:
    """(case_file, assessment, answer) rows: equal before and after a refused import."""
    with db.session_scope(engine) as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (CaseFile, Assessment, Answer))


def audit_actions(engine, action: str) -> list[AuditEvent]:
    with db.session_scope(engine) as s:
        return list(s.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars().all())


def answers_by_case(engine, questionnaire: str = "case_review") -> dict[str, tuple[dict, dict]]:
    """case_ref -> (answers, notes) of the counted complete assessments."""
    out: dict[str, tuple[dict, dict]] = {}
    with db.session_scope(engine) as s:
        rows = s.execute(select(CaseFile.case_ref, Answer.question, Answer.value, Answer.note)
                         .join(Assessment, Assessment.case_id == CaseFile.id)
                         .join(Answer, Answer.assessment_id == Assessment.id)
                         .where(CaseFile.questionnaire == questionnaire, Assessment.status == "complete")).all()
    for ref, question, value, note in rows:
        answers, notes = out.setdefault(ref, ({}, {}))
        if value is not None:
            answers[question] = value
        if note:
            notes[question] = note
    return out
