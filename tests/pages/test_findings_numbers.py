"""The Findings page shows each number and date question's distribution (a box plot from the
database's summaries, per group) beside the percentage findings."""

from __future__ import annotations

import json

from fieldwork.summary_charts import ROW_HEIGHT
from tests.apptest import page
from tests.test_every_type import csv_of, import_rows, load_form, wide_rows


def test_numbers_and_dates_have_a_distribution_chart(engine, db_url, monkeypatch):
    load_form(engine)
    import_rows(engine, csv_of(wide_rows(30)))
    at = page("pages/findings.py", db_url, monkeypatch, user="lead1", role="lead", timeout=60)
    at.run()
    at.session_state["findings_view"] = "Numbers and dates"  # only the open tab runs
    at.selectbox(key="findings_questionnaire").set_value("timeliness").run()
    assert not at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    boxes = [s for s in specs if s.get("title") == "Hours to the first visit"]
    assert boxes, "no distribution chart"
    assert any(layer["mark"]["type"] == "tick" for layer in boxes[0]["layer"])  # the median on each row
    tables = [d.value for d in at.dataframe if {"median", "q1", "q3"} <= set(d.value.columns)]
    assert tables and tables[0]["n"].iloc[0] > 0



def test_with_a_breakdown_each_group_has_its_own_row_and_a_calculation_is_titled_in_words(
        engine, db_url, monkeypatch):
    """Broken down by force (the page's default), every group's box is on a line of its own:
    the plotting area grows by a row per group, and a calculation without a label is titled
    in words, never by its code name alone (walk 24, W8)."""
    load_form(engine)
    import_rows(engine, csv_of(wide_rows(30)))
    at = page("pages/findings.py", db_url, monkeypatch, user="lead1", role="lead", timeout=60)
    at.run()
    at.session_state["findings_view"] = "Numbers and dates"
    at.selectbox(key="findings_questionnaire").set_value("timeliness").run()
    assert not at.exception
    specs = {s.get("title"): s for s in (json.loads(c.proto.spec) for c in at.get("vega_lite_chart"))}
    hours = specs["Hours to the first visit"]
    table = next(d.value for d in at.dataframe if "median" in d.value.columns and
                 d.value["group"].tolist()[0] == "All cases" and d.value["type"].tolist()[0] == "number")
    assert table["group"].tolist() == ["All cases", "Durham", "Gwent", "Kent"]  # the breakdown by force
    for layer in hours["layer"]:  # whisker, box and median: each on its group's own row
        assert layer["encoding"]["y"]["field"] == "group" and layer["encoding"]["y"]["type"] == "nominal"
    assert hours["height"] == ROW_HEIGHT * 4  # the plotting area alone: a row per group
    assert hours["autosize"]["type"] == "fit-x"  # not squeezed, with title and axis, into a fixed height
    assert "days_to_charge" not in specs  # the calculation: words, not its code name
    assert "Days to charge (worked out: Date charged - Date first reported)" in specs
