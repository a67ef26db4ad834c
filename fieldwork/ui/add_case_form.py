"""The Cases page's Add a case form: the case reference and the case's facts, asked as the
Assess form asks them.

The questions are those the service checks when a case is added (``cases.context_questions``:
the ``context`` section, and force and CPS Area wherever the form puts them), in the form's
order. Each is drawn as its type asks (a date as a date, a number as a number, choices from
its list), a ``choice_filter``'s list filtered by the answers given above it, and a question
whose skip logic does not hold is hidden until it does (its answer is not sent). Calculations
are worked out when the case is added, never typed. A change reruns only this form
(``st.fragment``), so the lists follow the answers at once.
"""

from __future__ import annotations

from datetime import date
from typing import Callable

import streamlit as st

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.questionnaire.loader import filtered_choices
from fieldwork.questionnaire.model import Question, Questionnaire
from fieldwork.services import cases
from fieldwork.services.permissions import Actor
from fieldwork.ui import components
from fieldwork.ui.answer_widgets import HINTS
from fieldwork.ui.components import show_problems

ADDED = "cases_added"  # the case just added: offered for opening
FORM_N = "cases_form_n"  # bumped after an add, so the form starts empty again


def _key(name: str, n: int) -> str:
    return f"add_case_{name}_{n}"


def _as_answer(question: Question, value) -> str | None:
    """A widget's value as the text ``answers.convert`` reads (what an import would hold)."""
    if value in (None, "", []):
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, bool):
        return "OK" if value else None
    if question.type == "integer" and isinstance(value, float):
        return str(int(value))
    return str(value).strip() or None


def _options(questionnaire: Questionnaire, question: Question, given: dict, user: Actor) -> dict[str, str]:
    """code -> label: the question's list, filtered by its choice_filter as Assess filters it,
    and for the force only those the account covers."""
    choices = filtered_choices(questionnaire, question, given) if question.choice_filter \
        else questionnaire.options(question.name)
    return {c.code: c.label for c in choices if question.name != cases.FORCE or user.sees_force(c.code)}


def _draw(questionnaire: Questionnaire, question: Question, key: str, given: dict, user: Actor, where) -> None:
    name, kind = question.name, question.type
    if question.is_single_choice or question.is_multiple_choice:
        labels = _options(questionnaire, question, given, user)
        held = st.session_state.get(key)
        if question.is_single_choice and held is not None and held not in labels:
            del st.session_state[key]  # no longer in the filtered list (the force changed): chosen again
        if question.is_multiple_choice and held and any(c not in labels for c in held):
            st.session_state[key] = [c for c in held if c in labels]
        if question.is_single_choice:
            placeholder = "The force's CPS Area" if name == cases.CPS_AREA else "Choose"
            where.selectbox(question.label, list(labels), index=None, format_func=labels.__getitem__, key=key,
                            placeholder=placeholder if labels else "Nothing to choose: answer the questions above",
                            help=question.guidance or None)
        else:
            where.multiselect(question.label, list(labels), format_func=labels.__getitem__, key=key,
                              placeholder="Choose every answer that applies", help=question.guidance or None)
    elif kind == "date":
        where.date_input(question.label, value=None, key=key, min_value=date(1900, 1, 1),
                         max_value=date(2100, 12, 31), format="YYYY-MM-DD", help=question.guidance or None)
    elif kind == "integer":
        where.number_input(question.label, value=None, step=1, format="%d", key=key, placeholder="a whole number",
                           help=question.guidance or None)
    elif kind == "acknowledge":
        where.checkbox(question.label, key=key, help=question.guidance or None)
    else:
        where.text_input(question.label, key=key, placeholder=HINTS.get(kind, ""), help=question.guidance or None)


def _given(questionnaire: Questionnaire, names: list[str], n: int) -> dict[str, str]:
    out = {}
    for name in names:
        value = _as_answer(questionnaire.question(name), st.session_state.get(_key(name, n)))
        if value is not None:
            out[name] = value
    return out


@st.fragment
def add_case_form(user: Actor, engine_of: Callable[[], object], inspection, qid: str,
                  questionnaire: Questionnaire) -> None:
    """Draw the form; on Add case, add the case (or list every problem) and rerun the page."""
    n = st.session_state.setdefault(FORM_N, 0)
    names = cases.context_questions(questionnaire)
    given = _given(questionnaire, names, n)
    asked = questionnaire.relevant_names(given)  # hidden until its skip logic holds, as in Assess
    shown = [name for name in names if name in asked]
    given = {k: v for k, v in given.items() if k in shown}
    st.caption(f"For {questionnaire.title or qid}. The rest of the case's facts can be completed when you score it.")
    st.text_input("Case reference (pseudonymised)", key=f"add_case_ref_{n}", max_chars=40,
                  placeholder="e.g. HS-0001", help="Letters, digits and - _ / . with at least one digit.")
    for i in range(0, len(shown), 2):  # two a row, read left to right in the form's order
        cols = st.columns(2)
        for where, name in zip(cols, shown[i:i + 2]):
            _draw(questionnaire, questionnaire.question(name), _key(name, n), given, user, where)
    context = _given(questionnaire, shown, n)
    if components.pressed("Add case", key="cases_add_case_submit", type="primary", icon=":material/add:"):
        try:
            with db.session_scope(engine_of()) as s:
                new = cases.add_case(s, user, inspection=inspection, questionnaire_id=qid,
                                     case_ref=st.session_state.get(f"add_case_ref_{n}", ""), context=context)
        except ProblemError as exc:
            show_problems(exc, key="add_case_problems")
        else:
            st.session_state[ADDED] = {"case_id": new.case_id, "case_ref": new.case_ref}
            st.session_state[FORM_N] = n + 1
            st.rerun()
