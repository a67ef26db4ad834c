"""A refresh in a real browser: the session cookie resumes the sign-in on the same page;
after signing out the cookie is gone and a refresh shows the sign-in form."""

from __future__ import annotations

import re
import time

import pytest

from fieldwork.ui import session_cookie
from tests.browser import live
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

HOLDS_COOKIE = f"() => document.cookie.split('; ').some(c => c.startsWith('{session_cookie.NAME}='))"


def session_cookie_of(page) -> dict | None:
    return next((c for c in page.context.cookies() if c["name"] == session_cookie.NAME), None)


def test_a_refresh_keeps_the_inspector_signed_in_and_a_sign_out_does_not(app_url, browser_page):
    page = browser_page
    page.goto(app_url)
    live.sign_in(page, "inspector1", PASSWORD)
    page.get_by_role("heading", name="Cases").wait_for()  # an inspector lands on their cases
    page.get_by_role("link", name="Criteria").click()  # a page with an address of its own
    page.wait_for_url(re.compile(r"/criteria$"))
    page.get_by_role("heading", name="Inspection criteria").wait_for()
    page.wait_for_function(HOLDS_COOKIE)

    cookie = session_cookie_of(page)
    assert cookie["path"] == "/" and cookie["sameSite"] == "Strict"
    assert not cookie["secure"]  # served over plain http here; Secure (and __Host-) on https
    lives = cookie["expires"] - time.time()
    assert 29 * 60 < lives <= 30 * 60  # no longer than the idle limit (30 minutes by default)

    page.reload()  # F5: a new Streamlit session
    page.get_by_text("Signed in as inspector1").wait_for()
    live.settle(page)
    assert re.search(r"/criteria$", page.url)
    page.get_by_role("heading", name="Inspection criteria").wait_for()  # the same page, not the sign-in form
    assert not page.get_by_role("textbox", name="Password").count()

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("textbox", name="Name").wait_for()
    page.wait_for_function(f"() => !({HOLDS_COOKIE})()")  # the browser was told to forget it
    live.settle(page)

    page.reload()
    page.get_by_role("textbox", name="Name").wait_for()
    live.settle(page)
    assert not page.get_by_text("Signed in as").count()
