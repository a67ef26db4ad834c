"""What an inspector saved is what the screen shows, however a section is reached: the
section picker, the ←/→ buttons, a reload, a skip-logic round trip, and a completed case's
read-only view (issue 10: answers and notes vanished from the widgets when a section was
drawn again, though the database held them)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from fieldwork import db
from fieldwork.services import assessments, cases
from tests.assess_helpers import CONTEXT, INSPECTOR1, full_answers
from tests.browser import live
from tests.browser.conftest import PASSWORD
from fieldwork.ui.questionnaire_form import widget_key
from tests.browser.test_assess_e2e import saved, show_section, widget

pytestmark = pytest.mark.browser

RISK, CARE, CASE, CHARGING = ("Risk assessment and risk management", "Victim care and support", "The case",
                              "Charging and prosecution decisions")
GIVEN = {  # section -> question -> (label clicked, evidence note typed)
    RISK: {"initial_risk_assessment": ("Yes", "Incident log p.2: screening at first contact"),
           "enhanced_risk_assessment": ("DASH (domestic abuse, stalking and harassment and honour-based violence "
                                        "risk assessment)", "DASH form p.5"),
           "dash_supplementary_questions": ("No", "")},
    CARE: {"victim_support_referral": ("Not known", "No referral record in the file")},
}


def new_case(app_db: str, ref: str, **context) -> tuple[int, str]:
    engine = db.get_engine(app_db)
    with db.session_scope(engine) as s:
        case = cases.add_case(s, INSPECTOR1, inspection=None, questionnaire_id="case_review", case_ref=ref,
                              context={**CONTEXT, **context})
    with db.session_scope(engine) as s:
        return case.case_id, assessments.own_assessment(s, INSPECTOR1, case.case_id)


def open_case(page, app_url: str, case_id: int) -> None:
    page.goto(app_url)
    live.sign_in(page, "inspector1", PASSWORD)
    page.goto(f"{app_url}/assess?case={case_id}")
    live.settle(page)
    # a new page load resumes the session from its cookie: slow on a loaded machine
    page.get_by_text(re.compile(r"Saved as you go · version \d+")).wait_for(timeout=60_000)
    live.settle(page)


def version_now(page) -> int:
    text = page.get_by_text(re.compile(r"Saved as you go · version \d+")).inner_text()
    return int(re.search(r"version (\d+)", text).group(1))


def answer(page, uid: str, name: str, label: str) -> None:
    """Click an answer and wait until it is saved: a newer version than before (a note the
    browser sends after its pause in typing may be saved in the same moment, so the version
    can move by more than one)."""
    version = version_now(page)
    widget(page, uid, "a", name).get_by_text(label, exact=True).click()
    page.wait_for_function("""v => { const m = document.body.innerText.match(/Saved as you go · version (\\d+) ·/);
                                     return m !== null && Number(m[1]) > v; }""", arg=version)
    live.settle(page)


def write_note(page, uid: str, name: str, text: str) -> None:
    version = version_now(page)
    box = widget(page, uid, "n", name).locator("textarea")
    box.fill(text)
    box.press("Tab")  # leaving the box sends the note
    saved(page, version + 1)


def shows(page, uid: str, section: dict[str, tuple[str, str]], *, editable: bool = True) -> None:
    """Every answer ticked and every note in its box, as stored."""
    for name, (label, note) in section.items():
        radio = widget(page, uid, "a", name).get_by_role("radio", name=label, exact=True)
        assert radio.is_checked(), f"{name}: {label!r} is not ticked"
        assert radio.is_enabled() == editable, name
        box = widget(page, uid, "n", name).locator("textarea")
        assert box.input_value() == note, f"{name}: note shows {box.input_value()!r}"


def step(page, arrow: str, title: str) -> None:
    """The ← / → button under the section."""
    page.get_by_role("button", name=f"← {title}" if arrow == "back" else f"{title} →").click()
    page.get_by_role("heading", name=title).wait_for()
    live.settle(page)


def test_answers_and_notes_survive_every_way_back_to_a_section(app_url, app_db, browser_page):
    case_id, uid = new_case(app_db, "HS-0301")
    page = browser_page
    open_case(page, app_url, case_id)
    for title, section in GIVEN.items():
        show_section(page, uid, title)
        for name, (label, note) in section.items():
            answer(page, uid, name, label)
            if note:
                write_note(page, uid, name, note)

    # by the section picker, each section twice
    for _ in range(2):
        for title, section in GIVEN.items():
            show_section(page, uid, title)
            shows(page, uid, section)
    # by the arrows: Victim care follows Risk in the victim's journey
    show_section(page, uid, RISK)
    step(page, "forward", CARE)
    shows(page, uid, GIVEN[CARE])
    step(page, "back", RISK)
    shows(page, uid, GIVEN[RISK])
    # after a reload of the browser
    page.reload()
    page.get_by_text(re.compile(r"Saved as you go · version \d+")).wait_for()
    live.settle(page)
    for title, section in GIVEN.items():
        show_section(page, uid, title)
        shows(page, uid, section)


def test_a_skip_logic_round_trip_keeps_the_note_on_screen(app_url, app_db, browser_page):
    case_id, uid = new_case(app_db, "HS-0302", charged_by="cps")
    page = browser_page
    open_case(page, app_url, case_id)
    show_section(page, uid, CHARGING)
    answer(page, uid, "mg3_case_analysis", "Fully met")
    write_note(page, uid, "mg3_case_analysis", "MG3 p.1: analysis and strategy set out")

    show_section(page, uid, CASE)
    answer(page, uid, "charged_by", "Police")
    # the inspector is told, in words, which answer the change cleared
    page.get_by_text(re.compile(r"Cleared 1 answer\(s\) that no longer apply after this change: "
                                r"“Did the charging decision \(MG3\) include")).wait_for()
    answer(page, uid, "charged_by", "CPS (charging decision by a CPS prosecutor, including CPS Direct)")

    show_section(page, uid, CHARGING)
    box = widget(page, uid, "n", "mg3_case_analysis").locator("textarea")
    assert box.input_value() == "MG3 p.1: analysis and strategy set out"  # the note is kept, and shown
    assert not widget(page, uid, "a", "mg3_case_analysis").get_by_role("radio", checked=True).count()
    with db.session_scope(db.get_engine(app_db)) as s:
        stored = assessments.load(s, INSPECTOR1, uid)
    assert "mg3_case_analysis" not in stored.answers  # cleared, as the screen says
    assert stored.notes["mg3_case_analysis"] == "MG3 p.1: analysis and strategy set out"


def test_a_completed_case_shows_every_answer_and_note_read_only(app_url, app_db, browser_page):
    case_id, uid = new_case(app_db, "HS-0303")
    engine = db.get_engine(app_db)
    with db.session_scope(engine) as s:
        view = assessments.load(s, INSPECTOR1, uid)
        questionnaire = view.questionnaire
        answers = full_answers(questionnaire, {**CONTEXT, "initial_risk_assessment": "yes",
                                                "victim_support_referral": "not_known"})
        changes = {n: (v, f"note {i} p.{i}") for i, (n, v) in enumerate(answers.items())
                   if n != assessments.CASE_REF and n not in CONTEXT}
        changes.update({n: (v, None) for n, v in CONTEXT.items()})
        result = assessments.save(s, INSPECTOR1, uid, view.version, changes)
        assessments.mark_complete(s, INSPECTOR1, uid, result.version)

    page = browser_page
    open_case(page, app_url, case_id)
    page.get_by_text("Marked complete. Reopen it to change an answer.").wait_for()
    assert not page.locator("input[type=radio]").count()  # read-only: the case's tables, no widget to change
    relevant = questionnaire.relevant_names(answers)
    for sec in questionnaire.sections:
        expected = {questionnaire.question(n).label: (questionnaire.label_of(n, answers[n]), changes[n][1] or "")
                    for n in (q.name for q in questionnaire.questions_in(sec.id))
                    if n in relevant and questionnaire.question(n).is_single_choice and n in answers}
        if not expected:
            continue
        # every section at once, each a table (fieldwork/ui/case_record.py); the grid draws on a
        # canvas and keeps an accessible copy of its cells in the page: question, answer, note
        grid = page.locator(".st-key-" + re.sub(r"[^\w-]", "-", widget_key(uid, "record")) + "_" + sec.id)
        grid.locator('td[role="gridcell"]').first.wait_for(state="attached")
        cells = grid.locator('td[role="gridcell"]').all_text_contents()
        rows = [cells[i:i + 3] for i in range(0, len(cells), 3)]
        shown = {question: (answer_text, note) for question, answer_text, note in rows}
        for label, (answer_text, note) in expected.items():
            assert shown.get(label) == (answer_text, note), f"{sec.id}: {label!r} shows {shown.get(label)!r}"


def test_a_note_being_typed_over_a_question_that_skip_logic_hides_is_saved_and_named(app_url, app_db,
                                                                                       browser_page):
    case_id, uid = new_case(app_db, "HS-0304")
    page = browser_page
    open_case(page, app_url, case_id)
    show_section(page, uid, RISK)
    answer(page, uid, "enhanced_risk_assessment", GIVEN[RISK]["enhanced_risk_assessment"][0])
    answer(page, uid, "dash_supplementary_questions", "No")
    box = widget(page, uid, "n", "dash_supplementary_questions").locator("textarea")
    box.click()
    box.press_sequentially("DASH form p.6", delay=10)
    # straight from the box to an answer that hides its question: no Tab, no pause
    widget(page, uid, "a", "enhanced_risk_assessment").get_by_text("S-DASH (stalking screening questions) only",
                                                                  exact=True).click()
    page.get_by_text(re.compile(r"Cleared 1 answer\(s\) that no longer apply after this change: "
                                r"“Were the DASH supplementary")).wait_for()
    live.settle(page)
    assert not page.get_by_text("Not saved").count(), page.get_by_text("Not saved").first.inner_text()
    with db.session_scope(db.get_engine(app_db)) as s:
        stored = assessments.load(s, INSPECTOR1, uid)
    assert stored.answers.get("enhanced_risk_assessment") == "s_dash"
    assert "dash_supplementary_questions" not in stored.answers
    assert stored.notes.get("dash_supplementary_questions") == "DASH form p.6"


INVESTIGATION = "Investigation"


def on_section(page, title: str, section_id: str) -> None:
    """The section on screen is this one, its picker says so, and the address names it."""
    page.get_by_role("heading", name=title).wait_for()
    live.settle(page)
    page.wait_for_function("id => new URLSearchParams(location.search).get('section') === id", arg=section_id)
    picker = page.locator('[data-testid="stRadio"]').filter(has_text=RISK).first
    expect(picker.locator("label:has(input:checked)")).to_have_text([title])  # retried until the radio redraws


def test_back_and_forward_move_between_sections_and_a_reload_keeps_one(app_url, app_db, browser_page):
    case_id, uid = new_case(app_db, "HS-0305")
    page = browser_page
    open_case(page, app_url, case_id)
    on_section(page, RISK, "risk")  # the first gap, named in the address
    step(page, "forward", CARE)
    on_section(page, CARE, "victim_care")
    show_section(page, uid, INVESTIGATION)  # the picker writes the address too
    on_section(page, INVESTIGATION, "investigation")

    page.go_back()
    on_section(page, CARE, "victim_care")
    page.go_back()
    on_section(page, RISK, "risk")
    page.go_forward()
    on_section(page, CARE, "victim_care")
    page.go_forward()
    on_section(page, INVESTIGATION, "investigation")

    page.go_back()
    on_section(page, CARE, "victim_care")
    page.reload()  # a reload comes back to the section in the address
    page.get_by_text(re.compile(r"Saved as you go · version \d+")).wait_for(timeout=60_000)
    on_section(page, CARE, "victim_care")
    page.goto(f"{app_url}/assess?case={case_id}&section=investigation")  # a link to a section opens it
    page.get_by_text(re.compile(r"Saved as you go · version \d+")).wait_for(timeout=60_000)
    on_section(page, INVESTIGATION, "investigation")


FITS = """box => {  // the placeholder typed into a copy of the box: does it need more than the box's height?
    const copy = box.cloneNode();
    copy.value = box.placeholder;
    Object.assign(copy.style, {position: "absolute", visibility: "hidden", width: box.offsetWidth + "px",
                                height: box.offsetHeight + "px"});
    box.parentNode.appendChild(copy);
    const fits = copy.scrollHeight <= copy.clientHeight;
    copy.remove();
    return fits;
}"""


def test_the_note_boxs_privacy_reminder_is_seen_at_1024_px(app_url, app_db, browser_page):
    case_id, uid = new_case(app_db, "HS-0306")
    page = browser_page
    page.set_viewport_size({"width": 1024, "height": 768})
    open_case(page, app_url, case_id)
    box = widget(page, uid, "n", "initial_risk_assessment").locator("textarea")
    box.wait_for()
    assert box.get_attribute("placeholder").startswith("No names")  # the reminder first, whatever is cut
    # every note box on screen shows its whole placeholder (walk 23: cut at "(no" at 1,024 px)
    for each in page.locator("textarea[placeholder^='No names']").all():
        assert each.evaluate(FITS), each.get_attribute("placeholder")
