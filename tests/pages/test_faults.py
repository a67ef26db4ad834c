"""No traceback reaches a person: a clash with another write (IntegrityError) or a database that
stays locked, injected into every page, shows no traceback. The served app runs each page
inside the router, which shows the refusal in words; AppTest's switch_page runs the page file
alone, where Streamlit's own notice (details off, .streamlit/config.toml) is what is shown."""

from __future__ import annotations

import re
import time

import pytest
from streamlit.testing.v1 import AppTest

from fieldwork import db, startup
from fieldwork.ui import navigation, session
from tests.apptest import ROOT, _account

FAULTS = {
    "clash": lambda dbapi: dbapi.IntegrityError("UNIQUE constraint failed: case_file.case_ref"),
    "locked": lambda dbapi: dbapi.OperationalError("database is locked"),
}
# The router's own reads (who is signed in, which inspection) stay whole: the fault is the page's.
_ROUTER = re.compile(r"\bFROM (app_user|session_token|inspection)\b(?!.*\bJOIN\b)", re.S)
# My account reads nothing from the database until a password is changed, and the case view
# nothing without an assessment in its address: nothing to inject into
QUIET = {"pages/account.py", "pages/case_view.py"}
CASES = [(spec.path, role, fault) for spec in navigation.PAGES for role in spec.roles[:1] for fault in FAULTS
         if spec.path not in QUIET]


@pytest.mark.parametrize("path,role,fault", CASES)
def test_a_fault_in_any_page_is_a_message(db_url, monkeypatch, path, role, fault):
    engine = startup.open_engine(db_url)
    name = f"{role}1"
    _account(db_url, name, role, ())
    monkeypatch.setenv(db.ENV_URL, db_url)
    at = AppTest.from_file(str(ROOT / "fieldwork_app.py"), default_timeout=30)
    at.session_state[session.USER_KEY] = {"name": name, "role": role, "forces": []}
    at.session_state[session.SEEN_KEY] = time.time()
    at.run()
    assert not at.exception

    dialect, real = engine.dialect, engine.dialect.do_execute
    injected = []

    def failing(cursor, statement, parameters, context=None):  # every statement the page makes
        injected.append(statement)
        raise FAULTS[fault](dialect.loaded_dbapi)

    monkeypatch.setattr(dialect, "do_execute", failing)
    at.switch_page(path).run()
    monkeypatch.setattr(dialect, "do_execute", real)
    assert injected, "the page read nothing: the fault was not injected"
    for shown in at.exception:  # no traceback, no error text (it may quote SQL and values)
        assert not shown.stack_trace and "redacted" in shown.message and "case_file" not in shown.message
    worded = " ".join(e.value for e in at.error)
    assert at.exception or "Not saved" in worded or "not saved" in worded or "busy" in worded, worded


@pytest.mark.parametrize("fault", FAULTS)
def test_the_router_shows_a_fault_in_words(db_url, monkeypatch, fault):
    """Through the router (as served), the page's refusal is a message in words."""
    engine = startup.open_engine(db_url)
    _account(db_url, "lead1", session.LEAD, ())
    monkeypatch.setenv(db.ENV_URL, db_url)
    at = AppTest.from_file(str(ROOT / "fieldwork_app.py"), default_timeout=30)
    at.session_state[session.USER_KEY] = {"name": "lead1", "role": session.LEAD, "forces": []}
    at.session_state[session.SEEN_KEY] = time.time()
    dialect, real = engine.dialect, engine.dialect.do_execute

    def failing(cursor, statement, parameters, context=None):
        if not _ROUTER.search(statement):
            raise FAULTS[fault](dialect.loaded_dbapi)
        return real(cursor, statement, parameters, context)

    monkeypatch.setattr(dialect, "do_execute", failing)
    at.run()  # the default page (Criteria) reads questionnaires: the fault
    monkeypatch.setattr(dialect, "do_execute", real)
    assert not at.exception, [e.stack_trace for e in at.exception]
    worded = " ".join(e.value for e in at.error)
    assert "not saved" in worded.lower() or "busy" in worded, worded
