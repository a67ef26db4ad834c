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
    "audit_head_forward_only": " BEGIN IF NEW.id <> OLD.id OR NEW.rows < OLD.rows OR NEW.rows > OLD.rows + 1 "
                               "THEN RAISE EXCEPTION 'the audit trail''s head only counts forward'; END IF; "
                               "RETURN NEW; END; ",
}


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
        _pg_trigger("audit_head_no_delete", "audit_head", "DELETE"),
        _pg_trigger("audit_head_no_truncate", "audit_head", "TRUNCATE", "STATEMENT"),
        _pg_trigger("audit_head_forward_only", "audit_head", "UPDATE", function="audit_head_forward_only"),
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
