"""The distribution of a number or date question as a box plot drawn from the summaries the
database computed (min, quartiles, median, max; earliest, median, latest): one row per
group, so forces can be compared; n on every row. Altair, like the other findings charts."""

from __future__ import annotations

from typing import Mapping, Sequence

import altair as alt
import pandas as pd


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


def box(data: pd.DataFrame, *, title: str) -> alt.LayerChart:
    is_date = not data.empty and data["type"].iloc[0] in ("date", "datetime")
    kind = "T" if is_date else "Q"
    y = alt.Y("group:N", title=None, sort=None)
    base = alt.Chart(data).encode(y=y)
    whisker = base.mark_rule().encode(x=alt.X(f"min:{kind}", title="date" if is_date else "value"),
                                      x2=f"max:{kind}")
    middle = base.mark_bar(size=14, opacity=0.6).encode(x=f"q1:{kind}", x2=f"q3:{kind}")
    median = base.mark_tick(color="black", size=18, thickness=2).encode(
        x=f"median:{kind}", tooltip=["group", "min", "q1", "median", "q3", "max", "n"])
    return (whisker + middle + median).properties(title=title, width=520, height=max(60, 28 * len(data)))
