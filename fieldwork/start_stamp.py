"""The start stamp: which code and criteria folder last made this database ready.

Every start migrates the schema (``db.prepare``) and seeds the catalog (``fieldwork.startup``);
on a database already made ready by the same code and the same criteria folder both find
nothing to do, and still cost a command that only reads (``fieldwork findings``, ``fieldwork
plan``) 0.08 s of CPU: a tenth of the whole ``findings`` command at 20,000 cases
(docs/findings-uncertainty.md). So after a start that migrated and seeded, the database keeps
a fingerprint of what did it: every Python source file of the ``fieldwork`` and ``models``
packages (the schema, the migration, the guards and the seeding all live there) and every file
of the criteria folder (what is seeded). A read-only command whose fingerprint equals the
stored one skips both. Any change to the code or the criteria (or a database no such start has
seen) gives another fingerprint, and the command does the whole start, then stamps.

What it cannot see: a change made to the database by hand since (an index or guard dropped).
A read-only command needs neither; the next start of any other command, or of the app, finds
and restores it as before, and records a restored guard in the trail.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from fieldwork.start_fingerprint import STAMP_ID, _fingerprint, fingerprint  # noqa: F401  (tests clear its cache)


def stored(engine: Engine) -> str | None:
    """The database's stamp, or None (a database made before stamps, or not yet made)."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT fingerprint FROM start_stamp WHERE id = :id"),
                                {"id": STAMP_ID}).scalar()
    except DBAPIError:  # no such table: an older or empty database, made ready the long way
        return None


def is_current(engine: Engine) -> bool:
    return stored(engine) == fingerprint()


def record(session) -> None:
    """Stamp the database, in the caller's transaction (the seed's): only after a start that
    migrated and seeded it with this code. Written only when it changes."""
    value = fingerprint()
    now = session.execute(text("SELECT fingerprint FROM start_stamp WHERE id = :id"), {"id": STAMP_ID}).scalar()
    if now != value:
        session.execute(text("INSERT INTO start_stamp (id, fingerprint) VALUES (:id, :f) "
                             "ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint"),
                        {"id": STAMP_ID, "f": value})
