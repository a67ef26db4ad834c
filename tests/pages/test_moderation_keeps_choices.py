"""Moderation through AppTest as a lead (walk 23, F7): agreed answers chosen and then Finish
moderation pressed, without Save first, are kept; the refusal names only what is still
undecided and the choices stay in their boxes; what was recorded is said under the buttons."""

from __future__ import annotations

from sqlalchemy import select

from fieldwork import db
from models import AGREED, Assessment, ModerationDecision
from tests.pages.test_quality_pages import _moderation_ready, button, lead_page, texts


def _decided(engine) -> dict[str, str | None]:
    with db.session_scope(engine) as s:
        return {d.question: d.agreed_value for d in s.execute(select(ModerationDecision)).scalars()}


def test_finish_before_save_keeps_the_choices_and_names_only_the_undecided(engine, db_url, monkeypatch):
    marking_id = _moderation_ready(engine)  # avoidable_delay and prevention_advice differ
    at = lead_page("pages/moderation.py", db_url, monkeypatch).run()
    at.selectbox(key=f"mod_{marking_id}_avoidable_delay").set_value("yes")
    button(at, "Finish moderation").click().run()
    assert not at.exception
    assert _decided(engine) == {"avoidable_delay": "yes"}  # stored, not thrown away
    assert "1 agreed answer(s) recorded for HS-0300" in texts(at.success)
    assert "moderation is not finished" in texts(at.error).lower()
    problems = at.dataframe[-1].value
    assert len(problems) == 1 and "prevention" in problems["problem"][0].lower()  # only the undecided one
    assert at.selectbox(key=f"mod_{marking_id}_avoidable_delay").value == "yes"  # still on screen
    assert "HS-0300" in texts(at.toast)

    at.selectbox(key=f"mod_{marking_id}_prevention_advice").set_value("no")
    button(at, "Finish moderation").click().run()  # the second choice, again without Save: finished
    assert not at.exception
    assert "1 agreed answer(s) recorded for HS-0300; HS-0300 moderated" in texts(at.success)
    assert _decided(engine) == {"avoidable_delay": "yes", "prevention_advice": "no"}
    with db.session_scope(engine) as s:
        assert s.execute(select(Assessment).where(Assessment.purpose == AGREED)).scalars().one().counted


def test_a_finish_with_nothing_chosen_stores_nothing(engine, db_url, monkeypatch):
    _moderation_ready(engine)
    at = lead_page("pages/moderation.py", db_url, monkeypatch).run()
    button(at, "Finish moderation").click().run()
    assert not at.exception
    assert "moderation is not finished" in texts(at.error).lower() and not at.success
    assert len(at.dataframe[-1].value) == 2 and _decided(engine) == {}


def test_a_case_finished_by_another_lead_meanwhile_is_said_not_dropped(engine, db_url, monkeypatch):
    from fieldwork.services import moderation_choices
    from tests.laptops import LEAD_ACTOR

    marking_id = _moderation_ready(engine)
    at = lead_page("pages/moderation.py", db_url, monkeypatch).run()
    at.selectbox(key=f"mod_{marking_id}_avoidable_delay").set_value("no")
    with db.session_scope(engine) as s:  # another lead (here the same account elsewhere) finishes first
        moderation_choices.finish(s, LEAD_ACTOR, marking_id, {"avoidable_delay": "yes", "prevention_advice": "yes"})
    button(at, "Save agreed answers").click().run()
    assert not at.exception
    assert "finished moderating HS-0300 while you had it open" in texts(at.warning)
    # the lead's choice stays in its box (s23-stale, F20), what was agreed is named under it
    assert at.selectbox(key=f"mod_{marking_id}_avoidable_delay").value == "no"
    assert "Agreed by lead1: Yes" in texts(at.caption)
    assert _decided(engine) == {"avoidable_delay": "yes", "prevention_advice": "yes"}
    at.run()  # still said while the case stays open on this page
    assert "while you had it open" in texts(at.warning)


def test_a_lead_who_finishes_is_not_warned_about_themselves(engine, db_url, monkeypatch):
    marking_id = _moderation_ready(engine)
    at = lead_page("pages/moderation.py", db_url, monkeypatch).run()
    at.selectbox(key=f"mod_{marking_id}_avoidable_delay").set_value("yes")
    at.selectbox(key=f"mod_{marking_id}_prevention_advice").set_value("yes")
    button(at, "Finish moderation").click().run()
    assert not at.exception
    assert "HS-0300 moderated" in texts(at.success) and not at.warning
