"""A tamper-evident audit trail: each row's hash is chained to the row before it, and
`fieldwork audit verify` says whether the chain is whole and from which row it breaks. Each
tampering the issue found possible (overwrite, deletion, truncation, backdated insert, dropped
or disabled trigger) is tried with plain SQL, on SQLite and on PostgreSQL (scripts/with-postgres)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from fieldwork import audit, cli, db, startup
from fieldwork.services import audit_chain

SQLITE_ONLY = "sqlite"


def _trail(engine, n: int = 6) -> None:
    for i in range(n):
        with db.session_scope(engine) as s:
            audit.record(s, f"inspector{i % 2 + 1}", audit.EXPORT, file=f"cases-{i}.xlsx")


def _report(engine) -> audit_chain.ChainReport:
    with db.session_scope(engine) as s:
        return audit_chain.verify(s)


def _raw(engine, *statements: str) -> None:
    """Plain SQL as an attacker with the database's own rights would run it."""
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def _id(engine, nth: int) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM audit_event ORDER BY id")).scalars().all()[nth]


def test_an_untouched_trail_is_whole(engine, capsys, db_url):
    _trail(engine)
    report = _report(engine)
    assert report.whole and report.rows >= 6, report.describe()
    assert cli.main(["--db", db_url, "audit", "verify"]) == 0
    assert "whole" in capsys.readouterr().out


def _drop_guards(engine) -> None:
    if engine.dialect.name == "sqlite":
        _raw(engine, "DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete",
             "DROP TRIGGER audit_event_no_replace")
    else:
        _raw(engine, "ALTER TABLE audit_event DISABLE TRIGGER USER")


def test_an_overwritten_row_is_found(engine, db_url, capsys):
    _trail(engine)
    target = _id(engine, 3)
    _drop_guards(engine)
    _raw(engine, f"UPDATE audit_event SET actor = 'someone' WHERE id = {target}")
    report = _report(engine)
    assert report.broken_at == target and "changed after it was written" in report.describe()
    assert cli.main(["--db", db_url, "audit", "verify"]) == 1
    assert f"from row {target}" in capsys.readouterr().err


def test_sqlite_insert_or_replace_is_refused_and_found_if_forced(engine):
    _trail(engine)
    target = _id(engine, 2)
    if engine.dialect.name == "sqlite":
        with pytest.raises(Exception):
            _raw(engine, f"INSERT OR REPLACE INTO audit_event (id, at, actor, action, detail) "
                 f"VALUES ({target}, '2026-01-01 00:00:00', 'x', 'export', '')")
        # both guards refuse it (a row may go only at the end): forced, with both dropped
        _raw(engine, "DROP TRIGGER audit_event_no_replace", "DROP TRIGGER audit_event_ids_forward")
        _raw(engine, f"INSERT OR REPLACE INTO audit_event (id, at, actor, action, detail, prev_hash, row_hash) "
             f"SELECT id, at, 'someone', action, detail, prev_hash, row_hash FROM audit_event WHERE id = {target}")
    else:
        _drop_guards(engine)
        _raw(engine, f"UPDATE audit_event SET actor = 'someone' WHERE id = {target}")
    assert _report(engine).broken_at == target


def test_a_deleted_row_is_found(engine):
    _trail(engine)
    target, after = _id(engine, 2), _id(engine, 3)
    _drop_guards(engine)
    _raw(engine, f"DELETE FROM audit_event WHERE id = {target}")
    report = _report(engine)
    assert report.broken_at == after and "does not follow" in report.describe()


def test_rows_removed_from_the_end_are_found(engine):
    _trail(engine)
    last = _id(engine, -1)
    _drop_guards(engine)
    _raw(engine, f"DELETE FROM audit_event WHERE id = {last}")
    assert "rows were removed from the end" in _report(engine).describe()


def test_a_truncated_trail_is_refused_on_postgresql_and_found_everywhere(engine):
    _trail(engine)
    if engine.dialect.name == "postgresql":
        with pytest.raises(Exception):
            _raw(engine, "TRUNCATE audit_event")
        _raw(engine, "ALTER TABLE audit_event DISABLE TRIGGER USER", "TRUNCATE audit_event")
    else:
        _drop_guards(engine)
        _raw(engine, "DELETE FROM audit_event")
    report = _report(engine)
    assert not report.whole and "emptied" in report.describe()


def test_a_backdated_insert_is_found(engine):
    _trail(engine)
    # a row written with a false date, even with a correctly computed hash and head
    with db.session_scope(engine) as s:
        from datetime import datetime, timezone

        event = audit.record(s, "someone", audit.EXPORT, file="x.xlsx")
        event.at = datetime(2020, 1, 1, tzinfo=timezone.utc)
        event.row_hash = audit_chain.row_hash(event.prev_hash, event)
        s.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": event.row_hash})
    report = _report(engine)
    assert "false date" in report.describe()


@pytest.mark.parametrize("how", ["drop", "disable"])
def test_a_dropped_or_disabled_trigger_is_named(engine, how):
    _trail(engine, 2)
    if engine.dialect.name == "sqlite":
        _raw(engine, "DROP TRIGGER audit_event_no_delete")
        expected = "audit_event_no_delete has been dropped"
    elif how == "drop":
        _raw(engine, "DROP TRIGGER audit_event_no_truncate ON audit_event")
        expected = "audit_event_no_truncate has been dropped"
    else:
        _raw(engine, "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
        expected = "audit_event_append_only has been disabled"
    assert expected in _report(engine).describe()


def test_init_never_replaces_the_audit_table_or_its_guards(engine, db_url):
    _trail(engine, 3)
    before = _report(engine)
    db.dispose_all()
    assert cli.main(["--db", db_url, "init"]) == 0
    after = _report(startup.open_engine(db_url))
    assert after.whole and after.rows == before.rows and after.head_hash == before.head_hash


def test_writers_at_the_same_moment_never_fork_the_chain(engine):
    start = threading.Barrier(4)

    def writer(n):
        start.wait()
        for i in range(5):
            with db.session_scope(engine) as s:
                audit.record(s, f"inspector{n}", audit.EXPORT, file=f"{n}-{i}.xlsx")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = _report(engine)
    assert report.whole and report.rows >= 20, report.describe()
