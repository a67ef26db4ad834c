"""Where each role lands after signing in: an inspector on Cases (the latest draft one click
away), a lead on Findings, an admin on Users."""

from __future__ import annotations

import pytest

from fieldwork import db
from fieldwork.services.permissions import ADMIN, INSPECTOR, LEAD
from tests.accounts_helpers import PASSWORD, cheap_hashing, make_user  # noqa: F401 (fixture)
from tests.apptest import page
from tests.pages.test_sign_in_page import _router_runs_every_time, run  # noqa: F401 (fixture: the router on every run)

pytestmark = pytest.mark.usefixtures("cheap_hashing")


@pytest.mark.parametrize("role, title", [(INSPECTOR, "Cases"), (LEAD, "Findings"), (ADMIN, "Users")])
def test_sign_in_lands_each_role_on_its_own_start_page(engine, db_url, monkeypatch, role, title):
    with db.session_scope(engine) as s:
        make_user(s, f"{role}1", role)
    at = page("fieldwork_app.py", db_url, monkeypatch, user="").run()
    at.text_input(key="sign_in_name").input(f"{role}1")
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button[0].click()
    run(at)  # and the browser reports that it holds the cookie
    assert not at.exception
    assert at.title[0].value.startswith(title)
