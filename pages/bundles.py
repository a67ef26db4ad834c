"""Bundles: take a laptop's work to the lead inspector, and (for a lead) merge bundles in.

An inspector downloads their own assessments as one file, and takes in a bundle of their own
assessments from the lead (second-marking assignments); a lead downloads their own, one
inspector's or everything, and merges bundles from the laptops. A preview says what would
change before anything does, and the merge is all or nothing. The file is built when the
download button is pressed, so each download is audited.
"""

import streamlit as st

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import bundle_evidence, bundles, merge, second_marking
from fieldwork.services.permissions import LEADS
from fieldwork.ui import components, session
from fieldwork.ui.components import show_problems
from models import utcnow

user = session.require(session.INSPECTOR, session.LEAD, session.ADMIN)
engine = session.engine()
MERGED = "bundle_merged"  # file id -> the report of its merge, so a rerun does not ask again

st.title("Bundles")
st.warning(f"**A bundle is sensitive.** {bundles.SENSITIVE}", icon=":material/lock:")

# --- export ---------------------------------------------------------------------------------
st.subheader("Export work from this computer")
inspector = user.name
choosing = False  # a lead who asked for one inspector's work and has not named one yet
if user.is_lead:
    with db.session_scope(engine) as s:
        names = second_marking.second_markers(s, session.current_inspection(s))
    scope = st.radio("What to export", ["Everything in this database", "My own assessments", "One inspector's"],
                     key="bundle_scope", horizontal=True,
                     help="One inspector's: e.g. a second marker's assignments, for their laptop.")
    if scope == "Everything in this database":
        inspector = None
    elif scope == "One inspector's":
        inspector = st.selectbox("Inspector", names, index=None, key="bundle_inspector", placeholder="Choose")
        choosing = inspector is None
else:
    st.caption("Your own assessments, draft and complete, with their evidence notes.")

if choosing:
    st.info("Choose the inspector whose assessments to export.")
else:
    with db.session_scope(engine) as s:
        inspection = session.current_inspection(s)
        size = bundles.exportable(s, user, inspection=inspection, inspector=inspector)
        # evidence and judgements travel too (issue 14): an inspector's own evidence, a lead's all
        extra = bundle_evidence.exportable(s, inspection, inspector=inspector if user.is_lead else user.name)
    if not size["assessments"] and not (extra["evidence"] or extra["judgements"]):
        st.info("There are no assessments to export yet.")
    else:
        st.caption(f"{size['assessments']} assessment(s) ({size['complete']} complete, {size['draft']} draft) "
                   f"of {size['cases']} case(s)."
                   + (f" {extra['evidence']} evidence item(s) and {extra['judgements']} judgement(s)."
                      if extra["evidence"] or extra["judgements"] else ""))
        file_name = bundles.default_file_name(inspection, inspector or user.name, utcnow())

        def build() -> bytes:
            # runs when the button is pressed: the export and its audit row happen then, not on every rerun
            with db.session_scope(engine) as s:
                return bundles.export_bundle(s, user, inspection=inspection.code, inspector=inspector,
                                             file_name=file_name).content

        st.download_button("Download bundle", data=build, file_name=file_name, mime="application/zip",
                           key="bundle_download", icon=":material/download:", on_click="ignore", type="primary")

# --- import ---------------------------------------------------------------------------------
if user.role in LEADS:
    st.subheader("Merge a bundle into this database")
    st.caption("Nothing is overwritten: a later version of an assessment replaces the one it was edited from; "
               "anything else found twice is kept twice and flagged on the Conflicts page. Importing the same "
               "bundle again changes nothing.")
else:
    st.subheader("Take in your assignments")
    st.caption("A bundle the lead inspector made of your own assessments (e.g. cases to second-mark), to score "
               "them on this laptop. A bundle holding anyone else's work is for the lead to merge.")
upload = components.uploader("Bundle file", type=["zip"], key="bundle_upload", limit=bundles.MAX_FILE_BYTES)
if upload is None:
    st.stop()

content, name = upload.getvalue(), upload.name
merged = st.session_state.setdefault(MERGED, {})


def show_warnings(warnings, key: str) -> None:
    """What an import of the same rows would warn of (a note that looks personal): not refusals."""
    if warnings:
        st.warning(f"{len(warnings)} warning(s): these do not stop the merge, but check them")
        # the record a warning is about: a case, an evidence item or a judgement (bundle_records)
        st.dataframe([{"record": f"{w.item_kind} {w.item}" if w.item else "", "field": w.field, "warning": w.message}
                      for w in warnings], hide_index=True, key=key)


if upload.file_id in merged:
    message, warned = merged[upload.file_id]
    st.success(message)
    show_warnings(warned, key="bundle_merged_warnings")
    st.stop()

try:
    with db.session_scope(engine) as s:
        # the inspection picked in the sidebar: a bundle of another one is refused, never merged elsewhere
        picked = session.current_inspection(s).code
        bundle, preview = bundles.preview(s, user, content, name, inspection=picked)
except ProblemError as exc:
    show_problems(exc, key="bundle_problems")
    st.stop()

summary = bundle.summary()
st.dataframe([{"": k.replace("_", " "), "value": str(v)} for k, v in summary.items()], hide_index=True,
             key="bundle_summary")
extra = getattr(preview, "evidence", None)  # evidence and judgements (issue 14)
if bundle.assessments or extra is None or not extra.summary():
    st.info(preview.summary())
if extra is not None and extra.summary():
    st.info(extra.summary())
show_warnings(preview.warnings, key="bundle_warnings")
can_merge = preview.changed or (extra is not None and extra.changed)
if can_merge and components.pressed("Merge into this database", type="primary", key="bundle_merge"):
    bar = st.progress(0.0, text="Merging…")
    try:
        with db.session_scope(engine) as s:
            report = bundles.import_bundle(s, user, content, name, inspection=picked,
                                           progress=lambda done, total: bar.progress(done / max(total, 1),
                                                                                     text=f"{done} of {total}"))
    except ProblemError as exc:
        bar.empty()
        show_problems(exc, key="bundle_merge_problems")
        st.stop()
    bar.empty()
    message = report.summary() if bundle.assessments else ""
    if getattr(report, "evidence", None) is not None and report.evidence.summary():
        message = (message + " " + report.evidence.summary()).strip()
        if report.evidence.conflicts:
            message += " Evidence and judgement conflicts wait on the Judgements page."
    if report.conflicts:
        message += f" Resolve them on the Conflicts page. {merge.WHILE_UNRESOLVED}"
    merged[upload.file_id] = (message, report.warnings)
    st.rerun()
