"""Second marking page: the "Second markings" table, laid out to fit the page's main column.

Eight columns at their natural widths ran past the main column of a 1,024 px window with the
sidebar open (564 px): "Assigned", the last, was cut (walk 23, F6 and F19). So every column
shown has a width in pixels, together under ``findings_grid.NARROWEST_COLUMN`` (556 px) (Streamlit shares
a wider column's spare width among them, so the table fills any column from there up); short
headings carry the whole name as their help; the state wraps in rows tall enough for it. The
sample's rule, the same for every case of one draw and too long for a column that narrow, is
said once per draw under the table, with its cases; it stays in the table's data (hidden), so
the table's own download keeps it.
"""

from __future__ import annotations

import textwrap

import pandas as pd
import streamlit as st

from fieldwork.services.second_marking import MarkingRow
from fieldwork.ui.components import tables
# (heading shown, width in px, the whole name): the widths sum to NARROWEST_COLUMN at most
# (tests/pages/test_second_markings_table.py)
COLUMNS = {
    "Case": ("Case", 66, None),
    "First marker": ("First marker", 92, None),
    "Second marker": ("Second marker", 102, None),
    "State": ("State", 80, None),
    "Answers differing": ("Differing", 72, "Answers differing: questions the two markers answered differently"),
    "Agreed so far": ("Agreed", 60, "Agreed so far: agreed answers recorded on the Moderation page"),
    "Assigned": ("Assigned", 84, "When the second marking was assigned"),
}
STATE_LINE_CHARS = 10  # what the State column holds on a line at its width


def _config() -> dict:
    out = {}
    for name, (label, width, help_) in COLUMNS.items():
        if name == "Assigned":
            out[name] = st.column_config.DatetimeColumn(label, width=width, help=help_, format="D MMM YYYY")
        elif name in ("Answers differing", "Agreed so far"):
            out[name] = st.column_config.NumberColumn(label, width=width, help=help_)
        else:
            out[name] = st.column_config.TextColumn(label, width=width, help=help_)
    return out


def row_height(states: list[str]) -> int | None:
    """Rows tall enough for the longest state to wrap at its column's width (None: one line)."""
    lines = max((len(textwrap.wrap(s, STATE_LINE_CHARS)) for s in states), default=1)
    return None if lines <= 1 else max(tables.WRAPS_ABOVE + 4, lines * tables.LINE_PX + 8)


def sample_lines(rows: list[MarkingRow], drawn: tuple[str, list[str]] | None = None) -> list[str]:
    """One line per draw: its rule and cases. ``drawn`` (rule, every case drawn) is a draw on
    the page with rows still to assign: its line keeps every drawn case and says which are
    assigned, so a partly refused assignment does not read as a smaller sample (walk 25, V3)."""
    draws: dict[str, list[str]] = {}
    for r in rows:
        draws.setdefault(r.sample_rule, []).append(r.case_ref)
    out = []
    for rule, refs in draws.items():
        waiting = [ref for ref in drawn[1] if ref not in refs] if drawn and drawn[0] == rule else []
        if waiting:
            every = sorted(set(refs) | set(drawn[1]))
            out.append(f"Sample ({rule}): {', '.join(every)} — assigned {', '.join(refs)}; "
                       f"{', '.join(waiting)} still to assign (above).")
        else:
            out.append((f"Sample ({rule}): " if rule else "No sampling rule recorded: ") + ", ".join(refs) + ".")
    return out


def show(rows: list[MarkingRow], drawn: tuple[str, list[str]] | None = None) -> None:
    frame = pd.DataFrame([{
        "Case": r.case_ref, "First marker": r.first_inspector, "Second marker": r.second_inspector,
        "State": r.state, "Answers differing": r.disagreements, "Agreed so far": r.decided,
        "Assigned": r.assigned_at, "Sample": r.sample_rule} for r in rows])
    st.dataframe(frame, key="sm_markings", hide_index=True, width="stretch", placeholder=tables.EMPTY,
                 column_config={**_config(), "Sample": None}, row_height=row_height([r.state for r in rows]))
    for line in sample_lines(rows, drawn):
        st.caption(line)
