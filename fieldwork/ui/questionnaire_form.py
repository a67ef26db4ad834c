"""The questionnaire of one assessment as a form that saves every change the moment it is
made (``on_change`` callbacks; there is no save button to forget).

The page keeps a working copy of the assessment in ``st.session_state`` (answers, notes,
the version it read) and draws the widgets from it, so a rerun costs no query. A full page
run reloads the copy from the database (cheap: two queries), so switching pages or a
refresh shows what is stored; a change inside the form reruns only the form (``st.fragment``).
A save that someone else got in first is refused: the form then locks, says so, and offers
Reload. Skip logic hides questions as answers change; an answer the change made irrelevant
is cleared in the database and the inspector is told which.
"""

from __future__ import annotations

from typing import Mapping

import streamlit as st

from fieldwork import db
from fieldwork.catalog import load_catalog
from fieldwork.problems import ProblemError
from fieldwork.questionnaire.model import Question, Questionnaire
from fieldwork.services import assessments, privacy
from fieldwork.services.permissions import Actor
from fieldwork.ui import session
from fieldwork.ui.components import show_problems
from models import COMPLETE, DRAFT

PREFIX = "qf"
RADIO_MAX = 5  # answer sets up to this size are radio buttons; longer ones a select box
HINTS = {"integer": "a whole number", "date": "YYYY-MM-DD"}


def widget_key(uid: str, kind: str, name: str = "") -> str:
    """The session-state key of a widget: kind "a" answer, "n" note (with the question's
    name), or a button ("complete", "reopen", "reload")."""
    return f"{PREFIX}:{uid}:{kind}" + (f":{name}" if name else "")


_key = widget_key


def _state(uid: str) -> dict:
    return st.session_state[_key(uid, "state")]


def load(actor: Actor, uid: str, *, keep_conflict: bool = True) -> dict:
    """(Re)read the assessment into the working copy and the widgets. A refused save's
    conflict stays on screen (and the stored answers unread) until the inspector reloads."""
    key = _key(uid, "state")
    old = st.session_state.get(key)
    if keep_conflict and old and old.get("conflict"):
        return old
    with db.session_scope(session.engine()) as s:
        view = assessments.load(s, actor, uid)
    kept = {k: old[k] for k in ("cleared", "changed_by", "missing") if old and k in old}  # what the page says
    state = {"cleared": [], "changed_by": None, "missing": False, **kept, "view": view, "version": view.version,
             "status": view.status, "answers": dict(view.answers), "notes": dict(view.notes), "conflict": None,
             "problems": None}
    st.session_state[key] = state
    for question in view.questionnaire.questions:
        _show(uid, question.name, state["answers"].get(question.name), state["notes"].get(question.name, ""))
    return state


def _show(uid: str, name: str, value: str | None, note: str) -> None:
    """Put a stored answer and note into the widgets' state (before they are drawn)."""
    st.session_state[_key(uid, "a", name)] = value
    st.session_state[_key(uid, "n", name)] = note


# --- callbacks: each saves at once ----------------------------------------------------------


def _save(actor: Actor, uid: str, changes: Mapping[str, tuple[str | None, str | None]]) -> None:
    import time as _t; _t0 = _t.perf_counter()
    try:
        _save2(actor, uid, changes)
    finally:
        open("/tmp/e2e/timing.log","a").write(f"SAVE {round((_t.perf_counter() - _t0) * 1000)}\n")


def _save2(actor, uid, changes):
    state = _state(uid)
    try:
        with db.session_scope(session.engine()) as s:
            result = assessments.save(s, actor, uid, state["version"], changes)
    except ProblemError as exc:
        if any(p.code == assessments.STALE_VERSION for p in exc.problems):
            state["conflict"] = exc.problems[0].message
        else:  # put the widgets back to what is stored, and say why
            state["problems"] = exc
            for name in changes:
                _show(uid, name, state["answers"].get(name), state["notes"].get(name, ""))
        return
    state["version"] = result.version
    state["problems"] = None
    for name, (value, note) in changes.items():
        if value in (None, ""):
            state["answers"].pop(name, None)
        else:
            state["answers"][name] = value
        if note is not None:
            state["notes"][name] = note
    for name in result.cleared:
        state["answers"].pop(name, None)
        st.session_state[_key(uid, "a", name)] = None
    # the notice stays until the next change, so it cannot flash past unread
    state["cleared"] = list(result.cleared)
    state["changed_by"] = next(iter(changes), None)


def _answer_changed(actor: Actor, uid: str, name: str) -> None:
    _save(actor, uid, {name: (st.session_state[_key(uid, "a", name)], None)})


def _note_changed(actor: Actor, uid: str, name: str) -> None:
    state = _state(uid)
    _save(actor, uid, {name: (state["answers"].get(name), st.session_state[_key(uid, "n", name)] or "")})


def _mark_complete(actor: Actor, uid: str) -> None:
    state = _state(uid)
    try:
        with db.session_scope(session.engine()) as s:
            result = assessments.mark_complete(s, actor, uid, state["version"])
    except ProblemError as exc:
        if any(p.code == assessments.STALE_VERSION for p in exc.problems):
            state["conflict"] = exc.problems[0].message
        else:
            state["missing"] = True  # from now on the list of what is missing is shown, and shrinks live
            state["problems"] = exc if not all(p.code == assessments.MISSING_ANSWER for p in exc.problems) else None
        return
    state.update(version=result.version, status=result.status, missing=False, problems=None, cleared=[])


def _reopen(actor: Actor, uid: str) -> None:
    state = _state(uid)
    try:
        with db.session_scope(session.engine()) as s:
            result = assessments.reopen(s, actor, uid, state["version"])
    except ProblemError as exc:
        if any(p.code == assessments.STALE_VERSION for p in exc.problems):
            state["conflict"] = exc.problems[0].message
        else:
            state["problems"] = exc
        return
    state.update(version=result.version, status=result.status, problems=None)


def _reload(actor: Actor, uid: str) -> None:
    load(actor, uid, keep_conflict=False)


# --- drawing -------------------------------------------------------------------------------


def _criteria_text(questionnaire: Questionnaire, question: Question) -> str:
    framework = load_catalog().frameworks.get(questionnaire.framework)
    lines = []
    for cid in question.criteria:
        try:
            lines.append(f"**{cid}** {framework.specific(cid).text}" if framework else cid)
        except StopIteration:
            lines.append(cid)
    return "\n\n".join(lines)


def _question(actor: Actor, uid: str, questionnaire: Questionnaire, question: Question, *, editable: bool,
              state: dict) -> None:
    akey, nkey = _key(uid, "a", question.name), _key(uid, "n", question.name)
    # a widget not drawn on the last run lost its state (hidden by skip logic, another page): restore it
    if akey not in st.session_state:
        st.session_state[akey] = state["answers"].get(question.name)
    if nkey not in st.session_state:
        st.session_state[nkey] = state["notes"].get(question.name, "")
    label = question.label + (" *" if question.required else "")
    criteria = _criteria_text(questionnaire, question)
    answer_col, note_col = st.columns([3, 2], vertical_alignment="top")
    with answer_col:
        if question.name == assessments.CASE_REF:
            st.text_input(label, key=akey, disabled=True, help="Fixed when the case was added.")
        elif question.is_single_choice:
            options = questionnaire.codes(question.name)
            if st.session_state[akey] not in options:
                st.session_state[akey] = None
            labels = {c.code: c.label for c in questionnaire.options(question.name)}
            widget = st.radio if len(options) <= RADIO_MAX else st.selectbox
            extra = {"horizontal": max(len(v) for v in labels.values()) <= 16} if widget is st.radio else {
                "placeholder": "Choose an answer"}
            widget(label, options, index=None, format_func=labels.__getitem__, key=akey, disabled=not editable,
                   on_change=_answer_changed, args=(actor, uid, question.name), help=criteria or None, **extra)
        else:
            st.text_input(label, key=akey, disabled=not editable, placeholder=HINTS.get(question.type, ""),
                          on_change=_answer_changed, args=(actor, uid, question.name), help=criteria or None)
        caption = question.guidance
        if question.criteria:
            caption += ("  \n" if caption else "") + "Evidences criteria " + ", ".join(question.criteria)
        if caption:
            st.caption(caption)
    with note_col:
        if question.name != assessments.CASE_REF:
            st.text_area(f"Evidence note: {question.label}", key=nkey, disabled=not editable, height=68,
                         label_visibility="collapsed", max_chars=assessments.MAX_TEXT * 5,
                         placeholder="Evidence note: document, page, what you saw (no names)",
                         on_change=_note_changed, args=(actor, uid, question.name))
            found = privacy.note_warnings(st.session_state[nkey] or "")
            if found:
                st.warning(f"This note looks as if it holds {', '.join(found)}. Record document and page "
                           "references and what you saw, never personal details.", icon=":material/shield:")


def _progress(questionnaire: Questionnaire, answers: Mapping[str, str], relevant: set[str]) -> dict[str, tuple[int, int]]:
    """section -> (answered, asked)."""
    out = {}
    for section in questionnaire.sections:
        asked = [q.name for q in questionnaire.questions_in(section.id) if q.name in relevant]
        out[section.id] = (sum(answers.get(n) not in (None, "") for n in asked), len(asked))
    return out


@st.fragment
def assessment_form(actor: Actor, uid: str) -> None:
    """Draw the assessment from the working copy (``load`` it first)."""
    import time as _t; _t0 = _t.perf_counter()
    try:
        _form(actor, uid)
    finally:
        open("/tmp/e2e/timing.log","a").write(f"FRAGMENT {round((_t.perf_counter() - _t0) * 1000)}\n")


def _form(actor, uid):
    state = _state(uid)
    view: assessments.AssessmentView = state["view"]
    questionnaire = view.questionnaire
    answers = state["answers"]
    relevant = questionnaire.relevant_names(answers)
    editable = view.editable and state["status"] == DRAFT and not state["conflict"]

    if state["conflict"]:
        st.error(state["conflict"], icon=":material/sync_problem:")
        st.button("Reload", key=_key(uid, "reload"), type="primary", icon=":material/refresh:",
                  on_click=_reload, args=(actor, uid))
    if state["cleared"]:
        labels = ", ".join(f"“{questionnaire.question(n).label}”" for n in state["cleared"])
        cause = state["changed_by"]
        because = f" after the change to “{questionnaire.question(cause).label}”" if cause else ""
        st.warning(f"Cleared {len(state['cleared'])} answer(s) that no longer apply{because}: {labels}. "
                   "Their evidence notes are kept.", icon=":material/playlist_remove:")
    if state["problems"]:
        show_problems(state["problems"], key=_key(uid, "problems"))
    if not view.editable:
        st.info(f"Read-only: this assessment belongs to {view.inspector}.")
    elif state["status"] == COMPLETE:
        st.success("Marked complete. Reopen it to change an answer.", icon=":material/task_alt:")

    progress = _progress(questionnaire, answers, relevant)
    done, asked = sum(p[0] for p in progress.values()), sum(p[1] for p in progress.values())
    st.progress(done / asked if asked else 1.0, text=f"{done} of {asked} questions answered · "
                + " · ".join(f"{s.title} {progress[s.id][0]}/{progress[s.id][1]}" for s in questionnaire.sections
                             if progress[s.id][1]))

    for section in questionnaire.sections:
        shown = [q for q in questionnaire.questions_in(section.id) if q.name in relevant]
        if not shown:
            continue
        answered, total = progress[section.id]
        with st.container(border=True):
            st.subheader(section.title, divider=False)
            st.progress(answered / total, text=f"{answered} of {total} answered")
            if section.guidance:
                st.caption(section.guidance)
            for question in shown:
                _question(actor, uid, questionnaire, question, editable=editable, state=state)

    missing = questionnaire.missing_required(answers) if state["missing"] and state["status"] == DRAFT else []
    if missing:
        titles = {s.id: s.title for s in questionnaire.sections}
        st.error(f"Not complete yet: {len(missing)} required answer(s) missing.\n\n" + "\n".join(
            f"- {titles.get(questionnaire.question(n).section)}: {questionnaire.question(n).label}" for n in missing),
            icon=":material/checklist:")
    if view.editable and not state["conflict"]:
        if state["status"] == DRAFT:
            st.button("Mark complete", key=_key(uid, "complete"), type="primary", icon=":material/task_alt:",
                      on_click=_mark_complete, args=(actor, uid))
        else:
            st.button("Reopen", key=_key(uid, "reopen"), icon=":material/edit:", on_click=_reopen, args=(actor, uid))
    st.caption(f"Saved as you go · version {state['version']} · {state['status']}")
