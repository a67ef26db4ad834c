"""A lead's moderation in a real browser (walk 23, F7): agreed answers chosen and then Finish
moderation pressed, without Save agreed answers first, are kept. The browser holds a form's
choices until one of its submit buttons sends them, which AppTest does not show: only a real
browser proves that Finish sends them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fieldwork import db, startup
from models import ModerationDecision
from tests.browser import live
from tests.browser.conftest import PASSWORD
from tests.pages.test_quality_pages import _moderation_ready

pytestmark = pytest.mark.browser


def _decided(url: str) -> dict[str, str | None]:
    engine = startup.open_engine(url)
    try:
        with db.session_scope(engine) as s:
            return {d.question: d.agreed_value for d in s.execute(select(ModerationDecision)).scalars()}
    finally:
        db.dispose_all()


def test_finish_before_save_keeps_the_lead_s_choice(app_db, tmp_path, browser_page):
    for name, role in (("lead1", "lead"), ("inspector2", "inspector")):
        live.fieldwork(app_db, "user", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
    live.fieldwork(app_db, "user", "add", "inspector1", "--role", "inspector", "--password-stdin",
                   stdin=PASSWORD + "\n")
    _moderation_ready(startup.open_engine(app_db))  # HS-0300: avoidable_delay and prevention_advice differ
    db.dispose_all()
    with live.running_app(app_db, tmp_path / "data", post_run_gc=False) as url:
        page = browser_page
        page.goto(url)
        live.sign_in(page, "lead1", PASSWORD)
        page.goto(f"{url}/moderation")
        live.settle(page)
        page.get_by_role("heading", name="Moderation").wait_for()
        page.get_by_role("combobox", name="Agreed answer").first.click()
        page.get_by_role("option", name="Yes", exact=True).first.click()
        page.get_by_role("button", name="Finish moderation").click()
        page.get_by_text("1 agreed answer(s) recorded for HS-0300").wait_for()
        live.settle(page)
        assert page.get_by_text("Moderation is not finished").count()
        assert len(_decided(app_db)) == 1  # stored, not thrown away
