"""An account disabled in one browser stops at its very next click in another: the Assess form
left open there saves nothing (a form rerun skips the router, so the save itself re-checks the
account) and the sign-in page says why."""

from __future__ import annotations

import pytest
from sqlmodel import select

from fieldwork import db
from fieldwork.services import assessments, cases
from fieldwork.services.permissions import INSPECTOR, Actor
from models import AuditEvent
from tests.assess_helpers import CONTEXT
from tests.browser import live
from tests.browser.conftest import PASSWORD
from tests.browser.test_assess_e2e import saved, show_section, widget

pytestmark = pytest.mark.browser
INSPECTOR1 = Actor("inspector1", INSPECTOR)


def test_a_disabled_account_saves_nothing_from_a_form_left_open(app_url, app_db, browser_page):
    live.fieldwork(app_db, "user", "add", "admin1", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    engine = db.get_engine(app_db)
    with db.session_scope(engine) as s:
        new = cases.add_case(s, INSPECTOR1, inspection=None, questionnaire_id="case_review", case_ref="HS-0201",
                             context=CONTEXT)
    uid = new.assessment_uid

    inspector = browser_page
    inspector.goto(app_url)
    live.sign_in(inspector, "inspector1", PASSWORD)
    inspector.goto(app_url + f"/assess?case={new.case_id}")
    saved(inspector, 1)
    show_section(inspector, uid, "Case file quality")

    admin = inspector.context.browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin.set_default_timeout(20_000)
    admin.goto(app_url)
    live.sign_in(admin, "admin1", PASSWORD)
    admin.get_by_role("heading", name="Users").wait_for()  # an admin lands on Users
    admin.get_by_role("tab", name="Change an account").click()
    account = admin.locator(".st-key-users_chosen input")
    account.click()
    account.fill("inspector1")
    admin.get_by_role("option", name="inspector1").wait_for()
    account.press("Enter")
    live.settle(admin)
    admin.get_by_role("button", name="Disable inspector1").click()
    admin.get_by_text("inspector1 disabled.").wait_for()

    with db.session_scope(engine) as s:
        trail = len(s.exec(select(AuditEvent)).all())
    widget(inspector, uid, "a", "vps_taken").get_by_text("No", exact=True).click()
    inspector.get_by_text("your account has been disabled").wait_for()
    inspector.get_by_role("button", name="Sign in").wait_for()
    live.settle(inspector)

    with db.session_scope(engine) as s:
        stored = assessments.load(s, INSPECTOR1, uid)
        after = s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert stored.version == 1 and "vps_taken" not in stored.answers  # nothing saved
    assert not [e for e in after[trail:] if e.action in ("answer.changed", "note.changed")]
