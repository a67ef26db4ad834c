"""One assessment open in two tabs of a real browser: changes to different questions are both
saved; a change to the same question is shown beside the other for the inspector to choose,
and nothing typed is lost; a section reached in the tab left alone (←/→, the picker, a reload)
shows what the other tab saved, and so does its progress line (walk 23, F1)."""

from __future__ import annotations

import re

import pytest

from fieldwork import db
from fieldwork.services import assessments
from tests.assess_helpers import INSPECTOR1
from tests.browser import live
from tests.browser.test_assess_e2e import show_section, widget
from tests.browser.test_sections_e2e import CARE, RISK, answer, new_case, open_case, step, version_now

pytestmark = pytest.mark.browser


PROGRESS = re.compile(r"^\d+ of \d+ questions answered")


def progress(page) -> str:
    """The progress line over the form: "13 of 28 questions answered · … Victim care 2/4"."""
    return page.get_by_text(PROGRESS).inner_text()


def stored(app_db, uid):
    with db.session_scope(db.get_engine(app_db)) as s:
        return assessments.load(s, INSPECTOR1, uid)


def test_two_tabs_change_different_questions_and_then_the_same_one(app_url, app_db, browser_page):
    case_id, uid = new_case(app_db, "HS-0401")
    first = browser_page
    open_case(first, app_url, case_id)
    second = first.context.new_page()  # the same browser, so the same signed-in session cookie
    second.goto(f"{app_url}/assess?case={case_id}")
    second.get_by_text(re.compile(r"Saved as you go · version \d+")).wait_for(timeout=60_000)
    live.settle(second)
    for page in (first, second):
        show_section(page, uid, RISK)

    # different questions: both saved, and the stale tab picks the other's answer up
    answer(first, uid, "initial_risk_assessment", "Yes")
    version = version_now(second)
    widget(second, uid, "a", "risk_management_plan").get_by_text("No", exact=True).click()
    second.get_by_text(re.compile(rf"Saved as you go · version {version + 2} ·")).wait_for()
    live.settle(second)
    assert widget(second, uid, "a", "initial_risk_assessment").get_by_role("radio", name="Yes").is_checked()
    now = stored(app_db, uid)
    assert now.answers["initial_risk_assessment"] == "yes" and now.answers["risk_management_plan"] == "no"

    # the same question: the first tab writes a note, the second (stale) one writes another
    box = widget(first, uid, "n", "risk_management_plan").locator("textarea")
    box.fill("Safety plan p.4")
    box.press("Tab")
    first.get_by_text(re.compile(rf"Saved as you go · version {version + 3} ·")).wait_for()
    other = widget(second, uid, "n", "risk_management_plan").locator("textarea")
    other.fill("No plan found in the file")
    other.press("Tab")
    clash = second.locator(".st-key-" + re.sub(r"[^\w-]", "-", f"qf:{uid}:clash:risk_management_plan"))
    clash.wait_for()
    live.settle(second)
    assert "No plan found in the file" in clash.inner_text() and "Safety plan p.4" in clash.inner_text()
    assert stored(app_db, uid).notes["risk_management_plan"] == "Safety plan p.4"  # nothing overwritten
    clash.get_by_role("button", name="Keep mine").click()
    clash.wait_for(state="detached")
    live.settle(second)
    assert stored(app_db, uid).notes["risk_management_plan"] == "No plan found in the file"
    assert other.input_value() == "No plan found in the file"

    # the first tab is left alone on Risk while the second answers Victim care
    show_section(second, uid, CARE)
    answer(second, uid, "victim_support_referral", "Yes")
    answer(second, uid, "specialist_support_referral", "No")
    assert "Victim care and support 2/" in progress(second)
    # → in the first tab: the section and the progress line show what the database holds
    step(first, "forward", CARE)
    for name, label in (("victim_support_referral", "Yes"), ("specialist_support_referral", "No")):
        assert widget(first, uid, "a", name).get_by_role("radio", name=label, exact=True).is_checked(), name
    assert progress(first) == progress(second)
    assert f"version {version_now(second)} ·" in first.get_by_text(re.compile("Saved as you go")).inner_text()
    # ← back to Risk: the note the second tab kept, not the one this tab last read
    step(first, "back", RISK)
    assert widget(first, uid, "n", "risk_management_plan").locator("textarea").input_value() == \
        "No plan found in the file"
    # the picker, and a reload, after one more answer in the second tab
    answer(second, uid, "prevention_advice", "Yes")
    show_section(first, uid, CARE)
    assert widget(first, uid, "a", "prevention_advice").get_by_role("radio", name="Yes", exact=True).is_checked()
    assert progress(first) == progress(second)
    answer(second, uid, "victim_care_good_enough", "No")
    first.reload()
    first.get_by_text(re.compile(r"Saved as you go · version \d+")).wait_for(timeout=60_000)
    live.settle(first)
    show_section(first, uid, CARE)
    assert widget(first, uid, "a", "victim_care_good_enough").get_by_role("radio", name="No", exact=True).is_checked()
    assert progress(first) == progress(second)


def test_keeping_the_saved_note_forgets_the_one_typed_here(app_url, app_db, browser_page):
    """"Keep the saved one" is final: the note typed in this tab is dropped from the browser's
    own copy too, so no reload or later save brings it back over the one kept."""
    case_id, uid = new_case(app_db, "HS-0402")
    first = browser_page
    open_case(first, app_url, case_id)
    second = first.context.new_page()
    second.goto(f"{app_url}/assess?case={case_id}")
    second.get_by_text(re.compile(r"Saved as you go · version \d+")).wait_for(timeout=60_000)
    live.settle(second)
    for page in (first, second):
        show_section(page, uid, RISK)

    box = widget(first, uid, "n", "risk_management_plan").locator("textarea")
    box.fill("Safety plan p.4")
    box.press("Tab")
    first.get_by_text(re.compile(r"Saved as you go · version \d+ ·")).wait_for()
    live.settle(first)
    other = widget(second, uid, "n", "risk_management_plan").locator("textarea")
    other.fill("No plan found in the file")
    other.press("Tab")
    clash = second.locator(".st-key-" + re.sub(r"[^\w-]", "-", f"qf:{uid}:clash:risk_management_plan"))
    clash.wait_for()
    live.settle(second)
    # choose while the browser still holds the typed note: its pause timer may send it after the choice
    second.evaluate("""() => { const box = [...document.querySelectorAll('textarea')]
        .find(t => t.value === 'No plan found in the file'); if (box) box.dispatchEvent(new Event('input', {bubbles: true})); }""")
    clash.get_by_role("button", name="Keep the saved one").click()
    clash.wait_for(state="detached")
    live.settle(second)
    assert other.input_value() == "Safety plan p.4"
    assert stored(app_db, uid).notes["risk_management_plan"] == "Safety plan p.4"

    second.reload()  # the browser's copy of the dropped note must not come back
    second.get_by_text(re.compile(r"Saved as you go · version \d+")).wait_for(timeout=60_000)
    live.settle(second)
    show_section(second, uid, RISK)
    live.settle(second)
    assert not second.get_by_role("button", name="Keep mine").count()
    answer(first, uid, "initial_risk_assessment", "Yes")  # a later save elsewhere changes nothing of it
    live.settle(second)
    assert stored(app_db, uid).notes["risk_management_plan"] == "Safety plan p.4"
