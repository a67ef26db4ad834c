"""PostgreSQL: the app's role holds only INSERT and SELECT on the audit tables — not even UPDATE
on the chain's head (audit_head). The head moves through the owner's SECURITY DEFINER
functions (audit_head_take, and the trigger audit_event_advance_head after each audit row),
and audit rows written by the app's role, one per transaction, several in one, and from two
connections at once, still chain. Run under scripts/with-postgres."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from fieldwork import audit, cli, db
from fieldwork.services import audit_chain
from tests.conftest import PG_URL
from tests.test_audit_roles import _refused, _statements, roles  # noqa: F401 (fixture)

needs_pg = pytest.mark.skipif(not PG_URL, reason="PostgreSQL roles: run under scripts/with-postgres")


@needs_pg
def test_the_app_role_cannot_change_the_head_and_the_rows_still_chain(roles, capsys):
    owner_url, app_url, app = roles
    assert cli.main(["--db", owner_url, "init", "--app-role", app]) == 0
    capsys.readouterr()
    db.dispose_all()
    app_engine = db.make_engine(app_url)
    seen = _statements(app_engine)
    db.prepare(app_engine)
    assert not [s for s in seen if s.lstrip().upper().startswith(("CREATE", "ALTER", "DROP", "DO ", "GRANT"))]

    with app_engine.connect() as conn:
        rights = conn.execute(text(
            "SELECT p, has_table_privilege(current_user, t, p) FROM (VALUES ('audit_event'), ('audit_head')) AS t(t), "
            "(VALUES ('SELECT'), ('INSERT'), ('UPDATE'), ('DELETE'), ('TRUNCATE'), ('REFERENCES'), ('TRIGGER')) "
            "AS p(p) ORDER BY t, p")).all()
    granted = {p for p, allowed in rights if allowed}
    assert granted == {"SELECT", "INSERT"} and all(allowed for p, allowed in rights if p == "SELECT")
    assert [allowed for p, allowed in rights if p == "INSERT"] == [True, False]  # the head: SELECT only

    for statement in ("UPDATE audit_head SET rows = rows + 1", "UPDATE audit_head SET last_hash = ''",
                      "DELETE FROM audit_head", "TRUNCATE audit_head", "INSERT INTO audit_head (id, rows, last_hash) "
                      "VALUES (2, 0, '')", "UPDATE audit_event SET actor = 'someone'", "DELETE FROM audit_event",
                      "TRUNCATE audit_event"):
        assert "permission denied" in _refused(app_engine, statement), statement

    # one row a transaction, several in one, and two connections writing at once
    with db.session_scope(app_engine) as s:
        audit.record(s, "inspector1", audit.EXPORT, file="one.xlsx")
    with db.session_scope(app_engine) as s:
        for i in range(5):
            audit.record(s, "inspector1", audit.EXPORT, file=f"batch-{i}.xlsx")

    def writer(who: str) -> None:
        for i in range(8):
            with db.session_scope(app_engine) as s:
                audit.record(s, who, audit.EXPORT, file=f"{who}-{i}.xlsx")

    threads = [threading.Thread(target=writer, args=(f"inspector{n}",)) for n in (2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    with db.session_scope(app_engine) as s:
        report = audit_chain.verify(s)
        head = s.execute(text("SELECT rows FROM audit_head")).scalar()
        chained = s.execute(text("SELECT count(*) FROM audit_event WHERE row_hash IS NOT NULL")).scalar()
    assert report.whole, report.describe()
    assert head == chained == report.rows and chained >= 22
    assert cli.main(["--db", app_url, "audit", "verify"]) == 0
    assert f"Connected as {app}, the app's role: it may only add to and read" in capsys.readouterr().out
    app_engine.dispose()


@needs_pg
def test_a_role_that_may_update_the_head_is_told_so(roles, capsys):
    """An app role granted more than it needs (e.g. by hand) is warned about at verify."""
    from sqlalchemy import create_engine

    owner_url, app_url, app = roles
    assert cli.main(["--db", owner_url, "init", "--app-role", app]) == 0
    owner = create_engine(owner_url)
    with owner.begin() as conn:
        conn.execute(text(f'GRANT UPDATE ON audit_head TO "{app}"'))
    owner.dispose()
    db.dispose_all()
    capsys.readouterr()
    cli.main(["--db", app_url, "audit", "verify"])
    assert "may change the audit trail's head (audit_head)" in capsys.readouterr().out
