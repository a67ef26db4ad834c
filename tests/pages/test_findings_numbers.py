"""The Findings page shows each number and date question's distribution (a box plot from the
database's summaries, per group) beside the percentage findings."""

from __future__ import annotations

import json

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
