"""A browser refresh resumes the session (fieldwork_app.py, fieldwork.ui.session) through
AppTest. AppTest cannot hold cookies (``AppTest.context`` seeds neither cookies nor headers),
so a small stand-in browser does what the real one does: it keeps what the session cookie
component tells it to (set, or clear if the cookie still holds that token), and each new
AppTest, a refresh, is a new session presenting that cookie (``session.presented_token``, the
one place the app reads it). The cookie itself is driven in Chromium in tests/browser/."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from fieldwork import audit, db
from fieldwork.services import accounts, session_tokens
from fieldwork.services.permissions import ADMIN, LEAD, Actor
from fieldwork.ui import session, session_cookie
from models import SessionToken, utcnow
from tests.accounts_helpers import PASSWORD, cheap_hashing, make_user  # noqa: F401 (fixture)
from tests.apptest import page
from tests.pages.test_sign_in_page import _router_runs_every_time, actions, cookie_component, run, sign_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("cheap_hashing")
ADMIN1 = Actor("admin1", ADMIN)


@pytest.fixture
def people(engine):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
        make_user(s, "admin1", ADMIN)


class Browser:
    """Keeps one cookie, as the component's JavaScript would; each visit is a new session."""

    def __init__(self, db_url, monkeypatch):
        self.db_url, self.monkeypatch, self.cookie = db_url, monkeypatch, None

    def visit(self) -> "Tab":
        at = page("fieldwork_app.py", self.db_url, self.monkeypatch, user="")
        return Tab(self, at, self.cookie)


class Tab:
    def __init__(self, browser, at, presented):
        self.browser, self.at, self.presented = browser, at, presented

    def run(self):
        # the cookie this session connected with, whatever the browser holds by now
        self.browser.monkeypatch.setattr(session, "presented_token", lambda: self.presented)
        run(self.at)
        assert not self.at.exception, self.at.exception
        wish = cookie_component(self.at)
        if wish and wish["action"] == "set":
            assert wish["name"] == session_cookie.NAME and wish["max_age"] <= session.idle_limit_seconds()
            self.browser.cookie = wish["token"]
        elif wish and wish["action"] == "clear" and self.browser.cookie == wish["token"]:
            self.browser.cookie = None
        return self

    def sign_in(self, name="inspector1", password=PASSWORD):
        self.run()
        self.at.text_input(key="sign_in_name").input(name)
        self.at.text_input(key="sign_in_password").input(password)
        self.at.button[0].click()
        return self.run()

    def sign_out(self):
        self.at.sidebar.button(key="fieldwork_sign_out").click()
        return self.run()

    @property
    def signed_in_as(self):
        return (self.at.session_state[session.USER_KEY] if session.USER_KEY in self.at.session_state else {}
                ).get("name")

    @property
    def on_sign_in_page(self):
        return bool(self.at.title) and self.at.title[0].value == "Sign in"


@pytest.fixture
def browser(db_url, monkeypatch, people):
    return Browser(db_url, monkeypatch)


def test_a_refresh_resumes_the_session_without_a_password_or_an_audit_row(engine, browser):
    tab = browser.visit().sign_in()
    assert tab.signed_in_as == "inspector1" and browser.cookie
    with db.session_scope(engine) as s:
        assert session_tokens.resume(s, browser.cookie, session.idle_limit()).ok  # the cookie holds a live token
    before = actions(engine)
    assert before == [("inspector1", audit.SIGN_IN)]

    again = browser.visit().run()  # F5: a new session, the same browser
    assert again.signed_in_as == "inspector1"
    assert not again.on_sign_in_page
    assert "Signed in as **inspector1** (inspector)" in again.at.sidebar.caption[0].value
    again.run()
    assert actions(engine) == before  # a resume continues the audited sign-in: no rows of its own


def test_signing_out_revokes_the_token_and_the_browser_forgets_it(engine, browser):
    tab = browser.visit().sign_in()
    token = browser.cookie
    tab.sign_out()
    assert tab.on_sign_in_page and browser.cookie is None
    with db.session_scope(engine) as s:
        assert session_tokens.resume(s, token, session.idle_limit()).refused == session_tokens.REVOKED
    assert browser.visit().run().on_sign_in_page
    assert actions(engine)[-1] == ("inspector1", audit.SIGN_OUT)


def test_a_stolen_copy_of_a_signed_out_cookie_opens_nothing(engine, browser):
    browser.visit().sign_in().sign_out()
    tab = browser.visit()
    tab.presented = "A" * 43  # a cookie of the right shape the server never issued
    tab.run()
    assert tab.on_sign_in_page and tab.signed_in_as is None


def test_a_refresh_after_the_idle_limit_asks_to_sign_in_and_says_why(engine, browser):
    browser.visit().sign_in()
    stale = browser.cookie
    # the browser kept its cookie past the idle limit (its Max-Age would have dropped it; a
    # copy would not): the server refuses it on its own clock
    with db.session_scope(engine) as s:
        s.exec(update(SessionToken).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    tab = browser.visit().run()
    assert tab.on_sign_in_page and tab.signed_in_as is None
    assert "expired after 30 minutes" in tab.at.info[0].value
    assert browser.cookie is None  # told to forget the refused token
    assert actions(engine).count(("inspector1", audit.SIGN_OUT)) == 1  # the idle sign-out, audited once
    tab = browser.visit()
    tab.presented = stale
    tab.run()  # presented again: refused, and not audited again
    assert tab.on_sign_in_page
    assert actions(engine).count(("inspector1", audit.SIGN_OUT)) == 1


def test_an_idle_session_cannot_be_brought_back_by_a_refresh(engine, browser):
    tab = browser.visit().sign_in()
    stale = browser.cookie
    tab.at.session_state[session.SEEN_KEY] = time.time() - 31 * 60
    tab.run()
    assert tab.on_sign_in_page
    again = browser.visit()
    again.presented = stale  # even if the browser had kept the cookie
    again.run()
    assert again.on_sign_in_page and again.signed_in_as is None
    assert actions(engine).count(("inspector1", audit.SIGN_OUT)) == 1


def test_a_refresh_reads_the_role_again_and_refuses_a_disabled_account(engine, browser):
    browser.visit().sign_in()
    with db.session_scope(engine) as s:
        accounts.set_role(s, ADMIN1, "inspector1", LEAD)
    tab = browser.visit().run()
    assert tab.at.session_state[session.USER_KEY]["role"] == LEAD
    with db.session_scope(engine) as s:
        accounts.set_active(s, ADMIN1, "inspector1", False)
    assert browser.visit().run().on_sign_in_page


def test_a_lockout_never_ends_a_session_signed_in_before_it(engine, browser):
    browser.visit().sign_in()
    tab = browser.visit()
    for _ in range(accounts.FREE_FAILURES):  # someone guesses at the account from another browser
        Browser(browser.db_url, browser.monkeypatch).visit().sign_in("inspector1", "wrong password here")
    with db.session_scope(engine) as s:
        assert accounts.is_locked(accounts.get_user(s, "inspector1"))  # new sign-ins are stopped ...
    tab.run()
    assert tab.signed_in_as == "inspector1"  # ... the inspector at work carries on
    assert browser.visit().run().signed_in_as == "inspector1"  # a refresh too (the session resumes)
    stranger = Browser(browser.db_url, browser.monkeypatch).visit().sign_in()  # even the right password
    assert stranger.signed_in_as is None


def test_a_password_reset_elsewhere_ends_an_open_session_at_its_next_click(engine, browser):
    tab = browser.visit().sign_in()
    with db.session_scope(engine) as s:
        accounts.set_password(s, ADMIN1, "inspector1", "another long passphrase")
    tab.run()
    assert tab.on_sign_in_page and tab.signed_in_as is None
    assert "signed out" in tab.at.info[0].value


def test_signing_out_in_one_tab_ends_the_other_tab_too(engine, browser):
    first = browser.visit().sign_in()
    second = browser.visit().run()  # a second tab resumes from the same cookie
    assert second.signed_in_as == "inspector1"
    first.sign_out()
    second.run()
    assert second.on_sign_in_page


def test_changing_ones_password_keeps_this_browser_and_ends_the_others(engine, browser, monkeypatch):
    tab = browser.visit().sign_in()
    other_laptop = Browser(browser.db_url, monkeypatch)
    other_laptop.visit().sign_in()
    old = browser.cookie
    tab.at.switch_page("pages/account.py")
    tab.run()
    tab.at.text_input(key="account_current").input(PASSWORD)
    tab.at.text_input(key="account_new").input("a fresh long passphrase")
    tab.at.text_input(key="account_again").input("a fresh long passphrase")
    tab.at.button[0].click()
    tab.run()
    assert "Password changed" in tab.at.success[0].value
    assert tab.signed_in_as == "inspector1" and browser.cookie not in (None, old)
    assert browser.visit().run().signed_in_as == "inspector1"  # this browser: a refresh still resumes
    assert other_laptop.visit().run().on_sign_in_page  # the other laptop must sign in again


def test_on_https_the_cookie_is_the_host_only_kind():
    assert session_cookie.cookie_name("https://fieldwork.example.org/assess") == session_cookie.SECURE_NAME
    assert session_cookie.cookie_name("http://localhost:8501/") == session_cookie.NAME
    assert session_cookie.cookie_name(None) == session_cookie.NAME
    assert session_cookie.SECURE_NAME == "__Host-" + session_cookie.NAME


def test_the_cookie_is_named_for_https_when_the_app_is_served_so(engine, db_url, monkeypatch, people):
    at = page("fieldwork_app.py", db_url, monkeypatch, user="")
    at.context["url"] = "https://fieldwork.example.org/"
    at.run()
    at.text_input(key="sign_in_name").input("inspector1")
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button[0].click()
    at.run()
    assert cookie_component(at)["name"] == session_cookie.SECURE_NAME
