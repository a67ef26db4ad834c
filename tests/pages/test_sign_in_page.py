"""The sign-in gate (fieldwork_app.py and pages/sign_in.py) through AppTest: nobody sees a
page before signing in, a wrong password is refused, an idle session expires, signing out
and disabling an account end the session."""

from __future__ import annotations

import json
import time

import pytest
from sqlmodel import select

from fieldwork import audit, db
from fieldwork.services import accounts
from fieldwork.services.permissions import ADMIN, Actor
from fieldwork.ui import session
from models import AuditEvent
from tests.accounts_helpers import PASSWORD, cheap_hashing, make_user  # noqa: F401 (fixture)
from tests.apptest import page

pytestmark = pytest.mark.usefixtures("cheap_hashing")


def app(db_url, monkeypatch):
    return page("fieldwork_app.py", db_url, monkeypatch, user="")


@pytest.fixture(autouse=True)
def _router_runs_every_time(monkeypatch):
    """Run the app through its router on every click, as the server does.

    AppTest re-detects the pages/ folder before each run and then, asked for the page the
    last run ended on, runs that file alone (Streamlit's old pages-folder mode); the server
    stops doing that for good once st.navigation has run. (Each page checks the role
    itself, so even that mode shows nothing to the wrong user.)
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def cookie_component(at):
    """The data the app gave the session cookie component on the last run, or None."""
    def walk(node):
        proto = getattr(node, "proto", None)
        if (getattr(node, "type", None) == "bidi_component" and proto.component_name == "fieldwork_session_cookie"
                and proto.json):  # a component drawn without data has none
            yield json.loads(proto.json)
        children = getattr(node, "children", None) or {}
        for child in (children.values() if isinstance(children, dict) else children):
            yield from walk(child)
    found = list(walk(at._tree))
    return found[-1] if found else None


def run(at):
    """One click's run, and what the browser then does: the cookie component, told to set the
    cookie, reports that the browser holds it, and that report reruns the app (AppTest runs no
    JavaScript; tests/browser/ drive the real component)."""
    at.run()
    wish = cookie_component(at)
    if wish and wish["action"] == "set" and (session.HELD_KEY not in at.session_state
                                             or at.session_state[session.HELD_KEY] != wish["tag"]):
        at.session_state[session.HELD_KEY] = wish["tag"]
        at.run()
    return at


def sign_in(at, name, password):
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    at.button[0].click()
    return run(at)


def actions(engine):
    with db.session_scope(engine) as s:
        return [(e.actor, e.action) for e in s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
                if e.action != audit.USER_CHANGED]


@pytest.fixture
def inspector1(engine):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
        make_user(s, "admin1", ADMIN)


def test_a_fresh_database_says_how_to_make_the_first_admin(engine, db_url, monkeypatch):
    at = app(db_url, monkeypatch).run()
    assert not at.exception
    assert at.title[0].value == "Sign in"
    assert "fieldwork user add NAME --role admin" in at.info[0].value
    assert session.USER_KEY not in at.session_state


def test_signing_in_opens_the_pages_of_the_role(engine, db_url, monkeypatch, inspector1):
    at = app(db_url, monkeypatch).run()
    assert not at.info  # there are accounts: no first-admin advice
    at = sign_in(at, "inspector1", PASSWORD)
    assert not at.exception
    assert at.session_state[session.USER_KEY]["name"] == "inspector1"
    assert "Signed in as **inspector1** (inspector)" in at.sidebar.caption[0].value
    assert at.title[0].value != "Sign in"
    assert actions(engine) == [("inspector1", audit.SIGN_IN)]


def test_a_wrong_password_is_refused_and_shows_nothing(engine, db_url, monkeypatch, inspector1):
    at = sign_in(app(db_url, monkeypatch).run(), "inspector1", "wrong password here")
    assert not at.exception
    assert "not right" in at.error[0].value
    assert session.USER_KEY not in at.session_state
    assert at.title[0].value == "Sign in"
    assert actions(engine) == [("inspector1", audit.SIGN_IN_FAILED)]


def test_repeated_failures_lock_out_even_the_right_password(engine, db_url, monkeypatch, inspector1):
    at = app(db_url, monkeypatch).run()
    for _ in range(accounts.FREE_FAILURES):
        at = sign_in(at, "inspector1", "wrong password here")
    at = sign_in(at, "inspector1", PASSWORD)
    assert session.USER_KEY not in at.session_state
    assert "locked" in at.error[0].value


def test_an_idle_session_expires_and_asks_to_sign_in_again(engine, db_url, monkeypatch, inspector1):
    at = sign_in(app(db_url, monkeypatch).run(), "inspector1", PASSWORD)
    at.session_state[session.SEEN_KEY] = time.time() - 31 * 60
    run(at)
    assert not at.exception
    assert at.title[0].value == "Sign in"
    assert "expired after 30 minutes" in at.info[0].value
    assert session.USER_KEY not in at.session_state
    at.run()  # the expiry is audited once
    assert actions(engine)[-1] == ("inspector1", audit.SIGN_OUT)
    assert actions(engine).count(("inspector1", audit.SIGN_OUT)) == 1


def test_the_idle_limit_is_configurable(engine, db_url, monkeypatch, inspector1):
    monkeypatch.setenv("FIELDWORK_SESSION_MINUTES", "5")
    at = sign_in(app(db_url, monkeypatch).run(), "inspector1", PASSWORD)
    at.session_state[session.SEEN_KEY] = time.time() - 4 * 60
    run(at)
    assert at.session_state[session.USER_KEY]["name"] == "inspector1"
    at.session_state[session.SEEN_KEY] = time.time() - 6 * 60
    run(at)
    assert session.USER_KEY not in at.session_state


def test_a_page_run_directly_with_an_expired_session_refuses(engine, db_url, monkeypatch):
    at = page("pages/criteria.py", db_url, monkeypatch)
    at.session_state[session.SEEN_KEY] = time.time() - 24 * 3600
    run(at)
    assert not at.expander
    assert "expired" in at.warning[0].value


def test_sign_out_ends_the_session(engine, db_url, monkeypatch, inspector1):
    at = sign_in(app(db_url, monkeypatch).run(), "inspector1", PASSWORD)
    at.sidebar.button(key="fieldwork_sign_out").click()
    run(at)
    assert session.USER_KEY not in at.session_state
    assert at.title[0].value == "Sign in"
    assert actions(engine)[-1] == ("inspector1", audit.SIGN_OUT)


def test_an_account_disabled_by_an_admin_loses_its_session_at_once(engine, db_url, monkeypatch, inspector1):
    at = sign_in(app(db_url, monkeypatch).run(), "inspector1", PASSWORD)
    with db.session_scope(engine) as s:
        accounts.set_active(s, Actor("admin1", ADMIN), "inspector1", False)
    run(at)
    assert session.USER_KEY not in at.session_state
    assert at.title[0].value == "Sign in"


def test_a_changed_role_applies_on_the_next_click(engine, db_url, monkeypatch, inspector1):
    at = sign_in(app(db_url, monkeypatch).run(), "inspector1", PASSWORD)
    with db.session_scope(engine) as s:
        accounts.set_role(s, Actor("admin1", ADMIN), "inspector1", "lead")
    run(at)
    assert at.session_state[session.USER_KEY]["role"] == "lead"


def _press_sign_in(at):
    at.text_input(key="sign_in_name").input("inspector1")
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button[0].click()
    return at.run()  # no report from the browser yet


def test_the_sign_in_finishes_only_once_the_browser_holds_the_cookie(engine, db_url, monkeypatch, inspector1):
    """Issue 17, fault b: until the browser says it holds the cookie, nothing shows the person
    signed in, so an address they open at once cannot land on Sign in again."""
    at = _press_sign_in(app(db_url, monkeypatch).run())
    captions = [c.value for c in at.sidebar.caption]
    assert "Signing in…" in captions and not any("Signed in as" in c for c in captions)
    assert not at.title  # no page yet
    wish = cookie_component(at)
    at.session_state[session.HELD_KEY] = "0" * 16  # a report for another token changes nothing
    at.run()
    assert "Signing in…" in [c.value for c in at.sidebar.caption]
    at.session_state[session.HELD_KEY] = wish["tag"]
    at.run()
    assert "Signed in as **inspector1** (inspector)" in at.sidebar.caption[0].value
    assert not at.sidebar.warning


def test_a_browser_that_refuses_the_cookie_is_signed_in_and_told(engine, db_url, monkeypatch, inspector1):
    at = _press_sign_in(app(db_url, monkeypatch).run())
    at.session_state[session.HELD_KEY] = "refused:" + cookie_component(at)["tag"]
    at.run()
    assert "Signed in as **inspector1** (inspector)" in at.sidebar.caption[0].value
    assert "did not keep the sign-in cookie" in at.sidebar.warning[0].value
