"""A picker keeps its choice in a real browser when a save elsewhere changes the words around it
(stop 25, item 2; docs/pickers.md). The browser keeps a select box's choice by its label: when
"HS-0302 (not started)" became "HS-0302 (draft)" the box fell back to the first case. AppTest
keeps choices by value, so only a browser shows it."""

from __future__ import annotations

import pytest

from fieldwork import db
from fieldwork.services import assessments
from tests.assess_helpers import INSPECTOR1, add
from tests.browser import live
from tests.browser.conftest import PASSWORD
from tests.browser.test_sample_e2e import pick

pytestmark = pytest.mark.browser


def test_the_case_picked_on_cases_stays_when_its_status_changes_elsewhere(app_db, app_url, browser_page):
    with db.session_scope(db.get_engine(app_db)) as s:
        add(s, ref="HS-0301")
        second = add(s, ref="HS-0302")
    page = browser_page
    page.goto(app_url)
    live.sign_in(page, "inspector1", PASSWORD)
    page.get_by_role("heading", name="Cases", exact=True).wait_for()
    live.settle(page)
    pick(page, "cases_open_pick", "HS-0302", "HS-0302")
    page.get_by_text("HS-0302: not started").wait_for()
    # the same inspector's other laptop saves an answer: the case is a draft now
    with db.session_scope(db.get_engine(app_db)) as s:
        assessments.save(s, INSPECTOR1, second.assessment_uid, 1, {"plea": ("not_guilty", None)})
    pick(page, "cases_inspector", "inspector1", "inspector1")  # any other press runs the page again
    page.get_by_text("HS-0302: draft").wait_for()
    assert page.locator(".st-key-cases_open_pick input").input_value() == "HS-0302"
    page.get_by_role("button", name="Open in Assess").click()
    page.wait_for_url("**/assess?case=*")
    assert page.url.split("case=")[1].split("&")[0] == str(second.case_id)
