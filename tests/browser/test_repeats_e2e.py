"""A repeat group in the browser (issue 12): an inspector adds three incidents, answers each,
removes the second, and finds the other two — renumbered, with their answers and notes — after
going to another section and back, after a reload of the page, and in a second tab."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from fieldwork import db
from fieldwork.services import assessments
from tests.assess_helpers import INSPECTOR1
from tests.browser import live
from tests.browser.test_assess_e2e import show_section, widget
from tests.browser.test_sections_e2e import open_case, version_now
from tests.repeat_helpers import add_case

pytestmark = pytest.mark.browser

GIVEN = {1: ("No", "1", ""), 2: ("No", "2", "Log p.2"), 3: ("Yes", "3", "Log p.7: two calls the same day")}


def saved_after(page, version: int) -> None:
    """Wait until the form reports a newer version than ``version``: the change is stored."""
    page.wait_for_function("""v => { const m = document.body.innerText.match(/Saved as you go · version (\\d+) ·/);
                                     return m !== null && Number(m[1]) > v; }""", arg=version)
    live.settle(page)


def add_incident(page, uid: str, n: int) -> None:
    version = version_now(page)
    page.get_by_role("button", name="Add incident").click()
    saved_after(page, version)
    widget(page, uid, "entry", f"incident[{n}]").get_by_text(f"Incident {n}", exact=True).wait_for()


def answer_incident(page, uid: str, n: int, attended: str, calls: str, note: str) -> None:
    slot = f"incident[{n}]"
    version = version_now(page)
    widget(page, uid, "a", f"{slot}/attended").get_by_text(attended, exact=True).click()
    saved_after(page, version)
    version = version_now(page)
    box = widget(page, uid, "a", f"{slot}/calls").locator("input")
    box.fill(calls)
    box.press("Enter")
    saved_after(page, version)
    if note:
        version = version_now(page)
        text = widget(page, uid, "n", f"{slot}/calls").locator("textarea")
        text.fill(note)
        text.press("Tab")  # leaving the box sends the note
        saved_after(page, version)


def shows(page, uid: str, n: int, attended: str, calls: str, note: str) -> None:
    """The entry's answers and note on screen. Waited for (Playwright's expect retries until it
    holds or times out): a number box that mounts again may take a frame to show its value."""
    slot = f"incident[{n}]"
    expect(widget(page, uid, "a", f"{slot}/attended").get_by_role("radio", name=attended, exact=True)).to_be_checked()
    expect(widget(page, uid, "a", f"{slot}/calls").locator("input")).to_have_value(calls)
    expect(widget(page, uid, "n", f"{slot}/calls").locator("textarea")).to_have_value(note)


def shows_the_two_left(page, uid: str) -> None:
    show_section(page, uid, "Incident")
    shows(page, uid, 1, *GIVEN[1])
    shows(page, uid, 2, *GIVEN[3])  # what was incident 3, renumbered
    assert widget(page, uid, "entry", "incident[3]").count() == 0
    assert page.get_by_text("Incident 3", exact=True).count() == 0


def test_three_incidents_one_removed_the_other_two_kept_everywhere(app_url, app_db, browser_page):
    case = add_case(db.get_engine(app_db), "HS-0401")
    uid = case.assessment_uid
    page = browser_page
    page.set_viewport_size({"width": 1024, "height": 768})  # the narrowest window the pages are made for
    open_case(page, app_url, case.case_id)
    show_section(page, uid, "Incident")
    for n in (1, 2, 3):
        add_incident(page, uid, n)
        answer_incident(page, uid, n, *GIVEN[n])
    remove = widget(page, uid, "entry", "incident[2]").get_by_role("button", name="Remove")
    assert remove.evaluate("b => [b, ...b.querySelectorAll('*')].every(e => e.scrollWidth <= e.clientWidth)"), \
        "the Remove button's label is cut"  # it read "Re…" at 1,024 px (walk 24, W12)

    # remove the second: asked to confirm, then its answers go and incident 3 becomes 2
    version = version_now(page)
    remove.click()
    page.get_by_role("button", name="Remove Incident 2").click()
    saved_after(page, version)
    shows_the_two_left(page, uid)
    # the confirmation closed: it no longer offers to remove the entry that moved up (walk 24, W12)
    expect(page.get_by_role("button", name="Remove Incident 2")).to_be_hidden()
    expect(page.get_by_text("Remove Incident 2 and its answers?")).to_be_hidden()

    # another section and back
    show_section(page, uid, "General (continued)")
    shows_the_two_left(page, uid)
    # a reload of the page
    page.reload()
    page.get_by_text(re.compile(r"Saved as you go · version \d+")).wait_for(timeout=60_000)
    live.settle(page)
    shows_the_two_left(page, uid)
    # a second tab of the same browser
    second = page.context.new_page()
    second.goto(f"{app_url}/assess?case={case.case_id}")
    second.get_by_text(re.compile(r"Saved as you go · version \d+")).wait_for(timeout=60_000)
    live.settle(second)
    shows_the_two_left(second, uid)

    with db.session_scope(db.get_engine(app_db)) as s:
        stored = assessments.load(s, INSPECTOR1, uid)
    assert {k: v for k, v in stored.answers.items() if k.startswith("incident")} == {
        "incident[1]/attended": "no", "incident[1]/calls": "1", "incident[2]/attended": "yes",
        "incident[2]/calls": "3"}
    assert stored.notes == {"incident[2]/calls": GIVEN[3][2]}
