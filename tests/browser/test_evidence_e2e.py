"""Issue 14's journey in a real browser: an inspector records an interview in Durham with two
coded excerpts (criteria 1.5 and 3.1); the lead judges 3.1 for Durham citing that excerpt
and the case-file finding on initial risk assessment; the grid shows it; the workbook holds it."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from fieldwork import db
from tests.browser import live
from tests.browser.conftest import PASSWORD
from tests.evidence_helpers import add_cases

pytestmark = pytest.mark.browser


def keyed(page, key: str):
    # Streamlit gives a keyed widget the class st-key-<key>, other characters written as '-'
    return page.locator(".st-key-" + re.sub(r"[^\w-]", "-", key))


def choose(page, key: str, typed: str, option: str | re.Pattern) -> None:
    """Pick in a selectbox or multiselect by typing, then the one option that matches."""
    box = keyed(page, key).locator("input")
    box.click()
    box.fill(typed)
    page.get_by_role("option", name=option).first.wait_for()
    box.press("Enter")
    live.settle(page)


def pick(page, key: str, typed: str, option: re.Pattern) -> None:
    """Add one option to a multiselect: type, click the option (Enter might pick "Select all"), close."""
    box = keyed(page, key).locator("input")
    box.click()
    box.fill(typed)
    page.get_by_role("option", name=option).click()
    box.press("Escape")
    live.settle(page)


def test_interview_excerpts_judgement_grid_and_workbook(app_url, app_db, browser_page, tmp_path):
    live.fieldwork(app_db, "user", "add", "lead1", "--role", "lead", "--password-stdin", stdin=PASSWORD + "\n")
    engine = db.get_engine(app_db)
    with db.session_scope(engine) as s:  # Durham's case file review: risk assessed at first contact in 12 of 16
        add_cases(s, "durham", ["yes"] * 12 + ["no"] * 4)

    # --- the inspector records the interview ---------------------------------------------
    page = browser_page
    page.goto(app_url)
    live.sign_in(page, "inspector1", PASSWORD)
    page.get_by_role("link", name="Evidence").click()
    page.get_by_role("heading", name="Evidence", exact=True).wait_for()
    live.settle(page)
    choose(page, "ev_force_0", "Durham", "Durham Constabulary")
    # the reference inspection's fieldwork: outside Streamlit's default ten-year window (walk 24, W10)
    keyed(page, "ev_date_0").get_by_role("spinbutton", name=re.compile("^year")).click()
    page.keyboard.type("20161108")
    page.get_by_role("heading", name="Evidence", exact=True).click()  # leave the field: the date is sent
    live.settle(page)
    keyed(page, "ev_source_0").locator("input").fill("force stalking SPOC")
    keyed(page, "ev_summary_0").locator("textarea").fill("Interview with the force lead on stalking.")
    choose(page, "ev_ex_crit_0_0", "1.5", re.compile(r"^1\.5 "))
    choose(page, "ev_ex_code_0_0", "Strength", "Strength")
    keyed(page, "ev_ex_text_0_0").locator("textarea").fill("The SPOC reviews every stalking report each morning.")
    page.get_by_role("button", name="Another excerpt").click()
    keyed(page, "ev_ex_crit_0_1").wait_for()
    live.settle(page)
    choose(page, "ev_ex_crit_0_1", "3.1", re.compile(r"^3\.1 "))
    choose(page, "ev_ex_code_0_1", "Area for", "Area for improvement")
    keyed(page, "ev_ex_text_0_1").locator("textarea").fill(
        "Response officers do not always complete the risk assessment at first contact.")
    page.get_by_role("button", name="Save evidence").click()
    page.get_by_text("Saved EV-0001, dated 8 November 2016, with 2 excerpt(s).").wait_for()
    live.settle(page)

    # --- the lead judges 3.1 for Durham --------------------------------------------------
    lead_context = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    lead_context.set_default_timeout(20_000)
    lead = lead_context.new_page()
    lead.goto(app_url)
    live.sign_in(lead, "lead1", PASSWORD)
    lead.get_by_role("link", name="Judgements").click()
    lead.get_by_role("heading", name="Judgements", exact=True).wait_for()
    live.settle(lead)
    choose(lead, "jd_unit", "Durham", "Durham Constabulary")
    choose(lead, "jd_criterion", "3.1", re.compile(r"^3\.1 "))
    lead.get_by_text("Not judged yet. 1 evidence item(s)").wait_for()
    keyed(lead, "jd_grade_force_durham_3.1_0").get_by_text("Partially met").click()
    keyed(lead, "jd_rationale_force_durham_3.1_0").locator("textarea").fill(
        "Risk assessed at first contact in most cases; officers unsure when to complete it.")
    pick(lead, "jd_ex_force_durham_3.1_0", "Response officers", re.compile("Area for improvement"))
    pick(lead, "jd_f_force_durham_3.1_0", "initial risk", re.compile(r"initial risk assessment.*: Yes$", re.I))
    lead.get_by_role("button", name="Save judgement").click()
    lead.get_by_text("Judged 3.1 for Durham Constabulary: Partially met.").wait_for()
    live.settle(lead)
    lead.get_by_text(re.compile(r"Grade: Partially met · judged by lead1")).wait_for()
    lead.get_by_text(re.compile(r"12 of 16 \(75 percent\)")).first.wait_for()
    lead.get_by_role("listitem").filter(has_text=re.compile(r"EV-0001 · 3\.1 · Area for improvement")).wait_for()

    # the grid shows it: the criterion across all forces lists Durham's grade, and the grid's cell
    choose(lead, "jd_across", "3.1", re.compile(r"^3\.1 "))
    grid = keyed(lead, "jd_grid")
    grid.wait_for()
    lead.get_by_text(re.compile(r"1 of \d+ cells judged")).wait_for()
    # the data grid draws on a canvas and keeps an accessible copy of its cells in the page
    header = grid.locator('th[role="columnheader"]', has_text=re.compile(r"^Durham$"))
    column = int(header.get_attribute("aria-colindex")) - 1
    row = grid.locator('td[role="gridcell"]', has_text=re.compile(r"^3\.1$"))
    row_id = row.get_attribute("id").rsplit("-", 1)[1]  # glide-cell-COLUMN-ROW
    cell = grid.locator(f'[id="glide-cell-{column}-{row_id}"]')
    assert cell.text_content().startswith("Partially met · 2 kinds")
    across = lead.get_by_test_id("stDataFrame").last
    across.locator('td[role="gridcell"]', has_text=re.compile(r"^Partially met$")).wait_for(state="attached")

    # --- the workbook holds it -----------------------------------------------------------
    lead.get_by_role("link", name="Export").click()
    lead.get_by_role("heading", name="Export", exact=True).wait_for()
    live.settle(lead)
    lead.get_by_role("button", name="Prepare the export").click()
    with lead.expect_download() as download:
        lead.get_by_role("button", name=re.compile("^Download ")).click()
    target = tmp_path / "workbook.xlsx"
    download.value.save_as(target)
    wb = load_workbook(io.BytesIO(target.read_bytes()), read_only=True)
    rows = list(wb["judgements"].iter_rows(values_only=True))
    j = dict(zip(rows[0], rows[1]))
    assert (j["unit"], j["criterion"], j["grade"]) == ("durham", "3.1", "partially_met")
    assert j["excerpts"] == "EV-0001 3.1 area_for_improvement"
    assert "12 of 16 (75 percent)" in j["case_file_findings"]
    grid_rows = {r[0]: r for r in wb["judgement_grid"].iter_rows(values_only=True)}
    header = grid_rows["force"]
    assert grid_rows["durham"][header.index("3.1")] == "Partially met"
    assert len(list(wb["excerpts"].iter_rows(values_only=True))) == 3
    lead_context.close()
