"""The Assess page through AppTest: answers saved as they are given, skip logic hiding and
clearing with a notice, Mark complete refused then accepted, Reopen, and two sessions
editing the same assessment."""

from __future__ import annotations

import json
import time

import pytest
from sqlmodel import select

from fieldwork import audit, db
from fieldwork.services import assessments
from models import Assessment, AuditEvent
from fieldwork.ui import questionnaire_form, session
from tests.apptest import page
from tests.assess_helpers import INSPECTOR1, INSPECTOR2, add, full_answers

ASSESS = "pages/assess.py"


@pytest.fixture
def case(engine):
    with db.session_scope(engine) as s:
        return add(s, ref="HS-0042", charged_by="cps")


def open_case(db_url, monkeypatch, case, user="inspector1"):
    at = page(ASSESS, db_url, monkeypatch, user=user)
    at.query_params["case"] = str(case.case_id)
    return at.run()


def key(case, name, kind="a"):
    return questionnaire_form.widget_key(case.assessment_uid, kind, name)


def button(case, name):
    return questionnaire_form.widget_key(case.assessment_uid, name)


def go(at, case, section):
    """Show another section (the form shows one at a time)."""
    return at.radio(key=button(case, "section")).set_value(section).run()


def stored(engine, case):
    with db.session_scope(engine) as s:
        return assessments.load(s, INSPECTOR1, case.assessment_uid)


def texts(elements) -> str:
    return " ".join(e.value for e in elements)


def test_the_case_opens_from_the_address_with_its_sections_guidance_and_criteria(engine, db_url, monkeypatch, case):
    at = open_case(db_url, monkeypatch, case)
    assert not at.exception
    sections = at.radio(key=button(case, "section"))
    assert sections.options == [
        "The case", "Risk assessment and risk management", "Victim care and support", "Investigation",
        "Case file quality", "Charging and prosecution decisions", "Overall assessment"]
    assert sections.value == "risk"  # the context is all given: scoring starts at the first gap
    assert [h.value for h in at.subheader] == ["Risk assessment and risk management"]
    radio = at.radio(key=key(case, "initial_risk_assessment"))
    assert radio.value is None and "3.1" in radio.help  # the criterion it evidences, with its wording
    captions = texts(at.caption)
    assert "Evidences criteria 3.1" in captions and "first contact" in captions.lower()
    go(at, case, "context")
    assert at.selectbox(key=key(case, "force")).value == "durham"
    assert at.text_input(key=key(case, "case_ref")).value == "HS-0042"
    assert at.text_input(key=key(case, "case_ref")).disabled
    assert at.query_params["case"] == str(case.case_id)


def test_every_answer_and_note_is_saved_as_it_is_given(engine, db_url, monkeypatch, case):
    at = open_case(db_url, monkeypatch, case)
    at.radio(key=key(case, "initial_risk_assessment")).set_value("not_known").run()
    at.text_area(key=key(case, "initial_risk_assessment", "n")).input("Incident log p.1; no risk form").run()
    v = stored(engine, case)
    assert v.answers["initial_risk_assessment"] == "not_known"
    assert v.notes["initial_risk_assessment"] == "Incident log p.1; no risk form"
    # a new session (a refresh, another laptop) shows what is stored
    again = open_case(db_url, monkeypatch, case)
    assert again.radio(key=key(case, "initial_risk_assessment")).value == "not_known"
    assert again.text_area(key=key(case, "initial_risk_assessment", "n")).value == "Incident log p.1; no risk form"
    bars = [p.proto.text for p in again.get("progress")]
    assert "1 of 3 answered in this section" in bars  # the DASH follow-up is not asked yet
    assert "Risk assessment and risk management 1/3 ·" in bars[0] and "The case 8/8 ✓" in bars[0]


def test_skip_logic_hides_a_question_and_clears_its_answer_with_a_notice(engine, db_url, monkeypatch, case):
    at = open_case(db_url, monkeypatch, case)
    follow_up = key(case, "dash_supplementary_questions")
    assert not [r for r in at.radio if r.key == follow_up]  # asked only after a DASH
    at.radio(key=key(case, "enhanced_risk_assessment")).set_value("dash").run()
    at.radio(key=follow_up).set_value("no").run()
    assert stored(engine, case).answers["dash_supplementary_questions"] == "no"

    at.radio(key=key(case, "enhanced_risk_assessment")).set_value("s_dash").run()
    assert not [r for r in at.radio if r.key == follow_up]
    notice = texts(at.warning)
    assert "Cleared 1 answer" in notice and "DASH supplementary" in notice
    assert "Cleared 1 answer" in texts(at.toast)  # seen wherever the page is scrolled
    assert "dash_supplementary_questions" not in stored(engine, case).answers

    at.radio(key=key(case, "enhanced_risk_assessment")).set_value("dash").run()
    assert at.radio(key=follow_up).value is None  # back, blank: nothing was silently kept


def test_an_answer_given_by_mistake_can_be_cleared_back_to_blank(engine, db_url, monkeypatch, case):
    at = open_case(db_url, monkeypatch, case)
    clear = key(case, "initial_risk_assessment", "clear")
    assert not [b for b in at.button if b.key == clear]  # nothing to clear yet
    at.radio(key=key(case, "initial_risk_assessment")).set_value("yes").run()
    at.button(key=clear).click().run()
    assert at.radio(key=key(case, "initial_risk_assessment")).value is None
    assert "initial_risk_assessment" not in stored(engine, case).answers
    assert not [b for b in at.button if b.key == clear]


@pytest.mark.parametrize("choice, stays", [("keep_mine", "Typed offline: MG3 p.2"),
                                           ("drop_mine", "Incident log p.1")])
def test_a_note_recovered_from_the_browser_over_a_changed_note_waits_for_the_inspectors_choice(
        engine, db_url, monkeypatch, case, choice, stays):
    # the browser's note keeper found a note typed here that never reached the server, typed
    # over a note that has changed since (tests/browser/test_notes_e2e.py drives the browser side)
    at = open_case(db_url, monkeypatch, case)
    at.text_area(key=key(case, "initial_risk_assessment", "n")).input("Incident log p.1").run()
    at.session_state[button(case, "state")]["unsent"]["initial_risk_assessment"] = "Typed offline: MG3 p.2"
    at.run()
    assert "never saved, and the stored note has changed since" in texts(at.warning)
    assert stored(engine, case).notes["initial_risk_assessment"] == "Incident log p.1"  # nothing replaced unasked
    at.button(key=questionnaire_form.widget_key(case.assessment_uid, choice, "initial_risk_assessment")).click().run()
    assert "never saved" not in texts(at.warning)
    assert stored(engine, case).notes["initial_risk_assessment"] == stays
    assert at.text_area(key=key(case, "initial_risk_assessment", "n")).value == stays


def test_a_note_that_looks_like_personal_data_draws_a_warning(engine, db_url, monkeypatch, case):
    at = go(open_case(db_url, monkeypatch, case), case, "context")
    at.text_area(key=key(case, "plea", "n")).input("victim on 07700 900123").run()
    assert "phone number" in texts(at.warning)
    assert stored(engine, case).notes["plea"] == "victim on 07700 900123"  # a warning, not a refusal


def test_mark_complete_lists_what_is_missing_then_completes_and_reopens(engine, db_url, monkeypatch, case):
    v = stored(engine, case)
    answers = full_answers(v.questionnaire, v.answers)
    answers.pop("dealt_with_well_overall")
    with db.session_scope(engine) as s:
        assessments.save(s, INSPECTOR1, case.assessment_uid, 1,
                         {k: (a, None) for k, a in answers.items() if k not in v.answers})

    at = open_case(db_url, monkeypatch, case)
    assert at.radio(key=button(case, "section")).value == "overall"  # where the gap is
    at.button(key=button(case, "complete")).click().run()
    refusal = texts(at.error)
    assert "1 required answer(s) missing" in refusal
    assert "Overall assessment: Overall, was the case dealt with well" in refusal
    assert stored(engine, case).status == "draft"

    at.radio(key=key(case, "dealt_with_well_overall")).set_value("yes").run()
    assert not at.error  # the list shrinks as answers come in
    at.button(key=button(case, "complete")).click().run()
    assert "Marked complete" in texts(at.success)
    assert stored(engine, case).status == "complete"
    # read-only until reopened: the answer in words in the read-only case, no widget to change it
    assert not [r for r in at.radio if r.key == key(case, "dealt_with_well_overall")]
    overall = v.questionnaire.question("dealt_with_well_overall").label
    assert [r["answer"] for d in at.dataframe for r in d.value.to_dict("records") if r["question"] == overall] == ["Yes"]

    at.button(key=button(case, "reopen")).click().run()
    assert stored(engine, case).status == "draft"
    assert not at.radio(key=key(case, "dealt_with_well_overall")).disabled


def test_two_sessions_changing_different_questions_both_save(engine, db_url, monkeypatch, case):
    first = open_case(db_url, monkeypatch, case)
    second = open_case(db_url, monkeypatch, case)  # the same inspector in another tab
    first.radio(key=key(case, "initial_risk_assessment")).set_value("yes").run()
    second.radio(key=key(case, "risk_management_plan")).set_value("no").run()
    assert not second.error and not second.warning
    now = stored(engine, case)
    assert now.answers["initial_risk_assessment"] == "yes" and now.answers["risk_management_plan"] == "no"
    # the second tab now shows the first tab's answer too
    assert second.radio(key=key(case, "initial_risk_assessment")).value == "yes"


@pytest.mark.parametrize("kept, expected", [("clash_mine", "no"), ("clash_stored", "yes")])
def test_two_sessions_changing_the_same_question_see_both_and_choose(engine, db_url, monkeypatch, case, kept,
                                                                     expected):
    first = open_case(db_url, monkeypatch, case)
    second = open_case(db_url, monkeypatch, case)
    first.radio(key=key(case, "initial_risk_assessment")).set_value("yes").run()

    second.radio(key=key(case, "initial_risk_assessment")).set_value("no").run()
    assert stored(engine, case).answers["initial_risk_assessment"] == "yes"  # nothing overwritten
    shown = texts(second.warning)
    assert "was changed elsewhere" in shown
    both = " ".join(t.value for t in second.text)
    assert "Answer: No" in both and "Answer: Yes" in both  # side by side: nothing dropped
    assert not second.radio(key=key(case, "risk_management_plan")).disabled  # the rest of the form goes on

    second.button(key=questionnaire_form.widget_key(case.assessment_uid, kept, "initial_risk_assessment")).click()
    second.run()
    assert stored(engine, case).answers["initial_risk_assessment"] == expected
    assert second.radio(key=key(case, "initial_risk_assessment")).value == expected
    assert "was changed elsewhere" not in texts(second.warning)
    with db.session_scope(engine) as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == audit.CHANGE_CHOSEN)).one()
    assert (event.old_value, event.new_value) == ("yes", "no")  # both answers, and which was kept
    assert json.loads(event.detail)["kept"] == kept.removeprefix("clash_")


def test_mark_complete_after_a_save_elsewhere_shows_the_stored_answers_and_asks_again(engine, db_url, monkeypatch,
                                                                                    case):
    first = open_case(db_url, monkeypatch, case)
    second = open_case(db_url, monkeypatch, case)
    first.radio(key=key(case, "initial_risk_assessment")).set_value("yes").run()
    second.button(key=button(case, "complete")).click().run()
    assert not second.error or "Someone else saved" not in texts(second.error)  # no lock
    assert second.radio(key=key(case, "initial_risk_assessment")).value == "yes"  # the other tab's answer
    assert not second.radio(key=key(case, "risk_management_plan")).disabled
    second.button(key=button(case, "complete")).click().run()  # again: now it lists what is missing
    assert "required answer(s) missing" in texts(second.error)


def test_another_inspector_never_sees_the_assessment(engine, db_url, monkeypatch, case):
    at = open_case(db_url, monkeypatch, case, user="inspector2")
    assert not at.exception
    assert not at.radio
    assert "no cases to score" in texts(at.info)
    with db.session_scope(engine) as s:
        add(s, actor=INSPECTOR2, ref="HS-0043")
    at = open_case(db_url, monkeypatch, case, user="inspector2")
    assert "not one of yours" in texts(at.warning)
    assert at.selectbox(key="assess_case").value != case.case_id
    assert not [r for r in at.radio if r.key.startswith(f"qf:{case.assessment_uid}")]


def test_without_a_case_in_the_address_the_latest_draft_resumes(engine, db_url, monkeypatch, case):
    with db.session_scope(engine) as s:
        later = add(s, ref="HS-0050")
        assessments.save(s, INSPECTOR1, later.assessment_uid, 1, {"plea": ("not_guilty", None)})
    at = page(ASSESS, db_url, monkeypatch).run()
    assert at.selectbox(key="assess_case").value == later.case_id
    assert at.query_params["case"] == str(later.case_id)
    with db.session_scope(engine) as s:
        assert s.exec(select(Assessment).where(Assessment.uid == later.assessment_uid)).one().version == 2


def test_picking_another_case_follows_into_the_address(engine, db_url, monkeypatch, case):
    with db.session_scope(engine) as s:
        other = add(s, ref="HS-0051")
    at = open_case(db_url, monkeypatch, case)
    at.selectbox(key="assess_case").set_value(other.case_id).run()
    assert at.query_params["case"] == str(other.case_id)
    assert at.radio(key=key(other, "initial_risk_assessment")).value is None
    assert not [r for r in at.radio if r.key.startswith(f"qf:{case.assessment_uid}")]


def test_a_form_left_open_after_the_session_expired_saves_nothing(engine, db_url, monkeypatch, case):
    at = open_case(db_url, monkeypatch, case)
    at.session_state[session.SEEN_KEY] = time.time() - 24 * 3600  # the laptop sat idle all day
    at.radio(key=key(case, "initial_risk_assessment")).set_value("yes").run()
    assert "initial_risk_assessment" not in stored(engine, case).answers
    assert "sign in" in texts(at.warning).lower()
    assert not [r for r in at.radio if r.key and r.key.startswith("qf:")]  # nothing of the case on screen
