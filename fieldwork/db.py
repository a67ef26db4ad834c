"""Engines, sessions and the schema.

SQLite is the default (one file per laptop, WAL mode, foreign keys on); any SQLAlchemy URL
works through ``--db`` or ``FIELDWORK_DATABASE_URL`` (PostgreSQL for a shared server).
``prepare`` creates or migrates the schema on start without data loss: missing tables are
created, missing columns added (every column added after the first release is nullable or
has a default), nothing is ever dropped. What a fresh database holds (the catalog's
inspections) is seeded above the services, by ``fieldwork.startup``: this floor knows only the
tables.
"""

from __future__ import annotations

import warnings
import weakref
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import event, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SAWarning
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, create_engine

import models  # the core tables; prepare() registers every other one (models.load_all)
from fieldwork.problem_codes import CASE_REFS_CLASH, DATABASE_BUSY, DATABASE_REFUSED, WRITE_CLASH
from fieldwork.problems import Problem, ProblemError
from fieldwork.db_location import ENV_DATA_DIR, ENV_URL, database_url, default_data_dir  # noqa: F401  (their home)

# How long a save waits for another writer before it is refused with a message (and a retry):
# longer than the largest import holds the write lock (100,000 rows, the limit: about 70 s of
# writing on the shared test machine, README's benchmarks), so a save during one waits and goes through.
BUSY_SECONDS = 120


def describe(url: str) -> str:
    """The URL without its password, for messages and the cover sheet."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the inspector's saves
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; a lid closed mid-save loses nothing committed
    # a save waits this long for a writer (a 100,000-row import) before it is refused with a message
    cur.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
    cur.close()


_engines: dict[str, Engine] = {}


def make_engine(url: str) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_SECONDS})
        event.listen(engine, "connect", _sqlite_pragmas)
    elif u.get_backend_name() == "postgresql" and u.get_driver_name() in ("psycopg", "psycopg2"):
        # The app shows and filters times as UTC: a session in UTC makes the database's own
        # date arithmetic (a day's boundary, ::date) agree with it whatever the server's zone.
        engine = create_engine(url, pool_pre_ping=True, connect_args={"options": f"-c timezone=UTC -c lock_timeout={BUSY_SECONDS * 1000}"})
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


prepared_engines: weakref.WeakSet[Engine] = weakref.WeakSet()  # engines this process migrated


def get_engine(url: str | None = None, *, prepared: bool = True) -> Engine:
    """One engine per URL for the process, schema prepared on first use."""
    url = database_url(url)
    engine = _engines.get(url)
    if engine is None:
        engine = make_engine(url)
        if prepared:
            prepare(engine)
        _engines[url] = engine
    return engine


def dispose_all() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


# SQLite's words for a lock held too long; PostgreSQL's SQLSTATEs for lock timeout, serialization
# failure and deadlock
_BUSY_WORDS = ("database is locked", "database table is locked", "database is busy")
_BUSY_STATES = {"55P03", "40001", "40P01"}


_PERMISSION_DENIED = "42501"


def _state(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)


def _is_busy(exc: DBAPIError) -> bool:
    state = _state(exc)
    return state in _BUSY_STATES or any(w in str(exc.orig).lower() for w in _BUSY_WORDS)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One session per action: commit at the end, roll back on any error. A clash with another
    write (a unique rule, a rule the database keeps) or a lock held too long becomes a
    ProblemError a person can read; nothing is written either way. The original error is kept
    as ``__cause__`` for the log."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            raise ProblemError([Problem(WRITE_CLASH, "Not saved: the change clashes with one saved at the same moment, "
                                        "or with a rule the database keeps. Nothing was saved: reload the page and "
                                        "try again.")], "not saved") from exc
        except (OperationalError, DBAPIError) as exc:
            session.rollback()
            if _state(exc) == _PERMISSION_DENIED:  # e.g. a rule or grant changed under the app's role
                raise ProblemError([Problem(DATABASE_REFUSED, "Not saved: the database refused this change to the "
                                            "app's account (permission denied). Nothing was saved: tell whoever runs "
                                            "the database (fieldwork audit verify says which role the app runs as).")],
                                   "not saved") from exc
            if not _is_busy(exc):
                raise
            raise ProblemError([Problem(DATABASE_BUSY, "Not saved: the database is busy (a large import or merge may "
                                        f"be running) and stayed busy for {BUSY_SECONDS} seconds. Nothing was saved: "
                                        "try again in a minute.")], "database busy") from exc
        except BaseException:
            session.rollback()
            raise


# --- schema ---------------------------------------------------------------------------


def _add_missing_columns(engine: Engine) -> list[str]:
    added = []
    insp = inspect(engine)
    existing_tables = set(insp.get_table_names())
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in existing_tables:
                continue
            have = {c["name"] for c in insp.get_columns(table.name)}
            for column in table.columns:
                if column.name in have:
                    continue
                ddl_type = column.type.compile(dialect=engine.dialect)
                default = ""
                if column.default is not None and getattr(column.default, "is_scalar", False):
                    value = column.default.arg
                    if isinstance(value, bool):
                        value = int(value) if engine.dialect.name == "sqlite" else str(value).upper()
                    default = f" DEFAULT {value!r}" if isinstance(value, str) else f" DEFAULT {value}"
                conn.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {ddl_type}{default}'))
                added.append(f"{table.name}.{column.name}")
    return added


def _add_missing_indexes(engine: Engine) -> list[str]:
    """Indexes a model gained after its table was created (create_all makes them only with a
    new table), e.g. the findings' covering indexes on ``answer``."""
    added = []
    insp = inspect(engine)
    existing_tables = set(insp.get_table_names())
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in existing_tables:
            continue
        with warnings.catch_warnings():  # expression indexes are not reflected; FOLDED_INDEXES makes them
            warnings.simplefilter("ignore", SAWarning)
            have = {i["name"] for i in insp.get_indexes(table.name)}
        for index in table.indexes:
            if index.name and index.name not in have:
                index.create(engine, checkfirst=True)  # another process may be migrating too
                added.append(index.name)
    return added


# Expression indexes (SQLAlchemy does not reflect them, so they are made here, IF NOT EXISTS).
# SQLite and PostgreSQL both take this form.
FOLDED_INDEX_NAME = "ux_case_file_ref_folded"
FOLDED_INDEXES = [
    f"CREATE UNIQUE INDEX IF NOT EXISTS {FOLDED_INDEX_NAME} ON case_file (inspection_id, questionnaire, "
    "lower(case_ref))",
]


ANSWER_UNIQUE = ["assessment_id", "question", "instance"]  # one answer per question and entry of a repeat


def _answer_unique_per_entry(engine: Engine) -> bool:
    """Databases made before repeat groups keep one answer per (assessment, question); the rule
    becomes one per (assessment, question, instance), so each entry of a repeat holds its own."""
    return _unique_per_entry(engine, "answer", "assessment_id", "assessment")


def _decision_unique_per_entry(engine: Engine) -> bool:
    """Likewise one moderation decision per (marking, question, instance): each entry's
    disagreement is decided on its own (docs/repeats.md, Second marking)."""
    return _unique_per_entry(engine, "moderation_decision", "marking_id", "second_marking")


def _unique_per_entry(engine: Engine, name: str, owner: str, owner_table: str) -> bool:
    """Swap a table's unique (owner, question) for (owner, question, instance). PostgreSQL
    swaps the constraint; SQLite cannot alter one, so the table is rebuilt (copy, drop, rename,
    indexes made again) — in one transaction either way: all or nothing."""
    insp = inspect(engine)
    if name not in insp.get_table_names():
        return False
    old = [u for u in insp.get_unique_constraints(name) if sorted(u["column_names"]) == sorted([owner, "question"])]
    if not old:
        return False
    from sqlalchemy.schema import CreateTable

    table = SQLModel.metadata.tables[name]
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            columns = ", ".join(f'"{c.name}"' for c in table.columns)
            scratch = type(SQLModel.metadata)()
            SQLModel.metadata.tables[owner_table].to_metadata(scratch)  # what its foreign key names
            rebuilt = table.to_metadata(scratch, name=f"{name}_rebuilt")
            conn.execute(CreateTable(rebuilt))
            conn.execute(text(f'INSERT INTO {name}_rebuilt ({columns}) SELECT {columns} FROM {name}'))
            conn.execute(text(f"DROP TABLE {name}"))
            conn.execute(text(f"ALTER TABLE {name}_rebuilt RENAME TO {name}"))
            for index in table.indexes:
                index.create(conn)
        else:
            for u in old:
                conn.execute(text(f'ALTER TABLE {name} DROP CONSTRAINT "{u["name"]}"'))
            conn.execute(text(f"ALTER TABLE {name} ADD CONSTRAINT {name}_{owner}_question_instance_key "
                              f"UNIQUE ({owner}, question, instance)"))
    return True


def prepare(engine: Engine) -> None:
    """Create or migrate the schema and guard the audit trail (no rows of data: seeding the
    default inspection is ``fieldwork.startup``'s).

    On PostgreSQL a role that does not own the audit table (the app's role, fieldwork.db_roles)
    runs no DDL: it checks the schema is current and is refused with the command if not."""
    from fieldwork import db_roles

    models.load_all()  # every table on the metadata before create_all, the reflection and the check
    if db_roles.may_migrate(engine):
        _migrate(engine)
        # fieldwork.startup stamps it once seeded (fieldwork.start_stamp); the app's role, which
        # only checked the schema, leaves the stamp to the owner
        prepared_engines.add(engine)
    else:
        db_roles.refuse_outdated(engine)


def _migrate(engine: Engine) -> None:
    from fieldwork import audit_tables

    audit_tables.refuse_missing_trail(engine)  # never a fresh, empty trail over one renamed or dropped
    guarded_before = audit_tables.guards_before(engine)
    SQLModel.metadata.create_all(engine)
    _add_missing_columns(engine)
    _answer_unique_per_entry(engine)
    _decision_unique_per_entry(engine)
    _add_missing_indexes(engine)
    with engine.begin() as conn:
        # the audit chain's head exists before the first audit write, so writers never race to make it
        conn.execute(text("INSERT INTO audit_head (id, rows, last_hash) SELECT 1, 0, '' "
                          "WHERE NOT EXISTS (SELECT 1 FROM audit_head)"))
    with engine.begin() as conn:
        from fieldwork.audit_guard_sql import AUDIT_GUARDS

        for statement in AUDIT_GUARDS.get(engine.dialect.name, []):
            conn.execute(text(statement))
        audit_tables.record_guards_made(conn, engine.dialect.name)  # which guards it was made with
    # a guard found missing is made again, never silently: fieldwork.startup records it in the trail
    audit_tables.note_missing_guards(engine, guarded_before)
    _refuse_case_ref_clashes(engine)  # RC-1 beside rc-1: a message naming them, never the index's IntegrityError
    with engine.begin() as conn:
        for statement in FOLDED_INDEXES:
            conn.execute(text(statement))


def _refuse_case_ref_clashes(engine: Engine) -> None:
    """Before the folded index is made: refuse, naming every reference that differs from
    another of its questionnaire only in letter case, and how to rename one (``fieldwork case
    rename``, fieldwork.services.case_rename).

    Once the folded index exists no two references can clash (it is unique), so the scan of
    every case, a GROUP BY that took 0.1 s of each start at 100,000 cases, is skipped."""
    with engine.connect() as conn:
        names = {r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'index')" if engine.dialect.name == "sqlite"
            else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() UNION ALL "
                 "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"))}
        if "case_file" not in names or FOLDED_INDEX_NAME in names:
            return
        groups = conn.execute(text(
            "SELECT questionnaire, lower(case_ref) FROM case_file GROUP BY inspection_id, questionnaire, "
            "lower(case_ref) HAVING count(*) > 1 ORDER BY questionnaire, lower(case_ref)")).all()
        if not groups:
            return
        problems = []
        for questionnaire, folded in groups:
            refs = conn.execute(text("SELECT case_ref FROM case_file WHERE questionnaire = :q AND lower(case_ref) = :f "
                                     "ORDER BY case_ref"), {"q": questionnaire, "f": folded}).scalars().all()
            problems.append(Problem(
                CASE_REFS_CLASH,
                f"{questionnaire}: the references {' and '.join(refs)} differ only in letter case, and a reference "
                f"is now one case whatever its letter case. Give one a new reference, e.g. "
                f"`fieldwork case rename {refs[-1]} NEW-REF --questionnaire {questionnaire}`, then start again.",
                field="case_ref", item=refs[-1]))
    raise ProblemError(problems, "the database was not migrated: case references clash")
