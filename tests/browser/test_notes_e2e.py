"""Evidence notes in a real browser: a note is saved while the inspector is still typing in
the box, and a note typed when the connection was lost is restored from the browser the
next time the case is opened."""

from __future__ import annotations

import re
import time

import pytest

from fieldwork import db
from fieldwork.services import assessments, cases
from fieldwork.services.permissions import INSPECTOR, Actor
from tests.browser import live
from tests.browser.conftest import PASSWORD
from tests.browser.test_assess_e2e import show_section, widget

pytestmark = pytest.mark.browser
INSPECTOR1 = Actor("inspector1", INSPECTOR)
QUESTION, SECTION = "initial_risk_assessment", "Risk assessment and risk management"


def new_case(app_db: str, ref: str) -> tuple[int, str]:
    engine = db.get_engine(app_db)
    with db.session_scope(engine) as s:
        case = cases.add_case(s, INSPECTOR1, inspection=None, questionnaire_id="case_review", case_ref=ref,
                              context={"force": "durham"})
    with db.session_scope(engine) as s:
        return case.case_id, assessments.own_assessment(s, INSPECTOR1, case.case_id)


def stored_note(app_db: str, uid: str) -> str | None:
    with db.session_scope(db.get_engine(app_db)) as s:
        return assessments.load(s, INSPECTOR1, uid).notes.get(QUESTION)


def wait_for_note(app_db: str, uid: str, text: str, timeout: float = 20.0) -> None:
    """Poll the database (the server saves on its own schedule; nothing here sleeps for it)."""
    deadline = time.monotonic() + timeout
    while stored_note(app_db, uid) != text:
        assert time.monotonic() < deadline, f"note not saved: {stored_note(app_db, uid)!r}"
        time.sleep(0.1)


def open_case(page, app_url: str, case_id: int, uid: str) -> None:
    """Open the case in Assess, signing in if this browser has no session to resume."""
    page.goto(f"{app_url}/assess?case={case_id}")
    live.settle(page)
    name = page.get_by_role("textbox", name="Name")
    signed = page.get_by_text("Signed in as")
    name.or_(signed).first.wait_for()
    if name.count():
        live.sign_in(page, "inspector1", PASSWORD)
    page.wait_for_url(re.compile(rf"/assess\?case={case_id}(&section=\w+)?$"))  # the form adds its section
    show_section(page, uid, SECTION)


def test_a_note_is_saved_while_the_inspector_is_still_typing(app_url, app_db, browser_page):
    case_id, uid = new_case(app_db, "HS-0201")
    page = browser_page
    page.goto(app_url)
    live.sign_in(page, "inspector1", PASSWORD)
    open_case(page, app_url, case_id, uid)
    box = widget(page, uid, "n", QUESTION).locator("textarea")
    box.click()
    box.press_sequentially("DASH p.3: screening at first contact", delay=20)
    # the inspector has not left the box, nor pressed anything: the pause in typing saved it
    wait_for_note(app_db, uid, "DASH p.3: screening at first contact")
    assert box.evaluate("el => el === document.activeElement")  # still typing where they were
    box.press_sequentially(", repeat call p.4", delay=20)
    wait_for_note(app_db, uid, "DASH p.3: screening at first contact, repeat call p.4")
    assert box.input_value() == "DASH p.3: screening at first contact, repeat call p.4"


@pytest.fixture
def app_url_slow_notes(file_app, app_db):
    """The app with the typing pause set longer than the test: nothing is sent while typing,
    as when the lid closes or the connection drops before the pause ends (a server of its own
    over the file's database, shared by the journeys that ask for it)."""
    return file_app.url(FIELDWORK_NOTE_PAUSE_MS="600000")


def typed_while_the_line_was_down(page, app_url: str, case_id: int, uid: str, text: str):
    """Sign in, open the case, lose the connection, type a note, close the tab: the note
    never reached the server. Returns a new page of the same browser (line restored)."""
    line = {"cut": False}

    def through_the_line(ws) -> None:
        """Streamlit's websocket, passed through until the line is cut (then the browser's
        messages go nowhere: a dropped connection, as far as the server can tell)."""
        server = ws.connect_to_server()
        ws.on_message(lambda message: None if line["cut"] else server.send(message))

    # this page only: the routed messages pass through this (test) thread, which must not
    # hold up the next page while it polls the database
    page.route_web_socket(re.compile(r"/_stcore/stream"), through_the_line)
    page.goto(app_url)
    live.sign_in(page, "inspector1", PASSWORD)
    open_case(page, app_url, case_id, uid)
    box = widget(page, uid, "n", QUESTION).locator("textarea")
    box.click()
    line["cut"] = True  # the connection drops; the inspector types on
    box.press_sequentially(text, delay=10)
    box.press("Tab")  # even leaving the box sends nothing now
    context = page.context
    page.close()
    line["cut"] = False  # back at the desk: the same browser, a new page
    return context.new_page()


def note_box_holds(page, uid: str, text: str) -> None:
    page.wait_for_function("([sel, text]) => document.querySelector(sel)?.value === text",
                           arg=[f".{widget_class(uid)} textarea", text])


def test_a_note_typed_when_the_connection_was_lost_is_restored_next_time(app_url_slow_notes, app_db,
                                                                          browser_page):
    case_id, uid = new_case(app_db, "HS-0202")
    text = "MG3 p.1: risk noted by reviewing lawyer"
    page = typed_while_the_line_was_down(browser_page, app_url_slow_notes, case_id, uid, text)
    assert stored_note(app_db, uid) is None

    open_case(page, app_url_slow_notes, case_id, uid)
    wait_for_note(app_db, uid, text)
    note_box_holds(page, uid, text)
    page.get_by_text("Restored 1 evidence note(s)").wait_for()
    # the browser's copy is dropped once the server holds the note
    page.wait_for_function(f"() => !Object.keys(localStorage).some(k => k.includes({uid!r}))")


def test_a_lost_note_never_silently_replaces_one_changed_elsewhere(app_url_slow_notes, app_db, browser_page):
    case_id, uid = new_case(app_db, "HS-0203")
    mine = "Crime report p.5: no DASH on file"
    page = typed_while_the_line_was_down(browser_page, app_url_slow_notes, case_id, uid, mine)
    with db.session_scope(db.get_engine(app_db)) as s:  # meanwhile the note is changed (another sitting)
        version = assessments.load(s, INSPECTOR1, uid).version
        assessments.save(s, INSPECTOR1, uid, version, {QUESTION: (None, "Incident log p.1: DASH at scene")})

    open_case(page, app_url_slow_notes, case_id, uid)
    page.get_by_text("typed in this browser was never saved, and the stored note has changed since").wait_for()
    assert stored_note(app_db, uid) == "Incident log p.1: DASH at scene"  # nothing replaced unasked
    live.settle(page)
    page.get_by_role("button", name="Keep mine").click()
    wait_for_note(app_db, uid, mine)
    note_box_holds(page, uid, mine)
    page.wait_for_function(f"() => !Object.keys(localStorage).some(k => k.includes({uid!r}))")


def widget_class(uid: str) -> str:
    from fieldwork.ui.note_keeper import css_class
    from fieldwork.ui.questionnaire_form import widget_key

    return css_class(widget_key(uid, "n", QUESTION))
