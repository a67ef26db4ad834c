"""A refused import is in the audit trail: the file's name and how many problems of each kind,
never a cell of its content; the refused data itself is not written."""

from __future__ import annotations

import json

from sqlmodel import select

from fieldwork import audit, cli, db
from models import AuditEvent
from tests.wide_helpers import case_review_rows, csv_bytes, row_counts


def test_a_refused_import_is_audited_with_counts_only(engine, db_url, tmp_path):
    with db.session_scope(engine) as s:
        rows = case_review_rows(s, 3)
    rows[1]["case_ref"] = "Jane.Smith.1984"
    rows[2]["note:vps_taken"] = "Seen in MG5 \x01"
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_bytes(rows))
    before = row_counts(engine)
    assert cli.main(["--db", db_url, "import", "case_review", str(path)]) == 1
    assert row_counts(engine) == before
    with db.session_scope(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == audit.IMPORT_REFUSED)).all()
    assert len(events) == 1
    detail = json.loads(events[0].detail)
    assert detail["file"] == "cases.csv" and detail["problems"] == sum(detail["reasons"].values()) >= 2
    assert "Jane" not in events[0].detail and "MG5" not in events[0].detail and events[0].case_ref is None
