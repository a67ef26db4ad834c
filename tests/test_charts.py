"""The findings charts as Vega-Lite specs (no Streamlit), and their PNG and SVG renderings."""

from __future__ import annotations

import re

import altair as alt
import pytest
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema.core import load_schema

from fieldwork import charts, db
from fieldwork.catalog import load_catalog
from fieldwork.services import findings


@pytest.fixture
def report_by_force(demo_engine):
    with db.session_scope(demo_engine) as s:
        return findings.compute(s, "case_review", by="force")


def test_bars_carry_count_denominator_and_n(report_by_force):
    rows = charts.frame(report_by_force, {c.code: c.label for c in load_catalog().codes.forces})
    picked = rows[(rows["id"] == "initial_risk_assessment") & (rows["answer"] == "yes")]
    spec = charts.percentage_bars(report_by_force, picked, title="Risk")
    assert spec["title"]["subtitle"][0] == ("n = 112 complete cases; 0 drafts left out; "
                                            "lines: 95% confidence intervals")
    data = next(iter(spec["datasets"].values()))
    assert [d["value"] for d in data] == ["60/112 (54%)"]  # overall only
    tooltip = {t["field"] for t in spec["layer"][0]["encoding"]["tooltip"]}
    assert {"count", "denominator", "percent", "not_known"} <= tooltip
    # the 95 % interval as an error bar from ci_low to ci_high, then the label
    assert spec["layer"][1]["mark"]["type"] == "rule"
    assert (spec["layer"][1]["encoding"]["x"]["field"], spec["layer"][1]["encoding"]["x2"]["field"]) == (
        "ci_low", "ci_high")
    assert [(d["ci_low"], d["ci_high"]) for d in data] == [(44.4, 62.5)]
    assert spec["layer"][2]["mark"]["type"] == "text" and spec["layer"][2]["encoding"]["text"]["field"] == "value"


def test_a_small_denominator_carries_its_caution_on_the_chart(report_by_force):
    rows = charts.frame(report_by_force)
    small = rows[(rows["denominator"] > 0) & (rows["denominator"] < 10)]
    assert len(small) and small["value"].str.endswith("few cases, read with caution").all()
    assert not rows[rows["denominator"] >= 10]["value"].str.contains("caution").any()


def test_group_dots_fit_one_width_at_any_number_of_groups(report_by_force):
    rows = charts.frame(report_by_force, {c.code: c.label for c in load_catalog().codes.forces})
    picked = rows[(rows["id"] == "da_sh_risks_not_assessed") | ((rows["id"] == "avoidable_delay")
                                                                 & (rows["answer"] == "yes"))]
    spec = charts.group_dots(report_by_force, picked, title="By force", by_label="Force")
    # one layered view, which Vega-Lite (and so the page) sizes to its column; more groups
    # make it taller (a step per row), never wider
    assert "vconcat" not in spec and spec["width"] == 420 and spec["height"] == {"step": 20}
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["rule", "point", "tick", "text"]
    data = next(iter(spec["datasets"].values()))
    # each finding's heading row above its six forces, in the order the axis sorts the rows
    rows_in_order = sorted(data, key=lambda d: d["row"])
    assert [d.get("heading") is not None for d in rows_in_order] == [True, *[False] * 6] * 2
    first = picked[picked["bar"] == picked["bar"].iloc[0]]
    whole = first[first["group"].isna()].iloc[0]
    assert rows_in_order[0]["heading"] == f"{whole['bar']}: whole inspection {whole['value']}"
    assert {d["whole"] for d in rows_in_order[1:7]} == {whole["percent"]}  # the red line at its figure
    assert "Each Force against the whole inspection (red line)" in " ".join(spec["title"]["subtitle"])
    svg = charts.svg(spec)
    assert "Greater Manchester Police (n=32)" in svg
    # the rows' keys stay hidden, from the eye and from a screen reader
    assert not re.search(r"\d{4}(Avon|Durham|Greater|Gwent|Hampshire|Sussex)", svg)
    assert 'aria-label="Avoidable delay – Yes, Durham Constabulary (n=16): ' in svg


def test_met_questions_stack_fully_partially_and_not_met(report_by_force):
    rows = charts.frame(report_by_force)
    assert charts.met_questions(rows) == ["mg3_case_analysis", "mg3_action_plan", "mg3_victim_witness",
                                          "lawyer_judgment_control"]
    spec = charts.met_stacked(report_by_force, rows, title="MG3")
    data = next(iter(spec["datasets"].values()))
    analysis = {d["answer"]: d["count"] for d in data if d["id"] == "mg3_case_analysis"}
    assert analysis == {"fully_met": 32, "partially_met": 50, "not_met": 10}
    assert "MG3 action plan (n=86)" in {d["question"] for d in data}  # the short label; the tooltip has it whole
    assert "Did the MG3 action plan meet the needs of the case?" in {d["label"] for d in data}
    assert spec["layer"][0]["encoding"]["x"]["stack"] == "normalize"


def test_charts_render_as_png_and_svg(report_by_force):
    rows = charts.frame(report_by_force)
    chart = charts.met_stacked(report_by_force, rows, title="MG3")
    assert charts.png(chart).startswith(b"\x89PNG")
    svg = charts.svg(chart)
    assert svg.lstrip().startswith("<svg") and "Fully met" in svg


def test_a_zero_denominator_draws_an_empty_bar_saying_so(engine):
    with db.session_scope(engine) as s:
        report = findings.compute(s, "case_review")
    rows = charts.frame(report)
    assert set(rows["value"]) == {"0/0 (no cases)"}
    charts.png(charts.percentage_bars(report, rows.head(3), title="Nothing yet"))


def test_every_chart_is_a_valid_vega_lite_spec(report_by_force):
    """The charts are written as dicts (fieldwork/charts.py says why): each must hold to the
    Vega-Lite schema of the Altair installed, as Altair's own validation checked before."""
    assert charts.SCHEMA_URL == alt.SCHEMA_URL
    schema = load_schema()
    made = charts.default_charts(report_by_force, "Case file review", by_label="Force",
                                 filter_text="Force: Durham Constabulary")
    assert [name for name, _ in made] == ["Case file review: findings", "Case file review: findings by Force",
                                          "Case file review: fully, partially and not met"]
    for name, spec in made:
        validate_jsonschema(spec, schema)  # raises on the first part out of the schema
        assert spec["$schema"] == alt.SCHEMA_URL, name


def test_the_met_chart_names_its_filters_in_words(demo_engine):
    with db.session_scope(demo_engine) as s:
        report = findings.compute(s, "case_review", filters={"force": ["durham"]})
    spec = charts.met_stacked(report, charts.frame(report), title="MG3", filter_text="Force: Durham Constabulary")
    assert spec["title"]["subtitle"][1] == "Only Force: Durham Constabulary"
    assert "durham" not in " ".join(spec["title"]["subtitle"])
