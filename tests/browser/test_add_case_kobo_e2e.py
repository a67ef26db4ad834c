"""Add a case in a real browser on a questionnaire written as KoboToolbox users write it (walk
24, W1 and W4): the force asked though its group is named case_details, the CPS Area list
narrowed to the chosen force's, and the case added with both."""

from __future__ import annotations

import pytest
from sqlmodel import select

from fieldwork import db
from models import Answer, Assessment, CaseFile
from tests.browser import live
from tests.browser.conftest import PASSWORD
from tests.xlsform_case_forms import kobo_form

pytestmark = pytest.mark.browser


def choose(page, key: str, typed: str, option: str) -> None:
    box = page.locator(f".st-key-{key} input")
    box.click()
    box.fill(typed)
    page.get_by_role("option", name=option).wait_for()  # the list narrows as it is typed: wait for the match
    box.press("Enter")
    live.settle(page)


def test_a_kobo_case_is_added_with_its_force_and_the_forces_area(app_db, app_url, browser_page, tmp_path):
    form = tmp_path / "victim_contact_review.xlsx"
    form.write_bytes(kobo_form())
    live.fieldwork(app_db, "questionnaire", "import", str(form))
    page = browser_page
    page.goto(app_url)
    live.sign_in(page, "inspector1", PASSWORD)
    page.get_by_role("link", name="Cases").click()
    live.settle(page)
    choose(page, "cases_questionnaire", "Victim", "Victim contact review")
    page.get_by_text("For Victim contact review.").wait_for()  # the page has run again on this questionnaire
    ref = page.locator(".st-key-add_case_ref_0 input")
    ref.fill("HS-0501")
    ref.press("Enter")  # sent now: the form reruns before the next box is touched
    live.settle(page)
    choose(page, "add_case_force_0", "Durham", "Durham Constabulary")
    area = page.locator(".st-key-add_case_cps_area_0 input")
    area.click()
    page.get_by_role("option", name="CPS North East").wait_for()
    assert page.get_by_role("option").all_inner_texts() == ["CPS North East"]  # only the force's own
    area.press("Enter")
    live.settle(page)
    page.get_by_role("button", name="Add case").click()
    page.get_by_text("Added HS-0501").wait_for()
    engine = db.get_engine(app_db)
    with db.session_scope(engine) as s:
        stored = dict(s.exec(select(Answer.question, Answer.value).join(Assessment).join(CaseFile)
                             .where(CaseFile.case_ref == "HS-0501")).all())
    assert (stored["force"], stored["cps_area"]) == ("durham", "north_east")
