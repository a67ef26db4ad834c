"""An administrator adds a team one account after another: each account starts from an empty
form, so one account's force limits never pass silently to the next (walk 25, V1: the next
account, meant for every force, kept the last one's forces and was limited without a word)."""

from __future__ import annotations

import pytest

from fieldwork import db
from fieldwork.services import accounts
from fieldwork.services.permissions import ADMIN, Actor
from tests.browser import live
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser
NEW_PASSWORD = "Wide-Margin-Ledger-42"


def add(page, name: str, force: str | None) -> None:
    page.locator(".st-key-users_add_name input").fill(name)
    if force:
        forces = page.locator(".st-key-users_add_forces input")
        forces.click()
        forces.fill(force)
        page.get_by_role("option", name=force).click()
        page.keyboard.press("Escape")
    page.locator(".st-key-users_add_password input").fill(NEW_PASSWORD)
    page.locator(".st-key-users_add_password2 input").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Add account").click()
    page.get_by_text(f"Added {name}.").wait_for()
    live.settle(page)


def test_each_account_added_starts_from_an_empty_form(app_url, app_db, browser_page):
    live.fieldwork(app_db, "user", "add", "admin1", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    page = browser_page
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(app_url)
    live.sign_in(page, "admin1", PASSWORD)
    page.get_by_role("heading", name="Users").wait_for()

    add(page, "inspector7", "Durham Constabulary")
    # the form is empty again: no name, no force, no password
    assert page.locator(".st-key-users_add_name input").input_value() == ""
    assert page.locator(".st-key-users_add_password input").input_value() == ""
    assert page.locator(".st-key-users_add_forces").get_by_text("Durham Constabulary").count() == 0
    add(page, "inspector8", None)  # meant for every force
    add(page, "inspector9", "Gwent Police")

    with db.session_scope(db.get_engine(app_db)) as s:
        stored = {u.name: list(u.forces) for u in accounts.list_users(s, Actor("admin1", ADMIN))
                  if u.name in ("inspector7", "inspector8", "inspector9")}
    assert stored == {"inspector7": ["durham"], "inspector8": [], "inspector9": ["gwent"]}
