"""Marking a case example on the read-only case through AppTest (walk 23, F4): after a refusal
the success replaces it; the same example again is refused in words, not stored twice; a
narrative that looks as if it holds a phone number is warned about before it is saved."""

from __future__ import annotations

from sqlalchemy import select

from fieldwork import db
from models import CaseExample
from tests.apptest import page
from tests.laptops import random_answers, score
from tests.pages.test_quality_pages import texts

NARRATIVE = "The file shows six weeks without action."


def _narratives(engine) -> list[str]:
    with db.session_scope(engine) as s:
        return list(s.execute(select(CaseExample.narrative).order_by(CaseExample.id)).scalars())


def _press(at):
    next(b for b in at.button if b.label == "Mark as example").click().run()
    assert not at.exception


def test_a_refusal_then_a_success_shows_the_success_and_a_repeat_is_refused(engine, db_url, monkeypatch):
    uid = score(engine, "inspector1", "HS-0001", random_answers(engine, seed=1))
    at = page("pages/case_view.py", db_url, monkeypatch, user="lead1", role="lead")
    at.query_params["assessment"] = uid
    at.run()
    at.selectbox(key="case_example_criterion").select("3.1")
    _press(at)  # no narrative
    assert "The case example was refused." in texts(at.error)
    assert "Write a short pseudonymised narrative of the case." in list(at.dataframe[-1].value["problem"])

    at.text_area(key="case_example_narrative").input(NARRATIVE)
    _press(at)
    assert not at.error and "HS-0001 marked as an example of criterion 3.1" in texts(at.success)
    assert at.text_area(key="case_example_narrative").value == ""  # ready for the next one
    assert _narratives(engine) == [NARRATIVE]

    at.text_area(key="case_example_narrative").input(NARRATIVE)  # the same example again
    _press(at)
    assert not at.success and "already an example of this with the same narrative" in " ".join(
        at.dataframe[-1].value["problem"])
    assert at.text_area(key="case_example_narrative").value == NARRATIVE  # kept, to be changed
    assert _narratives(engine) == [NARRATIVE]


def test_a_phone_number_is_warned_about_before_it_is_saved(engine, db_url, monkeypatch):
    uid = score(engine, "inspector1", "HS-0001", random_answers(engine, seed=1))
    at = page("pages/case_view.py", db_url, monkeypatch, user="lead1", role="lead")
    at.query_params["assessment"] = uid
    at.run()
    at.selectbox(key="case_example_criterion").select("3.1")
    at.text_area(key="case_example_narrative").input("The victim was called on 07700 900123.")
    _press(at)
    assert "Not saved yet: the narrative may hold a phone number" in texts(at.warning)
    assert _narratives(engine) == [] and not at.success

    at.text_area(key="case_example_narrative").input("The victim was called the same day.")  # put right
    _press(at)
    assert "marked as an example" in texts(at.success) and not at.warning
    assert _narratives(engine) == ["The victim was called the same day."]

    at.text_area(key="case_example_narrative").input("Called on 07700 900123.")
    _press(at)
    _press(at)  # pressed again unchanged: the lead decides, saved as it is, and still said
    assert "marked as an example" in texts(at.success) and "check it is pseudonymised" in texts(at.warning)
    assert _narratives(engine)[-1] == "Called on 07700 900123."
