"""The distribution chart of a number or date question: a line per group, the plotting area
growing with the groups, and titles in words (walk 24, W8)."""

from __future__ import annotations

import pytest

from fieldwork import summary_charts
from tests.forms import build

SURVEY = """
| type      | name               | label                      | calculation             |
| integer   | incidents          | How many incidents on file |                         |
| calculate | incidents_recorded |                            | ${incidents} + 0        |
"""


def summary(group, n, low, high):
    return {"id": "incidents", "group": group, "type": "number", "n": n, "min": low, "q1": low, "median": low,
            "q3": high, "max": high, "mean": low}


@pytest.mark.parametrize("forces", [0, 1, 3, 5])
def test_each_group_has_a_line_of_its_own_and_the_chart_grows_with_them(forces):
    summaries = [summary(None, 10, 0, 4)] + [summary(f"force{i}", 2, i, i + 1) for i in range(forces)]
    labels = {f"force{i}": f"Force number {i}" for i in range(forces)}
    data = summary_charts.frame(summaries, "incidents", labels)
    assert data["group"].tolist() == ["All cases (n = 10)", *(f"Force number {i} (n = 2)" for i in range(forces))]
    spec = summary_charts.box(data, title="How many incidents on file").to_dict()
    assert spec["height"] == summary_charts.ROW_HEIGHT * (forces + 1)
    assert spec["autosize"]["type"] == "fit-x"  # the height is the plotting area's, not title and axis too
    for layer in spec["layer"]:
        assert layer["encoding"]["y"]["field"] == "group" and layer["encoding"]["y"]["type"] == "nominal"


def test_titles_are_words_never_a_code_name_alone():
    q = build(SURVEY)
    assert summary_charts.title(q, "incidents") == "How many incidents on file"
    assert summary_charts.title(q, "incidents_recorded") == (
        "Incidents recorded (worked out: How many incidents on file + 0)")


def dates(group, n, earliest, median, latest):
    return {"id": "reported", "group": group, "type": "date", "n": n, "earliest": earliest, "median": median,
            "latest": latest}


def date_axis(spec: dict) -> dict:
    [x] = [layer["encoding"]["x"] for layer in spec["layer"] if "axis" in layer["encoding"]["x"]] or [{}]
    return x.get("axis", {})


def test_a_date_axis_over_more_than_one_year_names_the_year_on_every_tick():
    """Stop 25: March 2015 to June 2016 read "April … October … April", no year anywhere."""
    summaries = [dates(None, 9, "2015-03-02", "2015-11-20", "2016-06-30"),
                 dates("durham", 4, "2015-05-01", "2015-12-01", "2016-01-15")]
    data = summary_charts.frame(summaries, "reported", {"durham": "Durham Constabulary"})
    spec = summary_charts.box(data, title="Date first reported").to_dict()
    assert date_axis(spec)["format"] == "%b %Y"
    whisker = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule")
    assert whisker["encoding"]["x"]["type"] == "temporal"
    # within one year Vega's own ticks stand (month names, or days for a short span; the table gives the dates)
    one_year = summary_charts.frame([dates(None, 3, "2016-02-01", "2016-05-01", "2016-11-30")], "reported")
    assert date_axis(summary_charts.box(one_year, title="Date first reported").to_dict()) == {}
