"""A lead downloads the draft report from the Findings page in a real browser, and the file
that arrives opens as the report (python-docx)."""

from __future__ import annotations

import re

import pytest

from tests.browser import live
from tests.browser.conftest import PASSWORD
from tests.report_reader import read

pytestmark = pytest.mark.browser


@pytest.fixture
def lead_app_url(app_db, tmp_path):
    live.fieldwork(app_db, "user", "add", "lead1", "--role", "lead", "--password-stdin", stdin=PASSWORD + "\n")
    live.fieldwork(app_db, "demo")
    with live.running_app(app_db, tmp_path / "data", post_run_gc=False) as url:
        yield url


def test_a_lead_downloads_the_draft_report_and_it_opens(lead_app_url, browser_page, tmp_path):
    page = browser_page
    page.set_default_timeout(90_000)  # writing the draft renders its charts: seconds on a busy machine
    page.goto(lead_app_url)
    live.sign_in(page, "lead1", PASSWORD)
    page.get_by_role("heading", name="Findings").wait_for()  # a lead lands on Findings
    live.settle(page)
    page.get_by_role("tab", name="Draft report").click()
    page.get_by_role("button", name="Write the draft report").click()
    download_button = page.get_by_role("button", name="Download the draft report (.docx)")
    download_button.wait_for()
    live.settle(page)
    with page.expect_download() as info:
        download_button.click()
    download = info.value
    assert download.suggested_filename == "case_review-draft-report.docx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    doc = read(path.read_bytes())
    texts = doc.texts()
    assert texts[0] == "Living in fear – the police and CPS response to harassment and stalking"
    assert "Cases counted: 112 complete cases; 0 draft assessments left out" in texts
    assert "Breakdown: by force" in texts  # in words, as a report prints it (stop 24)
    printed = next(p for p in doc.paragraphs if p.text.startswith("We found evidence that an initial risk "
                                                                  "assessment had taken place in 60 of 112"))
    assert printed.footnotes == ["In one case it was not known if an initial risk assessment had taken place."]
    assert len(doc.images) == 3  # the page's charts: headline bars, by force, fully / partially / not met
