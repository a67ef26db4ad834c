"""Tamperings a non-author attacker found after the chain landed (issue 17, item 3), each tried
with plain SQL on SQLite and on PostgreSQL (scripts/with-postgres):

- a backdated row at id 0 or below, where a walk from id 1 would never look: refused at the
  source by a guard, and named by `fieldwork audit verify` if slipped in with that guard off;
- guards dropped and then silently made again by the next start: the start records which
  (audit.guard_restored) and verify reports that row;
- the audit table renamed: a start refuses in words, and makes no fresh, empty trail over it;
- a row-level security policy that makes reading the trail fail: words, not a traceback."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from fieldwork import audit, cli, db, startup
from fieldwork.services import audit_chain
from tests.conftest import PG_URL
from tests.test_audit_roles import roles  # noqa: F401  (the owner and app roles fixture)

needs_pg = pytest.mark.skipif(not PG_URL, reason="PostgreSQL roles: run under scripts/with-postgres")


def _trail(engine, n: int = 4) -> None:
    for i in range(n):
        with db.session_scope(engine) as s:
            audit.record(s, "inspector1", audit.EXPORT, file=f"cases-{i}.xlsx")


def _raw(engine, *statements: str) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def _report(engine) -> audit_chain.ChainReport:
    with db.session_scope(engine) as s:
        return audit_chain.verify(s)


def _anchor(engine) -> str:
    return _report(engine).anchor


def _restart(db_url):
    """A new start of fieldwork on the same database: it migrates (and seeds) again."""
    db.dispose_all()
    return startup.open_engine(db_url)


BACKDATED = ("INSERT INTO audit_event (id, at, actor, action, detail) "
             "VALUES ({id}, '2019-01-01 00:00:00.000000', 'admin1', 'user.changed', '{{}}')")


@pytest.mark.parametrize("row_id", [-5, 0])
def test_a_row_at_id_zero_or_below_is_refused_at_the_source(engine, row_id):
    _trail(engine)
    before = _report(engine)
    with pytest.raises(DBAPIError, match="grows only at its end"):
        _raw(engine, BACKDATED.format(id=row_id))
    after = _report(engine)
    assert after.whole and after.anchor == before.anchor, after.describe()


def test_a_row_at_id_zero_or_below_is_named_when_its_guard_was_off(engine, db_url, capsys):
    _trail(engine)
    anchor = _anchor(engine)
    if engine.dialect.name == "sqlite":
        _raw(engine, "DROP TRIGGER audit_event_ids_forward", BACKDATED.format(id=-5))
    else:
        _raw(engine, "ALTER TABLE audit_event DISABLE TRIGGER audit_event_ids_forward", BACKDATED.format(id=-5))
    report = _report(engine)
    said = report.describe()
    assert not report.whole and report.broken_at == -5, said
    assert "row -5 has an id of 0 or below" in said and "2019-01-01" in said
    assert "audit_event_ids_forward" in said  # the guard that should have refused it is named
    capsys.readouterr()
    assert cli.main(["--db", db_url, "audit", "verify", "--expect", anchor]) != 0
    out = capsys.readouterr()
    assert "row -5" in out.out + out.err


def test_a_guard_dropped_is_recorded_by_the_next_start_and_reported(engine, db_url):
    _trail(engine)
    if engine.dialect.name == "sqlite":
        _raw(engine, "DROP TRIGGER audit_event_no_delete", "DROP TRIGGER audit_event_no_update")
        dropped = ["audit_event_no_delete", "audit_event_no_update"]
    else:
        _raw(engine, "DROP TRIGGER audit_event_append_only ON audit_event")
        dropped = ["audit_event_append_only"]
    engine = _restart(db_url)  # every start used to make them again, silently
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT detail FROM audit_event WHERE action = :a"),
                            {"a": audit.GUARD_RESTORED}).scalars().all()
    assert len(rows) == 1 and json.loads(rows[0])["guards"] == dropped
    said = _report(engine).describe()
    named = f"the guard trigger {dropped[0]}" if len(dropped) == 1 else f"the guard triggers {', '.join(dropped)}"
    assert "tampered with" in said and f"found {named} dropped" in said, said
    # made again all the same: the trail is guarded from this start on
    with pytest.raises(DBAPIError, match="append-only"):
        _raw(engine, "DELETE FROM audit_event")


def test_a_guard_a_newer_version_adds_is_recorded_as_added_not_as_dropped(engine, db_url):
    _trail(engine)
    on = "" if engine.dialect.name == "sqlite" else " ON audit_event"
    # as a database made before that guard (and before the head listed the guards it was made with)
    _raw(engine, f"DROP TRIGGER audit_event_ids_forward{on}", "ALTER TABLE audit_head DROP COLUMN guards")
    engine = _restart(db_url)
    report = _report(engine)
    assert report.whole, report.describe()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_event WHERE action = :a"),
                            {"a": audit.GUARD_ADDED}).scalar() == 1
    # once added, the same guard missing again is a guard dropped
    _raw(engine, f"DROP TRIGGER audit_event_ids_forward{on}")
    engine = _restart(db_url)
    assert "found the guard trigger audit_event_ids_forward dropped" in _report(engine).describe()


def test_a_renamed_audit_table_stops_the_start_in_words(engine, db_url, capsys):
    _trail(engine)
    _raw(engine, "ALTER TABLE audit_event RENAME TO audit_old")
    db.dispose_all()
    capsys.readouterr()
    assert cli.main(["--db", db_url, "audit", "verify"]) != 0
    out = capsys.readouterr()
    said = out.out + out.err
    assert "audit table audit_event is missing" in said and "audit_old" in said, said
    assert "Traceback" not in said
    # no fresh, empty trail was made over the old one
    probe = db.make_engine(db_url)
    try:
        assert "audit_event" not in inspect(probe).get_table_names()
    finally:
        probe.dispose()


def test_a_dropped_audit_table_stops_the_start_in_words(engine, db_url, capsys):
    _trail(engine)
    _raw(engine, "DROP TABLE audit_event")
    db.dispose_all()
    capsys.readouterr()
    assert cli.main(["--db", db_url, "audit", "verify"]) != 0
    out = capsys.readouterr()
    said = out.out + out.err
    assert "audit table audit_event is missing: it was dropped" in said and "Traceback" not in said, said
    probe = db.make_engine(db_url)
    try:
        assert "audit_event" not in inspect(probe).get_table_names()
    finally:
        probe.dispose()


def _as_app(roles, capsys):
    """The documented PostgreSQL setup: the owner migrates, the app's role adds to the trail."""
    owner_url, app_url, app = roles
    assert cli.main(["--db", owner_url, "init", "--app-role", app]) == 0
    capsys.readouterr()
    db.dispose_all()
    app_engine = db.get_engine(app_url)
    _trail(app_engine)
    return db.make_engine(owner_url), app_engine, app_url


@needs_pg
@pytest.mark.parametrize("row_id", [-5, 0])
def test_the_app_role_cannot_slip_a_row_in_at_id_zero_or_below(roles, capsys, row_id):
    owner, app_engine, _ = _as_app(roles, capsys)
    try:
        with pytest.raises(DBAPIError, match="grows only at its end"):
            _raw(app_engine, BACKDATED.format(id=row_id))
        assert _report(app_engine).whole
    finally:
        owner.dispose()


@needs_pg
def test_a_policy_that_breaks_reading_the_trail_is_reported_in_words(roles, capsys):
    owner, app_engine, app_url = _as_app(roles, capsys)
    try:
        _raw(owner, "ALTER TABLE audit_event ENABLE ROW LEVEL SECURITY",
             "CREATE POLICY p ON audit_event FOR SELECT USING (id < (SELECT max(id) FROM audit_event))",
             "CREATE POLICY q ON audit_event FOR INSERT WITH CHECK (true)")
    finally:
        owner.dispose()
    report = _report(app_engine)
    said = report.describe()
    assert not report.whole and "refused to read the audit trail" in said, said
    assert "row-level security is switched on for the audit table audit_event" in said
    assert cli.main(["--db", app_url, "audit", "verify"]) != 0
    assert "Traceback" not in capsys.readouterr().err


def test_the_audit_page_check_names_a_row_slipped_in_at_id_zero_or_below(engine, db_url, monkeypatch):
    from tests.apptest import page

    _trail(engine)
    off = ("DROP TRIGGER audit_event_ids_forward" if engine.dialect.name == "sqlite"
           else "ALTER TABLE audit_event DISABLE TRIGGER audit_event_ids_forward")
    _raw(engine, off, BACKDATED.format(id=-5))
    at = page("pages/audit.py", db_url, monkeypatch, user="lead1", role="lead").run()
    at.button(key="audit_verify").click().run()
    assert not at.exception and not at.success
    assert "from row -5" in at.error[0].value and "id of 0 or below" in at.error[0].value
