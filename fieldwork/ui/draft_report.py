"""The Findings page's "Draft report" block: the Word draft of the report with the filters and
the breakdown chosen on the page, an optional inspectorate template, and evidence notes only
when a lead ticks for them. Writing takes a few seconds (charts are rendered), so it runs on a
button, says each step as it starts (exports/report_steps.py) and the document then waits in the
session for its download button."""

from __future__ import annotations

import streamlit as st

from fieldwork import db
from fieldwork.problems import ProblemError
from exports import report_steps, reporting
from fieldwork.ui import components, session

KEY = "findings_report_docx"  # session state: (request, file name, bytes) of the last draft written


def draft_report_block(user, inspection, qid: str, by: str | None, filters: dict) -> None:
    st.subheader("Draft report")
    st.caption("A Word document written from these findings, with the filters and breakdown chosen above: title "
               "page, counting conventions, the charts, the findings under each criterion with their footnotes, "
               "the methodology annex and an annex of every figure. Evidence notes are left out unless you ask.")
    template = st.file_uploader("Your inspectorate's Word template (optional: its styles, logo and headers)",
                                type=["docx"], key="findings_report_template")
    with_notes = False
    if user.role == session.LEAD:  # only a lead may put evidence notes in
        with_notes = st.checkbox("Include the evidence notes (an annex: keep the draft within the team)",
                                 key="findings_report_notes")
    request = (inspection.code, qid, by, tuple((k, tuple(v)) for k, v in sorted(filters.items())), with_notes,
               template.file_id if template else None)
    file_name = f"{qid}-draft-report.docx"
    if components.pressed("Write the draft report", key="findings_report_write", icon=":material/description:"):
        # it takes seconds (docs/waits.md): each step is said as it starts, and stays listed
        status = st.status("Writing the draft report…", expanded=True)
        with status:
            bar = st.progress(0.0, text=report_steps.COUNTING)

            def progress(done: int, total: int, words: str) -> None:
                bar.progress(min(done / total, 1.0) if total else 0.0, text=words)
                if words != report_steps.DONE:
                    st.caption(words)

            try:
                with db.session_scope(session.engine()) as s:
                    data = reporting.draft_report(
                        s, user, qid, inspection=inspection, by=by, filters=filters, with_notes=with_notes,
                        template=template.getvalue() if template else None,
                        template_name=template.name if template else "", file_name=file_name, progress=progress)
            except ProblemError as exc:
                status.update(label="The draft report was not written", state="error", expanded=True)
                components.show_problems(exc, key="findings_report_problems")
                return
        status.update(label=report_steps.DONE, state="complete", expanded=False)
        st.session_state[KEY] = (request, file_name, data)
    written = st.session_state.get(KEY)
    if written and written[0] == request:  # a draft for exactly what the page now shows
        st.download_button("Download the draft report (.docx)", data=written[2], file_name=written[1],
                           mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                           key="findings_report_download", icon=":material/download:", type="primary")
