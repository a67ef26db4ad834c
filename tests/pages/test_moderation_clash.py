"""Moderation, two leads on one case (F20): a lead whose case another lead finished while they
had it open is told who finished it and when, that their answers were not saved, and keeps their
choices on screen. Two AppTest sessions on one database, the second one's save after the first's."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fieldwork import db
from fieldwork.problem_codes import ALREADY_MODERATED
from fieldwork.problems import ProblemError
from fieldwork.services import second_marking
from fieldwork.services.permissions import LEAD, Actor
from fieldwork.ui import session
from models import ModerationDecision
from tests.apptest import page
from tests.pages.test_quality_pages import _moderation_ready, button, texts

QUESTIONS = ("avoidable_delay", "prevention_advice")


def _lead(db_url, monkeypatch, name):
    at = page("pages/moderation.py", db_url, monkeypatch, user=name, role=session.LEAD).run()
    assert not at.exception
    return at


def _choose(at, marking_id, values):
    for question, value in zip(QUESTIONS, values):
        at.selectbox(key=f"mod_{marking_id}_{question}").set_value(value)


def _decisions(engine):
    with db.session_scope(engine) as s:
        return {(d.question, d.agreed_value, d.agreed_by) for d in s.execute(select(ModerationDecision)).scalars()}


def test_the_second_lead_is_told_who_finished_and_keeps_their_choices(engine, db_url, monkeypatch):
    marking_id = _moderation_ready(engine)
    lead_a, lead_b = _lead(db_url, monkeypatch, "lead1"), _lead(db_url, monkeypatch, "lead2")
    _choose(lead_b, marking_id, ("yes", "no"))
    button(lead_b, "Save agreed answers").click().run()
    button(lead_b, "Finish moderation").click().run()
    assert "HS-0300 moderated" in texts(lead_b.success)

    _choose(lead_a, marking_id, ("no", "yes"))
    button(lead_a, "Save agreed answers").click().run()
    assert not lead_a.exception
    assert "Every second-marked case is moderated" not in texts(lead_a.success)
    warning = texts(lead_a.warning)
    assert "lead2 finished moderating HS-0300 while you had it open (on " in warning
    assert "were not saved" in warning
    refusal = texts(lead_a.error) + " | " + " | ".join(lead_a.dataframe[-1].value["problem"])
    assert "your agreed answers were not saved" in refusal.lower() and "lead2 finished moderating" in refusal
    # lead1's choices stay on screen; what counts is named under each question
    assert [lead_a.selectbox(key=f"mod_{marking_id}_{q}").value for q in QUESTIONS] == ["no", "yes"]
    assert "Agreed by lead2: Yes" in texts(lead_a.caption) and "Agreed by lead2: No" in texts(lead_a.caption)
    assert _decisions(engine) == {("avoidable_delay", "yes", "lead2"), ("prevention_advice", "no", "lead2")}

    lead_a.run()  # the next rerun still says so
    assert "lead2 finished moderating HS-0300" in texts(lead_a.warning)


def test_a_lead_who_finishes_it_sees_no_warning(engine, db_url, monkeypatch):
    marking_id = _moderation_ready(engine)
    lead_a = _lead(db_url, monkeypatch, "lead1")
    _choose(lead_a, marking_id, ("yes", "no"))
    button(lead_a, "Save agreed answers").click().run()
    button(lead_a, "Finish moderation").click().run()
    assert not lead_a.warning and "Every second-marked case is moderated" in texts(lead_a.success)


def test_saving_or_finishing_a_finished_moderation_names_who_and_when(engine):
    marking_id = _moderation_ready(engine)
    lead2 = Actor("lead2", LEAD)
    with db.session_scope(engine) as s:
        for question, value in zip(QUESTIONS, ("yes", "no")):
            second_marking.agree(s, lead2, marking_id, question, value)
        second_marking.finish(s, lead2, marking_id)
    lead1 = Actor("lead1", LEAD)
    with db.session_scope(engine) as s, pytest.raises(ProblemError) as refused:
        second_marking.agree(s, lead1, marking_id, "avoidable_delay", "no")
    [problem] = refused.value.problems
    assert problem.code == ALREADY_MODERATED and problem.item == "HS-0300"
    assert problem.message.startswith("lead2 finished moderating HS-0300 on ") and "yours were not saved" in \
        problem.message
    with db.session_scope(engine) as s, pytest.raises(ProblemError) as again:
        second_marking.finish(s, lead1, marking_id)
    assert "moderation is finished already: lead2 finished moderating HS-0300" in again.value.problems[0].message
    assert _decisions(engine) == {("avoidable_delay", "yes", "lead2"), ("prevention_advice", "no", "lead2")}
