"""Small rendering helpers shared by pages."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from fieldwork.problems import Problem, ProblemError

KIND_WORDS = {"question": "question", "case": "case", "inspector": "inspector", "force": "force",
              "questionnaire": "questionnaire", "indicator": "indicator"}


def capitalised(text: str) -> str:
    """A sentence's first letter in capitals, unless it starts with a name that is written as it
    is (a file "bad.csv", a code "hs-0001", a variable "case_ref")."""
    first = re.split(r"[\s:,]", text, maxsplit=1)[0]
    return text if re.search(r"[._\-/\d]", first) else text[:1].upper() + text[1:]


def _form_question(problem: Problem) -> bool:
    """A question named by its variable in a refusal of a page's form (no file, no row): the
    person never saw that name, and the message names the question in words (walk 23, F6)."""
    return problem.item_kind == "question" and problem.source is None and problem.row is None


def sentence(problem: Problem) -> str:
    """The problem as a person reads it: where, then why, as one sentence ("Row 3, case
    HS-0002: choose a second inspector."). The code is for analysts, never the lead text."""
    where = [f"Row {problem.row}" if problem.row is not None else None,
             f"{KIND_WORDS.get(problem.item_kind, problem.item_kind)} {problem.item}"
             if problem.item and not _form_question(problem) else None,
             f"column {problem.field}" if problem.field and problem.row is not None else None]
    where = [w for w in where if w]
    text = problem.message.strip()
    text = capitalised(text) if not where else text
    lead = ", ".join(where)
    lead = lead[:1].upper() + lead[1:]
    out = f"{lead}: {text}" if where else text
    return out if out.endswith((".", "?", "!", ")")) else out + "."


def problem_rows(exc: ProblemError) -> pd.DataFrame:
    """One row per problem: the sentence first; row, column, item and file after it; the
    stable code in the last column, for analysts and for matching."""
    frame = pd.DataFrame([{
        "problem": sentence(p), "row": p.row, "column": p.field, "item": p.item, "file": p.source, "code": p.code,
    } for p in exc.problems])
    return frame.dropna(axis=1, how="all").astype(object).where(lambda f: f.notna(), "")  # blank, not "None"


def show_problems(exc: ProblemError, *, key: str | None = None, retry: bool = True) -> None:
    """Every problem in a table of sentences, wrapped; the codes are kept in the data, not shown. A
    write refused because the session has ended (the account disabled, signed out elsewhere)
    goes to the sign-in instead. A database that stayed busy gets a Try again button
    (``components.retry``) unless ``retry`` is False (a caller with its own)."""
    from fieldwork.ui import session
    from fieldwork.ui.components import retry as busy, tables

    if session.stale_refusal(exc):
        return  # about a session that has ended since: nothing to say in this one
    if session.end_session(exc):
        st.rerun()
    summary = exc.summary.strip()
    st.error(capitalised(summary) + ("" if summary.endswith(".") else "."))
    # the code stays in the data (downloads, tests) but a person reads the sentence, wrapped
    # a form's refusal (no file) says where in its sentence: "column" and "item" would only
    # repeat it as variable names
    from_file = any(p.source or p.row is not None for p in exc.problems)
    tables.table(problem_rows(exc), key=key, hidden=("code",) if from_file else ("code", "column", "item"),
                 wide=("problem",))
    if retry:
        busy.offer(exc, key=key or "fieldwork_problems")
