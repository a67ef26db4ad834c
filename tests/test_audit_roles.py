"""PostgreSQL's two roles (issue 17): the owner creates and migrates the schema and the audit
trail's guards; the app's role may only add to and read the audit trail, runs no DDL when it
starts, and says which role it is. Run under scripts/with-postgres (the roles are made here,
with the test server's superuser); on SQLite the app says a file has no roles."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from fieldwork import audit, cli, db, db_roles
from fieldwork.problems import ProblemError
from fieldwork.services import audit_chain
from tests.conftest import PG_URL, _drop_pg_database, _fresh_pg_database

needs_pg = pytest.mark.skipif(not PG_URL, reason="PostgreSQL roles: run under scripts/with-postgres")


def test_on_sqlite_the_app_says_a_file_has_no_roles(engine, db_url, capsys):
    if PG_URL:
        return
    assert cli.main(["--db", db_url, "audit", "verify"]) == 0
    assert "SQLite file, which has no roles" in capsys.readouterr().out


@pytest.fixture
def roles():
    """A database owned by a new owner role, prepared by it, and an app role granted by
    `fieldwork init --app-role`; both dropped afterwards."""
    tag = uuid.uuid4().hex[:8]
    owner, app = f"fw_owner_{tag}", f"fw_app_{tag}"
    su = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with su.connect() as conn:
        conn.execute(text(f"CREATE ROLE {owner} LOGIN"))
        conn.execute(text(f"CREATE ROLE {app} LOGIN"))
    url = _fresh_pg_database()
    name = url.rsplit("/", 1)[1]
    with su.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" OWNER TO {owner}'))  # its public schema is the owner's
    owner_url = make_url(url).set(username=owner).render_as_string(hide_password=False)
    app_url = make_url(url).set(username=app).render_as_string(hide_password=False)
    yield owner_url, app_url, app
    db.dispose_all()
    _drop_pg_database(url)
    with su.connect() as conn:
        conn.execute(text(f"DROP ROLE IF EXISTS {app}"))
        conn.execute(text(f"DROP ROLE IF EXISTS {owner}"))
    su.dispose()


def _statements(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda c, cur, stmt, *a: seen.append(stmt))
    return seen


def _refused(engine, statement: str) -> str:
    with pytest.raises(Exception) as caught:
        with engine.begin() as conn:
            conn.execute(text(statement))
    return str(caught.value).lower()


@needs_pg
def test_the_app_role_only_adds_to_the_trail(roles, capsys):
    owner_url, app_url, app = roles
    assert cli.main(["--db", owner_url, "init", "--app-role", app]) == 0
    assert "owns the audit table" in capsys.readouterr().out  # init says it runs as the owner
    db.dispose_all()

    # the app starts as the app role: no DDL at all, no CREATE OR REPLACE FUNCTION
    app_engine = db.make_engine(app_url)
    seen = _statements(app_engine)
    db.prepare(app_engine)
    ddl = [s for s in seen if s.lstrip().upper().startswith(("CREATE", "ALTER", "DROP", "DO ", "GRANT", "REVOKE"))]
    assert ddl == []
    with db.session_scope(app_engine) as s:
        for i in range(4):
            audit.record(s, "inspector1", audit.EXPORT, file=f"cases-{i}.xlsx")
    with app_engine.connect() as conn:
        before = conn.execute(text("SELECT id, row_hash FROM audit_event ORDER BY id")).all()

    assert "permission denied" in _refused(app_engine, "UPDATE audit_event SET actor = 'someone'")
    assert "permission denied" in _refused(app_engine, "DELETE FROM audit_event")
    assert "permission denied" in _refused(app_engine, "TRUNCATE audit_event")
    assert "must be owner" in _refused(app_engine, "DROP TRIGGER audit_event_append_only ON audit_event")
    assert "must be owner" in _refused(app_engine, "ALTER TABLE audit_event DISABLE TRIGGER USER")
    assert "permission denied" in _refused(app_engine, "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS "
                                                   "trigger AS $$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql")
    with app_engine.connect() as conn:
        assert conn.execute(text("SELECT id, row_hash FROM audit_event ORDER BY id")).all() == before

    # the app says which role it runs as
    assert cli.main(["--db", app_url, "audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "whole" in out and f"Connected as {app}, the app's role: it may only add to and read" in out

    # the owner can still tamper (it owns the table): the chain shows it, read by the app role
    owner_engine = create_engine(owner_url)
    target = before[2][0]
    with owner_engine.begin() as conn:
        assert "append-only" in _refused(owner_engine, "TRUNCATE audit_event")  # the trigger, even for the owner
        conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        conn.execute(text(f"UPDATE audit_event SET actor = 'someone' WHERE id = {target}"))
    owner_engine.dispose()
    with db.session_scope(app_engine) as s:
        report = audit_chain.verify(s)
    assert report.broken_at == target
    assert "changed after it was written" in report.describe() and "has been disabled" in report.describe()
    assert cli.main(["--db", app_url, "audit", "verify"]) == 1
    assert f"from row {target}" in capsys.readouterr().err
    app_engine.dispose()


@needs_pg
def test_init_never_replaces_the_audit_table_or_its_guards(roles):
    owner_url, _app_url, _app = roles
    engine = db.make_engine(owner_url)
    db.prepare(engine)
    with db.session_scope(engine) as s:
        audit.record(s, "inspector1", audit.EXPORT, file="a.xlsx")
    with engine.connect() as conn:
        oids = conn.execute(text("SELECT (SELECT oid FROM pg_class WHERE relname = 'audit_event'), "
                                 "(SELECT oid FROM pg_proc WHERE proname = 'audit_event_append_only'), "
                                 "(SELECT array_agg(oid ORDER BY oid) FROM pg_trigger WHERE NOT tgisinternal)")).one()
        rows = conn.execute(text("SELECT count(*) FROM audit_event")).scalar()
    seen = _statements(engine)
    db.prepare(engine)  # fieldwork init again, as the owner
    assert not [s for s in seen if "audit" in s.lower() and ("CREATE OR REPLACE" in s.upper() or "DROP" in s.upper())]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT (SELECT oid FROM pg_class WHERE relname = 'audit_event'), "
                                 "(SELECT oid FROM pg_proc WHERE proname = 'audit_event_append_only'), "
                                 "(SELECT array_agg(oid ORDER BY oid) FROM pg_trigger WHERE NOT tgisinternal)")
                            ).one() == oids
        assert conn.execute(text("SELECT count(*) FROM audit_event")).scalar() == rows
    engine.dispose()


@needs_pg
def test_the_app_role_is_told_to_ask_the_owner_when_the_schema_is_behind(roles):
    owner_url, app_url, app = roles
    assert cli.main(["--db", owner_url, "init", "--app-role", app]) == 0
    owner_engine = create_engine(owner_url)
    with owner_engine.begin() as conn:  # as a database made by an older version
        conn.execute(text("ALTER TABLE case_file DROP COLUMN source_submitted_at"))
    owner_engine.dispose()
    app_engine = db.make_engine(app_url)
    with pytest.raises(ProblemError) as caught:
        db.prepare(app_engine)
    message = str(caught.value.problems[0])
    assert "case_file.source_submitted_at" in message and f"fieldwork init --app-role {app}" in message
    with app_engine.connect() as conn:  # nothing changed
        cols = conn.execute(text("SELECT column_name FROM information_schema.columns WHERE table_name = 'case_file'"
                                 )).scalars().all()
    assert "source_submitted_at" not in cols
    app_engine.dispose()


@needs_pg
def test_a_database_without_the_heads_guard_waits_for_the_owner(roles):
    """A database made before audit_head had its guard: the app's role is told to ask the owner,
    and the owner's init adds the guard (and its function) without touching the trail."""
    owner_url, app_url, app = roles
    assert cli.main(["--db", owner_url, "init", "--app-role", app]) == 0
    owner_engine = create_engine(owner_url)
    with owner_engine.begin() as conn:  # as a database made by an older version
        conn.execute(text("DROP TRIGGER audit_head_forward_only ON audit_head"))
        conn.execute(text("DROP FUNCTION audit_head_forward_only()"))
        conn.execute(text("ALTER TABLE audit_head DROP COLUMN guards"))  # nor did it list its guards
    owner_engine.dispose()
    app_engine = db.make_engine(app_url)
    with pytest.raises(ProblemError) as caught:
        db.prepare(app_engine)
    assert "guard trigger audit_head_forward_only" in str(caught.value.problems[0])
    app_engine.dispose()
    db.dispose_all()
    assert cli.main(["--db", owner_url, "init", "--app-role", app]) == 0
    app_engine = db.make_engine(app_url)
    db.prepare(app_engine)
    with db.session_scope(app_engine) as s:
        assert audit_chain.verify(s).whole
    app_engine.dispose()


@needs_pg
def test_the_app_role_must_not_be_the_owner_or_a_superuser(roles):
    owner_url, _app_url, _app = roles
    owner = make_url(owner_url).username
    assert cli.main(["--db", owner_url, "init"]) == 0
    with pytest.raises(ProblemError, match="owns the schema"):
        db_roles.grant_app_role(db.get_engine(owner_url), owner)
    with pytest.raises(ProblemError, match="no role"):
        db_roles.grant_app_role(db.get_engine(owner_url), "fw_nobody_here")
