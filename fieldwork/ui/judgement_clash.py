"""Judgements page: two leads on one cell. The form is keyed by the version of the judgement the
lead opened, held here until they save or take the stored judgement, so a save by another lead
in between never draws a new form over the one being filled in: the submitted form is always
read and reaches ``judgements.judge`` with the version the lead saw. When the service refuses
because the cell was judged since, the lead's choice is kept on screen beside the stored grade,
with Keep mine / Keep the stored one (docs/stale-saves.md)."""

from __future__ import annotations

import streamlit as st

from fieldwork.problem_codes import JUDGEMENT_CHANGED
from fieldwork.problems import ProblemError
from fieldwork.ui import components

SEEN = "jd_seen"  # (cell, the version the lead opened it at; 0 if it was not judged then)
CLASH = "jd_clash"  # what the lead submitted and what was stored when it was refused, by cell
MINE, STORED = "mine", "stored"


def cell_key(unit_type: str, unit: str, criterion: str) -> str:
    return f"{unit_type}_{unit}_{criterion}"


def opened_version(cell: str, shown) -> int:
    """The version this lead opened the cell at (0: not judged then), kept across reruns while
    the cell stays open. Another cell opened forgets it: the cell's widgets are dropped then,
    so coming back shows (and saves over) what is stored at that time."""
    held = st.session_state.get(SEEN)
    if not held or held[0] != cell:
        held = st.session_state[SEEN] = (cell, shown.version if shown else 0)
        st.session_state.pop(CLASH, None)
    return held[1]


def settle(cell: str) -> None:
    """The lead saved or took the stored judgement: the next run opens the cell afresh."""
    st.session_state.pop(SEEN, None)
    st.session_state.pop(CLASH, None)


def is_clash(exc: ProblemError) -> bool:
    return any(p.code == JUDGEMENT_CHANGED for p in exc.problems)


def record(cell: str, mine: dict, stored) -> None:
    """Keep what the lead submitted and the judgement stored now (a ``JudgementView``)."""
    st.session_state[CLASH] = {
        "cell": cell, "mine": mine, "version": stored.version, "grade": stored.grade_label, "by": stored.judged_by,
        "at": f"{stored.judged_at:%d %b %Y %H:%M}"}


def pending(cell: str) -> dict | None:
    clash = st.session_state.get(CLASH)
    return clash if clash and clash["cell"] == cell else None


def choose(cell: str, grade_label) -> str | None:
    """The refusal in words with both grades, and the lead's choice: MINE, STORED or None."""
    clash = pending(cell)
    if not clash:
        return None
    mine = grade_label(clash["mine"]["grade"]) if clash["mine"]["grade"] else "no grade"
    st.warning(f"Your judgement was **not saved**: {clash['by']} judged this cell at {clash['at']}, after you "
               f"opened it. Yours: **{mine}**. Stored now: **{clash['grade']}** by {clash['by']}. Your grade, "
               "rationale and links are still in the form below. Keep yours (it replaces theirs; theirs stays "
               "in the history) or keep the stored one.", icon=":material/call_split:")
    c1, c2 = st.columns(2)
    if components.pressed(f"Keep mine ({mine})", key=f"jd_clash_mine_{cell}", container=c1, type="primary"):
        return MINE
    if components.pressed(f"Keep the stored one ({clash['grade']})", key=f"jd_clash_stored_{cell}", container=c2):
        return STORED
    return None


def changed_since(cell: str, shown, opened: int) -> None:
    """Said before the lead saves: the cell was judged since they opened it (the grade shown
    above the form is the stored one; the form still holds what they opened)."""
    if pending(cell) or shown is None or shown.version == opened:
        return
    st.info(f"{shown.judged_by} judged this cell ({shown.grade_label}) at {shown.judged_at:%d %b %Y %H:%M}, after "
            "you opened it. The form below still holds what you opened; saving it asks which judgement to keep.",
            icon=":material/group:")
