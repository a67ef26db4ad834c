"""Drive a page through Streamlit's AppTest as a signed-in user."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from fieldwork import db, startup
from fieldwork.ui import session

ROOT = Path(__file__).resolve().parent.parent


def page(path: str, db_url: str, monkeypatch: pytest.MonkeyPatch, *, user: str = "inspector1",
         role: str = session.INSPECTOR, forces: tuple[str, ...] = (), timeout: float = 30) -> AppTest:
    monkeypatch.setenv(db.ENV_URL, db_url)
    at = AppTest.from_file(str(ROOT / path), default_timeout=timeout)
    if user:
        _account(db_url, user, role, forces)
        at.session_state[session.USER_KEY] = {"name": user, "role": role, "forces": list(forces)}
        at.session_state[session.SEEN_KEY] = time.time()
    return at


def _account(db_url: str, name: str, role: str, forces: tuple[str, ...]) -> None:
    """The signed-in user has an account, as in the app: every write re-checks it
    (fieldwork.services.actor_check). A test that made the account itself keeps its own. Stored
    directly (no audit row), so that tests counting the trail see only what the page does."""
    import json

    from fieldwork.services import accounts
    from models import User

    with db.session_scope(startup.open_engine(db_url)) as s:
        if not accounts.exists(s, name):
            s.add(User(name=name, role=role, forces=json.dumps(list(forces)), password_hash="!", created_by="test"))
