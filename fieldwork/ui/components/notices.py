"""A page's heading, and the message a run leaves for the next ("3 cases added"), shown once."""

from __future__ import annotations

import re

import streamlit as st

_MARKDOWN = re.compile(r"([\\`*_\[\]<>~|$])")  # what marks up text inside a line (emphasis, code, links, maths)


def as_typed(text: str) -> str:
    """``text`` with Markdown's characters escaped, for a message that quotes what a file holds:
    a column named ``__version__`` shown bold as "version" misleads (walk 24, W7)."""
    return _MARKDOWN.sub(r"\\\1", text)


def flash(key: str, **options) -> None:
    """Show, once, the success message a previous run stored under ``key`` (``options``: what
    else ``st.success`` takes, such as an icon)."""
    if st.session_state.get(key):
        st.success(st.session_state.pop(key), **options)


def heading(title: str, caption: str, *, message_key: str | None = None) -> None:
    """The page's title and what it is for; then the message its last run left under
    ``message_key``, if any."""
    st.title(title)
    st.caption(caption)
    if message_key:
        flash(message_key)
