"""Every page a role may see opens at its own address, the role's start page too (walk 24, W15):
a lead's Findings is "/" in the menu, and /findings — an admin's link, typed or bookmarked —
opened "Page not found" over it."""

from __future__ import annotations

import pytest
from streamlit.commands import navigation as streamlit_navigation
from streamlit.runtime.pages_manager import PagesManager

from fieldwork import db
from fieldwork.services.permissions import ADMIN, INSPECTOR, LEAD
from fieldwork.ui import navigation
from tests.accounts_helpers import PASSWORD, cheap_hashing, make_user  # noqa: F401 (fixture)
from tests.apptest import page
from tests.pages.test_sign_in_page import _router_runs_every_time, run  # noqa: F401 (fixture: the router on every run)

pytestmark = pytest.mark.usefixtures("cheap_hashing")


TYPED = "typed-address:"


@pytest.fixture(autouse=True)
def _addresses_typed(monkeypatch):
    """A browser opening /<address> asks the server for the page by that name, with no page hash
    (a click in the menu sends the hash instead); AppTest sends only hashes, so a request marked
    TYPED is passed on as the browser's."""
    original = PagesManager.set_script_intent

    def intent(self, page_script_hash, page_name):
        if page_script_hash.startswith(TYPED):
            return original(self, "", page_script_hash[len(TYPED):])
        return original(self, page_script_hash, page_name)
    monkeypatch.setattr(PagesManager, "set_script_intent", intent)


def ask_for(at, address: str):
    at._page_hash = TYPED + address
    return run(at)


@pytest.mark.parametrize("role", [INSPECTOR, LEAD, ADMIN])
def test_the_start_page_opens_at_its_own_address_as_well_as_at_the_root(engine, db_url, monkeypatch, role):
    not_found = []
    monkeypatch.setattr(streamlit_navigation, "send_page_not_found", lambda ctx: not_found.append(ctx))
    with db.session_scope(engine) as s:
        make_user(s, f"{role}1", role)
    at = page("fieldwork_app.py", db_url, monkeypatch, user="").run()
    at.text_input(key="sign_in_name").input(f"{role}1")
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button[0].click()
    run(at)
    home = next(spec for spec in navigation.PAGES if spec.path == navigation.home(role))
    assert at.title[0].value.startswith(home.title)

    ask_for(at, navigation.address(home))
    assert not at.exception and not not_found, f"/{navigation.address(home)} was 'Page not found' for a {role}"
    assert at.title[0].value.startswith(home.title)


def test_findings_has_one_address_for_leads_and_admins(engine, db_url, monkeypatch):
    not_found = []
    monkeypatch.setattr(streamlit_navigation, "send_page_not_found", lambda ctx: not_found.append(ctx))
    for role in (LEAD, ADMIN):
        with db.session_scope(engine) as s:
            make_user(s, f"{role}1", role)
        at = page("fieldwork_app.py", db_url, monkeypatch, user="").run()
        at.text_input(key="sign_in_name").input(f"{role}1")
        at.text_input(key="sign_in_password").input(PASSWORD)
        at.button[0].click()
        run(at)
        ask_for(at, "findings")
        assert not at.exception and not not_found, role
        assert at.title[0].value.startswith("Findings"), role
