"""The Findings page's "All findings" grids, laid out to fit the page's main column.

One grid of nine columns (finding, group, count, denominator, percent, interval, caution,
comparison, sentence) was 1,364 px wide in a main column of 564 to 1,280 px: a lead scrolled
sideways and the report's sentences were cut. A report's table reads finding, figure, then
the figure per group; so, as a lead writing the report wants them:

* **every finding over all cases**: finding, count ("60 of 112"), percent, 95 % interval
  (a small number's caution under it: the caution is about the interval), and the sentence
  as the report writes it, wrapping. These are what a lead quotes and the words quoting them.
* **with a breakdown, each group's figure** in a second grid: finding, group, count, percent,
  95 % interval, against the rest. No sentence: a group's sentence is the overall one with the
  group's figures (the CSV and JSON carry it), and groups are compared by their figures. A
  toggle keeps only the groups that differ from the rest: those a lead reads the cases of.

Widths are pixels summing to under the narrowest main column the page is read in (564 px: a
1,024 px window with the sidebar open). Streamlit shares a wider column's spare width evenly
among the columns (``st.column_config.Column``: "the remaining space will be distributed"),
so the grid fills any column from there up and never runs past it.
"""

from __future__ import annotations

import streamlit as st

from fieldwork.services.findings import Finding, FindingsReport
from fieldwork.services.findings_formats import SMALL_N_CAUTION
from fieldwork.ui.components.tables import EMPTY
from fieldwork.ui.findings_panels import arranged, as_written, finding_name

NARROWEST_COLUMN = 556  # px: the 564 px main column less the grid's borders and some slack
# Streamlit's grid wraps a cell's text only in rows taller than 4rem (64 px); 104 px holds
# five lines: a sentence of the report at the narrowest width, an interval with its caution.
ROW_HEIGHT = 104
SHOWN_ROWS = 6  # rows in view before the grid scrolls: at Streamlit's default height only 3.5 of these rows showed


def _height(rows: int) -> int:
    return 38 + min(max(rows, 1), SHOWN_ROWS) * ROW_HEIGHT  # the header row, then the rows

OVERALL_WIDTHS = {"finding": 150, "count": 72, "percent": 62, "95% interval": 86, "as the report writes it": 186}
GROUP_WIDTHS = {"finding": 130, "group": 118, "count": 66, "percent": 56, "95% interval": 84, "against the rest": 102}


def figure(f: Finding) -> str:
    return f"{f.count} of {f.denominator}"


def interval(f: Finding) -> str:
    """'44.4–62.5', and under a small number its caution ('' without a denominator)."""
    if f.ci_low is None:
        return ""
    text = f"{f.ci_low:.1f}–{f.ci_high:.1f}"
    return f"{text}; {SMALL_N_CAUTION}" if f.small_n and f.denominator else text


def against_rest(f: Finding) -> str:
    """The difference group − rest in words: higher, lower or no clear difference, with its
    95 % interval in percentage points."""
    if f.diff_low is None:
        return ""
    span = f"{f.diff_low:+.1f} to {f.diff_high:+.1f} points"
    if not f.differs:
        return f"no clear difference ({span})"
    return f"{'higher' if f.diff_low > 0 else 'lower'} than the rest ({span})"


def overall_rows(report: FindingsReport, questionnaire_id: str) -> list[dict]:
    return [{"finding": finding_name(f, questionnaire_id), "count": figure(f), "percent": f.percent,
             "95% interval": interval(f), "as the report writes it": as_written(f)} for f in arranged(report)[0]]


def group_rows(report: FindingsReport, questionnaire_id: str, group_labels: dict[str, str],
               only_differing: bool = False) -> list[dict]:
    order = {(f.id, f.unit, f.answer): i for i, f in enumerate(arranged(report)[0])}
    entries = [f for f in report.findings
               # the breakdown's own variable left out: each force's share of "Force – Durham" is
               # 100 or 0 percent, rows that only push the figures a lead reads further down;
               # and a folded answer: no case holds it, so every group's figure is 0 too
               if f.group is not None and f.id != report.by and (f.id, f.unit, f.answer) in order
               and (f.differs or not only_differing)]
    entries.sort(key=lambda f: order[(f.id, f.unit, f.answer)])  # stable: the groups keep their order
    return [{"finding": finding_name(f, questionnaire_id), "group": group_labels.get(f.group, f.group),
             "count": figure(f), "percent": f.percent, "95% interval": interval(f), "against the rest": against_rest(f)}
            for f in entries]


def folded_rows(report: FindingsReport, questionnaire_id: str) -> list[dict]:
    return [{"finding": finding_name(f, questionnaire_id), "count": figure(f)} for f in arranged(report)[1]]


def _columns(widths: dict[str, int], labels: dict[str, str] | None = None) -> dict:
    labels = labels or {}
    out = {}
    for name, width in widths.items():
        if name == "percent":  # a number, so that the column sorts as numbers do
            out[name] = st.column_config.NumberColumn(labels.get(name, name), width=width, format="%d%%")
        else:
            out[name] = st.column_config.TextColumn(labels.get(name, name), width=width)
    return out


def show(report: FindingsReport, questionnaire_id: str, by_label: str, group_labels: dict[str, str]) -> None:
    """Every finding over all cases; with a breakdown, each group's figure under it."""
    rows = overall_rows(report, questionnaire_id)
    reported = sum(1 for f in report.overall() if f.reported)
    st.caption(f"First the {reported} finding{'s' if reported != 1 else ''} the report writes a sentence for, "
               "then every other figure, each in the questionnaire's order.")
    st.dataframe(rows, hide_index=True, key="findings_all", column_config=_columns(OVERALL_WIDTHS),
                 row_height=ROW_HEIGHT, height=_height(len(rows)), placeholder=EMPTY)
    if zero := folded_rows(report, questionnaire_id):
        with st.expander(f"{len(zero)} answer{'s' if len(zero) != 1 else ''} no counted case holds "
                         "(each 0 of its denominator; the report writes no sentence for them)"):
            st.dataframe(zero, hide_index=True, key="findings_all_none_hold",
                         column_config=_columns({"finding": 400, "count": 100}))
    if not (report.by and report.groups):
        return
    st.markdown(f"**{by_label}**: each group's figure against the rest of the inspection")
    only = st.toggle("Only the groups that differ from the rest", key=f"findings_all_differ_{report.by}")
    rows = group_rows(report, questionnaire_id, group_labels, only_differing=only)
    if not rows:
        st.caption("No group's figure differs clearly from the rest of the inspection.")
        return
    st.dataframe(rows, hide_index=True, key="findings_all_groups",
                 column_config=_columns(GROUP_WIDTHS, {"group": by_label}), row_height=ROW_HEIGHT,
                 height=_height(len(rows)), placeholder=EMPTY)
