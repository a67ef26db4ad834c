""""Try again" after a busy database, for every page that writes.

A write that waits out the busy timeout (a large import or merge holds the database) is
refused with DATABASE_BUSY and nothing is saved. The person should not have to fill the form
in again: a page's write is started by ``pressed(...)`` — its button or form's submit button —
instead of ``st.button`` / ``st.form_submit_button``, and ``show_problems`` (and the router's
catch of a refusal no page caught) offers **Try again**, which runs the page once more as if
that button had been pressed again. A form keeps its fields after a submit, so the retry sends
the same values. Where no write button was pressed (a busy read), Try again simply runs the
page again. The Assess form saves on every change, not on a button, and keeps its own retry
of the one change refused (fieldwork.ui.questionnaire_form).
"""

from __future__ import annotations

import streamlit as st
from streamlit.elements.lib.form_utils import is_in_form  # Streamlit's own test, as its widgets use it

from fieldwork import db
from fieldwork.problems import ProblemError

PRESSED = "fieldwork_write_pressed"  # the key of the write button pressed in this run
REPLAY = "fieldwork_write_replay"  # the key of the write button Try again presses once more
LABEL = "Try again"


def pressed(label: str, *, key: str, form: bool = False, container=None, **kwargs) -> bool:
    """``st.button`` (or, inside a form, ``st.form_submit_button``) that also returns True once
    when Try again asks for this write again. ``key`` names the write; a form's submit button
    keeps the id Streamlit gives it (form and label). ``container``: a column to draw it in."""
    where = container or st
    clicked = where.form_submit_button(label, **kwargs) if form else where.button(label, key=key, **kwargs)
    if st.session_state.get(REPLAY) == key:
        st.session_state.pop(REPLAY)
        clicked = True
    if clicked:
        st.session_state[PRESSED] = key
    elif st.session_state.get(PRESSED) == key:
        st.session_state.pop(PRESSED)  # pressed in an earlier run: not what a later refusal is about
    return clicked


def is_busy(exc: ProblemError) -> bool:
    return bool(exc.problems) and all(p.code == db.DATABASE_BUSY for p in exc.problems)


def offer(exc: ProblemError, *, key: str) -> None:
    """Below a refusal: Try again, if the database was busy."""
    if not is_busy(exc):
        return
    again = dict(type="primary", icon=":material/refresh:", on_click=_again, args=(st.session_state.get(PRESSED),))
    if is_in_form(st._main):  # a form holds no plain button: a second submit button, sending the same fields
        st.form_submit_button(LABEL, **again)
    else:
        st.button(LABEL, key=f"{key}_retry", **again)


def _again(write_key: str | None) -> None:
    st.session_state.pop(PRESSED, None)
    if write_key:
        st.session_state[REPLAY] = write_key


def end_of_run() -> None:
    """Called by the router after each page run: what was pressed in it is forgotten, so that a
    Try again on another page (or a busy read) never replays an old write."""
    st.session_state.pop(PRESSED, None)
    st.session_state.pop(REPLAY, None)
