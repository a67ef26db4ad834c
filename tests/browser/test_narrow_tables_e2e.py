"""Users and Audit in a 1,024 px window with the sidebar open (walk 25, V8): each table's columns
all within the main column (no column behind a sideways scroll: the state read "a"/"d", Audit's
Details was off-screen), and the Audit filters "Who" and "Between" show their values whole."""

from __future__ import annotations

import pytest

from fieldwork import db
from fieldwork.services import accounts
from fieldwork.services.permissions import command_line_actor
from tests.browser import live
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

FITS = """el => { const s = el.querySelector('.dvn-scroller');
    const main = el.closest('[data-testid="stMain"]') || document.body;
    return {scroll: s.scrollWidth, client: s.clientWidth, right: el.getBoundingClientRect().right,
            mainRight: main.getBoundingClientRect().right}; }"""


def _fits(page) -> None:
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.locator(".dvn-scroller").wait_for()
    fit = grid.evaluate(FITS)
    assert fit["scroll"] <= fit["client"] and fit["right"] <= fit["mainRight"], fit  # no column past the edge


def test_users_and_audit_fit_at_1024_px_with_the_sidebar_open(app_url, app_db, browser_page):
    live.fieldwork(app_db, "user", "add", "admin5", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    live.fieldwork(app_db, "user", "add", "inspector5", "--role", "inspector", "--forces", "durham,gwent",
                   "--password-stdin", stdin=PASSWORD + "\n")
    with db.session_scope(db.get_engine(app_db)) as s:
        accounts.set_active(s, command_line_actor(), "inspector5", False)
    page = browser_page
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(app_url)
    live.sign_in(page, "admin5", PASSWORD)
    page.get_by_role("heading", name="Users").wait_for()
    live.settle(page)
    assert page.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "false"  # as it opens
    _fits(page)

    page.goto(f"{app_url}/audit")
    live.settle(page)
    page.get_by_role("heading", name="Audit trail").wait_for()
    _fits(page)
    # the filters' values whole: "(everyone)" read "(everyon", the dates "2026-11-06 – 202"
    for name, field in (("Who", page.locator('input[aria-label="Who"]')),
                        ("Between", page.locator('[data-testid="stDateInput"] input').first)):
        box = field.evaluate("el => ({value: el.value, scroll: el.scrollWidth, client: el.clientWidth})")
        assert box["value"] and box["scroll"] <= box["client"], (name, box)
