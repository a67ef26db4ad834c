"""PostgreSQL's two roles: an owner that creates and migrates the schema (and the audit
trail's table, functions and guard triggers), and the app's role, which may only add to and
read the audit trail (docs/trust-boundaries.md).

``fieldwork.db.prepare`` asks ``may_migrate``: a role that does not own the audit table runs
no DDL at all at start; it only checks the schema is current (``schema_gaps``) and says to
run ``fieldwork init`` as the owner if not. ``grant_app_role`` (``fieldwork init --app-role``)
gives the app's role exactly what it needs. ``describe`` says which role the app runs as and
what it may do to the audit trail (``fieldwork audit verify``, the Audit page).
"""

from __future__ import annotations

import re
import warnings

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SAWarning
from sqlmodel import SQLModel

from fieldwork.problem_codes import BAD_APP_ROLE as BAD_ROLE, SCHEMA_NOT_CURRENT
from fieldwork.problems import Problem, ProblemError

_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def _audit_owner(conn: Connection) -> str | None:
    return conn.execute(text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_event' "
                             "AND schemaname = current_schema()")).scalar()


def may_migrate(engine: Engine) -> bool:
    """May this connection's role create and migrate the schema? On PostgreSQL only the audit
    table's owner (or a member of the owner role, or a superuser) may, and whoever makes a new
    database's schema becomes its owner. Other databases have no roles: always."""
    if engine.dialect.name != "postgresql":
        return True
    with engine.connect() as conn:
        owner = _audit_owner(conn)
        if owner is None:
            return True
        return bool(conn.execute(text("SELECT pg_has_role(current_user, :o, 'MEMBER') OR "
                                      "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"),
                                 {"o": owner}).scalar())


def schema_gaps(engine: Engine) -> list[str]:
    """Tables, columns and indexes the models have and the database lacks (read-only)."""
    import models

    models.load_all()
    insp = inspect(engine)
    existing = set(insp.get_table_names())
    gaps = []
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in existing:
            gaps.append(f"table {table.name}")
            continue
        have = {c["name"] for c in insp.get_columns(table.name)}
        gaps += [f"column {table.name}.{c.name}" for c in table.columns if c.name not in have]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)
            indexes = {i["name"] for i in insp.get_indexes(table.name)}
        gaps += [f"index {i.name}" for i in table.indexes if i.name and i.name not in indexes]
    return gaps + _guard_gaps(engine)


def _guard_gaps(engine: Engine) -> list[str]:
    """Guard triggers the code makes and the database lacks (e.g. the head's guard, added later)."""
    from fieldwork.audit_guard_sql import expected

    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as conn:
        have = set(conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
    return [f"guard trigger {name}" for name in sorted(set(expected("postgresql")) - have)]


def refuse_outdated(engine: Engine) -> None:
    """At the app role's start: a schema the owner has not migrated is refused with the command."""
    gaps = schema_gaps(engine)
    if gaps:
        with engine.connect() as conn:
            who, owner = conn.execute(text("SELECT current_user")).scalar(), _audit_owner(conn)
        shown = ", ".join(gaps[:5]) + (f" and {len(gaps) - 5} more" if len(gaps) > 5 else "")
        raise ProblemError([Problem(SCHEMA_NOT_CURRENT,
                                    f"The database needs migrating ({shown} missing), and the role the app runs as "
                                    f"({who}) may not change the schema. Run `fieldwork init --app-role {who}` "
                                    f"connected as the owner ({owner}), then start the app again.")],
                           "schema not current")


def grant_app_role(engine: Engine, role: str) -> None:
    """As the owner: give the app's role what it needs and no more on the audit trail — SELECT
    and INSERT on ``audit_event`` (no UPDATE, DELETE, TRUNCATE, REFERENCES or TRIGGER), SELECT
    on the chain's head (which moves only through the owner's ``audit_head_take`` and the
    trigger after each audit row: fieldwork.audit_guard_sql) — and ordinary reading and
    writing elsewhere; tables the owner adds later get the same through default privileges."""
    if engine.dialect.name != "postgresql":
        raise ProblemError([Problem(BAD_ROLE, "--app-role is for PostgreSQL: a SQLite file has no roles.")], "bad role")
    if not _ROLE_NAME.match(role):
        raise ProblemError([Problem(BAD_ROLE, f"--app-role: {role!r} is not a plain role name "
                                    "(letters, digits and _, starting with a letter).")], "bad role")
    with engine.begin() as conn:
        who = conn.execute(text("SELECT current_user")).scalar()
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar()
        problems = []
        if not exists:
            problems.append(f"there is no role {role}: create it first (CREATE ROLE {role} LOGIN PASSWORD '…')")
        elif role == who or role == _audit_owner(conn):
            problems.append(f"{role} owns the schema; the app must run as another role, which cannot drop or "
                            "change the audit trail's guards")
        elif conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar():
            problems.append(f"{role} is a superuser and could rewrite the audit trail whatever it is granted")
        if problems:
            raise ProblemError([Problem(BAD_ROLE, "--app-role: " + p + ".") for p in problems], "bad role")
        schema = conn.execute(text("SELECT current_schema()")).scalar()
        for statement in (
            f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"',
            f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"',
            f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"',
            f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{role}"',
            f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT USAGE, SELECT ON SEQUENCES TO "{role}"',
            f'REVOKE ALL ON audit_event FROM "{role}"',
            f'GRANT SELECT, INSERT ON audit_event TO "{role}"',
            f'REVOKE ALL ON audit_head FROM "{role}"',
            f'GRANT SELECT ON audit_head TO "{role}"',
            f'GRANT EXECUTE ON FUNCTION audit_head_take() TO "{role}"',
        ):
            conn.execute(text(statement))


def describe(session_or_conn) -> str:
    """Which role the app runs as and what it may do to the audit trail, in a sentence."""
    bind = session_or_conn
    dialect = bind.dialect if hasattr(bind, "dialect") else bind.get_bind().dialect
    if dialect.name != "postgresql":
        return ("Database: a SQLite file, which has no roles: whoever may write the file may change it, so the "
                "hash chain is what shows tampering.")
    who, owner = bind.execute(text("SELECT current_user, (SELECT tableowner FROM pg_tables WHERE tablename = "
                                   "'audit_event' AND schemaname = current_schema())")).one()
    rights = bind.execute(text(
        "SELECT has_table_privilege(current_user, 'audit_event', 'UPDATE'), "
        "has_table_privilege(current_user, 'audit_event', 'DELETE'), "
        "has_table_privilege(current_user, 'audit_event', 'TRUNCATE'), "
        "pg_has_role(current_user, :o, 'MEMBER') OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user), "
        "has_table_privilege(current_user, 'audit_head', 'UPDATE') OR "
        "has_table_privilege(current_user, 'audit_head', 'DELETE') OR "
        "has_table_privilege(current_user, 'audit_head', 'TRUNCATE')"),
        {"o": owner}).one()
    update, delete, truncate, owns, moves_head = rights
    if owns:
        return (f"Connected as {who}, which owns the audit table ({owner}) and could drop its guards: run the app "
                "as a role that may only add to the trail (fieldwork init --app-role, docs/trust-boundaries.md).")
    extra = [name for name, allowed in (("UPDATE", update), ("DELETE", delete), ("TRUNCATE", truncate)) if allowed]
    if extra or moves_head:
        what = f"{', '.join(extra)} the audit table" if extra else "change the audit trail's head (audit_head)"
        return (f"Connected as {who}, which may {what}: run `fieldwork init --app-role "
                f"{who}` as the owner ({owner}) to take that away.")
    return (f"Connected as {who}, the app's role: it may only add to and read the audit trail (the owner is "
            f"{owner}).")
