"""Questionnaires: the inspection's questionnaires, and adding one (or a new version) from an
XLSForm as ODK and KoboToolbox users write it — checked first, nothing stored until the lead
confirms. The core is fieldwork.services.questionnaire_forms; `fieldwork questionnaire import`
does the same from the command line."""

import pandas as pd
import streamlit as st

from fieldwork import db
from fieldwork.files.limits import MAX_FILE_BYTES
from fieldwork.problems import ProblemError
from fieldwork.questionnaire.xlsform import version_note
from fieldwork.services import questionnaire_forms
from fieldwork.ui import components, session

user = session.require(session.LEAD, session.ADMIN)
engine = session.engine()
CHECKED = "questionnaires_checked"  # the last form checked: {"key", "questionnaire", "error", "stored"}
DONE = "questionnaires_done"  # the message after adding, shown once
UPLOADS = "questionnaires_uploads"  # bumped after an add, so the uploader starts empty

st.title("Questionnaires")
with db.session_scope(engine) as s:
    inspection = session.current_inspection(s)
    held = questionnaire_forms.listing(s, inspection)
st.caption(f"{inspection.name} · each questionnaire is an XLSForm; its `criteria` column ties questions to the "
           "inspection's criteria")
if DONE in st.session_state:
    st.success(st.session_state.pop(DONE))

st.subheader("In this inspection")
components.table(pd.DataFrame([{"Questionnaire": h.title, "Code": h.id, "Versions": ", ".join(h.versions) or "—",
                                "Cases": h.cases} for h in held]), key="questionnaires_held", wide=("Questionnaire",))

st.subheader("Add a questionnaire or a new version")
st.markdown("Upload an XLSForm (`.xlsx`) as ODK and KoboToolbox write them: `survey`, `choices` and `settings` "
            "sheets. The form is checked first; nothing is added until you confirm. A new **version** of a "
            "questionnaire (the settings sheet's `form_id` and a new `version`) is added beside the old one: cases "
            "already scored keep theirs.")
upload = components.uploader("XLSForm (.xlsx)", type=["xlsx"], key=f"questionnaires_file_{st.session_state.get(UPLOADS, 0)}",
                             limit=MAX_FILE_BYTES, help=f"At most {MAX_FILE_BYTES // (1024 * 1024)} MB.")
if upload is None:
    st.stop()

key = (upload.file_id, upload.name, inspection.code)
state = st.session_state.get(CHECKED)
if state is None or state["key"] != key:  # checked once per file; widgets rerun the page, the check need not
    state = {"key": key, "questionnaire": None, "error": None, "stored": False}
    with st.spinner("Checking the form…"):
        try:
            with db.session_scope(engine) as s:
                state["questionnaire"] = questionnaire_forms.check(s, user, upload.getvalue(), upload.name, inspection)
                state["stored"] = questionnaire_forms.is_stored(s, state["questionnaire"])
        except ProblemError as exc:
            state["error"] = exc
    st.session_state[CHECKED] = state

if state["error"] is not None:
    components.show_problems(state["error"], key="questionnaires_problems")
    st.info("Correct the form and upload it again: nothing has been added.")
    st.stop()

q = state["questionnaire"]
st.markdown(f"**{q.title or q.id}** (`{q.id}`) version **{q.version}**: {len(q.questions)} questions in "
            f"{len(q.sections)} sections, {len(q.indicators)} indicators"
            + (f", repeat groups: {', '.join(r.label or r.name for r in q.repeats)}" if q.repeats else ""))
if version_note(q):
    st.caption(version_note(q))
if q.warnings:
    st.warning(f"{len(q.warnings)} warning(s): these do not stop the form being added, but check them")
    components.table(pd.DataFrame([{"row": w.row, "column": w.field, "question": w.item, "warning": w.message}
                                   for w in q.warnings]).dropna(axis=1, how="all"), key="questionnaires_warnings",
                     wide=("warning",))
if state["stored"]:
    st.info(f"Version {q.version} of {q.title or q.id} is already in this database: adding it again changes nothing.")
    st.stop()
if st.button(f"Add {q.title or q.id} version {q.version} to {inspection.name}", type="primary",
             key="questionnaires_add"):
    try:
        with db.session_scope(engine) as s:
            added = questionnaire_forms.add(s, user, upload.getvalue(), upload.name, inspection)
    except ProblemError as exc:
        components.show_problems(exc, key="questionnaires_add_problems")
        st.stop()
    st.session_state.pop(CHECKED, None)
    st.session_state[UPLOADS] = st.session_state.get(UPLOADS, 0) + 1
    st.session_state[DONE] = (f"Added {added.title or added.id} version {added.version}: inspectors can add cases "
                              "on it on the Cases page.")
    st.rerun()
