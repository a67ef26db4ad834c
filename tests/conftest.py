"""Shared fixtures: a fresh database per test, on SQLite or on the throwaway PostgreSQL
server that scripts/with-postgres starts (FIELDWORK_TEST_PG_URL).

A test that asks for ``engine`` (or ``session``) gets a copy of one database prepared once per
test run (schema, audit guards, the default inspection): copying a file, or PostgreSQL's
``CREATE DATABASE … TEMPLATE``, costs a few milliseconds where preparing costs 0.1–0.5 s. A test
that asks only for ``db_url`` still gets an empty database, as a new user's first start does."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from fieldwork import db

PG_URL = os.environ.get("FIELDWORK_TEST_PG_URL")
BACKEND = "postgresql" if PG_URL else "sqlite"


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path, monkeypatch):
    """No test touches the user's own database or data directory."""
    monkeypatch.setenv(db.ENV_DATA_DIR, str(tmp_path / "data"))
    monkeypatch.delenv(db.ENV_URL, raising=False)
    yield
    db.dispose_all()


def _fresh_pg_database(template: str | None = None) -> str:
    name = f"fw_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def _drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def new_database_url(tmp_path, name: str = "fieldwork", *, prepared: bool = False) -> str:
    """A URL for a database of the backend under test: empty, or (``prepared``) a copy of the
    run's prepared template, as ``db.prepare`` would leave a new database."""
    if PG_URL:
        return _fresh_pg_database(_prepared_template() if prepared else None)
    path = tmp_path / (name + ".db")
    if prepared:
        shutil.copyfile(_prepared_template(), path)
    return f"sqlite:///{path}"


_template: list = []  # the prepared template of this test run: a file path or a database name


def _prepared_template():
    if not _template:
        if PG_URL:
            url = _fresh_pg_database()
            name = url.rsplit("/", 1)[1]
        else:
            directory = Path(tempfile.mkdtemp(prefix="fieldwork-template-"))
            url = f"sqlite:///{directory / 'template.db'}"
            name = str(directory / "template.db")
        engine = db.make_engine(url)
        db.prepare(engine)
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:  # everything into the main file: the copy is whole
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        _template.append(name)
    return _template[0]


def pytest_sessionfinish(session, exitstatus):
    if _template and PG_URL:
        _drop_pg_database(PG_URL.rsplit("/", 1)[0] + "/" + _template[0])
    elif _template:
        shutil.rmtree(Path(_template[0]).parent, ignore_errors=True)


@pytest.fixture
def db_url(tmp_path, request):
    # Prepared ahead when the test will open it through ``engine`` anyway.
    url = new_database_url(tmp_path, prepared="engine" in request.fixturenames)
    yield url
    db.dispose_all()
    if PG_URL:
        _drop_pg_database(url)


@pytest.fixture
def engine(db_url):
    """A prepared database: schema, the default inspection and its questionnaires."""
    return db.get_engine(db_url)


@pytest.fixture
def session(engine):
    with db.session_scope(engine) as s:
        yield s
