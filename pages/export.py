"""Export: the Excel workbook for the report team, or the wide CSV in codes or labels.
De-identified by default: the inspectors' evidence notes are left out unless asked for."""

from datetime import date

import streamlit as st

from fieldwork import db
from fieldwork.problems import ProblemError
from exports import exporting
from fieldwork.services import wide_table
from fieldwork.ui import components, session
from fieldwork.ui.components import show_problems

user = session.require(session.LEAD, session.ADMIN)
PREPARED = "export_prepared"  # {"options", "name", "data", "mime"}: the last file prepared
FORMATS = {
    "xlsx": "Excel workbook (cover, findings, charts, breakdowns, responses, data dictionary)",
    "csv": "Wide CSV in answer codes (re-imports; for other tools)",
    "csv_labels": "Wide CSV in answer labels (for reading)",
    "kobo": "Wide CSV in KoboToolbox's export layout (group paths, Kobo's system columns; re-imports)",
    "odk": "Wide CSV in ODK Central's export layout (SubmissionDate, KEY, ...; re-imports)",
}
LAYOUTS = ("kobo", "odk")  # no evidence notes: those tools' exports have none
MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv"}

st.title("Export")
engine = session.engine()
with db.session_scope(engine) as s:
    inspection, titles = components.current_questionnaires(s)
    qids = list(titles)
    counts = {q: wide_table.status_counts(s, inspection.id, q) for q in qids}
st.caption(f"{inspection.name} · only complete assessments are exported and counted")

qid = components.questionnaire_picker(qids, key="export_questionnaire", titles=titles, with_id=True)
c = counts[qid]
st.caption(f"{c['complete']:,} complete assessment(s) to export · {c['draft']:,} draft(s) left out"
           + (f" · {c[wide_table.NOT_COUNTED]:,} complete but not counted left out" if c[wide_table.NOT_COUNTED] else ""))
fmt = st.radio("Format", list(FORMATS), format_func=FORMATS.__getitem__, key="export_format")
with_notes = fmt not in LAYOUTS and st.checkbox(
    "Include the inspectors' evidence notes", value=False, key="export_notes",
    help="Left out by default, so that an export is de-identified. Notes are case content: include them only "
         "for the inspection team, and keep the file as OFFICIAL-SENSITIVE.")
if with_notes:
    st.warning("This export will hold evidence notes: share it only within the inspection team.")

options = (inspection.code, qid, fmt, with_notes)
suffix = "xlsx" if fmt == "xlsx" else "csv"
name = (f"{inspection.code}_{qid}{'_labels' if fmt == 'csv_labels' else ''}{'_with_notes' if with_notes else ''}"
        f"{'_' + fmt if fmt in LAYOUTS else ''}"
        f"_{date.today():%Y%m%d}.{suffix}")

if components.pressed("Prepare the export", type="primary", key="export_prepare"):
    bar = st.progress(0.0, text="Reading the assessments…")

    def progress(done: int, total: int, words: str) -> None:  # "Writing the findings by force (5 of 13)…"
        bar.progress(done / total if total else 1.0, text=words)

    try:
        with db.session_scope(engine) as s:
            if fmt == "xlsx":
                data = exporting.export_workbook(s, user, qid, inspection=inspection,
                                                 with_notes=with_notes, file_name=name, progress=progress)
            elif fmt in LAYOUTS:
                data = exporting.export_layout(s, user, qid, fmt, inspection=inspection, file_name=name)
            else:
                data = exporting.export_csv(s, user, qid, inspection=inspection,
                                            labels=fmt == "csv_labels", with_notes=with_notes, file_name=name)
    except ProblemError as exc:
        bar.empty()
        show_problems(exc, key="export_problems")
        st.stop()
    bar.empty()
    if data[:4] == b"PK\x03\x04" and suffix == "csv":  # a form with repeat groups: a CSV per repeat, zipped
        suffix = "xlsx" if fmt == "kobo" else "zip"  # KoboToolbox's layout: its xlsx, a sheet per repeat
        name = name[:-len(".csv")] + "." + suffix
    st.session_state[PREPARED] = {"options": options, "name": name, "data": data,
                                  "mime": MIME.get(suffix, "application/zip")}

prepared = st.session_state.get(PREPARED)
if prepared and prepared["options"] == options:
    st.success(f"{prepared['name']} is ready ({len(prepared['data']) / 1024:,.0f} KB).")
    st.download_button(f"Download {prepared['name']}", prepared["data"], file_name=prepared["name"],
                       mime=prepared["mime"], key="export_download", on_click="ignore", icon=":material/download:")
