"""The SQL of the audit trail's guards: the triggers (and on PostgreSQL their functions) that
keep ``audit_event`` append-only and ``audit_head`` counting forward. ``fieldwork.db`` creates
them when it migrates; ``fieldwork.services.audit_guards`` compares what the database holds
with them (``expected``: each trigger's name and definition, normalised). On the database floor
beside ``fieldwork.db``, below the services that read it."""

from __future__ import annotations

import re


def _pg_trigger(name: str, table: str, when: str, each: str = "ROW",
                function: str = "audit_event_append_only") -> str:
    # created only where missing: a migration never replaces (or briefly removes) a guard
    return (f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = '{name}') THEN "
            f"CREATE TRIGGER {name} BEFORE {when} ON {table} FOR EACH {each} "
            f"EXECUTE FUNCTION {function}(); END IF; END $$")


def _pg_function(name: str, body: str) -> str:
    # made only where missing: a migration never replaces a guard's function either
    return (f"DO $outer$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname = '{name}') THEN "
            f"CREATE FUNCTION {name}() RETURNS trigger AS $${body}$$ LANGUAGE plpgsql; END IF; END $outer$")


# The guard functions' bodies: `fieldwork audit verify` compares the stored ones with these, so a
# function replaced by a no-op body is named (fieldwork.services.audit_guards).
PG_GUARD_FUNCTIONS = {
    "audit_event_append_only": " BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END; ",
    # the head (fieldwork.services.audit_chain.seal) counts up one row at a time and never back:
    # rewinding it to hide rows removed from the end is refused
    # a row goes only at the end: an id of 0 or below, or one under a row already written, is a
    # backdated row slipped in where a walk by id would never look for it
    "audit_event_ids_forward": " BEGIN IF NEW.id <= 0 OR EXISTS (SELECT 1 FROM audit_event e WHERE e.id >= NEW.id) "
                               "THEN RAISE EXCEPTION 'the audit trail grows only at its end'; END IF; "
                               "RETURN NEW; END; ",
    "audit_head_forward_only": " BEGIN IF NEW.id <> OLD.id OR NEW.rows < OLD.rows OR NEW.rows > OLD.rows + 1 "
                               "THEN RAISE EXCEPTION 'the audit trail''s head only counts forward'; END IF; "
                               "RETURN NEW; END; ",
}


# PostgreSQL: the app's role has no UPDATE on audit_head. It moves the head only through these,
# which run with their owner's rights (SECURITY DEFINER, search_path pinned to the schema so no
# table of the caller's can stand in): audit_head_take locks the head and says where the chain
# ends (fieldwork.services.audit_chain.seal); audit_head_advance, a trigger after each audit row
# is inserted, moves the head to that row. The head guard (audit_head_forward_only) still fires.
PG_HEAD_FUNCTIONS = {
    # a row inserted without a hash is not chained (written before the chain began): it leaves the
    # head where it is, as on SQLite, and `fieldwork audit verify` counts it as unchained
    "audit_head_advance": ("trigger", " BEGIN IF NEW.row_hash IS NOT NULL THEN UPDATE audit_head SET rows = rows + 1, "
                                      "last_hash = NEW.row_hash, last_at = NEW.at WHERE id = 1; END IF; RETURN NULL; "
                                      "END; "),
    "audit_head_take": ("TABLE(head_hash text, head_at timestamp)",
                        " BEGIN RETURN QUERY SELECT h.last_hash::text, h.last_at::timestamp FROM audit_head h "
                        "WHERE h.id = 1 FOR UPDATE; END; "),
}


def _pg_definer(name: str, returns: str, body: str) -> str:
    # made only where missing, as the guards; run as the owner, with the schema it was made in
    return (f"DO $outer$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname = '{name}') THEN "
            f"EXECUTE format('CREATE FUNCTION {name}() RETURNS {returns} AS $f${body}$f$ LANGUAGE plpgsql "
            f"SECURITY DEFINER SET search_path = %I, pg_temp', current_schema()); END IF; END $outer$")


# The audit trail is append-only, and its chain head (fieldwork.services.audit_chain) cannot be
# deleted or emptied; `fieldwork audit verify` reports any of these triggers dropped or disabled.
AUDIT_GUARDS = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event
           BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
        """CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event
           BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
        # INSERT OR REPLACE deletes the old row without firing the delete trigger: refuse it here
        """CREATE TRIGGER IF NOT EXISTS audit_event_no_replace BEFORE INSERT ON audit_event
           WHEN EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id)
           BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
        # a row goes only at the end (AFTER: in a BEFORE trigger SQLite has not yet numbered the row)
        """CREATE TRIGGER IF NOT EXISTS audit_event_ids_forward AFTER INSERT ON audit_event
           WHEN NEW.id <= 0 OR EXISTS (SELECT 1 FROM audit_event WHERE id > NEW.id)
           BEGIN SELECT RAISE(ABORT, 'the audit trail grows only at its end'); END""",
        """CREATE TRIGGER IF NOT EXISTS audit_head_no_delete BEFORE DELETE ON audit_head
           BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
        """CREATE TRIGGER IF NOT EXISTS audit_head_forward_only BEFORE UPDATE ON audit_head
           WHEN NEW.id <> OLD.id OR NEW.rows < OLD.rows OR NEW.rows > OLD.rows + 1
           BEGIN SELECT RAISE(ABORT, 'the audit trail''s head only counts forward'); END""",
    ],
    "postgresql": [
        *[_pg_function(name, body) for name, body in PG_GUARD_FUNCTIONS.items()],
        _pg_trigger("audit_event_append_only", "audit_event", "UPDATE OR DELETE"),
        _pg_trigger("audit_event_no_truncate", "audit_event", "TRUNCATE", "STATEMENT"),
        _pg_trigger("audit_event_ids_forward", "audit_event", "INSERT", function="audit_event_ids_forward"),
        _pg_trigger("audit_head_no_delete", "audit_head", "DELETE"),
        _pg_trigger("audit_head_no_truncate", "audit_head", "TRUNCATE", "STATEMENT"),
        _pg_trigger("audit_head_forward_only", "audit_head", "UPDATE", function="audit_head_forward_only"),
        *[_pg_definer(name, returns, body) for name, (returns, body) in PG_HEAD_FUNCTIONS.items()],
        _pg_trigger("audit_event_advance_head", "audit_event", "INSERT", function="audit_head_advance")
        .replace(" BEFORE INSERT ", " AFTER INSERT "),
    ],
}


def normalise(sql: str) -> str:
    """Compare definitions, not layout: one space, lower case, no schema prefix or IF NOT EXISTS."""
    s = " ".join(sql.split()).lower().replace("if not exists ", "").replace("public.", "")
    s = s.replace("execute procedure", "execute function")

    def events(m: re.Match) -> str:  # PostgreSQL writes the events in its own order
        return "before " + " or ".join(sorted(m.group(1).split(" or "))) + " on "

    return re.sub(r"before (.+?) on ", events, s, count=1).strip()


def expected(dialect: str) -> dict[str, str]:
    """Each guard trigger's name and its normalised definition, as the code creates it."""
    out = {}
    for statement in AUDIT_GUARDS.get(dialect, []):
        m = re.search(r"(CREATE TRIGGER (?:IF NOT EXISTS )?(\w+) .*?(?:END|\(\)))", statement, re.S)
        if m:
            out[m.group(2)] = normalise(m.group(1))
    return out


# Guards a later version added: a database made before one lacks it at its first start with that
# version, an upgrade (recorded as audit.guard_added), not a guard dropped (audit.guard_restored)
ADDED_LATER = {"audit_head_forward_only", "audit_event_ids_forward"}
GUARD_RESTORED = "audit.guard_restored"  # the audit actions a start records (fieldwork.audit, .startup)
GUARD_ADDED = "audit.guard_added"


def present(conn, dialect: str) -> set[str]:
    """The names of the guard triggers the database holds now."""
    if dialect == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    elif dialect == "postgresql":
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        return set()
    from sqlalchemy import text

    return {row[0] for row in conn.execute(text(sql))} & set(expected(dialect))
