"""Small rendering helpers shared by pages."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from fieldwork.problems import ProblemError


def show_problems(exc: ProblemError, *, key: str | None = None) -> None:
    """Every problem in a table: row, column, question and the reason. A write refused because the
    session has ended (the account disabled, signed out elsewhere) goes to the sign-in instead."""
    from fieldwork.ui import session

    if session.end_session(exc):
        st.rerun()
    st.error(exc.summary)
    frame = pd.DataFrame([{
        "row": p.row, "column": p.field, "item": p.item, "problem": p.message, "code": p.code, "file": p.source,
    } for p in exc.problems])
    st.dataframe(frame.dropna(axis=1, how="all"), hide_index=True, width="stretch", key=key)
