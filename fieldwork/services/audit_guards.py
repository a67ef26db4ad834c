"""Are the audit trail's guard triggers still the ones the code made (fieldwork.audit_guard_sql)?

A guard can be weakened without dropping it: on PostgreSQL disabled (tgenabled 'D') or set to
fire only for replication ('R', so ordinary sessions pass), its function replaced by a no-op
body, or the trigger made again on other events; on SQLite dropped and made again differently.
Each is named here. Only 'O' (origin, the default) and 'A' (always) fire for ordinary writes.
A guard dropped and made again *exactly as before* is invisible here; the anchor printed by
`fieldwork audit verify` covers what it may have let through (docs/trust-boundaries.md)."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlmodel import Session

from fieldwork.audit_guard_sql import expected, normalise

FIRES = {"O", "A"}
AUDIT_TABLES = ("audit_event", "audit_head")


def problems(session: Session) -> list[str]:
    """Plain sentences naming every guard that is missing, switched off or changed."""
    dialect = session.get_bind().dialect.name
    want = expected(dialect)
    if dialect == "sqlite":
        rows = session.execute(text("SELECT name, sql, tbl_name FROM sqlite_master WHERE type = 'trigger'")).all()
        have = {name: (normalise(sql or ""), "O") for name, sql, _table in rows}
    elif dialect == "postgresql":
        rows = session.execute(text("SELECT tgname, pg_get_triggerdef(oid), tgenabled, tgrelid::regclass::text "
                                    "FROM pg_trigger WHERE NOT tgisinternal")).all()
        have = {name: (normalise(sql), state) for name, sql, state, _table in rows}
    else:
        return []
    # a trigger of someone else's on the audit tables can swallow writes (RAISE(IGNORE), a rule
    # DO INSTEAD NOTHING) while every guard stays as made: name it too
    out = [f"a trigger fieldwork did not make, {name}, is on the audit table {row[-1]}"
           for row in rows if (name := row[0]) not in want and row[-1] in AUDIT_TABLES]
    for name in sorted(want):
        if name not in have:
            out.append(f"the guard trigger {name} has been dropped")
            continue
        definition, state = have[name]
        if state == "D":
            out.append(f"the guard trigger {name} has been disabled")
        elif state not in FIRES:
            out.append(f"the guard trigger {name} has been set to fire only for replication, so it no "
                       "longer guards anything")
        if definition != want[name]:
            out.append(f"the guard trigger {name} has been changed")
    if dialect == "postgresql":
        out += _function_problems(session)
        out += [f"a rule, {name}, rewrites what is written to the audit table {table}"
                for name, table in session.execute(text(
                    "SELECT rulename, tablename FROM pg_rules WHERE tablename = ANY(:tables)"),
                    {"tables": list(AUDIT_TABLES)}).all()]
        # a row-level security policy can hide rows from the walk (or make it fail)
        out += [f"row-level security is switched on for the audit table {table}, so rows may be hidden from "
                "the check" for table in session.execute(text(
                    "SELECT relname FROM pg_class WHERE relname = ANY(:tables) AND relrowsecurity "
                    "AND relnamespace = current_schema()::regnamespace"), {"tables": list(AUDIT_TABLES)}).scalars()]
    return out


def _function_problems(session: Session) -> list[str]:
    from fieldwork.audit_guard_sql import PG_GUARD_FUNCTIONS, PG_HEAD_FUNCTIONS

    functions = {**PG_GUARD_FUNCTIONS, **{name: body for name, (_returns, body) in PG_HEAD_FUNCTIONS.items()}}
    rows = session.execute(text("SELECT proname, prosrc FROM pg_proc WHERE proname = ANY(:names)"),
                           {"names": list(functions)}).all()
    have: dict[str, list[str]] = {}
    for name, source in rows:
        have.setdefault(name, []).append(" ".join(source.split()))
    out = []
    for name, body in functions.items():
        if name not in have:
            out.append(f"the guard function {name} has been dropped")
        elif any(source != " ".join(body.split()) for source in have[name]):
            out.append(f"the guard function {name} has been replaced")
    return out
