"""Which ends of a session tell the browser to drop the evidence notes it kept unsaved
(issue 17): a sign-out, a disabled account, a session revoked elsewhere — typing in such a
session is never saved later unseen — but not a session that merely sat idle, whose notes
(typed before a lost connection, say) are still offered back at the next sign-in."""

from __future__ import annotations

import time

from fieldwork import db
from fieldwork.services import accounts
from fieldwork.ui import note_keeper, session
from tests.accounts_helpers import cheap_hashing  # noqa: F401 (fixture)
from tests.pages.test_resume_session import ADMIN1, browser, cookie_component, people  # noqa: F401 (fixtures)
from tests.pages.test_sign_in_page import _router_runs_every_time  # noqa: F401 (fixture)


def test_signing_out_drops_the_browsers_unsaved_notes(engine, browser):
    tab = browser.visit().sign_in()
    tab.sign_out()
    wish = cookie_component(tab.at)
    assert wish["action"] == "clear" and wish["drop_prefix"] == note_keeper.STORE_PREFIX
    assert "discarded from this browser" not in " ".join(i.value for i in tab.at.info)  # a sign-out says nothing


def test_a_disabled_account_drops_them_and_says_so(engine, browser):
    tab = browser.visit().sign_in()
    with db.session_scope(engine) as s:
        accounts.set_active(s, ADMIN1, "inspector1", False)
    tab.run()
    wish = cookie_component(tab.at)
    assert wish["action"] == "clear" and wish["drop_prefix"] == note_keeper.STORE_PREFIX
    shown = " ".join(i.value for i in tab.at.info)
    assert "evidence notes typed since were discarded from this browser" in shown
    # what was saved before is not lost, and a disabled account is not told to sign in again
    assert "What you saved before is kept" in shown and "Nothing was saved" not in shown
    assert "Ask an administrator to enable your account" in shown and "Please sign in again" not in shown


def test_a_session_that_sat_idle_keeps_them_to_offer_back(engine, browser):
    tab = browser.visit().sign_in()
    tab.at.session_state[session.SEEN_KEY] = time.time() - 31 * 60
    tab.run()
    wish = cookie_component(tab.at)
    assert wish["action"] == "clear" and "drop_prefix" not in wish
