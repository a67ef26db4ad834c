"""Reading the audit trail: filtered, paged and exported, for leads and admins.

The trail itself is written by ``fieldwork.audit.record`` and is append-only in the database
(triggers in fieldwork.db refuse UPDATE and DELETE); nothing here changes it except that an
export of it is itself recorded. Filters are SQL (WHERE on indexed columns), pages are
LIMIT/OFFSET, counts are COUNT(*): the trail of a long inspection is never loaded whole.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from openpyxl import Workbook
from sqlalchemy import func
from sqlmodel import Session, select

from fieldwork.files.csv_out import csv_bytes
from fieldwork.files.xlsx_out import table_sheet
from fieldwork import audit
from fieldwork.problem_codes import BAD_DATE_RANGE as BAD_RANGE, TOO_MANY_ROWS as TOO_MANY
from fieldwork.problems import Problem, ProblemError
from fieldwork.services import permissions
from fieldwork.services.permissions import LEADS, Actor
from fieldwork.services import actor_check
from models import AuditEvent, Inspection

PAGE_SIZE = 100
EXPORT_LIMIT = 500_000  # rows in one export; a narrower filter gets the rest (Excel holds ~1M rows)
COLUMNS = ("id", "at_utc", "actor", "action", "inspection", "case_ref", "assessment_uid", "question",
           "old_value", "new_value", "detail")


@dataclass(frozen=True)
class AuditFilter:
    """Every field optional; all given ones must hold. Dates are whole UTC days, both inclusive."""

    actor: str | None = None
    actions: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    case_ref: str | None = None  # the start of the reference: "HS-00" finds HS-0001 ... HS-0099

    def describe(self) -> dict:
        """For the export's own audit row: which filters, never more."""
        return {k: (list(v) if isinstance(v, tuple) else str(v)) for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    inspection: str | None
    case_ref: str | None
    assessment_uid: str | None
    question: str | None
    old_value: str | None
    new_value: str | None
    detail: str

    def cells(self) -> list:
        # Excel cannot hold a time zone: the column says UTC instead
        return [self.id, self.at.replace(tzinfo=None), self.actor, self.action, self.inspection, self.case_ref,
                self.assessment_uid, self.question, self.old_value, self.new_value, self.detail]


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)  # stored times are UTC


def _filtered(query, f: AuditFilter):
    if f.since and f.until and f.since > f.until:
        raise ProblemError([Problem(BAD_RANGE, "the start date is after the end date", field="since")])
    if f.actor:
        query = query.where(AuditEvent.actor == f.actor)
    if f.actions:
        query = query.where(AuditEvent.action.in_(f.actions))
    if f.since:
        query = query.where(AuditEvent.at >= _start_of(f.since))
    if f.until:
        query = query.where(AuditEvent.at < _start_of(f.until + timedelta(days=1)))
    if f.case_ref and f.case_ref.strip():
        prefix = f.case_ref.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(AuditEvent.case_ref.like(prefix + "%", escape="\\"))
    return query


def _allowed(actor: Actor) -> None:
    permissions.require_role(actor, LEADS, "read the audit trail")


def count(session: Session, actor: Actor, f: AuditFilter = AuditFilter()) -> int:
    _allowed(actor)
    return session.exec(_filtered(select(func.count()).select_from(AuditEvent), f)).one()


def events(session: Session, actor: Actor, f: AuditFilter = AuditFilter(), *, limit: int = PAGE_SIZE,
           offset: int = 0) -> list[AuditRow]:
    """Newest first."""
    _allowed(actor)
    query = (select(AuditEvent, Inspection.code).join(Inspection, Inspection.id == AuditEvent.inspection_id,
                                                       isouter=True)
             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).offset(max(offset, 0)).limit(limit))
    rows = session.exec(_filtered(query, f)).all()
    return [AuditRow(e.id, e.at if e.at.tzinfo else e.at.replace(tzinfo=timezone.utc), e.actor, e.action, code,
                     e.case_ref, e.assessment_uid, e.question, e.old_value, e.new_value, e.detail)
            for e, code in rows]


def actors(session: Session, actor: Actor) -> list[str]:
    _allowed(actor)
    return list(session.exec(select(AuditEvent.actor).distinct().order_by(AuditEvent.actor)).all())


def actions(session: Session, actor: Actor) -> list[str]:
    """Every action the trail can hold (from fieldwork.audit) and any other already in it."""
    _allowed(actor)
    known = {v for k, v in vars(audit).items() if k.isupper() and isinstance(v, str)}
    present = set(session.exec(select(AuditEvent.action).distinct()).all())
    return sorted(known | present)


def _rows_for_export(session: Session, actor: Actor, f: AuditFilter) -> list[AuditRow]:
    total = count(session, actor, f)
    if total > EXPORT_LIMIT:
        raise ProblemError([Problem(TOO_MANY, f"{total} rows match; an export holds at most {EXPORT_LIMIT}: "
                                    "narrow the dates", field="since")])
    return events(session, actor, f, limit=EXPORT_LIMIT)


def export_csv(session: Session, actor: Actor, f: AuditFilter = AuditFilter()) -> bytes:
    """UTF-8 CSV (with a byte-order mark so Excel reads it as UTF-8), text cells made safe
    from formula injection; the export is itself recorded in the trail."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    rows = _rows_for_export(session, actor, f)
    data = csv_bytes(COLUMNS, [[v.isoformat(sep=" ", timespec="seconds") if isinstance(v, datetime) else v
                                for v in row.cells()] for row in rows], bom=True)
    audit.record(session, actor.name, audit.EXPORT, kind="audit_trail", format="csv", rows=len(rows),
                 filters=f.describe())
    return data


def export_xlsx(session: Session, actor: Actor, f: AuditFilter = AuditFilter()) -> bytes:
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    rows = _rows_for_export(session, actor, f)
    wb = Workbook(write_only=True)
    table_sheet(wb, "audit_trail", COLUMNS, [r.cells() for r in rows], table="tbl_audit_trail",
                widths=[8, 20, 18, 18, 20, 14, 34, 28, 16, 16, 40])
    audit.record(session, actor.name, audit.EXPORT, kind="audit_trail", format="xlsx", rows=len(rows),
                 filters=f.describe())
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def detail_of(row: AuditRow) -> dict:
    try:
        return json.loads(row.detail) if row.detail else {}
    except ValueError:
        return {"detail": row.detail}
