"""Drive a page through Streamlit's AppTest as a signed-in user."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from fieldwork import db
from fieldwork.ui import session

ROOT = Path(__file__).resolve().parent.parent


def page(path: str, db_url: str, monkeypatch: pytest.MonkeyPatch, *, user: str = "inspector1",
         role: str = session.INSPECTOR, forces: tuple[str, ...] = (), timeout: float = 30) -> AppTest:
    monkeypatch.setenv(db.ENV_URL, db_url)
    at = AppTest.from_file(str(ROOT / path), default_timeout=timeout)
    if user:
        at.session_state[session.USER_KEY] = {"name": user, "role": role, "forces": list(forces)}
        at.session_state[session.SEEN_KEY] = time.time()
    return at
