"""The Conflicts page's table of the answers two assessments of one case give differently: the
question in words, the entry of a repeat group in full ("Incident 2 › PIN 2"), each side's answer
in words, every cell wrapped rather than cut (walk 24, W11: the entry read "Inciden…" and the
second side's heading was cut at 1,440 px).

Form metadata (``start``, ``end``, ``deviceid`` …) is left out: it says when and on what device
the form was filled in, not what the case file holds, so two laptops always "differ" in it.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from fieldwork import short_labels
from fieldwork.questionnaire.model import METADATA_TYPES, Questionnaire
from fieldwork.services import merge
from fieldwork.ui.components.tables import EMPTY

# Pixel widths summing to under the narrowest main column (a 1,024 px window with the sidebar
# open, as fieldwork/ui/findings_grid.py measures it); Streamlit shares a wider column's spare
# width among them evenly. The answers share what the question and the entry leave.
NARROWEST_COLUMN = 556
QUESTION_WIDTH, ENTRY_WIDTH, MIN_WIDTH = 170, 190, 80
PX_PER_CHAR, CELL_PADDING = 7.5, 16  # the grid's font, as findings_grid's widths were measured
LINE_PX, MAX_LINES, WRAPS_ABOVE = 21, 5, 64  # Streamlit wraps a cell's text only above 4rem


def side_heading(number: int, side: merge.ConflictSide) -> str:
    """A column's short heading ("2. inspector2"): where it came from and whether it counts are
    said beside the choice below the table, where there is room for them."""
    return f"{number}. {side.inspector}"


def answered(conflict: merge.CaseConflict, questionnaire: Questionnaire) -> list[str]:
    """The slots the sides answer differently that are answers, in the order first seen."""
    def metadata(slot: str) -> bool:
        name = slot.rpartition("/")[2]
        return questionnaire.has_question(name) and questionnaire.question(name).type in METADATA_TYPES
    return [slot for slot in conflict.differing() if not metadata(slot)]


def question_words(questionnaire: Questionnaire, slot: str) -> str:
    """The question of a slot ("incident[2]/when") by its short label, as the Findings page names it."""
    q, name = questionnaire, slot.rpartition("/")[2]
    return short_labels.short(q.id, name, q.question(name).label) if q.has_question(name) else name


def rows(conflict: merge.CaseConflict, questionnaire: Questionnaire, slots: list[str]) -> pd.DataFrame:
    """One row per differing answer; the variable kept (hidden) for downloads and tests."""
    q = questionnaire

    def answer(name: str, code: str | None) -> str:
        if not code:
            return "(not asked)"
        return q.label_of(name, code) if q.has_question(name) else code

    return pd.DataFrame([{
        "question": question_words(q, slot), "variable": slot.rpartition("/")[2],
        "entry": conflict.entry_of(slot) or None,
        **{side_heading(i + 1, s): answer(slot.rpartition("/")[2], s.answers.get(slot))
           for i, s in enumerate(conflict.sides)}} for slot in slots])


def widths(frame: pd.DataFrame, sides: int) -> dict[str, int]:
    """The entry as wide as its longest name needs (up to ENTRY_WIDTH, then it wraps); the answers
    share what is left."""
    longest = max((len(v) for v in frame["entry"] if isinstance(v, str)), default=0)
    entry = max(MIN_WIDTH, min(ENTRY_WIDTH, math.ceil(longest * PX_PER_CHAR) + CELL_PADDING))
    answers = max(MIN_WIDTH, (NARROWEST_COLUMN - QUESTION_WIDTH - entry) // max(sides, 1))
    out = {"question": QUESTION_WIDTH, "entry": entry}
    return out | {c: answers for c in frame.columns if c not in (*out, "variable")}


def row_height(frame: pd.DataFrame, sized: dict[str, int]) -> int | None:
    """Rows tall enough for the longest cell of any column to wrap in its width, or None (one line)."""
    lines = max((math.ceil(len(str(v)) * PX_PER_CHAR / (width - CELL_PADDING))
                 for name, width in sized.items() for v in frame[name] if isinstance(v, str)), default=1)
    lines = min(MAX_LINES, lines)
    return None if lines <= 1 else max(WRAPS_ABOVE + 4, lines * LINE_PX + 8)


def show(conflict: merge.CaseConflict, questionnaire: Questionnaire, slots: list[str], *, key: str) -> None:
    frame = rows(conflict, questionnaire, slots)
    sized = widths(frame, len(conflict.sides))
    config = {"variable": None, **{c: st.column_config.TextColumn(c, width=w) for c, w in sized.items()}}
    st.dataframe(frame, key=key, hide_index=True, width="stretch", placeholder=EMPTY, column_config=config,
                 row_height=row_height(frame, sized))
