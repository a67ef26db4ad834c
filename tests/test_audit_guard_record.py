"""The database records which guards it was made with (issue 17, stop 22): dropping only the
newest guard (audit_event_ids_forward) on a database made by this version used to be recorded
as an upgrade (audit.guard_added). Now the head lists the guards the database was made with, so
a guard it lists found missing is recorded as restored and reported by `fieldwork audit verify`;
only a database that never had the guard records it as added."""

from __future__ import annotations

import json

from sqlalchemy import text

from fieldwork import audit, cli
from fieldwork.audit_guard_sql import expected
from tests.db_snapshot import snapshot
from tests.test_audit_out_of_turn import _raw, _report, _restart, _trail


def _actions(engine, action: str) -> list[dict]:
    with engine.connect() as conn:
        return [json.loads(d) for d in conn.execute(text("SELECT detail FROM audit_event WHERE action = :a "
                                                         "ORDER BY id"), {"a": action}).scalars()]


def _drop(engine, name: str) -> None:
    _raw(engine, f"DROP TRIGGER {name}" + ("" if engine.dialect.name == "sqlite" else " ON audit_event"))


def test_the_head_lists_every_guard_the_database_was_made_with(engine):
    with engine.connect() as conn:
        listed = conn.execute(text("SELECT guards FROM audit_head")).scalar()
    assert listed.split(",") == sorted(expected(engine.dialect.name))
    assert "audit_event_ids_forward" in listed


def test_the_newest_guard_dropped_is_restored_not_an_upgrade(engine, db_url, capsys):
    _trail(engine)
    _drop(engine, "audit_event_ids_forward")
    engine = _restart(db_url)
    assert _actions(engine, audit.GUARD_ADDED) == []
    assert _actions(engine, audit.GUARD_RESTORED) == [{"guards": ["audit_event_ids_forward"]}]
    said = _report(engine).describe()
    assert "tampered with" in said and "found the guard trigger audit_event_ids_forward dropped" in said, said
    capsys.readouterr()
    assert cli.main(["--db", db_url, "audit", "verify"]) != 0
    out = capsys.readouterr()
    assert "found the guard trigger audit_event_ids_forward dropped and made it again" in out.out + out.err


def test_an_older_database_without_the_guard_records_an_upgrade(engine, db_url):
    """A database made before audit_event_ids_forward existed, and before the head kept its list."""
    _trail(engine)
    _drop(engine, "audit_event_ids_forward")
    _raw(engine, "ALTER TABLE audit_head DROP COLUMN guards")
    engine = _restart(db_url)
    assert _actions(engine, audit.GUARD_ADDED) == [{"guards": ["audit_event_ids_forward"]}]
    assert _actions(engine, audit.GUARD_RESTORED) == []
    assert _report(engine).whole
    with engine.connect() as conn:  # from this start on the database keeps its list
        assert "audit_event_ids_forward" in conn.execute(text("SELECT guards FROM audit_head")).scalar()
    _drop(engine, "audit_event_ids_forward")  # and the same guard missing again is a guard dropped
    engine = _restart(db_url)
    assert _actions(engine, audit.GUARD_RESTORED) == [{"guards": ["audit_event_ids_forward"]}]


def test_a_guard_the_database_does_not_list_is_added(engine, db_url):
    """A database listing the guards of its own version meets a newer version's extra guard:
    simulated by taking a guard off the list (what a version before that guard would have written)."""
    _trail(engine)
    with engine.connect() as conn:
        listed = conn.execute(text("SELECT guards FROM audit_head")).scalar().split(",")
    older = ",".join(n for n in listed if n != "audit_head_forward_only")
    _raw(engine, f"UPDATE audit_head SET guards = '{older}' WHERE id = 1")
    _raw(engine, "DROP TRIGGER audit_head_forward_only" + ("" if engine.dialect.name == "sqlite" else " ON audit_head"))
    engine = _restart(db_url)
    assert _actions(engine, audit.GUARD_ADDED) == [{"guards": ["audit_head_forward_only"]}]
    assert _actions(engine, audit.GUARD_RESTORED) == []


def test_a_start_with_nothing_to_do_leaves_the_database_byte_identical(engine, db_url):
    _trail(engine)
    before = snapshot(engine)
    engine = _restart(db_url)
    assert snapshot(engine) == before
