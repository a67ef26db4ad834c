"""Where the database is: ``--db``, else ``$FIELDWORK_DATABASE_URL``, else the embedded SQLite file.

Plain Python, no SQLAlchemy: the findings command reads a SQLite file through the standard
library's ``sqlite3`` when it can (``fieldwork.findings_prepared``) and must find the same file
``fieldwork.db`` opens, without paying SQLAlchemy's import to learn where it is.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_URL = "FIELDWORK_DATABASE_URL"
ENV_DATA_DIR = "FIELDWORK_DATA_DIR"


def default_data_dir() -> Path:
    base = os.environ.get(ENV_DATA_DIR)
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "fieldwork"


def database_url(explicit: str | None = None) -> str:
    """``--db`` beats the environment, which beats the embedded default."""
    url = explicit or os.environ.get(ENV_URL)
    if url:
        return url
    directory = default_data_dir()
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / 'fieldwork.db'}"


def sqlite_file(url: str) -> str | None:
    """The file of a plain ``sqlite:///PATH`` URL (``sqlite:////abs`` is ``/abs``), else None:
    another database, an in-memory one, or a URL with options, which only SQLAlchemy reads."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url:
        return None
    path = url[len(prefix):]
    return path if path and path != ":memory:" else None
