"""Moderation: each second-marked case whose two markings are complete, the questions they
answered differently side by side with both evidence notes, and the agreed answer recorded
with who agreed it. Inside a repeat group each disagreement names its entry ("Incident 2 ›
PIN issued 1"), and the agreed answer applies to that entry only. Finishing writes the agreed assessment that findings then count."""

import streamlit as st

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import moderation_choices, second_marking
from fieldwork.ui import components, moderation_clash, session
from fieldwork.ui.components import show_problems

user = session.require(session.LEAD, session.ADMIN)
engine = session.engine()
DONE = "moderation_done"
TOAST = "moderation_toast"
SAVED = "moderation_saved"  # (what was recorded, why finishing was refused): said under the buttons
OPEN = "moderation_open"  # the case this lead had open while it was still to moderate

components.heading("Moderation", "Only the questions the two inspectors answered differently are shown. Choose the "
                   "agreed answer for each: Save keeps the choices, Finish saves them and then finishes. The "
                   "agreed answers replace the first marking in findings "
                   "(the first marking is kept).", message_key=DONE)
if toast := st.session_state.pop(TOAST, None):  # seen wherever the lead has scrolled to
    st.toast(toast, icon=":material/check:")

with db.session_scope(engine) as s:
    rows = [r for r in second_marking.markings(s, user, inspection=session.current_inspection(s))
            if r.state != second_marking.AWAITING]
if not rows:
    st.info("Nothing to moderate yet: a case appears here once its first and second markings are both complete.")
    st.stop()

show_done = st.toggle("Show finished moderations", key="mod_show_done")
# a case another lead finishes while this one has it open stays on screen, to say so (F20)
choices = {r.id: r for r in rows if show_done or r.state == second_marking.TO_MODERATE
           or r.id == st.session_state.get(OPEN)}
if not choices:
    st.success("Every second-marked case is moderated.")
    st.stop()


def label(marking_id: int) -> str:
    # only what never changes: the box holds the label chosen, so a count in it that another
    # lead's save changes would throw this lead back to the first case of the list
    r = choices[marking_id]
    return f"{r.case_ref} · {r.first_inspector} / {r.second_inspector}"


marking_id = st.selectbox("Case", list(choices), format_func=label, key="mod_case")
row = choices[marking_id]
st.caption(f"{row.state} · {row.disagreements} answer(s) differing, {row.decided} agreed")
with db.session_scope(engine) as s:
    view = second_marking.moderation(s, user, marking_id)
q = view.questionnaire


def show(code: str | None, question: str) -> str:
    """An answer as the inspector read it: its label, never its code."""
    return "(not asked)" if not code else q.label_of(question, code)


# finished by another lead while this one had it open: the boxes stay live (a disabled widget's
# submitted value is discarded), so the lead's choices stay on screen and Save is refused in words
# (the same account in another tab too; finishing here clears OPEN, so no warning about oneself)
clash = view.finished and st.session_state.get(OPEN) == marking_id
locked = view.finished and not clash
if clash:
    when = f" (on {view.moderated_at:%d %b %Y} at {view.moderated_at:%H:%M})" if view.moderated_at else ""
    st.warning(f"{view.moderated_by} finished moderating {view.case_ref} while you had it open{when}: findings "
               "count the agreed answers shown under each question. Answers you chose here and had not saved were "
               "not saved; they stay in the boxes below.", icon=":material/call_split:")
elif view.finished:
    st.success(f"Moderation finished: {view.finished_words}. Findings count the agreed answers for this case.")
else:
    st.session_state[OPEN] = marking_id
seen = moderation_clash.opened(view)
if clash:  # resolved by taking what was finished: the warning and the lead's unsaved boxes go
    if components.pressed("Take the finished answers", key=f"mod_take_finished_{marking_id}"):
        st.session_state[OPEN] = None
        for d in view.disagreements:
            st.session_state.pop(moderation_clash.box_key(marking_id, d.slot), None)
        moderation_clash.forget()
        st.rerun()
elif not view.finished:
    moderation_clash.changed_since(view, seen)
if not view.disagreements:
    st.info("The two markings agree on every question.")

picked: dict[str, str] = {}  # slot (the question in its entry) -> the agreed answer chosen
with st.form(f"mod_form_{marking_id}"):
    for d in view.disagreements:
        with st.container(border=True):
            if d.entry:  # an entry of a repeat group: which one, in words
                st.markdown(f"**{d.entry}**")
            st.markdown(f"**{d.label}**")
            left, right = st.columns(2)
            left.markdown(f"**{view.first_inspector}** (first): {show(d.first_value, d.question)}")
            if d.first_note:
                left.caption(d.first_note)
            right.markdown(f"**{view.second_inspector}** (second): {show(d.second_value, d.question)}")
            if d.second_note:
                right.caption(d.second_note)
            codes = [c for c, _ in d.options]
            labels = dict(d.options)
            box = moderation_clash.box_key(marking_id, d.slot)
            # a box already holding a value (the lead's, or the stored one they kept) is not given a default too
            start = None if box in st.session_state or not d.decided or d.agreed not in codes else codes.index(d.agreed)
            picked[d.slot] = st.selectbox(
                "Agreed answer", codes, index=start, format_func=labels.get, key=box, disabled=locked,
                placeholder="Choose the agreed answer")
            if d.decided:
                st.caption(f"Agreed by {d.agreed_by}: {labels.get(d.agreed, d.agreed)}")
    # Both buttons submit the form, so Finish sends the choices on screen too (walk 23, F7:
    # Finish outside the form dropped them); moderation_choices says why it saves them first.
    buttons = st.container(horizontal=True)  # each button as wide as its words: none cut at 1,024 px
    saved = components.pressed("Save agreed answers", key="moderation_save_agreed_answers_submit", form=True,
                               container=buttons, disabled=locked or not view.disagreements)
    finishing = components.pressed("Finish moderation", key=f"mod_finish_{marking_id}", form=True, type="primary",
                                   container=buttons, disabled=locked)
# a refused press (agreed answers saved by another lead since) is settled here, under the buttons
again = moderation_clash.choose(marking_id)
if again:
    picked, seen, finishing = again
if saved or finishing or again:
    try:
        with db.session_scope(engine) as s:
            second_marking.still_open(s, user, marking_id)  # finished by another lead since: said, not dropped
            if finishing:
                outcome = moderation_choices.finish(s, user, marking_id, picked, seen)
            else:
                outcome = moderation_choices.Finished(moderation_choices.record(s, user, marking_id, picked, seen),
                                                      None)
            moderation_clash.saved(s, user, marking_id)
    except moderation_choices.ChoicesChanged as exc:  # nothing stored: the lead chooses, just below
        moderation_clash.refused(exc, marking_id, picked, bool(finishing))
        st.rerun()
    except ProblemError as exc:  # nothing stored; the choices stay in the boxes
        show_problems(exc, key="mod_problems")
    else:
        recorded = f"{outcome.recorded} agreed answer(s) recorded for {view.case_ref}."
        if outcome.agreed_uid:  # the case leaves the list: said at the top, and as a toast
            st.session_state[DONE] = ((recorded[:-1] + "; " if outcome.recorded else "") +
                                      f"{view.case_ref} moderated: findings now count the agreed answers.")
            st.session_state[TOAST] = st.session_state[DONE]
            st.session_state[OPEN] = None  # finished here: nothing to warn about
        else:  # said under the buttons the lead pressed, not at the top of a long page
            st.session_state[SAVED] = (recorded, outcome.refusal)
            st.session_state[TOAST] = recorded
        st.rerun()
if said := st.session_state.pop(SAVED, None):
    recorded, refusal = said
    st.success(recorded, icon=":material/check:")
    if refusal is not None:
        show_problems(refusal, key="mod_finish_problems")
