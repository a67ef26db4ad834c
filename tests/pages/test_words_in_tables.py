"""Tables in words (walk 23, F6), through AppTest as a lead: the Second marking page's agreement
table names each question by its short label (the variable kept in the data, not shown), an
empty cell reads "—", a draw limited to forces names them as a lead does, and so do the cases
behind a figure on Findings."""

from __future__ import annotations

import json

from fieldwork.ui.components import tables
from tests.apptest import page
from tests.laptops import random_answers, score
from tests.pages.test_quality_pages import _moderation_ready, button, lead_page, texts


def test_the_agreement_table_names_questions_in_words_and_blanks_read_as_a_dash(engine, db_url, monkeypatch):
    _moderation_ready(engine)
    at = lead_page("pages/second_marking.py", db_url, monkeypatch).run()
    assert not at.exception
    shown = next(d for d in at.dataframe if "Kappa" in d.value.columns)
    table = shown.value.set_index("Variable")
    assert table.loc["avoidable_delay", "Question"] == "Avoidable delay"
    assert "avoidable_delay" not in set(table["Question"])
    assert json.loads(shown.proto.columns)["Variable"]["hidden"] is True
    assert shown.proto.placeholder == tables.EMPTY  # Kappa with one pair: "—", never "None"
    markings = next(d for d in at.dataframe if "State" in d.value.columns)
    assert markings.proto.placeholder == tables.EMPTY


def test_a_draw_limited_to_forces_names_them(engine, db_url, monkeypatch):
    for n in range(1, 4):
        score(engine, f"inspector{1 + n % 2}", f"HS-{n:04d}", random_answers(engine, seed=n, force="durham"))
    for name in ("inspector1", "inspector2"):  # second markers need accounts once the lead has one
        page("pages/criteria.py", db_url, monkeypatch, user=name)
    at = lead_page("pages/second_marking.py", db_url, monkeypatch).run()
    at.radio(key="sm_by").set_value("Number of cases")
    at.number_input(key="sm_number").set_value(2)
    at.multiselect(key="sm_forces").set_value(["durham"])
    button(at, "Draw sample").click().run()
    assert not at.exception
    assert "2 case(s) drawn — 2 case(s) per force, seed 2017, forces Durham Constabulary" in texts(at.caption)
    assert "forces durham" not in texts(at.caption)


def test_the_cases_behind_a_figure_name_their_force(engine, db_url, monkeypatch):
    score(engine, "inspector1", "HS-0001", random_answers(engine, seed=1, force="durham", avoidable_delay="yes"))
    at = lead_page("pages/findings.py", db_url, monkeypatch)
    at.session_state["findings_view"] = "Cases behind a figure"
    at.run()
    at.selectbox(key="findings_cases_case_review").select(("avoidable_delay", "yes")).run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "in the count" in d.value.columns)
    assert list(table["force"]) == ["Durham Constabulary"]
