"""The fingerprint of this process's code and criteria folder (``fieldwork.start_stamp``).

Plain Python, no SQLAlchemy and no table classes: the findings command compares it with the
database's stamp before reading the database through the standard library's ``sqlite3``
(``fieldwork.findings_prepared``), and that comparison must not pay the imports it saves.
"""

from __future__ import annotations

import hashlib
import importlib.util
from functools import lru_cache
from pathlib import Path

from fieldwork.catalog import criteria_dir

STAMP_ID = 1


def _models_dir() -> Path:
    # found, not imported: importing the package would import sqlmodel with it
    spec = importlib.util.find_spec("models")
    return Path(spec.origin).resolve().parent


@lru_cache(maxsize=None)
def _fingerprint(criteria: str) -> str:
    digest = hashlib.sha256()
    roots = [(Path(__file__).resolve().parent, "*.py"), (_models_dir(), "*.py"), (Path(criteria), "*")]
    for root, pattern in roots:
        for path in sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        digest.update(b"\1")  # the end of one root: a file cannot move from one to another unseen
    return digest.hexdigest()


def fingerprint() -> str:
    """The fingerprint of this process's code and criteria folder (about 5 ms, once per process)."""
    return _fingerprint(str(criteria_dir()))
