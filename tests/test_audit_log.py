"""Reading the audit trail: who may, the filters (SQL), pages, and the CSV / Excel exports,
which are themselves recorded. The trail cannot be changed through the app's own ORM either."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from fieldwork import audit, db
from fieldwork.problems import ProblemError
from fieldwork.services import audit_log
from fieldwork.services.audit_log import AuditFilter
from fieldwork.services.permissions import ADMIN, INSPECTOR, LEAD, Actor, PermissionDenied
from models import AuditEvent

LEAD1 = Actor("lead1", LEAD)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=timezone.utc)


@pytest.fixture
def trail(engine):
    with db.session_scope(engine) as s:
        for event in [
            AuditEvent(at=at(1), actor="inspector1", action=audit.SIGN_IN),
            AuditEvent(at=at(2), actor="inspector1", action=audit.CASE_CREATED, case_ref="HS-0001"),
            AuditEvent(at=at(2, 23), actor="inspector1", action=audit.ANSWER_CHANGED, case_ref="HS-0001",
                       question="vps_taken", old_value="no", new_value="yes"),
            AuditEvent(at=at(3, 0), actor="inspector2", action=audit.ANSWER_CHANGED, case_ref="HS-0102",
                       question="vps_taken", old_value=None, new_value="no"),
            AuditEvent(at=at(4), actor="lead1", action=audit.EXPORT, detail='{"file": "findings.xlsx"}'),
            AuditEvent(at=at(5), actor="inspector2", action=audit.CASE_CREATED, case_ref="HS_0201"),
        ]:
            s.add(event)
    return engine


def test_an_inspector_may_not_read_the_trail(trail):
    me = Actor("inspector1", INSPECTOR)
    with db.session_scope(trail) as s:
        for call in (audit_log.count, audit_log.events, audit_log.actors, audit_log.actions,
                     audit_log.export_csv, audit_log.export_xlsx):
            with pytest.raises(PermissionDenied):
                call(s, me)


@pytest.mark.parametrize("role", [LEAD, ADMIN])
def test_leads_and_admins_read_it_newest_first(trail, role):
    with db.session_scope(trail) as s:
        rows = audit_log.events(s, Actor("someone", role))
    assert [r.at.day for r in rows] == [5, 4, 3, 2, 2, 1]
    assert rows[2].question == "vps_taken" and (rows[2].old_value, rows[2].new_value) == (None, "no")


@pytest.mark.parametrize("filters, expected", [
    (AuditFilter(actor="inspector2"), [5, 3]),
    (AuditFilter(actions=(audit.CASE_CREATED, audit.EXPORT)), [5, 4, 2]),
    (AuditFilter(since=date(2026, 3, 2), until=date(2026, 3, 2)), [2, 2]),  # 23:00 on the 2nd is the 2nd
    (AuditFilter(since=date(2026, 3, 3)), [5, 4, 3]),
    (AuditFilter(until=date(2026, 3, 1)), [1]),
    (AuditFilter(case_ref="HS-0"), [3, 2, 2]),
    (AuditFilter(case_ref="HS_"), [5]),  # _ is a character here, not a wildcard
    (AuditFilter(actor="inspector1", actions=(audit.ANSWER_CHANGED,), case_ref="HS-0001"), [2]),
    (AuditFilter(actor="nobody"), []),
])
def test_filters(trail, filters, expected):
    with db.session_scope(trail) as s:
        assert [r.at.day for r in audit_log.events(s, LEAD1, filters)] == expected
        assert audit_log.count(s, LEAD1, filters) == len(expected)


def test_pages(trail):
    with db.session_scope(trail) as s:
        first = audit_log.events(s, LEAD1, limit=4)
        rest = audit_log.events(s, LEAD1, limit=4, offset=4)
    assert [r.at.day for r in first + rest] == [5, 4, 3, 2, 2, 1]


def test_a_start_after_the_end_is_refused(trail):
    with db.session_scope(trail) as s:
        with pytest.raises(ProblemError) as refused:
            audit_log.count(s, LEAD1, AuditFilter(since=date(2026, 3, 5), until=date(2026, 3, 1)))
    assert refused.value.problems[0].code == audit_log.BAD_RANGE


def test_the_lists_of_people_and_actions_to_filter_on(trail):
    with db.session_scope(trail) as s:
        assert audit_log.actors(s, LEAD1) == ["inspector1", "inspector2", "lead1"]
        assert {audit.SIGN_IN_FAILED, audit.MODERATION, audit.CASE_CREATED} <= set(audit_log.actions(s, LEAD1))


def test_csv_export_holds_the_filtered_rows_safely_and_is_recorded(trail):
    with db.session_scope(trail) as s:
        audit.record(s, "inspector1", audit.CASE_CREATED, case_ref="=HYPERLINK(1)")  # refused by the app; still
    with db.session_scope(trail) as s:
        data = audit_log.export_csv(s, LEAD1, AuditFilter(actor="inspector1"))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(audit_log.COLUMNS)
    assert len(rows) == 1 + 4
    assert rows[1][5] == "'=HYPERLINK(1)"
    assert rows[2][1:4] == ["2026-03-02 23:00:00", "inspector1", audit.ANSWER_CHANGED]
    with db.session_scope(trail) as s:
        recorded = s.exec(select(AuditEvent).where(AuditEvent.actor == "lead1",
                                                   AuditEvent.action == audit.EXPORT)).all()[-1]
    assert '"kind": "audit_trail"' in recorded.detail and '"rows": 4' in recorded.detail
    assert '"actor": "inspector1"' in recorded.detail


def test_xlsx_export_opens_in_excel_with_utc_times(trail):
    with db.session_scope(trail) as s:
        data = audit_log.export_xlsx(s, LEAD1, AuditFilter(case_ref="HS-0001"))
    ws = load_workbook(io.BytesIO(data))["audit_trail"]
    values = list(ws.values)
    assert values[0] == audit_log.COLUMNS
    assert [(v[1], v[3], v[8], v[9]) for v in values[1:]] == [
        (datetime(2026, 3, 2, 23), audit.ANSWER_CHANGED, "no", "yes"),
        (datetime(2026, 3, 2, 12), audit.CASE_CREATED, None, None)]


def test_the_app_cannot_change_or_remove_a_row_either(trail):
    with pytest.raises((DBAPIError, ProblemError)):  # refused by the database (a message, through session_scope)
        with db.session_scope(trail) as s:
            event = s.exec(select(AuditEvent)).first()
            event.actor = "someone else"
            s.add(event)
    with pytest.raises((DBAPIError, ProblemError)):
        with db.session_scope(trail) as s:
            s.delete(s.exec(select(AuditEvent)).first())
    with db.session_scope(trail) as s:
        assert audit_log.count(s, LEAD1) == 6
