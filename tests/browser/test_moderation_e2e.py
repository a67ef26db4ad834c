"""A lead's moderation in a real browser (walk 23, F7): agreed answers chosen and then Finish
moderation pressed, without Save agreed answers first, are kept. The browser holds a form's
choices until one of its submit buttons sends them, which AppTest does not show: only a real
browser proves that Finish sends them.

Two leads saving on one case (F20, session 24): two browser contexts of the one Chromium (each
its own cookie, so each its own lead) on the file's one server; the second save is refused with
both answers, Keep mine saves it. And the Second markings table measured at 1,024 px with the
sidebar open: its columns fit the main column."""

from __future__ import annotations

import re
import subprocess

import pytest
from sqlalchemy import select

from fieldwork import db, startup
from models import ModerationDecision
from tests.browser import live
from tests.browser.conftest import PASSWORD
from tests.pages.test_quality_pages import _moderation_ready

pytestmark = pytest.mark.browser


def _decided(url: str, marking_id: int) -> dict[str, tuple[str | None, str]]:
    """question -> (agreed answer, who agreed it) of one second marking."""
    engine = startup.open_engine(url)
    try:
        with db.session_scope(engine) as s:
            return {d.question: (d.agreed_value, d.agreed_by) for d in s.execute(
                select(ModerationDecision).where(ModerationDecision.marking_id == marking_id)).scalars()}
    finally:
        db.dispose_all()


def _accounts(app_db: str, *names: str) -> None:
    """Accounts this journey needs; one an earlier journey of the file made is there already."""
    for name in names:
        try:
            live.fieldwork(app_db, "user", "add", name, "--role", "lead" if name.startswith("lead") else "inspector",
                           "--password-stdin", stdin=PASSWORD + "\n")
        except subprocess.CalledProcessError:
            pass


def _ready(app_db: str, case_ref: str) -> int:
    marking_id = _moderation_ready(startup.open_engine(app_db), case_ref)  # two answers differ
    db.dispose_all()
    return marking_id


def _open_case(page, url: str, case_ref: str, marking_id: int) -> None:
    """Moderation, this case chosen; returns once the case's own boxes are drawn (a choice
    made in the case shown before would be lost with its boxes)."""
    page.goto(f"{url}/moderation")
    live.settle(page)
    page.get_by_role("heading", name="Moderation").wait_for()
    page.get_by_role("combobox", name="Case").click()
    page.get_by_role("option", name=re.compile(re.escape(case_ref))).click()
    _box(page, marking_id, "avoidable_delay").wait_for()
    live.settle(page)


def _box(page, marking_id: int, question: str):
    return page.locator(f".st-key-mod_{marking_id}_{question}")


def _agree(page, marking_id: int, question: str, answer: str) -> None:
    _box(page, marking_id, question).get_by_role("combobox").click()
    page.get_by_role("option", name=answer, exact=True).click()


def test_finish_before_save_keeps_the_lead_s_choice(app_url, app_db, browser_page):
    _accounts(app_db, "lead1", "inspector2")
    marking_id = _ready(app_db, "HS-0300")
    page = browser_page
    page.goto(app_url)
    live.sign_in(page, "lead1", PASSWORD)
    _open_case(page, app_url, "HS-0300", marking_id)
    _agree(page, marking_id, "avoidable_delay", "Yes")
    page.get_by_role("button", name="Finish moderation").click()
    page.get_by_text("1 agreed answer(s) recorded for HS-0300").first.wait_for()
    live.settle(page)
    assert page.get_by_text("Moderation is not finished").count()
    assert _decided(app_db, marking_id) == {"avoidable_delay": ("yes", "lead1")}  # stored, not thrown away


def test_two_leads_saving_one_case_the_second_is_asked(app_url, app_db, browser_page):
    _accounts(app_db, "lead3", "lead4", "inspector2")
    _ready(app_db, "HS-0309")  # listed first: another lead's save must not move lead3 back to it
    marking_id = _ready(app_db, "HS-0310")
    first = browser_page
    first.goto(app_url)
    live.sign_in(first, "lead3", PASSWORD)
    _open_case(first, app_url, "HS-0310", marking_id)
    other = first.context.browser.new_context(viewport={"width": 1280, "height": 900})  # its own cookie: lead4
    other.set_default_timeout(20_000)
    second = other.new_page()
    second.goto(app_url)
    live.sign_in(second, "lead4", PASSWORD)
    _open_case(second, app_url, "HS-0310", marking_id)

    _agree(second, marking_id, "avoidable_delay", "No")
    second.get_by_role("button", name="Save agreed answers").click()
    second.get_by_text("1 agreed answer(s) recorded for HS-0310").first.wait_for()
    assert _decided(app_db, marking_id) == {"avoidable_delay": ("no", "lead4")}

    _agree(first, marking_id, "avoidable_delay", "Yes")
    first.get_by_role("button", name="Save agreed answers").click()
    first.get_by_text(re.compile(r"yours: Yes; saved by lead4 at \d\d:\d\d: No")).wait_for()
    live.settle(first)
    assert _decided(app_db, marking_id) == {"avoidable_delay": ("no", "lead4")}  # nothing overwritten
    first.get_by_text("Keep mine (Yes)").click()
    live.settle(first)
    first.get_by_role("button", name="Save these choices").click()
    first.get_by_text("1 agreed answer(s) recorded for HS-0310").first.wait_for()
    live.settle(first)
    assert _decided(app_db, marking_id) == {"avoidable_delay": ("yes", "lead3")}
    assert not first.get_by_text("yours: Yes").count()  # the question is settled and gone


def test_the_second_markings_table_fits_at_1024_px_with_the_sidebar_open(app_url, app_db, browser_page):
    _accounts(app_db, "lead5", "inspector2")
    _ready(app_db, "HS-0320")
    page = browser_page
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(app_url)
    live.sign_in(page, "lead5", PASSWORD)
    page.goto(f"{app_url}/second_marking")
    live.settle(page)
    page.get_by_role("heading", name="Second markings").wait_for()
    assert page.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "false"  # as it opens
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.locator(".dvn-scroller").wait_for()
    fit = grid.evaluate("""el => { const s = el.querySelector('.dvn-scroller');
        const main = el.closest('[data-testid="stMain"]') || document.body;
        return {scroll: s.scrollWidth, client: s.clientWidth, right: el.getBoundingClientRect().right,
                mainRight: main.getBoundingClientRect().right}; }""")
    assert fit["scroll"] <= fit["client"] and fit["right"] <= fit["mainRight"], fit  # no column past the edge
