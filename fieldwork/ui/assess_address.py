"""Assess's address: the case and the section on screen, ``/assess?case=383&section=risk``.

The section is the questionnaire's own name for it (its id). Each switch of section writes it
into the address, which the browser records as a step of its history, so Back and Forward move
between sections, a reload comes back to the section, and a link to a section opens it. Back
and Forward rerun the whole page with the address they return to (Streamlit reruns on the
browser's history change), and the page opens the section the address names.

An address is written only when it changes: Streamlit adds a history step for every change of
the query string and none for the same one, so a run that states what the address already
says leaves Back as it was.
"""

from __future__ import annotations

import streamlit as st

from fieldwork.questionnaire.model import Questionnaire

CASE, SECTION = "case", "section"


def wanted_section(questionnaire: Questionnaire) -> str | None:
    """The section the address names, if this questionnaire has one by that name."""
    wanted = st.query_params.get(SECTION, "")
    return wanted if any(s.id == wanted for s in questionnaire.sections) else None


def show_section(section: str) -> None:
    """The section on screen, into the address (a new step of the browser's history)."""
    if st.query_params.get(SECTION) != section:
        st.query_params[SECTION] = section


def show_case(case_id: int) -> None:
    """The case on screen, into the address; another case's section is dropped with it."""
    if st.query_params.get(CASE) != str(case_id):
        st.query_params[CASE] = str(case_id)
        st.query_params.pop(SECTION, None)
