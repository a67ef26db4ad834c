"""A lead's journey in a real browser: from a finding to its cases, one case opened
read-only, marked as an example, seen under its criterion on the Findings page and in the
workbook downloaded from the Export page."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from tests.browser import live
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

NARRATIVE = "The file shows six weeks without action after the first report."


def test_open_a_findings_cases_mark_one_as_an_example(app_db, tmp_path, browser_page):
    live.fieldwork(app_db, "user", "add", "lead1", "--role", "lead", "--password-stdin", stdin=PASSWORD + "\n")
    live.fieldwork(app_db, "demo")
    with live.running_app(app_db, tmp_path / "data", post_run_gc=False) as url:
        page = browser_page
        page.goto(url)
        live.sign_in(page, "lead1", PASSWORD)
        page.get_by_role("heading", name="Findings").wait_for()  # a lead lands on Findings
        live.settle(page)
        # the page's own address, as an admin's link gives it, typed by the lead (walk 24, W15)
        page.goto(f"{url}/findings")
        page.get_by_role("heading", name="Findings").wait_for()
        live.settle(page)
        assert page.get_by_text("Page not found").count() == 0
        page.get_by_role("tab", name="Cases behind a figure").click()
        link = page.get_by_role("link", name=re.compile(r"^Open .* read-only$"))
        link.wait_for()
        ref = re.match(r"Open (\S+) read-only", link.inner_text()).group(1)

        with page.context.expect_page() as opened:  # the case opens beside the findings
            link.click()
        case = opened.value
        case.get_by_role("heading", name=f"Case {ref} (read-only)").wait_for()
        live.settle(case)
        assert not case.get_by_role("radio").count()  # nothing to change
        case.get_by_role("combobox", name="and / or of the criterion").click()
        case.keyboard.type("4.1 ")  # the list is long and drawn only in part: filter it by typing
        # the filtered list re-renders as it narrows (a click can land on a redrawn list): wait for
        # the match, then pick the first one with the keyboard
        case.get_by_role("option", name=re.compile(r"^4\.1 ")).first.wait_for()
        case.keyboard.press("Enter")
        case.get_by_role("textbox", name="Narrative").fill(NARRATIVE)
        case.get_by_role("button", name="Mark as example").click()
        case.get_by_text(f"{ref} marked as an example").wait_for()
        case.close()

        page.reload()
        live.settle(page)
        page.get_by_role("tab", name="By inspection criterion").click()
        page.get_by_text(f"Case example: {ref}").first.wait_for()
        assert page.get_by_text(NARRATIVE).count()

        page.get_by_role("link", name="Export").click()
        page.wait_for_url(re.compile(r"/export$"))
        live.settle(page)
        page.get_by_role("button", name="Prepare the export").click()
        download_button = page.get_by_role("button", name=re.compile(r"^Download .*\.xlsx"))
        download_button.wait_for(timeout=60_000)
        with page.expect_download() as got:
            download_button.click()
        data = open(got.value.path(), "rb").read()
    rows = list(load_workbook(io.BytesIO(data))["case_examples"].iter_rows(values_only=True))
    assert any(r[0] == "4.1" and r[1] == ref and r[6] == NARRATIVE for r in rows[1:])
