"""The audit trail's guards, tried as an attacker with the owner's rights would (issue 17, 3f-3w):
a guard set to fire only for replication, its function replaced, a trigger made again
differently, and the chain's head rewound are each refused or named by `fieldwork audit verify`.
Runs on SQLite and, under scripts/with-postgres, on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from fieldwork import audit, db
from fieldwork.services import audit_chain


def _trail(engine, n: int = 4) -> None:
    for i in range(n):
        with db.session_scope(engine) as s:
            audit.record(s, "inspector1", audit.EXPORT, file=f"cases-{i}.xlsx")


def _raw(engine, *statements: str) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def _describe(engine) -> str:
    with db.session_scope(engine) as s:
        return audit_chain.verify(s).describe()


def _pg(engine) -> bool:
    return engine.dialect.name == "postgresql"


def test_an_untouched_database_has_every_guard_as_made(engine):
    _trail(engine, 2)
    assert "whole" in _describe(engine)


@pytest.mark.parametrize("state, named", [("REPLICA", True), ("ALWAYS", False)])
def test_a_guard_set_to_fire_only_for_replication_is_named(engine, state, named):
    if not _pg(engine):
        return  # SQLite triggers have no such state
    _trail(engine, 2)
    _raw(engine, f"ALTER TABLE audit_event ENABLE {state} TRIGGER audit_event_append_only")
    said = _describe(engine)
    assert ("audit_event_append_only has been set to fire only for replication" in said) is named, said


def test_a_replaced_guard_function_is_named(engine):
    if not _pg(engine):
        return  # SQLite triggers carry their body in their own definition: next test
    _trail(engine, 2)
    _raw(engine, "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
         "BEGIN RETURN NULL; END; $$ LANGUAGE plpgsql")
    assert "the guard function audit_event_append_only has been replaced" in _describe(engine)


def test_a_guard_made_again_differently_is_named(engine):
    _trail(engine, 2)
    if _pg(engine):
        _raw(engine, "DROP TRIGGER audit_event_no_truncate ON audit_event",
             "CREATE TRIGGER audit_event_no_truncate BEFORE INSERT ON audit_event FOR EACH STATEMENT "
             "EXECUTE FUNCTION audit_event_append_only()")
        assert "the guard trigger audit_event_no_truncate has been changed" in _describe(engine)
    else:
        _raw(engine, "DROP TRIGGER audit_event_no_delete",
             "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event WHEN 0 "
             "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END")
        assert "the guard trigger audit_event_no_delete has been changed" in _describe(engine)


def test_the_head_cannot_be_rewound_or_replaced(engine):
    _trail(engine, 4)
    for statement in ("UPDATE audit_head SET rows = rows - 1", "UPDATE audit_head SET rows = 0",
                      "UPDATE audit_head SET rows = rows + 5", "UPDATE audit_head SET id = 2"):
        with pytest.raises(Exception, match="only counts forward"):
            _raw(engine, statement)
    assert "whole" in _describe(engine)


def test_a_dropped_head_guard_is_named(engine):
    _trail(engine, 2)
    _raw(engine, "DROP TRIGGER audit_head_forward_only" + (" ON audit_head" if _pg(engine) else ""))
    assert "the guard trigger audit_head_forward_only has been dropped" in _describe(engine)


def test_the_last_row_deleted_with_guards_off_is_refused_at_the_head(engine):
    """3f / 3w: delete the last row, then rewind the head to the new last row: the head refuses."""
    _trail(engine, 4)
    if _pg(engine):
        _raw(engine, "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
    else:
        _raw(engine, "DROP TRIGGER audit_event_no_delete")
    _raw(engine, "DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)")
    with pytest.raises(Exception, match="only counts forward"):
        _raw(engine, "UPDATE audit_head SET rows = rows - 1, last_hash = (SELECT row_hash FROM audit_event "
             "ORDER BY id DESC LIMIT 1)")
    assert "removed from the end" in _describe(engine)


def test_a_trigger_or_rule_of_someone_else_s_on_the_audit_tables_is_named(engine):
    """Every guard as made, but a trigger (SQLite: RAISE(IGNORE)) or a rule (PostgreSQL: DO
    INSTEAD NOTHING) added beside them could swallow writes to the trail (attacker re-test 2)."""
    _trail(engine, 2)
    if _pg(engine):
        _raw(engine, "CREATE RULE swallow AS ON INSERT TO audit_event DO INSTEAD NOTHING")
        assert "a rule, swallow, rewrites what is written to the audit table audit_event" in _describe(engine)
    else:
        _raw(engine, "CREATE TRIGGER swallow BEFORE INSERT ON audit_event BEGIN SELECT RAISE(IGNORE); END")
        assert "a trigger fieldwork did not make, swallow, is on the audit table audit_event" in _describe(engine)
