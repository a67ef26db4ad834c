"""A run's database made ready: the schema prepared (``fieldwork.db``) and what a fresh database
holds seeded (the catalog's inspections and their questionnaires,
``services.inspections.seed_defaults``).

``fieldwork.db`` knows only tables, so it sits low and imports no service; the seed is data
from the criteria folder written through a service, so it is done here, above both. Every run
opens its database through ``open_engine`` (the app's pages through ``fieldwork.ui.session``,
each command, the benches): a new user's first start finds the default inspection whichever
command comes first. Seeding is idempotent and runs once per engine of the process.
"""

from __future__ import annotations

import weakref

from sqlalchemy.engine import Engine

from fieldwork import audit, audit_tables, db, start_stamp
from fieldwork.services import findings_statements
from fieldwork.services.inspections import seed_defaults

_seeded: weakref.WeakSet[Engine] = weakref.WeakSet()  # engines of this process already seeded


def seed(engine: Engine) -> None:
    """Add the catalog's inspections and questionnaire versions that are missing (one transaction)."""
    with db.session_scope(engine) as session:
        seed_defaults(session)
        _record_guards_found_missing(engine, session)
        if engine in db.prepared_engines:  # migrated and seeded by this very code: stamped
            start_stamp.record(session)
            # the findings command's statements, compiled by this very code (SQLite only)
            findings_statements.store(session, start_stamp.fingerprint())
    _seeded.add(engine)


def _record_guards_found_missing(engine: Engine, session) -> None:
    """A guard the migration found missing and made again is written into the trail, so a dropped
    guard is never healed silently: `fieldwork audit verify` reports each audit.guard_restored row."""
    found = audit_tables.take_found_missing(engine)
    if not found:
        return
    if found["restored"]:
        audit.record(session, audit.os_user(), audit.GUARD_RESTORED, guards=found["restored"])
    if found["added"]:
        audit.record(session, audit.os_user(), audit.GUARD_ADDED, guards=found["added"])


def prepare_and_seed(engine: Engine) -> None:
    """What every start does to a database: migrate the schema, then seed it."""
    db.prepare(engine)
    seed(engine)


def open_engine(url: str | None = None, *, read_only: bool = False) -> Engine:
    """The process's engine for ``url`` (``db.database_url`` picks the default), its schema
    prepared and its contents seeded on first use. ``read_only``: for a command that only
    reads, both are skipped when the database's start stamp says this code and criteria
    folder already did them (fieldwork.start_stamp); otherwise the whole start runs."""
    if read_only:
        engine = db.get_engine(url, prepared=False)
        if engine in _seeded:
            return engine
        if start_stamp.is_current(engine):
            _seeded.add(engine)
            return engine
        db.prepare(engine)
        seed(engine)
        return engine
    engine = db.get_engine(url)
    if engine not in _seeded:
        seed(engine)
    return engine
