"""Shared fixtures: a fresh database per test, on SQLite or on the throwaway PostgreSQL
server that scripts/with-postgres starts (FIELDWORK_TEST_PG_URL).

A test that asks for ``engine`` (or ``session``) gets a copy of one database prepared once per
test run (schema, audit guards, the default inspection): copying a file, or PostgreSQL's
``CREATE DATABASE … TEMPLATE``, costs a few milliseconds where preparing costs 0.1–0.5 s. A test
that asks only for ``db_url`` still gets an empty database, as a new user's first start does.
A test that asks for ``demo_engine`` gets a copy of a second template that also holds the
demonstration data (loaded once per test run, by the actor ``test``), for tests that start
from it: loading it costs about 0.3 s each time. A test module whose tests start from the same
scored cases builds them once per run with ``filled_template`` and points ``database_template``
at it (tests/test_second_marking.py shows how): scoring a dozen cases through the services
costs about 1 s of CPU each time.

Under pytest-xdist each worker is its own process and so prepares its own templates (a
temporary directory of its own, a database named by a fresh uuid)."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from fieldwork import db, startup

PG_URL = os.environ.get("FIELDWORK_TEST_PG_URL")
BACKEND = "postgresql" if PG_URL else "sqlite"


def _scan_installed_components_once() -> None:
    """Every new ``AppTest`` scans the metadata of every installed package for Streamlit
    components (streamlit 1.67: ``BidiComponentManager.discover_and_register_components``),
    about 0.1 s of CPU each time, more than most page runs cost. The installed packages do not
    change during a test run, so the scan's result is kept for the process; each AppTest
    still gets a registry of its own, filled from it. (Private to Streamlit: if it moves, the
    tests just scan every time again.)"""
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:
        return
    scan = getattr(manifest_scanner, "scan_component_manifests", None)
    if scan is None or getattr(scan, "_kept_for_the_run", False):
        return
    kept: list = []

    def scan_once(*args, **kwargs):
        if not kept:
            kept.append(scan(*args, **kwargs))
        return list(kept[0])

    scan_once._kept_for_the_run = True
    manifest_scanner.scan_component_manifests = scan_once


_scan_installed_components_once()


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path, monkeypatch):
    """No test touches the user's own database or data directory."""
    monkeypatch.setenv(db.ENV_DATA_DIR, str(tmp_path / "data"))
    monkeypatch.delenv(db.ENV_URL, raising=False)
    yield
    db.dispose_all()


_admin_engines: list = []  # this process's engine on the server's own database, made on first use


def _admin():
    """One engine per process (per xdist worker) for creating and dropping the tests'
    databases, its connection kept open between tests: a new engine and connection for each
    CREATE and each DROP cost the server a new backend twice a test (stop 25: docs/testing.md).
    The pre-ping replaces a connection the server has closed."""
    if not _admin_engines:
        _admin_engines.append(create_engine(PG_URL, isolation_level="AUTOCOMMIT", pool_size=1,
                                            pool_pre_ping=True))
    return _admin_engines[0]


def _fresh_pg_database(template: str | None = None) -> str:
    name = f"fw_{uuid.uuid4().hex[:12]}"
    with _admin().connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def _drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with _admin().connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def new_database_url(tmp_path, name: str = "fieldwork", *, prepared: bool = False, demo: bool = False,
                     template: str | None = None) -> str:
    """A URL for a database of the backend under test: empty, or (``prepared``) a copy of the
    run's prepared template, as ``db.prepare`` would leave a new database, or (``demo``) a copy
    of that with the demonstration data loaded, or a copy of ``template`` (``filled_template``)."""
    template = template or (_demo_template() if demo else _prepared_template() if prepared else None)
    if PG_URL:
        return _fresh_pg_database(template)
    path = tmp_path / (name + ".db")
    if template:
        shutil.copyfile(template, path)
    return f"sqlite:///{path}"


_templates: dict[str, str] = {}  # this test run's templates: a file path or a database name each
_filled_with: dict[str, object] = {}  # what each template's fill returned (uids, answers, ...)


def _template(kind: str, fill) -> str:
    """The template ``kind``, made on first use: a database ``fill(engine)`` has filled."""
    if kind not in _templates:
        if PG_URL:
            url = _fresh_pg_database()
            name = url.rsplit("/", 1)[1]
        else:
            directory = Path(tempfile.mkdtemp(prefix=f"fieldwork-{kind}-"))
            url = f"sqlite:///{directory / 'template.db'}"
            name = str(directory / "template.db")
        engine = db.make_engine(url)
        _filled_with[kind] = fill(engine)
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:  # everything into the main file: the copy is whole
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()  # PostgreSQL copies a template only while no one is connected to it
        _templates[kind] = name
    return _templates[kind]


def filled_template(kind: str, fill):
    """A template named ``kind``: the prepared database, then ``fill(engine)`` (scoring cases
    through the services, making accounts, ...), built once per test run (per xdist worker) and
    copied for each test that starts from it. Returns (the template, what ``fill`` returned),
    so a test still knows the uids or answers the fill made. ``fill`` must build the same data
    whenever it runs (fixed seeds), and a test that is about the building itself builds it
    in the test instead. ``fill`` works through the engine it is given only (services never
    open one of their own): the template is built in the middle of some test's setup, so it
    leaves that test's engines alone."""

    def prepare_then_fill(engine):
        startup.prepare_and_seed(engine)
        return fill(engine)

    return _template(kind, prepare_then_fill), _filled_with[kind]


def _prepared_template() -> str:
    return _template("prepared", startup.prepare_and_seed)


def _demo_template() -> str:
    def fill(engine) -> None:
        from fieldwork.services import demo

        startup.prepare_and_seed(engine)
        with db.session_scope(engine) as s:
            demo.load(s, actor="test")

    return _template("demo", fill)


def pytest_sessionfinish(session, exitstatus):
    for name in _templates.values():
        if PG_URL:
            _drop_pg_database(PG_URL.rsplit("/", 1)[0] + "/" + name)
        else:
            shutil.rmtree(Path(name).parent, ignore_errors=True)
    _templates.clear()
    for admin in _admin_engines:
        admin.dispose()
    _admin_engines.clear()


@pytest.fixture
def database_template(request) -> str | None:
    """The template ``db_url`` copies: the demonstration data's for a test that asks for
    ``demo_engine``, the prepared one for a test that asks for ``engine`` (it would prepare
    the database anyway), none (an empty database) otherwise. A test module overrides this to
    start some of its tests from a ``filled_template``."""
    names = request.fixturenames
    return _demo_template() if "demo_engine" in names else _prepared_template() if "engine" in names else None


@pytest.fixture
def db_url(tmp_path, database_template):
    url = new_database_url(tmp_path, template=database_template)
    yield url
    db.dispose_all()
    if PG_URL:
        _drop_pg_database(url)


def _started(url: str):
    """The engine of a copy of a template, as a process that has already started on it holds it.
    The copy is prepared and seeded already: preparing it again found nothing to do for about
    40 ms of CPU, and seeding it again (the first ``startup.open_engine`` of each test: a page,
    a command, an account) about 6 ms. The read-only open checks the template's start stamp
    (one SELECT, about 1.5 ms: fieldwork.start_stamp) and, since this code made it, marks the
    engine started; a stamp that does not match does the whole start instead. The engine is
    kept for the process, as the app's is."""
    return startup.open_engine(url, read_only=True)


@pytest.fixture
def engine(db_url):
    """A prepared database: schema, the default inspection and its questionnaires."""
    return _started(db_url)


@pytest.fixture
def demo_engine(db_url):
    """A prepared database holding the demonstration data (112 case_review and 270 pin_review
    cases, loaded by the actor ``test``); ``engine`` and ``db_url`` in the same test are it too."""
    return _started(db_url)  # a copy of the prepared demo template


@pytest.fixture
def session(engine):
    with db.session_scope(engine) as s:
        yield s
