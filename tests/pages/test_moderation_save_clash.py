"""Moderation page, two leads both *saving* agreed answers on one case (walk 23, F20; session
24 item 1), and what the lead reads there (items 2, 3, 5). Two AppTest sessions on one
database: lead2 saves first; lead1, who opened the case before, is refused with both answers
per question and keeps theirs or the stored one; nothing is overwritten without a word."""

from __future__ import annotations

import re

from sqlalchemy import select

from fieldwork import db
from fieldwork.ui import session
from models import ModerationDecision
from tests.apptest import page
from tests.pages.test_quality_pages import _moderation_ready, button, texts

DELAY, ADVICE = "avoidable_delay", "prevention_advice"  # the two questions the markers answered differently
DELAY_WORDS = "“Were there avoidable delays in the investigation?”"


def _lead(db_url, monkeypatch, name):
    at = page("pages/moderation.py", db_url, monkeypatch, user=name, role=session.LEAD).run()
    assert not at.exception
    return at


def _choose(at, marking_id, **values):
    for question, value in values.items():
        at.selectbox(key=f"mod_{marking_id}_{question}").set_value(value)


def _decisions(engine) -> dict[str, tuple[str | None, str]]:
    with db.session_scope(engine) as s:
        return {d.question: (d.agreed_value, d.agreed_by) for d in s.execute(select(ModerationDecision)).scalars()}


def _in_order(at) -> list[tuple[str, str]]:
    """Every element of the main area, depth first, as (type, text or label): where things are."""
    out = []

    def walk(node):
        kind = type(node).__name__
        text = getattr(node, "label", None) or getattr(node, "value", None)
        out.append((kind, text if isinstance(text, str) else ""))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return out


def _two_leads_then_lead2_saves(engine, db_url, monkeypatch):
    marking_id = _moderation_ready(engine)
    lead1, lead2 = _lead(db_url, monkeypatch, "lead1"), _lead(db_url, monkeypatch, "lead2")  # both open it
    _choose(lead2, marking_id, **{DELAY: "no", ADVICE: "no"})
    button(lead2, "Save agreed answers").click().run()
    assert "2 agreed answer(s) recorded for HS-0300" in texts(lead2.success)
    _choose(lead1, marking_id, **{DELAY: "yes", ADVICE: "no"})  # differs from lead2 on the first only
    button(lead1, "Save agreed answers").click().run()
    assert not lead1.exception
    return marking_id, lead1


def test_the_second_lead_sees_both_answers_and_keeps_theirs(engine, db_url, monkeypatch):
    marking_id, lead1 = _two_leads_then_lead2_saves(engine, db_url, monkeypatch)
    assert "Your agreed answers were **not saved**" in texts(lead1.warning)
    said = texts(lead1.markdown)
    assert re.search(re.escape(DELAY_WORDS) + r" — yours: \*\*Yes\*\*; saved by lead2 at \d\d:\d\d: \*\*No\*\*", said)
    assert said.count("— yours:") == 1  # the same answer as stored (prevention advice): nothing to ask
    assert _decisions(engine) == {DELAY: ("no", "lead2"), ADVICE: ("no", "lead2")}  # nothing overwritten
    assert lead1.selectbox(key=f"mod_{marking_id}_{DELAY}").value == "yes"  # lead1's choice still on screen
    choice = lead1.radio(key=f"mod_clash_{marking_id}_{DELAY}")
    assert choice.options == ["Keep mine (Yes)", "Keep the stored one (No)"]
    # the question is put under the buttons the lead pressed, not at the top of the page
    order = _in_order(lead1)
    assert order.index(("Radio", DELAY_WORDS)) > order.index(("Button", "Save agreed answers"))

    button(lead1, "Save these choices").click().run()  # nothing chosen yet: asked again, nothing written
    assert "Choose Keep mine or Keep the stored one" in texts(lead1.error)
    assert _decisions(engine) == {DELAY: ("no", "lead2"), ADVICE: ("no", "lead2")}

    lead1.radio(key=f"mod_clash_{marking_id}_{DELAY}").set_value("mine")
    button(lead1, "Save these choices").click().run()
    assert not lead1.exception
    assert _decisions(engine) == {DELAY: ("yes", "lead1"), ADVICE: ("no", "lead2")}
    assert "1 agreed answer(s) recorded for HS-0300" in texts(lead1.success)
    assert not lead1.warning and not lead1.info  # resolved: no clash, no "saved since" left behind
    lead1.run()
    assert not lead1.warning and not lead1.info


def test_keeping_the_stored_one_puts_it_in_the_box(engine, db_url, monkeypatch):
    marking_id, lead1 = _two_leads_then_lead2_saves(engine, db_url, monkeypatch)
    lead1.radio(key=f"mod_clash_{marking_id}_{DELAY}").set_value("stored")
    button(lead1, "Save these choices").click().run()
    assert not lead1.exception
    assert _decisions(engine) == {DELAY: ("no", "lead2"), ADVICE: ("no", "lead2")}
    assert lead1.selectbox(key=f"mod_{marking_id}_{DELAY}").value == "no"
    assert not lead1.warning and not lead1.info
    button(lead1, "Finish moderation").click().run()  # and the lead goes on from there
    assert "HS-0300 moderated" in texts(lead1.success)


def test_a_finish_over_a_newer_answer_asks_first_and_then_finishes(engine, db_url, monkeypatch):
    marking_id = _moderation_ready(engine)
    lead1, lead2 = _lead(db_url, monkeypatch, "lead1"), _lead(db_url, monkeypatch, "lead2")
    _choose(lead2, marking_id, **{DELAY: "no"})
    button(lead2, "Save agreed answers").click().run()
    _choose(lead1, marking_id, **{DELAY: "yes", ADVICE: "yes"})
    button(lead1, "Finish moderation").click().run()
    assert "not saved" in texts(lead1.warning) and _decisions(engine) == {DELAY: ("no", "lead2")}
    lead1.radio(key=f"mod_clash_{marking_id}_{DELAY}").set_value("mine")
    button(lead1, "Save these choices and finish").click().run()
    assert not lead1.exception
    assert "HS-0300 moderated" in texts(lead1.success)
    assert _decisions(engine) == {DELAY: ("yes", "lead1"), ADVICE: ("yes", "lead1")}


def test_saved_since_is_said_until_the_lead_s_next_save(engine, db_url, monkeypatch):
    marking_id = _moderation_ready(engine)
    lead1, lead2 = _lead(db_url, monkeypatch, "lead1"), _lead(db_url, monkeypatch, "lead2")
    _choose(lead2, marking_id, **{DELAY: "no"})
    button(lead2, "Save agreed answers").click().run()
    lead1.run()
    assert "lead2 saved agreed answers to 1 question(s) after you opened this case (" + DELAY_WORDS + ": No)" in \
        texts(lead1.info)
    _choose(lead1, marking_id, **{ADVICE: "yes"})  # no clash: a question lead2 left open
    button(lead1, "Save agreed answers").click().run()
    assert "1 agreed answer(s) recorded" in texts(lead1.success)
    assert not lead1.info and not lead1.warning
    assert _decisions(engine) == {DELAY: ("no", "lead2"), ADVICE: ("yes", "lead1")}


def test_the_finished_elsewhere_warning_goes_once_the_lead_takes_the_finished_answers(engine, db_url, monkeypatch):
    marking_id = _moderation_ready(engine)
    lead1, lead2 = _lead(db_url, monkeypatch, "lead1"), _lead(db_url, monkeypatch, "lead2")
    _choose(lead2, marking_id, **{DELAY: "no", ADVICE: "no"})
    button(lead2, "Finish moderation").click().run()
    _choose(lead1, marking_id, **{DELAY: "yes"})
    button(lead1, "Save agreed answers").click().run()
    assert "lead2 finished moderating HS-0300 while you had it open" in texts(lead1.warning)
    button(lead1, "Take the finished answers").click().run()
    assert not lead1.exception
    assert not lead1.warning and "Every second-marked case is moderated" in texts(lead1.success)
    lead1.run()
    assert not lead1.warning


def test_questions_and_answers_in_words_and_the_saved_line_under_the_buttons(engine, db_url, monkeypatch):
    marking_id = _moderation_ready(engine)
    at = _lead(db_url, monkeypatch, "lead1")
    shown = texts(at.markdown) + texts(at.caption)
    assert "`" not in shown and DELAY not in shown and ADVICE not in shown  # no variable names, no code type
    assert "**inspector1** (first): No" in shown and "**inspector2** (second): Yes" in shown
    assert "(`no`)" not in shown and "(`yes`)" not in shown

    _choose(at, marking_id, **{DELAY: "yes"})
    button(at, "Save agreed answers").click().run()
    order = _in_order(at)
    saved = ("Success", "1 agreed answer(s) recorded for HS-0300.")
    assert saved in order and order.index(saved) > order.index(("Button", "Save agreed answers"))
    assert "1 agreed answer(s) recorded for HS-0300." in texts(at.toast)  # seen wherever the lead has scrolled


def test_another_lead_s_save_does_not_move_this_lead_to_another_case(engine, db_url, monkeypatch):
    _moderation_ready(engine, "HS-0300")
    other = _moderation_ready(engine, "HS-0301")
    lead1, lead2 = _lead(db_url, monkeypatch, "lead1"), _lead(db_url, monkeypatch, "lead2")
    for at in (lead1, lead2):
        at.selectbox(key="mod_case").set_value(other).run()
    _choose(lead2, other, **{DELAY: "no"})
    button(lead2, "Save agreed answers").click().run()
    lead1.run()  # the case's counts changed ("1 agreed"): lead1 stays on it
    assert lead1.selectbox(key="mod_case").value == other
    assert "to moderate · 2 answer(s) differing, 1 agreed" in texts(lead1.caption)
    assert "Agreed by lead2: No" in texts(lead1.caption)
