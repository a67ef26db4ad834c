"""The distribution of a number or date question as a box plot drawn from the summaries the
database computed (min, quartiles, median, max; earliest, median, latest): one row per
group, so forces can be compared; n on every row. Altair, like the other findings charts."""

from __future__ import annotations

import re
from typing import Mapping, Sequence

import altair as alt
import pandas as pd

from fieldwork import short_labels

# Each group's own line: its label and box side by side, never drawn over another group's.
ROW_HEIGHT = 28
LABEL_WIDTH = 320  # px a group label may take before it is cut ("Durham Constabulary (n = 12)" whole)
REFERENCE = re.compile(r"\$\{(\w+)\}")


def title(q, name: str) -> str:
    """The question as a reader reads it: its label; an unlabelled calculation (its label is
    its code name) in words: its name with spaces and what it is worked out from, each
    question it reads by its label ("Days to charge (worked out: Date charged - Date first
    reported)")."""
    question = q.question(name)
    if question.label and question.label != name:
        return question.label
    words = name.replace("_", " ").strip().capitalize()
    if not question.calculation:
        return words

    def label(match: re.Match) -> str:
        used = match.group(1)
        return short_labels.short(q.id, used, q.question(used).label) if q.has_question(used) else used

    return f"{words} (worked out: {REFERENCE.sub(label, question.calculation)})"


def frame(summaries: Sequence[dict], question: str, group_labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    rows = []
    for x in summaries:
        if x["id"] != question or not x["n"] or x["type"] in ("skipped", "time"):
            continue  # a time of day has no date to draw on; the table beside it has its figures
        where = "All cases" if x["group"] is None else (group_labels or {}).get(x["group"], x["group"])
        if x["type"] in ("date", "datetime"):
            low, q1, mid, q3, high = x["earliest"], x["earliest"], x["median"], x["latest"], x["latest"]
        else:
            low, q1, mid, q3, high = x["min"], x["q1"], x["median"], x["q3"], x["max"]
        rows.append({"group": f"{where} (n = {x['n']})", "min": low, "q1": q1, "median": mid, "q3": q3, "max": high,
                     "n": x["n"], "type": x["type"]})
    return pd.DataFrame(rows)


# Vega's own date ticks name a year only on its first day, so dates from March 2015 to June 2016
# read "April … October … April" with no year at all (stop 25): over more than one year every
# tick says its month and year.
DATE_FORMAT = "%b %Y"


def _spans_years(data: pd.DataFrame) -> bool:
    first, last = pd.to_datetime(data["min"]).min(), pd.to_datetime(data["max"]).max()
    return first.year != last.year


def box(data: pd.DataFrame, *, title: str) -> alt.LayerChart:
    is_date = not data.empty and data["type"].iloc[0] in ("date", "datetime")
    kind = "T" if is_date else "Q"
    y = alt.Y("group:N", title=None, sort=None, axis=alt.Axis(labelLimit=LABEL_WIDTH))
    base = alt.Chart(data).encode(y=y)
    whisker = base.mark_rule().encode(x=alt.X(f"min:{kind}", title="date" if is_date else "value",
                                              **({"axis": alt.Axis(format=DATE_FORMAT)}
                                                 if is_date and _spans_years(data) else {})),
                                      x2=f"max:{kind}")
    middle = base.mark_bar(size=14, opacity=0.6).encode(x=f"q1:{kind}", x2=f"q3:{kind}")
    median = base.mark_tick(color="black", size=18, thickness=2).encode(
        x=f"median:{kind}", tooltip=["group", "min", "q1", "median", "q3", "max", "n"])
    # The height is the plotting area's alone ("fit-x": the width follows the page, the height
    # is ours). Without it Streamlit fits the whole chart, title and axis included, into the
    # height given, and with a breakdown every group's row was squeezed onto one line.
    return (whisker + middle + median).properties(
        title=title, width=520, height=ROW_HEIGHT * max(len(data), 1),
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
