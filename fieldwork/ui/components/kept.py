"""Choices that outlive a visit to another page.

Streamlit drops a widget's state at the end of any run that does not draw it, and a visit to
another page is such a run: a lead who filtered the Findings page to one force, looked
something up on the Cases page and came back found every filter empty — and the draft report,
which follows the page's filters, would have been written for every case unnoticed. A kept
widget copies its value to a key of the page's own (which Streamlit leaves alone) each time
it is drawn, and puts it back before it is drawn again after such a visit.

Use::

    chosen = st.multiselect(..., key=kept.restore("findings_filter_force", valid=options))
    kept.keep("findings_filter_force")
"""

from __future__ import annotations

from typing import Any, Callable, Collection

import streamlit as st

_PREFIX = "kept:"


def restore(key: str, *, valid: Collection | Callable[[Any], bool] | None = None) -> str:
    """``key``, with its kept value put back when Streamlit has dropped the widget's own. A
    kept value no longer among ``valid`` (a code gone from a newer version) is left out."""
    stored = st.session_state.get(_PREFIX + key)
    if key not in st.session_state and stored is not None:
        ok = valid if callable(valid) else (lambda v: valid is None or v in valid)
        if isinstance(stored, list):
            st.session_state[key] = [v for v in stored if ok(v)]
        elif ok(stored):
            st.session_state[key] = stored
    return key


def keep(key: str) -> None:
    """Copy the widget's value now (call it after the widget is drawn)."""
    if key in st.session_state:
        st.session_state[_PREFIX + key] = st.session_state[key]
