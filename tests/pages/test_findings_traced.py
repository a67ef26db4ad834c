"""AppTest: from a finding to its cases, a case opened read-only, marked as an example, seen
under its criterion on the Findings page and in the workbook; the planner on the page."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from fieldwork import db
from exports import exporting
from fieldwork.services.permissions import Actor
from tests.apptest import page


@pytest.mark.slow
def test_cases_behind_a_figure_open_read_only_mark_example(demo_engine, db_url, monkeypatch):
    engine = demo_engine
    at = page("pages/findings.py", db_url, monkeypatch, user="lead1", role="lead", timeout=60)
    at.session_state["findings_view"] = "Cases behind a figure"
    at.run()
    assert not at.exception
    at.selectbox(key="findings_cases_case_review").select(("avoidable_delay", "yes")).run()
    assert not at.exception
    said = " ".join(m.value for m in at.markdown)
    table = next(d.value for d in at.dataframe if "in the count" in d.value.columns)
    counted = int(table["in the count"].sum())
    assert f"**{counted}** of **{len(table)}** cases" in said
    assert table["open"].str.startswith("/case_view?assessment=").all()
    ref = table.iloc[0]["case"]
    link = next(m.value for m in at.markdown if f"Open {ref} read-only" in m.value)
    uid = link.split("assessment=")[1].split("&")[0]

    view = page("pages/case_view.py", db_url, monkeypatch, user="lead1", role="lead", timeout=60)
    view.query_params["assessment"] = uid
    view.query_params["finding"] = "avoidable_delay"
    view.query_params["answer"] = "yes"
    view.run()
    assert not view.exception
    assert view.title[0].value == f"Case {ref} (read-only)"
    assert not view.text_input and not view.radio  # nothing to edit but the example form
    assert view.selectbox(key="case_example_finding").value == ("avoidable_delay", "yes")
    view.selectbox(key="case_example_criterion").select("4.1")
    view.text_area(key="case_example_narrative").input("The file shows six weeks without action.")
    view.button[0].click().run()  # the form's submit button
    assert not view.exception
    assert f"{ref} marked as an example" in view.success[0].value

    at.session_state["findings_view"] = "By inspection criterion"
    at.run()
    examples = [m.value for m in at.markdown if m.value.startswith(f"**Case example: {ref}**")]
    assert examples  # listed under its criteria on the Findings page
    with db.session_scope(engine) as s:
        data = exporting.export_workbook(s, Actor("lead1", "lead"), "case_review")
    rows = list(load_workbook(io.BytesIO(data))["case_examples"].iter_rows(values_only=True))
    assert any(r[0] == "4.1" and r[1] == ref and r[6] == "The file shows six weeks without action." for r in rows)

    # the lead changes their mind: removed once, gone from every criterion
    next(b for b in at.button if b.key.startswith("findings_example_remove_")).click().run()
    assert not at.exception
    assert not [m for m in at.markdown if m.value.startswith(f"**Case example: {ref}**")]


def test_planner_on_the_page(demo_engine, db_url, monkeypatch):
    at = page("pages/findings.py", db_url, monkeypatch, user="lead1", role="lead", timeout=60)
    at.session_state["findings_view"] = "Plan the sample"
    at.run()
    said = " ".join(m.value for m in at.markdown)
    assert "97 case files for each force" in said and "582 case files in all" in said  # 6 forces in the demo
    at.number_input(key="plan_margin").set_value(5.0).run()
    assert "385 case files for each force" in " ".join(m.value for m in at.markdown)
