"""Import: complete assessments from a wide .csv or .xlsx — upload, look at the first rows,
see every problem with its row and column, then confirm. All or nothing."""

import pandas as pd
import streamlit as st

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import importing, wide_table
from fieldwork.ui import components, session
from fieldwork.ui.components import show_problems

user = session.require(session.LEAD, session.ADMIN)
CHECKED = "import_checked"  # the last file checked: {"key", "table", "checked", "error"}
DONE = "import_done"  # the message after a successful import, shown once
UPLOADS = "import_uploads"  # bumped after an import, so the uploader starts empty

st.title("Import assessments")
engine = session.engine()
with db.session_scope(engine) as s:
    inspection, titles = components.current_questionnaires(s)
    qids = list(titles)
st.caption(f"{inspection.name} · each row becomes a complete assessment; a file with any problem imports nothing")

if DONE in st.session_state:
    st.success(st.session_state.pop(DONE))

qid = components.questionnaire_picker(qids, key="import_questionnaire", titles=titles, with_id=True)
with st.expander("What the file must hold"):
    st.markdown(
        f"""* One row per case, one column per variable: the header row holds the **variable names**
  (`case_ref`, `force`, …; see the *data_dictionary* sheet of an export), the cells hold **answer codes**
  (`yes`, `no`, `not_known`, `na`, …). A blank cell means the question was not asked.
* A `.csv` in UTF-8 (Excel: *CSV UTF-8*), or an `.xlsx` workbook with a sheet named `responses` — the
  workbook that **Export** writes can be filled in offline and imported as it is.
* Optional columns: `{wide_table.INSPECTOR_COLUMN}` (who scored the case; blank = you) and
  `{wide_table.NOTE_PREFIX}VARIABLE` (the evidence note beside that answer).
* At most {importing.MAX_FILE_BYTES // (1024 * 1024)} MB and {importing.MAX_ROWS:,} rows a file.""")

upload = components.uploader("Wide .csv or .xlsx file (or ODK Central's .zip)", type=["csv", "xlsx", "zip"],
                              key=f"import_file_{st.session_state.get(UPLOADS, 0)}")
if upload is None:
    st.stop()

# Check once per file and questionnaire; widgets rerun the page, the check need not.
key = (upload.file_id, upload.name, inspection.code, qid)
state = st.session_state.get(CHECKED)
if state is None or state["key"] != key:
    state = {"key": key, "table": None, "checked": None, "error": None}
    with st.spinner("Checking every row…"):
        try:
            state["table"] = importing.read_table(upload.getvalue(), upload.name)
            with db.session_scope(engine) as s:
                state["checked"] = importing.check_file(s, user, qid, state["table"], upload.name,
                                                          inspection=inspection)
        except ProblemError as exc:
            state["error"] = exc
            with db.session_scope(engine) as s:  # refused: the file name and reason counts go in the trail
                importing.record_refused(s, user, upload.name, exc, inspection=inspection)
    st.session_state[CHECKED] = state

table, checked, error = state["table"], state["checked"], state["error"]
if table is not None:
    st.subheader("Preview")
    st.caption(f"{len(table.rows):,} rows · {len(table.header)} columns · read as {table.encoding} · "
               "the first 10 rows as the file gives them")
    st.dataframe(pd.DataFrame(table.preview(10)), hide_index=True, width="stretch", key="import_preview")
warnings = checked.warnings if checked else (table.warnings if table else [])
if warnings:
    st.warning(f"{len(warnings)} warning(s): these do not stop the import, but check them")
    st.dataframe(pd.DataFrame([{"row": w.row, "column": w.field, "case": w.item, "warning": w.message}
                               for w in warnings]).dropna(axis=1, how="all"),
                 hide_index=True, width="stretch", key="import_warnings")
if error is not None:
    show_problems(error, key="import_problems")
    st.info("Correct the file and upload it again: nothing has been imported.")
    st.stop()

if checked.layout is not None:
    st.info("\n\n".join(components.as_typed(line) for line in checked.layout.summary()))
if checked.entries is not None:  # the repeat groups' sheets or files (issue 12)
    st.info("Entries of repeat groups: " + "\n\n".join(checked.entries.summary()))
st.success(f"All {checked.rows:,} rows pass every check."
           + (f" {checked.registered} fill in cases already in the register." if checked.registered else ""))
if components.pressed(f"Import {checked.rows:,} assessments", type="primary", key="import_confirm"):
    bar = st.progress(0.0, text="Writing…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"Writing {done:,} of {total:,} assessments")

    try:
        # checked again inside the writing transaction: the database may have changed since the preview
        with db.session_scope(engine) as s:
            result = importing.import_file(s, user, qid, table, upload.name, inspection=inspection,
                                           progress=progress)
    except ProblemError as exc:
        bar.empty()
        st.session_state.pop(CHECKED, None)
        show_problems(exc, key="import_write_problems")
        st.stop()
    st.session_state.pop(CHECKED, None)
    st.session_state[UPLOADS] = st.session_state.get(UPLOADS, 0) + 1
    st.session_state[DONE] = (f"Imported {result.written:,} complete {qid} assessments from {upload.name} "
                              f"into {result.checked.inspection.name}.")
    st.rerun()
