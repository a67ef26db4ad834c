"""Choosing the case files in a real browser: the lead imports a frame of 200 cases for two
forces, dry-runs and draws 16 + 32 balanced on plea × domestic abuse; an inspector excludes
one drawn case and finds the next reserve of its stratum in the register in its place."""

from __future__ import annotations

import os
import re

import pytest

from fieldwork import db
from fieldwork.services import cases, sampling_report
from fieldwork.services.permissions import LEAD, Actor
from tests.browser import live
from tests.browser.conftest import PASSWORD
from tests.sampling_helpers import frame_csv, frame_rows

pytestmark = pytest.mark.browser
LEAD1 = Actor("lead1", LEAD)


def pick(page, key: str, text: str, option: str) -> None:
    """Type into a select box and take the one option that matches."""
    box = page.locator(f".st-key-{key} input")
    box.click()
    box.fill(text)
    page.get_by_role("option", name=option).wait_for()
    box.press("Enter")
    live.settle(page)


def test_a_lead_draws_the_sample_and_an_inspectors_exclusion_is_replaced_from_the_reserves(
        app_url, app_db, browser_page, tmp_path):
    live.fieldwork(app_db, "user", "add", "lead1", "--role", "lead", "--password-stdin", stdin=PASSWORD + "\n")
    frame = tmp_path / "frame.csv"
    frame.write_bytes(frame_csv(frame_rows({"durham": 60, "greater_manchester": 140})))
    page = browser_page
    page.goto(app_url)
    live.sign_in(page, "lead1", PASSWORD)
    page.get_by_role("link", name="Sample").click()
    page.get_by_role("heading", name="Sample", exact=True).wait_for()
    live.settle(page)

    # the frame: upload, confirm the column map, import
    page.locator(".st-key-sample_upload_0 input[type=file]").set_input_files(str(frame))
    page.get_by_role("button", name="Import frame").wait_for()
    live.settle(page)
    page.get_by_role("button", name="Import frame").click()
    page.get_by_text("Imported 200 case(s): Durham Constabulary 60, Greater Manchester Police 140").wait_for()
    live.settle(page)

    # the draw: plea × domestic abuse, equal allocation, the inspection's targets; a dry run first
    pick(page, "sample_draw_inspector", "inspector1", "inspector1")
    page.get_by_role("button", name="Dry run").click()
    page.get_by_text("Dry run: nothing written").wait_for()
    live.settle(page)
    with db.session_scope(db.get_engine(app_db)) as s:
        assert sampling_report.sampled_cases(s, LEAD1, "case_review") == []
    page.get_by_role("button", name="Draw", exact=True).click()
    page.get_by_text("Drawn: 48 case(s) are in the Cases register as drafts for inspector1").wait_for()
    live.settle(page)
    with db.session_scope(db.get_engine(app_db)) as s:
        rep = sampling_report.report(s, LEAD1, "case_review")
        drawn = {c.case_ref: c for c in sampling_report.sampled_cases(s, LEAD1, "case_review")}
    assert [(f, rep.force_total(f).target, rep.force_total(f).in_sample) for f in ("durham", "greater_manchester")] \
        == [("durham", 16, 16), ("greater_manchester", 32, 32)]
    assert {r.target for r in rep.rows if r.force == "durham"} == {4}  # balanced: 4 in each of the 4 strata
    if os.environ.get("FIELDWORK_SCREENSHOTS"):  # for a look by hand: FIELDWORK_SCREENSHOTS=DIR
        page.screenshot(path=os.path.join(os.environ["FIELDWORK_SCREENSHOTS"], "sample_page.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("textbox", name="Name").wait_for()

    # the inspector finds a drawn file unusable
    live.sign_in(page, "inspector1", PASSWORD)
    page.get_by_role("link", name="Sample").click()
    page.get_by_role("heading", name="Exclude an unusable case").wait_for()
    live.settle(page)
    gone = sorted(drawn)[0]
    pick(page, "sample_exclude_case", gone, re.compile("^" + re.escape(gone)))
    page.get_by_role("button", name="Exclude and replace").click()
    message = page.get_by_text(re.compile(rf"^{re.escape(gone)} excluded \(File not available\); "))
    message.wait_for()
    replacement = re.search(r"; (\S+) takes its place", message.inner_text()).group(1)
    live.settle(page)

    # the register: the reserve is there, the excluded case is not
    page.get_by_role("link", name="Cases").click()
    page.get_by_role("heading", name="Cases", exact=True).wait_for()
    live.settle(page)
    box = page.locator(".st-key-cases_open_pick input")
    box.click()
    box.fill(replacement)
    page.get_by_role("option", name=re.compile("^" + re.escape(replacement))).wait_for()
    box.fill(gone)
    page.get_by_text("No results").wait_for()
    with db.session_scope(db.get_engine(app_db)) as s:
        refs = {r.case_ref for r in cases.register(s, LEAD1, questionnaire="case_review").rows}
        now = {c.case_ref: c for c in sampling_report.sampled_cases(s, LEAD1, "case_review")}
    assert replacement in refs and gone not in refs and len(refs) == 48
    assert now[replacement].stratum == drawn[gone].stratum and now[replacement].replaces == gone
