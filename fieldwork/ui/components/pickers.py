"""The choices most pages open with: which inspection (the sidebar), which questionnaire, which
force. One definition each, so that every page offers them alike and keeps them from run to run."""

from __future__ import annotations

from typing import Callable, Sequence

import streamlit as st

from fieldwork import db
from fieldwork.catalog import load_catalog
from fieldwork.services import inspections
from fieldwork.ui import session
from models import Inspection

DEFAULT_QUESTIONNAIRE = "case_review"  # what a page opens on, where the inspection has it


def inspection_picker() -> None:
    """The sidebar's choice of inspection, drawn by the router on every run; nothing at all
    where the database holds a single inspection."""
    with db.session_scope(session.engine()) as s:
        held = [(i.code, i.name) for i in inspections.all_inspections(s)]
        current = session.current_inspection(s).code
    if len(held) < 2:
        return
    names = [name for _, name in held]
    labels = {code: name if names.count(name) == 1 else f"{name} ({code})" for code, name in held}
    codes = list(labels)
    picked = st.selectbox("Inspection", codes, index=codes.index(current), key=session.PICKER_KEY,
                          format_func=labels.get,
                          help="The inspection every page works on; it stays chosen from page to page.")
    if picked in labels:
        st.session_state[session.INSPECTION_KEY] = picked


def current_questionnaires(s) -> tuple[Inspection, dict[str, str]]:
    """The inspection the page works on and its questionnaires ({id: title}), in a page's session."""
    inspection = session.current_inspection(s)
    return inspection, inspections.questionnaire_titles(s, inspection)


def questionnaire_picker(questionnaire_ids: Sequence[str], *, key: str, titles: dict[str, str] | None = None,
                         with_id: bool = False, where=st, **options) -> str:
    """The questionnaire a page works on, opening on ``case_review`` where the inspection has it.
    ``titles`` shows each by its title (``with_id``: "Title (id)"); without, by its id."""
    ids = list(questionnaire_ids)
    shown: Callable[[str], str] = str
    if titles is not None:
        # two forms given one title ("Victim contact review" twice) are told apart by their id
        # wherever titles alone are shown (walk 24, W19)
        alike = {t for t in titles.values() if list(titles.values()).count(t) > 1}
        shown = (lambda q: f"{titles[q]} ({q})") if with_id else (
            lambda q: f"{titles[q]} ({q})" if titles.get(q) in alike else titles.get(q, q))
    return where.selectbox("Questionnaire", ids, key=key, format_func=shown,
                           index=ids.index(DEFAULT_QUESTIONNAIRE) if DEFAULT_QUESTIONNAIRE in ids else 0, **options)


def force_labels(visible: Callable[[str], bool] | None = None) -> dict[str, str]:
    """{force code: name} of contract section 6, in the catalogue's order; ``visible`` keeps
    only the forces it accepts (e.g. ``actor.sees_force``)."""
    return {c.code: c.label for c in load_catalog().codes.forces if visible is None or visible(c.code)}
