"""The Conflicts page over the entries of a repeat group, through AppTest as a lead: the same
case scored on two laptops, each answer that differs listed with its question and its entry."""

from __future__ import annotations

from fieldwork import db
from tests.laptops import databases, export, inspector, merge, team_accounts  # noqa: F401 (databases: a fixture)
from tests.marking_repeat_helpers import add_form, score
from tests.pages.test_quality_pages import lead_page
from tests.test_second_marking_repeats import FIRST, SECOND


def test_the_conflicts_page_names_the_entry_of_each_differing_answer(engine, db_url, monkeypatch, databases):
    laptop_a, laptop_b = databases("a"), databases("b")
    team_accounts(engine)  # a bundle merges only an account's work
    for e in (laptop_a, laptop_b, engine):
        with db.session_scope(e) as s:
            add_form(s)
    score(laptop_a, "inspector1", "HS-0001", FIRST)
    score(laptop_b, "inspector2", "HS-0001", SECOND)
    merge(engine, export(laptop_a, inspector("inspector1")), "a.fwbundle.zip")
    merge(engine, export(laptop_b, inspector("inspector2")), "b.fwbundle.zip")

    at = lead_page("pages/conflicts.py", db_url, monkeypatch).run()
    assert not at.exception
    table = at.dataframe[0].value
    rows = sorted(zip(table["variable"], table["entry"]))
    assert "attended" not in set(table["question"])  # the question in words, its variable kept hidden
    assert rows == [("attended", "Incident 3"), ("served", "Incident 1 › PIN 1"), ("when", "Incident 3")]
