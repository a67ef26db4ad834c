"""An inspector's day in a real browser: sign-in lands on their Cases with the latest draft one
click away; Mark complete offers the next draft; a lead's page opened by address says whose
page it is."""

from __future__ import annotations

import re

import pytest

from fieldwork import db
from fieldwork.services import assessments
from tests.assess_helpers import CONTEXT, INSPECTOR1, full_answers
from tests.browser import live
from tests.browser.conftest import PASSWORD
from tests.browser.test_assess_e2e import widget
from tests.browser.test_sections_e2e import new_case

pytestmark = pytest.mark.browser


def all_but_one(app_db: str, uid: str) -> str:
    """Answer every question but the last asked one (returned), as if the inspector nearly finished."""
    with db.session_scope(db.get_engine(app_db)) as s:
        view = assessments.load(s, INSPECTOR1, uid)
        answers = full_answers(view.questionnaire, dict(CONTEXT))
        last = [n for n in answers if n != assessments.CASE_REF][-1]
        assessments.save(s, INSPECTOR1, uid, view.version, {n: (v, None) for n, v in answers.items()
                                                             if n not in (assessments.CASE_REF, last)})
    return last


def test_sign_in_lands_on_cases_and_mark_complete_offers_the_next_draft(app_url, app_db, browser_page):
    older_id, older = new_case(app_db, "HS-0501")
    case_id, uid = new_case(app_db, "HS-0502")
    last = all_but_one(app_db, uid)  # saved last: the latest draft
    page = browser_page
    page.goto(app_url)
    live.sign_in(page, "inspector1", PASSWORD)
    page.get_by_role("heading", name="Cases").wait_for()
    page.get_by_role("button", name="Continue HS-0502, your latest draft").click()
    page.wait_for_url(re.compile(rf"/assess\?case={case_id}(&section=\w+)?$"))  # the form adds its section
    live.settle(page)
    with db.session_scope(db.get_engine(app_db)) as s:
        view = assessments.load(s, INSPECTOR1, uid)
    question = view.questionnaire.question(last)
    title = next(sec.title for sec in view.questionnaire.sections if sec.id == question.section)
    page.get_by_role("heading", name=title).wait_for()  # opens on the first section with a gap
    label = view.questionnaire.options(last)[0].label
    widget(page, uid, "a", last).get_by_text(label, exact=True).click()
    live.settle(page)
    page.get_by_role("button", name="Mark complete").click()
    page.get_by_text("Marked complete.").wait_for()
    page.get_by_role("link", name="The Cases register").wait_for()
    page.get_by_role("link", name="Next draft: HS-0501").click()
    page.wait_for_url(re.compile(rf"/assess\?case={older_id}(&section=\w+)?$"))  # the form adds its section
    page.get_by_text(re.compile(r"HS-0501 · Joint case file review")).first.wait_for()


def test_an_inspector_opening_a_lead_page_by_address_is_told_whose_page_it_is(app_url, browser_page):
    page = browser_page
    page.goto(app_url)
    live.sign_in(page, "inspector1", PASSWORD)
    page.goto(f"{app_url}/findings")
    live.settle(page)
    page.get_by_text(re.compile(r"^This page is for lead inspectors and administrators\.")).wait_for(timeout=60_000)
    assert not page.get_by_text("Page not found").count()
    assert not page.get_by_text("does not seem to exist").count()
