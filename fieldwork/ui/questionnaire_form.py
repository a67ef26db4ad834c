"""The questionnaire of one assessment as a form that saves every change the moment it is
made (``on_change`` callbacks; there is no save button to forget).

The page keeps a working copy of the assessment in ``st.session_state`` (answers, notes,
the version it read) and draws the widgets from it, so a rerun costs no query. A full page
run reloads the copy from the database, so a page switch or a refresh shows what is stored;
a change inside the form reruns only the form (``st.fragment``), which shows one section at
a time, and a switch of section (the picker or ←/→) re-reads the stored answers in one query
(``assessments.reread``): another tab or laptop may have saved since. Every widget that
mounts (its section picked, its question shown by skip logic, the form opened) takes its
value from the copy through ``stored_values``, never from what Streamlit may still remember
under its key. A save that someone else got in first is refused: the form locks,
says so and offers Reload. Skip logic hides questions as answers change; an answer the
change made irrelevant is cleared in the database and the inspector is told which, beside
the answer that caused it (and in a toast, whatever the scroll position).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Mapping

import streamlit as st

from fieldwork import db
from fieldwork.catalog import load_catalog
from fieldwork.problem_codes import SIGNED_OUT
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire import entries as repeat_entries
from fieldwork.questionnaire import filter_checks
from fieldwork.questionnaire.model import Question, Questionnaire
from fieldwork.services import assessments, privacy, repeat_entries as entry_service
from fieldwork.services.permissions import Actor
from fieldwork.ui import answer_widgets, assess_address, case_record, entry_panels, note_keeper, session, stored_values
from fieldwork.ui.components import show_problems
from models import COMPLETE, DRAFT

PREFIX = "qf"
RADIO_MAX = 5  # answer sets up to this size are radio buttons; longer ones a select box
HINTS = {"integer": "a whole number", "date": "YYYY-MM-DD"}
NOTE_PLACEHOLDER = "No names: document, page, what you saw"
# What the page says about the last action (and the section on screen, which the read-only
# view of a complete assessment does not draw); kept when the copy is reloaded from the database.
MESSAGES = {"cleared": [], "at": None, "conflict": None, "problems": None, "missing": False, "toast": None,
            "unsent": {}, "dropped": {}, "clash": {}, "retry": None, "section": None}


def widget_key(uid: str, kind: str, name: str = "") -> str:
    """The session-state key of a widget: kind "a" answer, "n" note (with the question's
    slot: its name, or ``incident[2]/when`` in an entry of a repeat group), or "section",
    "complete", "reopen", "reload"."""
    return f"{PREFIX}:{uid}:{kind}" + (f":{name}" if name else "")


_key = widget_key


def _state(uid: str) -> dict:
    return st.session_state[_key(uid, "state")]


def load(actor: Actor, uid: str, *, keep_conflict: bool = True) -> dict:
    """(Re)read the assessment into the working copy and the widgets. After a refused save
    the copy is left alone (the conflict stays on screen) until the inspector reloads."""
    key = _key(uid, "state")
    old = st.session_state.get(key)
    if keep_conflict and old and old["conflict"]:
        return old
    with db.session_scope(session.engine()) as s:
        view = assessments.load(s, actor, uid)
    kept = {k: old[k] for k in MESSAGES if old} if keep_conflict else {}
    state = {**MESSAGES, **kept, "conflict": None, "view": view, "version": view.version, "status": view.status,
             "answers": dict(view.answers), "notes": dict(view.notes), "instances": set(view.instances),
             "known": {q.name for q in view.questionnaire.questions if q.name != assessments.CASE_REF}}
    if not kept:
        state.update(unsent={}, dropped={}, clash={})
    st.session_state[key] = state  # a new copy has drawn nothing yet: every widget is seeded from it
    return state


def _entries(state: dict) -> repeat_entries.Entries:
    """The entries of the working copy's repeat groups and what each asks (``asked``: slots)."""
    questionnaire = state["view"].questionnaire
    return repeat_entries.Entries(questionnaire, questionnaire.with_calculations(state["answers"]),
                                  state["instances"])


def _known(state: dict, name: str) -> bool:
    """A slot the browser may send a note for: a question's, in an entry if it sits in one."""
    questionnaire = state["view"].questionnaire
    instance, question = repeat_entries.split(name)
    if not instance:
        return name in state["known"]
    return question in state["known"] and repeat_entries.instance_problem(questionnaire, name) is None


def _show(uid: str, name: str) -> None:
    """Draw this question's answer and note from the working copy on the next run."""
    stored_values.stale(_state(uid), _key(uid, "a", name), _key(uid, "n", name))


def _show_all(uid: str, state: dict) -> None:
    stored_values.forget(state)


# --- callbacks: each saves at once ----------------------------------------------------------


def _refused(state: dict, exc: ProblemError, at: str | None) -> None:
    # The account was disabled or the session ended elsewhere: nothing was saved; the form's next
    # run finds nobody signed in and reruns the app, whose sign-in page says why.
    if session.end_session(exc):
        # the session is over: nothing of it is shown again when the person signs in anew
        state.update(at=None, cleared=[], problems=None, toast=None, retry=None)
        return
    state["at"] = at
    state["cleared"] = []
    if any(p.code == assessments.STALE_VERSION for p in exc.problems):
        state["conflict"] = exc.problems[0].message
        state["toast"] = "Not saved: someone else saved this assessment first."
    else:
        state["problems"] = exc
        state["toast"] = "Not saved: " + exc.summary


def _signed_in(actor: Actor, uid: str, at: str | None) -> bool:
    """A callback runs before the page checks the sign-in: a session that has expired (or
    another user's) must not save through a form left on screen."""
    user = session.current_user()
    if user is not None and user.name == actor.name:
        return True
    state = _state(uid)
    _refused(state, ProblemError([Problem(SIGNED_OUT, "Your session has ended: sign in again. This change was "
                                          "not saved.")], "not signed in"), at)
    _show_all(uid, state)
    return False


def _refresh(actor: Actor, uid: str, *, typing_in: str | None = None) -> dict:
    """Re-read the copy after someone else saved (messages kept); every widget is drawn from
    it again, except the note box being typed in (the browser holds newer text)."""
    old = _state(uid)
    state = load(actor, uid, keep_conflict=False) | {k: old[k] for k in MESSAGES}
    st.session_state[_key(uid, "state")] = state
    keep = (_key(uid, "n", typing_in),) if typing_in else ()
    state.update({k: set(old[k]) for k in ("drawn_before", "drawn_now") if k in old})
    stored_values.forget(state, keep=keep)
    return state


def _clashed(actor: Actor, uid: str, name: str, value, note: str | None, exc: ProblemError) -> None:
    """The question was changed elsewhere: keep the inspector's change beside what is stored."""
    with db.session_scope(session.engine()) as s:
        stored = assessments.clash_of(s, uid, name)
    state = _refresh(actor, uid)
    before = state["clash"].get(name, {}).get("mine", (assessments.KEEP, None))
    mine = (before[0] if value is assessments.KEEP else value, before[1] if note is None else note)
    state["clash"][name] = {"mine": mine, "stored": (stored.value, stored.note)}
    state["toast"] = "Not saved yet: " + exc.problems[0].message


def _save(actor: Actor, uid: str, name: str, value, note: str | None, *, typing: bool = False,
          chose: dict | None = None) -> bool:
    """Save one answer (``assessments.KEEP``: the note alone) and/or note; False if refused.
    ``typing``: a note sent while the inspector is still in the box, which is never written
    over (the browser keeps the text)."""
    if not _signed_in(actor, uid, name):
        return False
    state = _state(uid)
    if name in state["clash"] and chose is None:  # still to choose: a further change joins "mine"
        clash = state["clash"][name]
        (mine_value, mine_note), (stored_value, stored_note) = clash["mine"], clash["stored"]
        if value is not assessments.KEEP and value != stored_value:
            mine_value = value
        if note is not None and note != stored_note:  # not the box echoing the stored note it now shows
            mine_note = note
        clash["mine"] = (mine_value, mine_note)
        return False
    read = {name: (state["answers"].get(name), state["notes"].get(name, ""))}
    try:
        with db.session_scope(session.engine()) as s:
            result = assessments.save(s, actor, uid, state["version"], {name: (value, note)}, read=read,
                                      chose=chose)
    except ProblemError as exc:
        if all(p.code == assessments.CHANGED_ELSEWHERE for p in exc.problems):
            _clashed(actor, uid, name, value, note, exc)
            return False
        _refused(state, exc, name)
        if all(p.code == db.DATABASE_BUSY for p in exc.problems):
            # still busy after the wait (a large import): the change is kept for "Try again"
            state["retry"] = {"name": name, "value": value, "note": note}
        if not state["conflict"] and not typing:  # put the widgets back to what is stored; the problem says why
            _show(uid, name)
        return False
    state["retry"] = None
    if result.version != state["version"] + 1:  # saved elsewhere meanwhile, other questions: show them
        state = _refresh(actor, uid, typing_in=name if typing else None)
    state.update(version=result.version, problems=None)
    if value is not assessments.KEEP or result.cleared:  # a note alone leaves the last answer's notice up
        state.update(at=name, cleared=list(result.cleared))
    if value is assessments.KEEP:
        pass
    elif value in (None, ""):
        state["answers"].pop(name, None)
    else:
        state["answers"][name] = value
    if note is not None:
        state["notes"][name] = note
    if repeat_entries.split(name)[0]:  # the entry now has a stored row
        state["instances"].add(repeat_entries.split(name)[0])
    for cleared in result.cleared:
        state["answers"].pop(cleared, None)
        _show(uid, cleared)
    if result.cleared:
        state["toast"] = f"Cleared {len(result.cleared)} answer(s) that no longer apply."
    return True


def _retry(actor: Actor, uid: str) -> None:
    """Send again the change the busy database refused; on success its widget shows it."""
    pending = _state(uid).get("retry")
    if pending and _save(actor, uid, pending["name"], pending["value"], pending["note"]):
        _show(uid, pending["name"])


def _answer_changed(actor: Actor, uid: str, name: str) -> None:
    state = _state(uid)
    value = st.session_state[_key(uid, "a", name)]
    # The browser may resend the value of a radio that skip logic has just hidden (two quick
    # actions: leaving a note box, then clicking an answer). Nobody can have changed a question
    # that is not on screen, and saving it would be refused as "not asked": ignore it.
    if name not in _entries(state).asked:
        return
    if (value or None) == state["answers"].get(name):
        return
    _save(actor, uid, name, value, None)


def _clear_answer(actor: Actor, uid: str, name: str) -> None:
    """A radio cannot be unticked in the browser: the answer is cleared (and saved) here."""
    if _save(actor, uid, name, None, None):
        _show(uid, name)


def _note_changed(actor: Actor, uid: str, name: str) -> None:
    _save(actor, uid, name, assessments.KEEP, st.session_state[_key(uid, "n", name)] or "")


def _notes_typed(actor: Actor, uid: str) -> None:
    """Notes the browser sent after a pause in typing: saved, the boxes left as they are."""
    state = _state(uid)
    for name, text in (note_keeper.sent(_key(uid, "keeper"), "typed", uid) or {}).items():
        if state["dropped"].get(name) == text:  # the browser's pause timer sent a note just set aside
            continue
        if isinstance(text, str) and _known(state, name) and text != state["notes"].get(name, ""):
            if not _save(actor, uid, name, assessments.KEEP, text, typing=True):
                return


def _notes_recovered(actor: Actor, uid: str) -> None:
    """Notes typed in this browser that never reached the server (lid closed, connection
    lost). One typed over the note still stored is saved; one typed over a note changed
    elsewhere since is held for the inspector to choose (``keep_mine`` / ``drop_mine``)."""
    state = _state(uid)
    restored = []
    for item in note_keeper.sent(_key(uid, "keeper"), "recovered", uid) or []:
        name, text, base = item.get("question"), item.get("text"), item.get("base", "")
        if not _known(state, name) or not isinstance(text, str) or text == state["notes"].get(name, ""):
            continue
        if base == state["notes"].get(name, ""):
            if not _save(actor, uid, name, assessments.KEEP, text):
                return
            _show(uid, name)
            restored.append(name)
        else:
            state["unsent"][name] = text
    if restored:
        state["toast"] = f"Restored {len(restored)} evidence note(s) typed here before the connection was lost."


def _keep_mine(actor: Actor, uid: str, name: str) -> None:
    state = _state(uid)
    text = state["unsent"].pop(name)
    if _save(actor, uid, name, assessments.KEEP, text):
        _show(uid, name)
    else:
        state["unsent"][name] = text


def _drop_mine(uid: str, name: str) -> None:
    state = _state(uid)
    state["dropped"][name] = state["unsent"].pop(name)


def _settle(actor: Actor, uid: str, name: str, kept: str) -> None:
    """The inspector chose between their change and the one saved elsewhere; both are audited."""
    state = _state(uid)
    clash = state["clash"][name]
    (mine_value, mine_note), (value, note) = clash["mine"], clash["stored"]
    chose = dict(name=name, kept=kept, mine=None if mine_value is assessments.KEEP else mine_value, stored=value,
                 notes_differed=mine_note is not None and mine_note != note)
    if kept == "mine":
        if _save(actor, uid, name, mine_value, mine_note, chose=chose):
            _state(uid)["clash"].pop(name, None)
            _show(uid, name)
        return
    with db.session_scope(session.engine()) as s:
        assessments.record_choice(s, actor, uid, **chose)
    if mine_note is not None:  # the browser's own copy of the note set aside goes too (note_keeper)
        state["dropped"][name] = mine_note
    state["clash"].pop(name, None)
    _show(uid, name)


def _changed_meanwhile(actor: Actor, uid: str, exc: ProblemError, button: str) -> bool:
    """Mark complete or Reopen found the assessment saved elsewhere since it was read: show
    what is stored now (nothing of this tab's was lost: every answer here is already saved)
    and ask for the button again, rather than locking the form."""
    if not any(p.code == assessments.STALE_VERSION for p in exc.problems):
        return False
    state = _refresh(actor, uid)
    state.update(at=None, cleared=[], problems=None, conflict=None,
                 toast=f"This assessment was saved elsewhere meanwhile: the stored answers are shown now. "
                       f"Check them and press {button} again.")
    return True


def _change_status(actor: Actor, uid: str, change, button: str, *, missing_listed: bool = False):
    """``change`` (``assessments.mark_complete`` or ``reopen``) at the version on screen: its
    result, or None when refused (the refusal shown; with ``missing_listed``, unanswered
    required questions become the list that shows and shrinks live)."""
    if not _signed_in(actor, uid, None):
        return None
    state = _state(uid)
    try:
        with db.session_scope(session.engine()) as s:
            return change(s, actor, uid, state["version"])
    except ProblemError as exc:
        if missing_listed and all(p.code == assessments.MISSING_ANSWER for p in exc.problems):
            state.update(missing=True, at=None, cleared=[], problems=None)
        elif not _changed_meanwhile(actor, uid, exc, button):
            _refused(state, exc, None)
        return None


def _mark_complete(actor: Actor, uid: str) -> None:
    result = _change_status(actor, uid, assessments.mark_complete, "Mark complete", missing_listed=True)
    if result is not None:
        _state(uid).update(version=result.version, status=result.status, missing=False, problems=None, cleared=[],
                           at=None)


def _reopen(actor: Actor, uid: str) -> None:
    result = _change_status(actor, uid, assessments.reopen, "Reopen")
    if result is not None:
        _state(uid).update(version=result.version, status=result.status, problems=None, at=None)


def _add_entry(actor: Actor, uid: str, repeat: str, parent: str) -> None:
    """Add an entry of a repeat group (saved at once: a refresh or another tab shows it)."""
    if not _signed_in(actor, uid, None):
        return
    state = _state(uid)
    try:
        with db.session_scope(session.engine()) as s:
            result = entry_service.add_entry(s, actor, uid, state["version"], repeat, parent)
    except ProblemError as exc:
        if not _changed_meanwhile(actor, uid, exc, "Add"):
            _refused(state, exc, None)
        return
    state["instances"].add(result.instance)
    state.update(version=result.version, problems=None, cleared=[], at=None,
                 toast=f"Added {repeat_entries.title(state['view'].questionnaire, result.instance)}.")


def _removals(uid: str) -> int:
    """How many entries this page has removed: a Remove button carries the count it was drawn at."""
    return st.session_state.get(_key(uid, "removals"), 0)


def _remove_entry(actor: Actor, uid: str, instance: str, *, seen: int | None = None) -> None:
    """Remove an entry: its answers go, the later entries are renumbered; every widget is drawn
    again from the store (an entry's widgets now show the entry after it). A click made on a
    button drawn before the last removal (a double click on a slow machine) removes nothing:
    the entry it named has gone and another has its number now (walk 24, W12)."""
    if not _signed_in(actor, uid, None):
        return
    state = _state(uid)
    name = repeat_entries.title(state["view"].questionnaire, instance)
    if seen is not None and seen != _removals(uid):
        state["toast"] = (f"Nothing more was removed: the entries were renumbered after the last removal. "
                          f"Check which entry is {name} now before removing it.")
        return
    try:
        with db.session_scope(session.engine()) as s:
            result = entry_service.remove_entry(s, actor, uid, state["version"], instance)
    except ProblemError as exc:
        if not _changed_meanwhile(actor, uid, exc, "Remove"):
            _refused(state, exc, None)
        return
    st.session_state[_key(uid, "removals")] = _removals(uid) + 1
    state = _refresh(actor, uid)
    state.update(problems=None, cleared=[], at=None,
                 toast=f"Removed {name} ({result.removed_answers} answer(s)); the entries after it are renumbered.")


def _go(uid: str, section_key: str, section: str) -> None:
    st.session_state[section_key] = section
    _section_switched(uid)


def _section_switched(uid: str) -> None:
    """Another section was picked (the picker or ←/→): its widgets and the progress line are
    drawn from the stored answers, re-read once the run's other callbacks (a note saved on
    leaving its box) have saved with what this tab last read."""
    _state(uid)["reread"] = True


def _reread(actor: Actor, uid: str, state: dict) -> dict:
    """What the database holds now (one query), into the working copy; every widget is drawn
    from it again. What this tab holds unsaved (a "changed elsewhere" choice, a note never
    sent) is in the copy's messages and stays on screen."""
    try:
        with db.session_scope(session.engine()) as s:
            stored = assessments.reread(s, actor, uid, state["view"].questionnaire)
    except ProblemError as exc:  # the session ended elsewhere, or the case's force was taken away
        _refused(state, exc, None)
        state["refused"] = True  # the form shows why and nothing of the case (assessment_form)
        return state
    if stored is None:  # not readable this way (account disabled, removed): the full read says why
        try:
            return _refresh(actor, uid)
        except ProblemError as exc:
            _refused(state, exc, None)
            return state
    state.update(version=stored.version, status=stored.status, answers=dict(stored.answers),
                 notes=dict(stored.notes), instances=set(stored.instances))
    stored_values.forget(state)
    return state


def _refused_reread(state: dict) -> None:
    """A section switch the account may no longer make: the sign-in says why when the session
    has ended; otherwise the refusal, in words, and nothing of the case (the page's next full
    run says which cases are still the inspector's)."""
    if session.current_user() is None:
        st.rerun()  # the app's sign-in page shows the reason
    state.pop("refused", None)
    state["toast"] = None  # "Not saved: …" would speak of a change: this was a switch, which saves nothing
    if state["problems"]:
        show_problems(state["problems"], key=_key(state["view"].uid, "problems"), retry=False)
    state["problems"] = None
    st.caption("Nothing was saved by this switch. Open the Cases page to see the cases you may score now.")


def open_section(uid: str, section: str | None) -> None:
    """Show this section (the address names it: Back, Forward, a reload, a link) once the
    form is drawn; a section that asks nothing for this case falls back as a reopened one does.
    An address naming the section the form last showed changes nothing: the form wrote it, and a
    section picked since (a run of the whole page, as tests run it) stays picked."""
    if section and section != _state(uid).get("section"):
        _state(uid)["section"] = section
        st.session_state[_key(uid, "section")] = section


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


def _messages(actor: Actor, uid: str, state: dict, questionnaire: Questionnaire) -> None:
    """What happened to the last change, where the inspector is looking."""
    if state["conflict"]:
        st.error(state["conflict"], icon=":material/sync_problem:")
        st.button("Reload", key=_key(uid, "reload"), type="primary", icon=":material/refresh:",
                  on_click=_reload, args=(actor, uid))
    if state["cleared"]:
        labels = ", ".join(assessments.where_label(questionnaire, n) for n in state["cleared"])
        st.warning(f"Cleared {len(state['cleared'])} answer(s) that no longer apply after this change: {labels}. "
                   "Their evidence notes are kept.", icon=":material/playlist_remove:")
    if state["problems"]:
        show_problems(state["problems"], key=_key(uid, "problems"), retry=False)  # its own retry, below
    if state.get("retry"):
        pending = state["retry"]
        what = "note" if pending["value"] is assessments.KEEP else "answer"
        st.button(f"Try again: save the {what} to “{questionnaire.question(pending['name']).label}”",
                  key=_key(uid, "retry"), type="primary", icon=":material/refresh:", on_click=_retry,
                  args=(actor, uid))


def _question(actor: Actor, uid: str, questionnaire: Questionnaire, question: Question, *, editable: bool,
              state: dict, slot: str | None = None, context: Mapping[str, str] | None = None) -> None:
    """One question's answer and note. ``slot``: where the answer lives (the question's name,
    or ``incident[2]/when`` in an entry); ``context``: the answers its expressions see."""
    slot = slot or question.name
    stored = state["answers"].get(slot)
    if question.is_single_choice and stored not in questionnaire.codes(question.name):
        stored = None  # a value that is not one of the codes shows as unanswered
    # mounting widgets (another section, shown again by skip logic, the form reopened) show the copy
    akey = stored_values.seed(state, _key(uid, "a", slot), stored)
    nkey = stored_values.seed(state, _key(uid, "n", slot), state["notes"].get(slot, ""))
    label = question.label + (" *" if question.required else "")
    criteria = _criteria_text(questionnaire, question) or None
    answer_col, note_col = st.columns([3, 2], vertical_alignment="top")
    with answer_col:
        if question.name == assessments.CASE_REF:
            st.text_input(label, key=akey, disabled=True, help="Fixed when the case was added.")
        elif answer_widgets.handles(question):  # every other XLSForm type: fieldwork/ui/answer_widgets.py
            answer_widgets.draw(questionnaire, question, key=akey, stored=state["answers"].get(slot),
                                label=label, editable=editable, help=criteria,
                                answers=state["answers"] if context is None else context,
                                on_change=lambda value: _save(actor, uid, slot, value, None), owner=state)
        elif question.is_single_choice:
            options = questionnaire.codes(question.name)
            labels = {c.code: c.label for c in questionnaire.options(question.name)}
            if len(options) <= RADIO_MAX:
                st.radio(label, options, index=None, format_func=labels.__getitem__, key=akey, disabled=not editable,
                         on_change=_answer_changed, args=(actor, uid, slot), help=criteria,
                         horizontal=max(len(v) for v in labels.values()) <= 16)
            else:
                st.selectbox(label, options, index=None, format_func=labels.__getitem__, key=akey,
                             disabled=not editable, on_change=_answer_changed, args=(actor, uid, slot),
                             help=criteria, placeholder="Choose an answer")
        else:
            st.text_input(label, key=akey, disabled=not editable, placeholder=HINTS.get(question.type, ""),
                          on_change=_answer_changed, args=(actor, uid, slot), help=criteria)
        if editable and question.is_single_choice and state["answers"].get(slot) not in (None, ""):
            st.button("Clear answer", key=_key(uid, "clear", slot), type="tertiary",
                      icon=":material/backspace:", on_click=_clear_answer, args=(actor, uid, slot))
        caption = question.guidance
        if question.criteria:
            caption += ("  \n" if caption else "") + "Evidences criteria " + ", ".join(question.criteria)
        if caption:
            st.caption(caption)
    with note_col:
        if question.name != assessments.CASE_REF:
            st.text_area(f"Evidence note: {question.label}", key=nkey, disabled=not editable, height=68,
                         label_visibility="collapsed", max_chars=assessments.MAX_NOTE,
                         # the privacy reminder first: a narrow column (1,024 px) cuts the end of a placeholder
                         placeholder=NOTE_PLACEHOLDER,
                         on_change=_note_changed, args=(actor, uid, slot))
            found = privacy.note_warnings(state["notes"].get(slot) or st.session_state[nkey] or "")
            if found:
                st.warning(f"This note looks as if it holds {', '.join(found)}. Record document and page "
                           "references and what you saw, never personal details.", icon=":material/shield:")
    if state["at"] == slot:
        _messages(actor, uid, state, questionnaire)


def _progress(questionnaire: Questionnaire, answers: Mapping[str, str], worked: repeat_entries.Entries
              ) -> dict[str, tuple[int, int]]:
    """section -> (answered, asked); a section in a repeat group counts every entry's questions."""
    out = {}
    # an answer its choice_filter's list leaves out shows as an empty box: not counted as answered
    outside = set(filter_checks.outside(questionnaire, answers, worked.instances))
    for section in questionnaire.sections:
        instances = [e.path for e in worked.under(section.repeat)] if section.repeat else [""]
        asked = [repeat_entries.slot(i, q.name) for i in instances for q in questionnaire.questions_in(section.id)
                 if answer_widgets.asks(q) and not q.is_computed]
        asked = [n for n in asked if n in worked.asked]
        out[section.id] = (sum(answers.get(n) not in (None, "") and n not in outside for n in asked), len(asked))
    return out


@st.fragment
def assessment_form(actor: Actor, uid: str, next_steps: Callable[[], None] | None = None) -> None:
    """Draw the assessment from the working copy (``load`` it first). ``next_steps`` draws
    where to go once the inspector's assessment is complete (the page knows their cases)."""
    user = session.current_user()
    if user is None or user.name != actor.name:
        st.rerun()  # a form rerun skips the page's sign-in check: rerun the app, whose router asks for it
    state = _state(uid)
    if state.pop("reread", False) and not state["conflict"]:  # locked: Reload re-reads
        state = _reread(actor, uid, state)
        if state.get("refused"):
            _refused_reread(state)
            return
    stored_values.new_run(state)
    view: assessments.AssessmentView = state["view"]
    questionnaire = view.questionnaire
    answers = state["answers"]
    worked = _entries(state)
    relevant = worked.asked
    editable = view.editable and state["status"] == DRAFT and not state["conflict"]
    toast, state["toast"] = state["toast"], None
    if toast:  # seen wherever the page is scrolled; the message beside the answer stays
        st.toast(toast)

    if not view.editable:
        st.info(f"Read-only: this assessment belongs to {view.inspector}.")
    elif state["status"] == COMPLETE:
        st.success("Marked complete. Reopen it to change an answer.", icon=":material/task_alt:")
        if next_steps is not None:
            next_steps()

    for name, clash in list(state["clash"].items()):
        _clash(actor, uid, questionnaire, name, clash, editable)
    for name, text in list(state["unsent"].items()):
        _unsent_note(actor, uid, questionnaire, name, text, state["notes"].get(name, ""), editable)

    if state["status"] == COMPLETE or not view.editable:
        _read_only(actor, uid, state)
        return

    progress = _progress(questionnaire, answers, worked)
    done, asked = sum(p[0] for p in progress.values()), sum(p[1] for p in progress.values())
    sections = [s.id for s in questionnaire.sections if progress[s.id][1]
                or (s.repeat and entry_panels.can_hold_entries(worked, s.repeat))]
    titles = {s.id: s.title for s in questionnaire.sections}
    overview = " · ".join(f"{titles[sid]} {a}/{n}" + (" ✓" if a == n else "")
                          for sid, (a, n) in progress.items() if sid in sections)
    st.progress(done / asked if asked else 1.0, text=f"{done} of {asked} questions answered · {overview}")
    if not sections:
        st.info("This questionnaire asks nothing for this case.")
        return

    # One section on screen at a time: a change redraws a handful of questions, not the whole
    # questionnaire (each element is a message to the browser). The list's labels stay fixed:
    # the browser resets a radio whose option labels change.
    skey = _key(uid, "section")
    if st.session_state.get(skey) not in sections:  # reopened: where the inspector was; else the first gap
        st.session_state[skey] = state.get("section") if state.get("section") in sections else next(
            (sid for sid in sections if progress[sid][0] < progress[sid][1]), sections[0])
    current = st.radio("Section", sections, format_func=titles.__getitem__, key=skey, horizontal=True,
                       on_change=_section_switched, args=(uid,),
                       help="Sections follow the victim's journey through the case.")
    state["section"] = current  # the read-only view draws no picker: Reopen comes back here
    assess_address.show_section(current)  # a step of the browser's history: Back returns here
    section = next(s for s in questionnaire.sections if s.id == current)
    shown = [] if section.repeat else [
        q for q in questionnaire.questions_in(current) if q.name in relevant and answer_widgets.asks(q)]
    answered, total = progress[current]
    shown_slots = {q.name for q in shown}
    with st.container(border=True):
        st.subheader(section.title, divider=False)
        st.progress(answered / total if total else 1.0, text=f"{answered} of {total} answered in this section")
        if section.guidance:
            st.caption(section.guidance)
        for question in shown:
            _question(actor, uid, questionnaire, question, editable=editable, state=state)
        if section.repeat:  # one box per entry, each asking by its own answers
            shown_slots = entry_panels.draw(
                worked, section, editable=editable, key=lambda kind, name: _key(uid, kind, name),
                question=lambda q, slot, context: _question(actor, uid, questionnaire, q, editable=editable,
                                                            state=state, slot=slot, context=context),
                on_add=lambda repeat, parent: _add_entry(actor, uid, repeat, parent),
                on_remove=lambda instance, seen=_removals(uid): _remove_entry(actor, uid, instance, seen=seen))
        at = sections.index(current)
        back, forward = st.columns(2)
        if at > 0:
            back.button(f"← {titles[sections[at - 1]]}", key=_key(uid, "previous"), on_click=_go,
                        args=(uid, skey, sections[at - 1]))
        if at < len(sections) - 1:
            forward.button(f"{titles[sections[at + 1]]} →", key=_key(uid, "next"), on_click=_go,
                           args=(uid, skey, sections[at + 1]))

    if state["at"] not in shown_slots:  # not beside a question on screen: here, by the buttons
        _messages(actor, uid, state, questionnaire)
    missing = worked.missing_required() if state["missing"] and state["status"] == DRAFT else []
    if missing:
        st.error(f"Not complete yet: {len(missing)} required answer(s) missing.\n\n" + "\n".join(
            f"- {_where(questionnaire, titles, n)}: {questionnaire.question(repeat_entries.split(n)[1]).label}"
            for n in missing), icon=":material/checklist:")
    if view.editable and not state["conflict"]:
        if state["status"] == DRAFT:
            st.button("Mark complete", key=_key(uid, "complete"), type="primary", icon=":material/task_alt:",
                      on_click=_mark_complete, args=(actor, uid))
        else:
            st.button("Reopen", key=_key(uid, "reopen"), icon=":material/edit:", on_click=_reopen, args=(actor, uid))
    st.caption(f"Saved as you go · version {state['version']} · {state['status']}")
    note_keeper.keep_notes(_key(uid, "keeper"), uid=uid, saved=state["notes"], dropped=state["dropped"],
                           note_keys={n: _key(uid, "n", n) for n in shown_slots if _known(state, n)},
                           editable=editable, on_typed=lambda: _notes_typed(actor, uid),
                           on_recovered=lambda: _notes_recovered(actor, uid))


def _read_only(actor: Actor, uid: str, state: dict) -> None:
    """A complete assessment (or another's): the read-only case, the same view a lead opens
    from the Findings page (``fieldwork/ui/case_record.py``), drawn from the working copy."""
    view: assessments.AssessmentView = state["view"]
    shown = replace(view, answers=dict(state["answers"]), notes=dict(state["notes"]),
                    instances=frozenset(state["instances"]), status=state["status"], version=state["version"])
    case_record.show(actor, shown, key=_key(uid, "record"))
    _messages(actor, uid, state, view.questionnaire)
    if view.editable and not state["conflict"]:
        st.button("Reopen", key=_key(uid, "reopen"), icon=":material/edit:", on_click=_reopen, args=(actor, uid))
    st.caption(f"Saved as you go · version {state['version']} · {state['status']}")
    # mounted as on the form: the browser's copies of notes the server holds are still deleted
    note_keeper.keep_notes(_key(uid, "keeper"), uid=uid, saved=state["notes"], dropped=state["dropped"],
                           note_keys={}, editable=False, on_typed=lambda: _notes_typed(actor, uid),
                           on_recovered=lambda: _notes_recovered(actor, uid))


def _where(questionnaire: Questionnaire, titles: Mapping[str, str], slot: str) -> str:
    """Where a missing answer is: its entry ("Incident 2"), else its section."""
    instance, name = repeat_entries.split(slot)
    return repeat_entries.title(questionnaire, instance) if instance else str(
        titles.get(questionnaire.question(name).section))


def _unsent_note(actor: Actor, uid: str, questionnaire: Questionnaire, name: str, mine: str, stored: str,
                 editable: bool) -> None:
    """A note typed in this browser that never reached the server, over a note changed since."""
    with st.container(border=True):
        st.warning(f"An evidence note for {assessments.where_label(questionnaire, name)} typed in this browser was never saved, and the "
                   "stored note has changed since. Keep yours (it replaces the stored one) or discard it.",
                   icon=":material/history:")
        mine_col, stored_col = st.columns(2)
        mine_col.caption("Typed here, not saved")
        mine_col.text(mine or "(empty)")
        stored_col.caption("Stored now")
        stored_col.text(stored or "(empty)")
        keep, drop = st.columns(2)
        keep.button("Keep mine", key=_key(uid, "keep_mine", name), disabled=not editable,
                    on_click=_keep_mine, args=(actor, uid, name))
        drop.button("Discard mine", key=_key(uid, "drop_mine", name), on_click=_drop_mine,
                    args=(uid, name))


def _clash(actor: Actor, uid: str, questionnaire: Questionnaire, name: str, clash: dict,
           editable: bool) -> None:
    """A change refused because the same question was changed elsewhere: both, side by side."""
    question = questionnaire.question(repeat_entries.split(name)[1])
    labels = {c.code: c.label for c in questionnaire.options(question.name)} if question.is_single_choice else {}
    (mine_value, mine_note), (value, note) = clash["mine"], clash["stored"]
    mine_value = value if mine_value is assessments.KEEP else mine_value
    mine_note = note if mine_note is None else mine_note

    def shown(answer, text):
        return (f"Answer: {labels.get(answer, answer) if answer else '(none)'}\n"
                f"Evidence note: {text or '(none)'}")  # st.text: a note is never read as markdown

    with st.container(border=True, key=_key(uid, "clash", name)):
        st.warning(f"{assessments.where_label(questionnaire, name)} was changed elsewhere (another tab or laptop) while you were changing it "
                   "here. Nothing is lost: choose which to keep.", icon=":material/call_split:")
        mine_col, stored_col = st.columns(2)
        mine_col.caption("Your change, not saved yet")
        mine_col.text(shown(mine_value, mine_note))
        stored_col.caption("Saved elsewhere")
        stored_col.text(shown(value, note))
        keep, drop = st.columns(2)
        keep.button("Keep mine", key=_key(uid, "clash_mine", name), disabled=not editable,
                    on_click=_settle, args=(actor, uid, name, "mine"))
        drop.button("Keep the saved one", key=_key(uid, "clash_stored", name), disabled=not editable,
                    on_click=_settle, args=(actor, uid, name, "stored"))
