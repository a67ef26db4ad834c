"""Tables a person reads: an empty cell shows "—" (never "None"), long text wraps onto a few
lines instead of being cut at the column's edge, and columns kept for machines (a problem's
code) stay in the data, for downloads and tests, without being shown (walk 23, F6 and F8)."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Iterable

import pandas as pd
import streamlit as st

EMPTY = "—"
LINE_CHARS = 90  # about what a wide text column holds on a line at 1,024-1,440 px
LINE_PX = 21
MAX_LINES = 5  # longer still: the cell's overlay (a click) shows it all
WRAPS_ABOVE = 64  # Streamlit wraps a cell's text only when rows are taller than 4rem


def local_time(moment: datetime | None, *, seconds: bool = False) -> str | None:
    """A stored moment in this computer's time, as people write it ("06 Dec 2026 13:39"), or None
    (shown "—"). A time without a zone is UTC, as every stored time is (SQLite drops the zone)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return f"{moment.astimezone():%d %b %Y %H:%M{':%S' if seconds else ''}}"


def row_height(frame: pd.DataFrame, columns: Iterable[str] | None = None, line_chars: int = LINE_CHARS) -> int | None:
    """Rows tall enough for the longest text of ``columns`` (default: every column) to wrap at
    ``line_chars`` a line, or None (Streamlit's one line) when it fits on one line."""
    names = [c for c in (columns if columns is not None else frame.columns) if c in frame.columns]
    longest = max((len(str(v)) for c in names for v in frame[c] if isinstance(v, str)), default=0)
    lines = min(MAX_LINES, math.ceil(longest / line_chars))
    return None if lines <= 1 else max(WRAPS_ABOVE + 4, lines * LINE_PX + 8)


def table(frame: pd.DataFrame, *, key: str | None = None, hidden: Iterable[str] = (), wide: Iterable[str] = (),
          line_chars: int = LINE_CHARS, **options) -> None:
    """``st.dataframe`` as every page reads it: ``hidden`` columns kept in the data but not
    shown, ``wide`` columns given the room and the rows' height to wrap their text (at
    ``line_chars`` a line: fewer where a caller sets the wide columns narrower)."""
    wide = [c for c in wide if c in frame.columns]
    config = {**{c: None for c in hidden if c in frame.columns},
              **{c: st.column_config.TextColumn(c, width="large") for c in wide},
              **options.pop("column_config", {})}
    options.setdefault("hide_index", True)
    options.setdefault("width", "stretch")
    st.dataframe(frame, key=key, placeholder=EMPTY, column_config=config or None,
                 row_height=row_height(frame, wide or None, line_chars), **options)
