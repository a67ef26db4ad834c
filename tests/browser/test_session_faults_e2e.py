"""Faults of the signed-in session found in issue 17's last session, in a real browser:

(a) after an account is disabled and enabled again, signing in from the page that said
    "your account has been disabled" lands signed in at once (no reload needed);
(b) an address opened at once after signing in is not sent back to Sign in: the sign-in
    finishes only when the browser holds the session cookie;
(c) a note typed while the account was disabled is not saved at the next sign-in: the browser's
    copy is dropped when the server refuses, and the message says so;
(d) the cookie never outlives the session's absolute limit (its Max-Age, read in the browser).
"""

from __future__ import annotations

import re
import time

import pytest

from fieldwork.services import session_tokens
from tests.browser import live
from tests.browser.conftest import PASSWORD
from tests.browser.test_assess_e2e import widget
from tests.browser.test_notes_e2e import QUESTION, new_case, open_case, stored_note

pytestmark = pytest.mark.browser


def _sign_in_no_wait(page, name: str = "inspector1") -> None:
    """Sign in as a person would: press the button, nothing else awaited."""
    live.settle(page)
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_note_typed_while_disabled_is_dropped_and_signing_in_again_works(app_url, app_db, browser_page):
    case_id, uid = new_case(app_db, "HS-0301")
    page = browser_page
    page.goto(app_url)
    live.sign_in(page, "inspector1", PASSWORD)
    open_case(page, app_url, case_id, uid)

    live.fieldwork(app_db, "user", "disable", "inspector1")
    box = widget(page, uid, "n", QUESTION).locator("textarea")
    box.click()
    box.press_sequentially("MG3 p.2: typed after the account was disabled", delay=10)
    # the pause sends it; the server refuses; the sign-in says why and what happened to the note
    page.get_by_text("your account has been disabled").wait_for()
    page.get_by_text("discarded from this browser").wait_for()
    live.settle(page)
    page.wait_for_function(f"() => !Object.keys(localStorage).some(k => k.includes({uid!r}))")
    assert stored_note(app_db, uid) is None

    live.fieldwork(app_db, "user", "enable", "inspector1")
    _sign_in_no_wait(page)
    page.get_by_text("Signed in as").wait_for()  # (a): no reload needed
    page.wait_for_function("() => document.cookie.includes('fieldwork_session=')")  # and the cookie is set
    live.settle(page)
    assert "fieldwork_session=" in page.evaluate("() => document.cookie")  # and stays set
    assert not page.get_by_role("button", name="Sign in").count()  # still signed in once the page settled
    page.goto(f"{app_url}/assess?case={case_id}")
    page.get_by_text("Signed in as").wait_for()  # the refusal the form kept does not end the new session
    live.settle(page)
    page.get_by_text(re.compile(r"Saved as you go · version \d+")).wait_for()
    live.settle(page)
    assert stored_note(app_db, uid) is None  # (c): never saved later


def test_an_address_opened_at_once_after_signing_in_stays_signed_in(app_url, app_db, browser_page):
    page = browser_page
    page.goto(app_url)
    _sign_in_no_wait(page)
    page.get_by_text("Signed in as").wait_for()
    assert "fieldwork_session=" in page.evaluate("() => document.cookie")  # held before it says so
    page.goto(f"{app_url}/cases")  # (b): at once, no wait for anything else
    page.get_by_text("Signed in as").wait_for()
    assert not page.get_by_role("button", name="Sign in").count()


def test_the_cookie_does_not_outlive_the_sessions_absolute_limit(app_url, app_db, browser_page):
    page = browser_page
    cookies = []
    page.context.on("request", lambda r: None)
    page.goto(app_url)
    live.sign_in(page, "inspector1", PASSWORD)
    cookies = [c for c in page.context.cookies() if c["name"] == "fieldwork_session"]
    assert len(cookies) == 1
    left = cookies[0]["expires"] - time.time()
    assert 0 < left <= session_tokens.LIFETIME.total_seconds()
    assert left <= session_tokens.idle_limit().total_seconds() + 5
    assert cookies[0]["sameSite"] == "Strict"
