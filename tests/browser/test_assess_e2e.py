"""An inspector's sitting in a real browser: sign in, add a case, score it through the real
UI, refresh the browser mid-assessment (the session resumes) and find every answer and note
where it was left — and in the database."""

from __future__ import annotations

import re

import pytest

from fieldwork import db
from fieldwork.services import assessments, cases
from fieldwork.services.permissions import INSPECTOR, Actor
from fieldwork.ui.questionnaire_form import widget_key
from tests.browser import live
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

ANSWERS = {  # section -> question -> the label of the option clicked
    "Risk assessment and risk management": {
        "initial_risk_assessment": "Yes",
        "enhanced_risk_assessment": "DASH (domestic abuse, stalking and harassment and honour-based violence risk "
                                    "assessment)",
        "dash_supplementary_questions": "No",
    },
    "Victim care and support": {"victim_support_referral": "Not known"},
    "Case file quality": {"vps_taken": "No", "vps_offered": "Yes"},
}
CODES = {"initial_risk_assessment": "yes", "enhanced_risk_assessment": "dash", "dash_supplementary_questions": "no",
         "victim_support_referral": "not_known", "vps_taken": "no", "vps_offered": "yes"}
NOTE = ("initial_risk_assessment", "Incident log p.2: risk screening at first contact")


def widget(page, uid: str, kind: str, name: str):
    # Streamlit gives a keyed widget the class st-key-<key>, ':' written as '-'
    return page.locator(".st-key-" + re.sub(r"[^\w-]", "-", widget_key(uid, kind, name)))


def show_section(page, uid: str, title: str) -> None:
    """The form shows one section at a time: pick it in the section list."""
    widget(page, uid, "section", "").get_by_text(re.compile("^" + re.escape(title))).click()
    page.get_by_role("heading", name=title).wait_for()
    live.settle(page)


def saved(page, version: int) -> None:
    """The form reports the version the last save produced: the change is in the database."""
    page.get_by_text(re.compile(rf"Saved as you go · version {version} ·")).wait_for()
    live.settle(page)


def test_an_inspector_scores_a_case_and_a_refresh_loses_nothing(app_url, app_db, browser_page):
    page = browser_page
    page.goto(app_url)
    live.sign_in(page, "inspector1", PASSWORD)

    # add the case on the Cases page
    page.get_by_role("link", name="Cases").click()
    ref = page.locator(".st-key-add_case_ref_0 input")
    ref.fill("HS-0101")
    force = page.locator(".st-key-add_case_force_0 input")
    force.click()
    force.fill("Durham")
    # the filtered list re-renders as it narrows: wait for the one match, then pick it with the keyboard
    page.get_by_role("option", name="Durham Constabulary").wait_for()
    force.press("Enter")
    page.get_by_role("button", name="Add case").click()
    page.get_by_text("Added HS-0101").wait_for()
    live.settle(page)

    engine = db.get_engine(app_db)
    with db.session_scope(engine) as s:
        row = cases.register(s, Actor("inspector1", INSPECTOR)).rows[0]
        uid = assessments.own_assessment(s, Actor("inspector1", INSPECTOR), row.case_id)

    # open it in Assess and score it: every click is saved at once (the version rises by one)
    page.get_by_role("button", name="Score HS-0101 now").click()
    page.wait_for_url(re.compile(rf"/assess\?case={row.case_id}(&section=\w+)?$"))  # the form adds its section
    version = 1
    saved(page, version)
    for title, answers in ANSWERS.items():
        show_section(page, uid, title)
        for name, label in answers.items():
            assert widget(page, uid, "a", name).count(), f"{name} is not asked"  # skip logic shows it in time
            widget(page, uid, "a", name).get_by_text(label, exact=True).click()
            version += 1
            saved(page, version)
    show_section(page, uid, "Risk assessment and risk management")
    note = widget(page, uid, "n", NOTE[0]).locator("textarea")
    note.fill(NOTE[1])
    note.press("Tab")  # a note is sent when the inspector leaves the box
    version += 1
    saved(page, version)

    # the lid closes, the browser reloads: a new session resumes the sign-in from the session
    # cookie and opens the same case again
    page.reload()
    page.get_by_text("Signed in as").wait_for()
    live.settle(page)
    assert not page.get_by_role("dialog").count()  # no "page not found" on the way back in
    page.wait_for_url(re.compile(rf"/assess\?case={row.case_id}(&section=\w+)?$"))  # the form adds its section
    saved(page, version)  # the draft saved last is the one that opens
    for title, answers in ANSWERS.items():
        show_section(page, uid, title)
        for name, label in answers.items():
            assert widget(page, uid, "a", name).get_by_role("radio", name=label, exact=True).is_checked(), name
        if NOTE[0] in answers:
            assert widget(page, uid, "n", NOTE[0]).locator("textarea").input_value() == NOTE[1]

    with db.session_scope(engine) as s:
        stored = assessments.load(s, Actor("inspector1", INSPECTOR), uid)
    assert {k: stored.answers.get(k) for k in CODES} == CODES  # codes, as the contract names them
    assert stored.notes == {NOTE[0]: NOTE[1]}
    assert stored.version == version and stored.status == "draft"
