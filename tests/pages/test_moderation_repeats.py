"""The Moderation page over the entries of a repeat group, through AppTest as a lead: each
disagreement shows the entry it belongs to in words, and the agreed answer recorded there
applies to that entry only."""

from __future__ import annotations

from sqlmodel import select

from fieldwork import db
from fieldwork.services import second_marking
from models import ModerationDecision
from tests.marking_repeat_helpers import add_form, score, second_mark
from tests.pages.test_quality_pages import button, lead_page, texts
from tests.test_second_marking_repeats import FIRST, SECOND, _agreed_answers


def test_the_moderation_page_shows_each_disagreement_with_its_entry(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        add_form(s)
    primary = score(engine, "inspector1", "HS-0001", FIRST)
    marking_id, _ = second_mark(engine, primary, "inspector2", SECOND)

    at = lead_page("pages/moderation.py", db_url, monkeypatch).run()
    assert not at.exception
    shown = texts(at.markdown)
    assert "**Incident 1 › PIN 1**" in shown and "**Incident 3**" in shown
    assert "Served in person" in shown and "Date of incident" in shown
    assert at.selectbox(key="mod_case").options == ["HS-0001 · inspector1 / inspector2"]
    assert "to moderate · 3 answer(s) differing, 0 agreed" in texts(at.caption)  # every entry's disagreement counted

    at.selectbox(key=f"mod_{marking_id}_incident[1]/pin[1]/served").set_value("yes")
    at.selectbox(key=f"mod_{marking_id}_incident[3]/when").set_value(second_marking.NOT_ASKED)
    at.selectbox(key=f"mod_{marking_id}_incident[3]/attended").set_value(second_marking.NOT_ASKED)
    button(at, "Save agreed answers").click().run()
    assert not at.exception
    assert "3 agreed answer(s) recorded" in texts(at.success)
    with db.session_scope(engine) as s:
        decided = {(d.instance, d.question): d.agreed_value for d in s.exec(select(ModerationDecision)).all()}
    assert decided == {("incident[1]/pin[1]", "served"): "yes", ("incident[3]", "when"): None,
                       ("incident[3]", "attended"): None}

    button(at, "Finish moderation").click().run()
    assert not at.exception
    assert "findings now count the agreed answers" in texts(at.success)
    assert _agreed_answers(engine) == FIRST


def test_the_second_marking_page_shows_entries_agreement_apart(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        add_form(s)
    primary = score(engine, "inspector1", "HS-0001", FIRST)
    second_mark(engine, primary, "inspector2", SECOND)

    at = lead_page("pages/second_marking.py", db_url, monkeypatch).run()
    at.selectbox(key="sm_questionnaire").set_value("pin_log").run()
    assert not at.exception
    table = at.dataframe[-1].value.set_index("Variable")
    assert list(table.index) == ["charged", "count(incident)", "attended", "count(pin)", "served", "(overall)"]
    assert table.loc["count(incident)", "Agreement"] == 0.0  # two incidents against three
    assert (table.loc["served", "Unit"], table.loc["served", "Cases"], table.loc["served", "Agreement"]) == (
        "entries", 1, 0.0)  # the one PIN both recorded, judged otherwise
    assert table.loc["attended", "In one marking's entries only"] == 1  # incident 3, the second's only
    assert "Repeat groups: a question asked in an entry" in texts(at.caption)
