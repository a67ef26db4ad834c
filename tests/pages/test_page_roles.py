"""Every page of the navigation checks the role on the server: run on its own (not through
the router, as a hand-typed URL would), it admits the roles navigation.PAGES lists and shows
nothing but a refusal to the others, and nothing but "sign in" to a visitor.

The pages come from navigation.PAGES when the tests are collected, so a page added later
is covered without touching this file.
"""

from __future__ import annotations

import pytest

from fieldwork.ui import navigation
from fieldwork.ui.session import ROLES
from tests.apptest import page

CASES = [(spec.path, role, role in spec.roles) for spec in navigation.PAGES for role in ROLES]


def shown(at) -> int:
    return len(at.main.children)


@pytest.mark.parametrize("path, role, admitted", CASES, ids=[f"{p.split('/')[-1]}-{r}" for p, r, _ in CASES])
def test_each_page_admits_its_roles_and_refuses_the_others(engine, db_url, monkeypatch, path, role, admitted):
    at = page(path, db_url, monkeypatch, user=f"{role}1", role=role).run()
    assert not at.exception, f"{path} failed for a {role}: {at.exception[0].value if at.exception else ''}"
    refusals = [e.value for e in at.error if "may not open this page" in e.value]
    if admitted:
        assert not refusals, f"{path} refused a {role}, though navigation.PAGES lists the role"
        assert not any("sign in" in w.value.lower() for w in at.warning)
    else:
        assert refusals, f"{path} did not refuse a {role}"
        assert shown(at) == 1, f"{path} showed more than the refusal to a {role}"


@pytest.mark.parametrize("path", [spec.path for spec in navigation.PAGES])
def test_each_page_shows_a_visitor_only_the_request_to_sign_in(engine, db_url, monkeypatch, path):
    at = page(path, db_url, monkeypatch, user="").run()
    assert not at.exception
    assert "sign in" in at.warning[0].value.lower()
    assert shown(at) == 1


def test_the_router_offers_each_role_exactly_its_pages():
    for role in ROLES:
        offered = {spec.path for spec in navigation.pages_for(role)}
        assert offered == {spec.path for spec in navigation.PAGES if role in spec.roles}
    assert navigation.pages_for(None) == []
