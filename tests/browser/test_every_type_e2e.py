"""An inspector scores a case in a real browser on a questionnaire written in Excel by
another inspectorate: a date, a decimal, several answers at once, a calculation worked out
as the answers change, and a group asked only when an earlier answer says so."""

from __future__ import annotations

import re

import pytest

from fieldwork import db
from fieldwork.services import assessments
from fieldwork.services.permissions import INSPECTOR, Actor
from fieldwork.ui.questionnaire_form import widget_key
from tests.assess_helpers import add
from tests.browser import live
from tests.browser.conftest import PASSWORD
from tests.test_every_type import FORM, load_form

pytestmark = pytest.mark.browser
INSPECTOR1 = Actor("inspector1", INSPECTOR)


def css(key: str) -> str:
    # Streamlit gives a keyed widget the class st-key-<key>, other characters written as '-'
    return ".st-key-" + re.sub(r"[^\w-]", "-", key)


def answer(page, uid: str, name: str):
    return page.locator(css(widget_key(uid, "a", name)))


def saved(page, version: int) -> None:
    page.get_by_text(re.compile(rf"Saved as you go · version {version} ·")).wait_for()
    live.settle(page)


def type_date(page, field, day: str) -> None:
    """Type a date as a person does: click the box, type it, press Tab, touch nothing else
    (walk W6: a date typed and Tabbed away from was never sent, and a reload lost it)."""
    field.locator("input").click()
    page.keyboard.type(day)
    page.keyboard.press("Tab")


def show_section(page, uid: str, title: str) -> None:
    page.locator(css(widget_key(uid, "section"))).get_by_text(title, exact=True).click()
    page.get_by_role("heading", name=title).wait_for()
    live.settle(page)


def test_a_case_is_scored_on_a_form_with_dates_decimals_several_answers_and_a_calculation(
        app_url, app_db, browser_page):
    engine = db.get_engine(app_db)
    load_form(engine)
    with db.session_scope(engine) as s:
        case = add(s, ref="HS-0201", questionnaire="timeliness", force="durham")
    uid = case.assessment_uid
    page = browser_page
    page.goto(app_url)
    live.sign_in(page, "inspector1", PASSWORD)
    page.get_by_role("link", name="Assess").click()  # without a case, the inspector's latest draft opens
    page.wait_for_url(re.compile(r"/assess"))
    version = 1
    saved(page, version)

    # the charge group is not offered until the case was charged
    sections = page.locator(css(widget_key(uid, "section")))
    assert not sections.get_by_text("The charge", exact=True).count()
    show_section(page, uid, "General")
    page.locator(css(widget_key(uid, "a", "charged"))).get_by_text("Yes", exact=True).click()
    version += 1
    saved(page, version)
    type_date(page, answer(page, uid, "reported_on"), "2016-02-01")
    version += 1
    saved(page, version)
    # the lid closes, the browser reloads: the date Tabbed away from is there, from the database
    page.reload()
    page.get_by_text("Signed in as").wait_for()
    live.settle(page)
    saved(page, version)
    show_section(page, uid, "General")
    assert answer(page, uid, "reported_on").locator("input").input_value() == "2016-02-01"

    show_section(page, uid, "The charge")  # offered now
    type_date(page, answer(page, uid, "charged_on"), "2016 02 11")  # as the walk typed it (W6)
    version += 1
    saved(page, version)
    assert answer(page, uid, "charged_on").locator("input").input_value() == "2016-02-11"  # shown as stored
    days = page.get_by_role("textbox", name=re.compile("^Days to charge \\(worked out:"))  # named in words (walk 24)
    assert days.input_value() == "10" and days.is_disabled()  # worked out, read-only

    show_section(page, uid, "General (continued)")
    hours = answer(page, uid, "hours_to_visit").locator("input")
    hours.fill("4.25")
    hours.press("Enter")
    version += 1
    saved(page, version)
    for option in ("Social media", "Following"):
        # type to narrow the list, wait for the one match, pick it with the keyboard (the list
        # re-renders as it narrows, so a click could land on a row that is going away)
        box = answer(page, uid, "behaviours").locator("input")
        box.click()
        box.fill(option.split()[0])
        page.get_by_role("option", name=option).wait_for()
        box.press("Enter")
        version += 1
        saved(page, version)
        page.keyboard.press("Escape")

    with db.session_scope(engine) as s:
        stored = assessments.load(s, INSPECTOR1, uid).answers
    assert stored["charged"] == "yes"
    assert stored["reported_on"] == "2016-02-01" and stored["charged_on"] == "2016-02-11"
    assert stored["days_to_charge"] == "10"
    assert stored["hours_to_visit"] == "4.25"
    assert stored["behaviours"] == "following social"

    # not charged after all: the group's answers and its calculation are cleared
    show_section(page, uid, "General")
    page.locator(css(widget_key(uid, "a", "charged"))).get_by_text("No", exact=True).click()
    version += 1
    saved(page, version)
    assert not sections.get_by_text("The charge", exact=True).count()
    with db.session_scope(engine) as s:
        stored = assessments.load(s, INSPECTOR1, uid).answers
    assert "charged_on" not in stored and "days_to_charge" not in stored
