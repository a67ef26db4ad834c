"""Assess open in two tabs: a section reached in one tab (←/→ or the picker) shows what the
other saved, and so does the progress line, read in one query per switch; a choice still to
be made ("changed elsewhere … Keep mine / Keep the saved one") survives the switch (walk 23, F1).

In the browser a section switch reruns the form alone (``st.fragment``), not the page, whose
full run reloads the copy. AppTest runs the whole script every time, so these tests run the
form alone the same way: opened once, then every run is the form's own (``form_alone``)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import event, update
from streamlit.testing.v1 import AppTest

from fieldwork import db
from fieldwork.services import actor_check, assessments, session_tokens
from fieldwork.services.permissions import INSPECTOR, Actor
from fieldwork.ui import questionnaire_form, session
from models import User
from tests.apptest import page
from tests.assess_helpers import INSPECTOR1, INSPECTOR2, add
from tests.pages.test_assess_page import button, go, key, stored, texts


@pytest.fixture
def case(engine):
    with db.session_scope(engine) as s:
        return add(s, ref="HS-0043", charged_by="cps")


def form_alone(uid: str) -> None:
    """The Assess form as a section switch runs it: the copy read when the page opened, then
    only the form's own runs (the fragment), never the page's reload."""
    import streamlit as st

    from fieldwork.ui import questionnaire_form, session

    user = session.current_user()
    if user is None:  # as the app's router: the sign-in page, saying why the session ended
        st.warning(session.ended_message())
        return
    if questionnaire_form.widget_key(uid, "state") not in st.session_state:
        questionnaire_form.load(user, uid)
    questionnaire_form.assessment_form(user, uid)


def open_form(db_url, monkeypatch, case) -> AppTest:
    page("pages/assess.py", db_url, monkeypatch)  # the environment and the account, as for a page
    at = AppTest.from_function(form_alone, args=(case.assessment_uid,), default_timeout=30)
    at.session_state[session.USER_KEY] = {"name": "inspector1", "role": session.INSPECTOR, "forces": []}
    at.session_state[session.SEEN_KEY] = time.time()
    return at.run()


def save_elsewhere(engine, case, **answers) -> None:
    """Another tab (or laptop) of the same inspector saves."""
    with db.session_scope(engine) as s:
        version = assessments.load(s, INSPECTOR1, case.assessment_uid).version
        assessments.save(s, INSPECTOR1, case.assessment_uid, version, {k: (v, None) for k, v in answers.items()})


@pytest.fixture
def reads(monkeypatch):
    """The form's reads of the database: ("reread", uid) per re-read, ("load", uid) per full read."""
    calls = []
    for name in ("reread", "load"):
        real = getattr(assessments, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(assessments, name, counted)
    return calls


def progress_line(at) -> str:
    return at.get("progress")[0].proto.text


def test_a_section_reached_by_the_arrows_or_the_picker_shows_what_another_tab_saved(
        engine, db_url, monkeypatch, case, reads):
    first = open_form(db_url, monkeypatch, case)  # opens on Risk, the first gap
    assert not first.exception, first.exception
    assert [h.value for h in first.subheader] == ["Risk assessment and risk management"]
    save_elsewhere(engine, case, risk_management_plan="no", victim_support_referral="yes")
    reads.clear()

    first.button(key=button(case, "next")).click().run()  # "Victim care and support →"
    assert not first.exception, first.exception
    assert [h.value for h in first.subheader] == ["Victim care and support"]
    assert first.radio(key=key(case, "victim_support_referral")).value == "yes"
    assert "Victim care and support 1/" in progress_line(first)
    assert "Risk assessment and risk management 1/" in progress_line(first)
    assert reads == ["reread"]  # one query for the switch, not one per widget

    first.button(key=button(case, "previous")).click().run()  # "← Risk assessment…"
    assert first.radio(key=key(case, "risk_management_plan")).value == "no"
    assert reads == ["reread"] * 2
    save_elsewhere(engine, case, victim_support_referral="no")
    reads.clear()
    go(first, case, "victim_care")  # the picker
    assert first.radio(key=key(case, "victim_support_referral")).value == "no"
    assert reads == ["reread"]
    assert f"version {stored(engine, case).version} ·" in texts(first.caption)
    reads.clear()
    first.radio(key=key(case, "prevention_advice")).set_value("yes").run()  # a save: nothing re-read
    assert reads == []
    assert stored(engine, case).answers["prevention_advice"] == "yes"


def test_a_section_switch_shows_a_completion_made_elsewhere(engine, db_url, monkeypatch, case):
    from tests.assess_helpers import full_answers

    first = open_form(db_url, monkeypatch, case)
    with db.session_scope(engine) as s:
        view = assessments.load(s, INSPECTOR1, case.assessment_uid)
        answers = full_answers(view.questionnaire, dict(view.answers))
        version = assessments.save(s, INSPECTOR1, case.assessment_uid, view.version,
                                   {k: (v, None) for k, v in answers.items()
                                    if k not in view.answers and k != "case_ref"}).version
        assessments.mark_complete(s, INSPECTOR1, case.assessment_uid, version)
    first.button(key=button(case, "next")).click().run()
    assert not first.exception, first.exception
    assert "Marked complete" in " ".join(x.value for x in first.success)


def test_a_choice_still_to_be_made_survives_a_section_switch(engine, db_url, monkeypatch, case, reads):
    first = open_form(db_url, monkeypatch, case)
    save_elsewhere(engine, case, initial_risk_assessment="yes")
    first.radio(key=key(case, "initial_risk_assessment")).set_value("no").run()  # refused: changed elsewhere
    assert "was changed elsewhere" in texts(first.warning)
    reads.clear()

    first.button(key=button(case, "next")).click().run()
    first.button(key=button(case, "previous")).click().run()
    assert reads == ["reread", "reread"]
    assert "was changed elsewhere" in texts(first.warning)  # nothing chosen here is dropped
    both = " ".join(t.value for t in first.text)
    assert "Answer: No" in both and "Answer: Yes" in both
    first.button(key=questionnaire_form.widget_key(case.assessment_uid, "clash_mine",
                                                   "initial_risk_assessment")).click().run()
    assert stored(engine, case).answers["initial_risk_assessment"] == "no"
    assert first.radio(key=key(case, "initial_risk_assessment")).value == "no"


def test_the_reread_is_one_query_and_reads_what_load_reads(engine, case):
    with db.session_scope(engine) as s:
        view = assessments.load(s, INSPECTOR1, case.assessment_uid)
        assessments.save(s, INSPECTOR1, case.assessment_uid, view.version,
                         {"initial_risk_assessment": ("yes", "Incident log p.2"), "risk_management_plan": ("no", None)})
    statements = []

    def count(*_args):
        statements.append(1)

    with db.session_scope(engine) as s:
        view = assessments.load(s, INSPECTOR1, case.assessment_uid)
        s.connection()
        event.listen(engine, "before_cursor_execute", count)
        try:
            now = assessments.reread(s, INSPECTOR1, case.assessment_uid, view.questionnaire)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert len(statements) == 1
        assert (now.version, now.status, now.answers, now.notes, now.instances) == (
            view.version, view.status, view.answers, view.notes, view.instances)
        assert now.answers["case_ref"] == "HS-0043"
        # another inspector's assessment is not read this way (load refuses it, saying why)
        assert assessments.reread(s, INSPECTOR2, case.assessment_uid, view.questionnaire) is None


def test_a_disabled_account_rereads_nothing_and_the_switch_signs_it_out(engine, db_url, monkeypatch, case):
    first = open_form(db_url, monkeypatch, case)
    with db.session_scope(engine) as s:
        s.exec(update(User).where(User.name == "inspector1").values(active=False))
    signed_in = Actor("inspector1", INSPECTOR, signed_in=True)
    with db.session_scope(engine) as s:
        questionnaire = assessments.load(s, INSPECTOR1, case.assessment_uid).questionnaire
        with pytest.raises(actor_check.SessionEnded):  # the path every write takes (actor_check.at_write)
            assessments.reread(s, signed_in, case.assessment_uid, questionnaire)
    save_elsewhere(engine, case, victim_support_referral="yes")
    first.button(key=button(case, "next")).click().run()
    assert not first.exception, first.exception
    assert not [r for r in first.radio if r.key and r.key.startswith("qf:")]  # nothing of the case on screen
    assert session.USER_KEY not in first.session_state  # signed out: the sign-in page says why
    assert "your account has been disabled" in texts(first.warning)


def test_a_session_ended_elsewhere_stops_the_switch_and_nothing_is_written(engine, db_url, monkeypatch, case):
    """The re-read takes the path every write takes (actor_check.at_write): the session's token
    too, not only the account (docs/trust-boundaries.md)."""
    from tests.db_snapshot import snapshot

    page("pages/assess.py", db_url, monkeypatch)
    with db.session_scope(engine) as s:
        token = session_tokens.issue(s, INSPECTOR1)
    at = AppTest.from_function(form_alone, args=(case.assessment_uid,), default_timeout=30)
    at.session_state[session.USER_KEY] = {"name": "inspector1", "role": session.INSPECTOR, "forces": []}
    at.session_state[session.SEEN_KEY] = time.time()
    at.session_state[session.TOKEN_KEY] = token
    at.run()
    assert at.subheader  # the form is open on a section
    with db.session_scope(engine) as s:
        session_tokens.revoke(s, token)  # signed out in another tab
    before = snapshot(engine)
    at.button(key=button(case, "next")).click().run()
    assert not at.exception, at.exception
    assert not [r for r in at.radio if r.key and r.key.startswith("qf:")]  # nothing of the case on screen
    assert session.USER_KEY not in at.session_state
    assert "signed out in another tab" in texts(at.warning)
    assert snapshot(engine) == before


def test_a_force_taken_away_stops_the_switch_in_words_and_nothing_is_written(engine, db_url, monkeypatch, case):
    from tests.db_snapshot import snapshot

    first = open_form(db_url, monkeypatch, case)  # a Durham case, the account sees every force
    with db.session_scope(engine) as s:  # an administrator limits the account to Gwent meanwhile
        s.exec(update(User).where(User.name == "inspector1").values(forces='["gwent"]'))
    before = snapshot(engine)
    first.button(key=button(case, "next")).click().run()
    assert not first.exception, first.exception
    assert not [r for r in first.radio if r.key and r.key.startswith("qf:")]  # no answer of the case shown
    assert not first.subheader
    shown = " ".join(first.dataframe[-1].value["problem"])
    assert ("You (inspector1, inspector) may not open HS-0043: it is a case of Durham Constabulary, and your "
            "account covers Gwent Police only") in shown
    assert "Nothing was saved" in texts(first.caption)
    assert snapshot(engine) == before
