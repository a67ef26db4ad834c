"""Shared fixtures: a fresh database per test, on SQLite or on the throwaway PostgreSQL
server that scripts/with-postgres starts (FIELDWORK_TEST_PG_URL)."""

from __future__ import annotations

import os
import uuid

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


def _fresh_pg_database() -> str:
    name = f"fw_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def _drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def new_database_url(tmp_path, name: str = "fieldwork") -> str:
    """A URL for an empty database of the backend under test."""
    if PG_URL:
        return _fresh_pg_database()
    return f"sqlite:///{tmp_path / (name + '.db')}"


@pytest.fixture
def db_url(tmp_path):
    url = new_database_url(tmp_path)
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
