"""Widgets that show what the database holds, however their section is reached.

Why this exists: Streamlit forgets the state of a widget that was not drawn in the last run
(another section, a question hidden by skip logic), but not quite: a value the page once
assigned with ``st.session_state[key] = ...`` can linger under the key, so ``key in
st.session_state`` is true while the value is an old one — and a widget made with ``key=``
ignores its ``index=``/``value=`` once the key exists. Testing "is the key there?" before
drawing therefore showed an empty radio or note box over a stored answer (issue 10).

The rule here does not ask Streamlit what it remembers. A form records which widget keys it
drew in each run; a widget that was not drawn in the previous run of the form (or that the
form marked ``stale``) is (re)mounting, and gets the stored value assigned just before it is
drawn. A widget that stayed on screen keeps what the browser holds, so a note being typed is
never written over.

Use, in any form (``owner`` is a dict kept in ``st.session_state`` for that form)::

    stored_values.new_run(owner)                      # once, at the top of each run of the form
    st.radio(..., key=stored_values.seed(owner, key, stored_value))
    stored_values.stale(owner, key)                   # in a callback: redraw it from the store
    stored_values.forget(owner)                       # the store was re-read: redraw everything
"""

from __future__ import annotations

from typing import Any, MutableMapping

import streamlit as st

_BEFORE, _NOW = "drawn_before", "drawn_now"


def new_run(owner: MutableMapping) -> None:
    """Start a run of the form: what the last run drew is what stays mounted now. A run
    that stopped half-way recorded only what it drew, so the rest is seeded again."""
    owner[_BEFORE] = owner.get(_NOW, set())
    owner[_NOW] = set()


def seed(owner: MutableMapping, key: str, stored: Any) -> str:
    """Give widget ``key`` the stored value if it is mounting (not drawn in the last run, or
    marked stale); return the key, to pass as the widget's ``key=``."""
    if key not in owner.get(_BEFORE, ()) or key not in st.session_state:
        st.session_state[key] = stored
    owner.setdefault(_NOW, set()).add(key)
    return key


def stale(owner: MutableMapping, *keys: str) -> None:
    """Redraw these widgets from the store on the next run (after a refused save, say)."""
    for key in keys:
        owner.get(_BEFORE, set()).discard(key)
        owner.get(_NOW, set()).discard(key)


def forget(owner: MutableMapping, *, keep: tuple[str, ...] = ()) -> None:
    """Redraw every widget from the store on the next run (the store was read again), except
    ``keep`` (a note box the inspector is typing in)."""
    owner[_BEFORE] = {k for k in owner.get(_BEFORE, ()) if k in keep}
    owner[_NOW] = {k for k in owner.get(_NOW, ()) if k in keep}
