"""What a start finds of the audit trail before it migrates: the table itself (renamed or dropped,
a start refuses rather than make a fresh, empty trail over the old one) and its guard triggers
(any found missing is made again by ``fieldwork.db`` and recorded in the trail by
``fieldwork.startup``, never healed silently). On the database floor beside ``fieldwork.db``."""

from __future__ import annotations

import weakref

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from fieldwork.audit_guard_sql import ADDED_LATER, GUARD_ADDED, expected, present
from fieldwork.problem_codes import AUDIT_TRAIL_MISSING
from fieldwork.problems import Problem, ProblemError

# per engine of this process, what its migration found missing: {"restored": [...], "added": [...]}
_found_missing: weakref.WeakKeyDictionary[Engine, dict[str, list[str]]] = weakref.WeakKeyDictionary()


def refuse_missing_trail(engine: Engine) -> None:
    """A database that has had an audit trail (its head is there, or the trail's indexes sit on
    another table) but has no ``audit_event`` table: refuse to start, naming what is found."""
    tables = set(inspect(engine).get_table_names())
    if "audit_event" in tables or not tables:
        return
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            holders = conn.execute(text("SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'index' "
                                        "AND name LIKE 'ix_audit_event_%'")).scalars().all()
        else:
            holders = conn.execute(text("SELECT DISTINCT tablename FROM pg_indexes WHERE schemaname = "
                                        "current_schema() AND indexname LIKE 'ix_audit_event_%'")).scalars().all()
    if not holders and "audit_head" not in tables:
        return
    where = (f"it was renamed: the trail's rows are now in the table {', '.join(sorted(holders))}" if holders
             else "it was dropped, though the trail's head (audit_head) is still there")
    raise ProblemError([Problem(
        AUDIT_TRAIL_MISSING,
        f"The audit table audit_event is missing: {where}. fieldwork will not start a fresh, empty audit "
        "trail over the old one. Whoever runs the database should put the table back (e.g. ALTER TABLE "
        f"{sorted(holders)[0] if holders else 'audit_old'} RENAME TO audit_event) and then run "
        "`fieldwork audit verify`.")], "the audit table is missing")


def guards_before(engine: Engine) -> tuple[set[str], set[str] | None] | None:
    """The guards present before a migration and the guards the database records it was made
    with (None if it keeps no record: made before the record was kept), or None for a database
    whose trail never began."""
    if "audit_head" not in set(inspect(engine).get_table_names()):
        return None
    keeps_record = "guards" in {c["name"] for c in inspect(engine).get_columns("audit_head")}
    with engine.connect() as conn:
        made = conn.execute(text("SELECT guards FROM audit_head WHERE id = 1")).scalar() if keeps_record else None
        return present(conn, engine.dialect.name), _names(made)


def _names(record: str | None) -> set[str] | None:
    return None if record is None else {n for n in record.split(",") if n}


def record_guards_made(conn, dialect: str) -> None:
    """Write into the head the guards this database is now made with (every guard, just made
    where missing), kept with those it listed before. Written only when it changes, so a start
    that finds nothing to do leaves the database byte-identical."""
    made = conn.execute(text("SELECT guards FROM audit_head WHERE id = 1")).scalar()
    record = ",".join(sorted((_names(made) or set()) | set(expected(dialect))))
    if record != made:
        conn.execute(text("UPDATE audit_head SET guards = :g WHERE id = 1"), {"g": record})


def note_missing_guards(engine: Engine, before: tuple[set[str], set[str] | None] | None) -> None:
    """Leave for ``take_found_missing`` the guards a start found missing (and has just made again): a guard
    dropped is ``restored`` (tampering, which `fieldwork audit verify` reports); a guard the
    database was never made with — it does not list it — came with an upgrade and is ``added``.
    A database made before the list was kept falls back on what it holds: a guard a later version
    added, missing while every older guard is there and never recorded as added, is ``added``."""
    if before is None:
        return
    there, made = before
    want = set(expected(engine.dialect.name))
    missing = sorted(want - there)
    if not missing:
        return
    older_all_there = (want - ADDED_LATER) <= there
    restored, added = [], []
    with engine.connect() as conn:
        for name in missing:
            if made is not None:
                (restored if name in made else added).append(name)
                continue
            seen = conn.execute(text("SELECT count(*) FROM audit_event WHERE action = :a AND detail LIKE :d"),
                                {"a": GUARD_ADDED, "d": f'%"{name}"%'}).scalar()
            (added if name in ADDED_LATER and older_all_there and not seen else restored).append(name)
    _found_missing[engine] = {"restored": restored, "added": added}


def take_found_missing(engine: Engine) -> dict[str, list[str]] | None:
    """What ``note_missing_guards`` left for this engine, once (fieldwork.startup records it)."""
    return _found_missing.pop(engine, None)
