"""Criteria in pickers: an option short enough to read whole ("3.1 The police use risk
assessment screening tools …", cut at a word, with the ellipsis saying so), and the full
wording of what is chosen shown under the picker, so no criterion is ever read cut mid-word
(walk 23, F19: "… effectively to assess r")."""

from __future__ import annotations

import textwrap
from typing import Callable, Iterable

import streamlit as st

OPTION_CHARS = 50  # an option's words after its number: what a half-width picker shows whole at 1,440 px


def criterion_option(framework, *, chars: int = OPTION_CHARS) -> Callable[[str], str]:
    """A picker's ``format_func``: the criterion's number and its wording cut at a word with "…"."""
    def shown(code: str) -> str:
        if code not in framework.specific_ids:
            return code
        return f"{code} {textwrap.shorten(framework.specific(code).text, chars, placeholder=' …')}"
    return shown


def criteria_in_full(framework, chosen: str | Iterable[str] | None, *, where=st) -> None:
    """Each chosen criterion's whole wording, under its picker (nothing when none is chosen)."""
    codes = [chosen] if isinstance(chosen, str) else list(chosen or ())
    lines = [f"{c} {framework.specific(c).text}" for c in codes if c in framework.specific_ids]
    if lines:
        where.caption("  \n".join(lines))
