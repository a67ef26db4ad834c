"""The findings command's short way: prepared statements run through the standard library's sqlite3.

``fieldwork findings QUESTIONNAIRE`` with no breakdown and no filter, on a SQLite file, first
tries here: when the database was made ready by this very code and criteria folder (its start
stamp, ``fieldwork.start_fingerprint``) and holds the statements that start prepared for the
questionnaire's current version in the inspection (``fieldwork.services.findings_statements``),
it runs them in one read transaction, reads their rows with ``count_results`` and arranges them
with ``findings_report``, exactly as ``findings.compute`` does — without importing SQLAlchemy,
sqlmodel or the table classes (0.5-0.7 s of CPU on the shared machine; pandas' own import is
about as much: docs/findings-uncertainty.md, fifth pass).

Anything else returns None and the command takes the whole way, which also says in words what
is wrong (an unknown questionnaire or inspection, a database it cannot read): another database,
a breakdown or a filter, a stale stamp, a questionnaire version added since the start, one the
start did not prepare (repeats, select_multiple, numbers and dates), a database error of any
kind. Only reads: the population is written into a temporary table, which SQLite keeps apart
from the file even on a read-only connection.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from urllib.parse import quote

from fieldwork import contract
from fieldwork.db_location import sqlite_file
from fieldwork.questionnaire.model import questionnaire_from_dict
from fieldwork.services import count_results
from fieldwork.services.findings_report import FindingsReport, indicator_entries, question_entries
from fieldwork.start_fingerprint import STAMP_ID, fingerprint

FORMAT = 1  # fieldwork.services.findings_statements.FORMAT: the stored JSON this reader knows
BUSY_MS = 120_000  # fieldwork.db.BUSY_SECONDS: a read waits for a writer's commit as the app's does


def overall(url: str, questionnaire_id: str, inspection: str | None = None) -> FindingsReport | None:
    """The overall findings of ``questionnaire_id`` counted by the prepared statements, or None
    where they cannot be used (then ``findings.compute`` counts them)."""
    path = sqlite_file(url)
    if path is None or not Path(path).is_file():
        return None
    try:
        con = sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        con.execute(f"PRAGMA busy_timeout={BUSY_MS}")
        con.execute("BEGIN")  # every statement below reads one snapshot of the file
        return _run(con, questionnaire_id, inspection)
    except sqlite3.Error:
        return None  # the whole way reports it in words, or counts where this could not
    finally:
        con.close()


def _inspection_id(con: sqlite3.Connection, code: str | None) -> int | None:
    """As ``inspections.inspection_by_code``: the default inspection, else by id or code."""
    if code is None:
        row = (con.execute("SELECT id FROM inspection WHERE code = ?", (contract.DEFAULT_INSPECTION,)).fetchone()
               or con.execute("SELECT id FROM inspection ORDER BY id LIMIT 1").fetchone())
    elif str(code).isdigit():
        row = con.execute("SELECT id FROM inspection WHERE id = ?", (int(code),)).fetchone()
    else:
        row = con.execute("SELECT id FROM inspection WHERE code = ?", (code,)).fetchone()
    return row[0] if row else None


def _run(con: sqlite3.Connection, questionnaire_id: str, inspection: str | None) -> FindingsReport | None:
    stamp = con.execute("SELECT fingerprint FROM start_stamp WHERE id = ?", (STAMP_ID,)).fetchone()
    if stamp is None or stamp[0] != fingerprint():
        return None
    inspection_id = _inspection_id(con, inspection)
    # as inspections.current_version: the newest stored version
    version = con.execute("SELECT id, definition FROM questionnaire_version WHERE questionnaire = ? "
                          "ORDER BY id DESC LIMIT 1", (questionnaire_id,)).fetchone()
    if inspection_id is None or version is None:
        return None
    row = con.execute("SELECT statements FROM prepared_findings WHERE inspection_id = ? AND "
                      "questionnaire_version_id = ? AND fingerprint = ?",
                      (inspection_id, version[0], stamp[0])).fetchone()
    if row is None:
        return None
    plan = json.loads(row[0])
    if plan.get("format") != FORMAT:
        return None
    q = questionnaire_from_dict(json.loads(version[1]))

    def rows(step):
        sql, values = step
        return con.execute(sql, values).fetchall()

    counts = count_results.Counts()
    rows(plan["create"])
    rows(plan["fill"])
    counts.cases = int(rows(plan["cases"])[0][0])
    if plan["complement"] and count_results.by_complement(counts.cases, int(rows(plan["assessments"])[0][0])):
        count_results.read_complement(counts, rows(plan["complement"]))
    elif plan["joined"]:
        count_results.read_answers(counts, rows(plan["joined"]))
    for step, layout in plan["pivots"]:
        count_results.read_pivot(counts, rows(step), count_results.PivotLayout.from_json(layout))
    rows(plan["drop"])
    drafts = int(rows(plan["drafts"])[0][0])
    return FindingsReport(questionnaire=q.id, cases=counts.cases, drafts_excluded=drafts, by=None, filters={},
                          findings=question_entries(q, counts, [], None) + indicator_entries(q, counts, []),
                          version=q.version, groups={}, summaries=[])
