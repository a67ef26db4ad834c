"""Assess keeps its section in the address (walk 23, F19): ``/assess?case=N&section=victim_care``
opens that section (a reload, a link, Back and Forward rerun the page with it), and each switch
of section writes it there. Back and Forward in Chromium: tests/browser/test_sections_e2e.py."""

from __future__ import annotations

import pytest

from fieldwork import db
from tests.apptest import page
from tests.assess_helpers import add
from tests.pages.test_assess_page import button, go

ASSESS = "pages/assess.py"


@pytest.fixture
def case(engine):
    with db.session_scope(engine) as s:
        return add(s, ref="HS-0044", charged_by="cps")


def opened(db_url, monkeypatch, case, section=None):
    at = page(ASSESS, db_url, monkeypatch)
    at.query_params["case"] = str(case.case_id)
    if section:
        at.query_params["section"] = section
    return at.run()


def test_the_address_names_the_section_on_screen_and_follows_each_switch(engine, db_url, monkeypatch, case):
    at = opened(db_url, monkeypatch, case)
    assert not at.exception, at.exception
    assert at.radio(key=button(case, "section")).value == "risk"  # the first gap
    assert at.query_params["section"] == "risk"
    go(at, case, "victim_care")
    assert at.query_params["section"] == "victim_care"
    at.button(key=button(case, "previous")).click().run()
    assert at.query_params["section"] == "risk"
    assert at.query_params["case"] == str(case.case_id)


@pytest.mark.parametrize("section", ["victim_care", "investigation"])
def test_a_link_or_a_reload_opens_the_section_it_names(engine, db_url, monkeypatch, case, section):
    at = opened(db_url, monkeypatch, case, section)
    assert not at.exception, at.exception
    assert at.radio(key=button(case, "section")).value == section


def test_the_address_changed_by_back_opens_its_section_in_the_same_session(engine, db_url, monkeypatch, case):
    at = opened(db_url, monkeypatch, case)
    go(at, case, "victim_care")
    at.query_params["section"] = "risk"  # Back: the page runs again with the address before
    at.run()
    assert at.radio(key=button(case, "section")).value == "risk"
    assert at.query_params["section"] == "risk"


def test_an_unknown_section_in_the_address_falls_back_to_the_first_gap(engine, db_url, monkeypatch, case):
    at = opened(db_url, monkeypatch, case, "no_such_section")
    assert not at.exception, at.exception
    assert at.radio(key=button(case, "section")).value == "risk"
    assert at.query_params["section"] == "risk"


def test_picking_another_case_drops_the_sections_address(engine, db_url, monkeypatch, case):
    with db.session_scope(engine) as s:
        other = add(s, ref="HS-0045")
    at = opened(db_url, monkeypatch, case, "victim_care")
    at.selectbox(key="assess_case").set_value(other.case_id).run()
    assert at.query_params["case"] == str(other.case_id)
    assert at.radio(key=button(other, "section")).value == "risk"
