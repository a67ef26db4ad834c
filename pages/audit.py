"""Audit: who did what and when, filtered by person, action, dates and case, a page at a
time, and downloadable as CSV or Excel (each download is itself recorded)."""

from datetime import date, datetime, timedelta

import pandas as pd
import streamlit as st

from fieldwork import audit_words, db, db_roles
from fieldwork.problems import ProblemError
from fieldwork.services import audit_chain, audit_log, audit_questions, inspections
from fieldwork.ui import components, session
from fieldwork.ui.components import tables

user = session.require(session.LEAD, session.ADMIN)
engine = session.engine()

st.title("Audit trail")
st.caption("Every sign-in, case, answer change, status change, import, export, merge and moderation decision. "
           "Rows are only ever added: neither the app nor the database lets anyone change or remove one. "
           f"Times are this computer's ({datetime.now().astimezone():%Z}); the downloads give them in UTC, "
           "with the details as the program wrote them.")

# The hash chain (fieldwork.services.audit_chain): walked on request, since it reads every row.
if st.button("Check the trail has not been tampered with", key="audit_verify", icon=":material/verified:"):
    with db.session_scope(engine) as s:
        report = audit_chain.verify(s)
        role = db_roles.describe(s)
    (st.success if report.whole else st.error)(report.describe())
    if report.whole:  # kept outside, it shows a later rewrite the database alone cannot
        st.caption(f"Anchor to keep outside the database (the inspection's log, an email): {report.anchor} — "
                   f"check it later with `fieldwork audit verify --expect {report.anchor}`")
    st.caption(role)

with db.session_scope(engine) as s:
    known_actors = audit_log.actors(s, user)
    known_actions = audit_log.actions(s, user)

# two filters a row: four in a row at 1,024 px cut them to "(everyon" and "2026-11-06 – 202" (walk 25, V8)
c1, c2 = st.columns(2)
c3, c4 = st.columns(2)
who = c1.selectbox("Who", ["(everyone)", *known_actors], key="audit_actor")
what = c2.multiselect("Actions", known_actions, key="audit_actions", placeholder="every action",
                      format_func=audit_words.words)
today = date.today()
period = c3.date_input("Between", (today - timedelta(days=30), today), key="audit_dates", format="YYYY-MM-DD")
case_ref = c4.text_input("Case reference starts with", key="audit_case_ref", placeholder="e.g. HS-0001")

since, until = (tuple(period) + (None, None))[:2] if isinstance(period, (tuple, list)) else (period, period)
filters = audit_log.AuditFilter(actor=None if who == "(everyone)" else who, actions=tuple(what),
                                since=since, until=until or since, case_ref=case_ref or None)

try:
    with db.session_scope(engine) as s:
        total = audit_log.count(s, user, filters)
        pages = max(1, -(-total // audit_log.PAGE_SIZE))
        number = st.number_input(f"Page (of {pages})", 1, pages, 1, key="audit_page") if pages > 1 else 1
        rows = audit_log.events(s, user, filters, offset=(number - 1) * audit_log.PAGE_SIZE)
        asked = audit_questions.questionnaires(s, user, rows)  # questions and answers in words
except ProblemError as exc:
    components.show_problems(exc)
    st.stop()

st.markdown(f"**{total}** event{'s' if total != 1 else ''} match.")
with db.session_scope(engine) as s:
    inspection_names = {i.code: i.name for i in inspections.all_inspections(s)}
# words on the page, times in this computer's zone, every cell readable whole; the downloads keep
# the contract's columns, codes, UTC and the detail's JSON
frame = pd.DataFrame([{
    "When": components.local_time(r.at, seconds=True), "Who": r.actor, "What": audit_words.words(r.action),
    "Case": r.case_ref, "Change": audit_words.change_words(r.question, r.old_value, r.new_value, r.action,
                                                           asked.get(r.assessment_uid)) or None,
    "Details": audit_words.detail_words(r.detail, asked.get(r.assessment_uid), r.question) or None,
    "Inspection": inspection_names.get(r.inspection, r.inspection), "id": r.id, "assessment_uid": r.assessment_uid,
} for r in rows], columns=["When", "Who", "What", "Case", "Change", "Details", "Inspection", "id", "assessment_uid"])
# widths in px summing under the narrowest main column (564 px: a 1,024 px window with the sidebar
# open; findings_grid.NARROWEST_COLUMN), Change and Details widest: laid out for 980 px, at 1,024 px
# Change was 60 px and Details off to the right (walk 25, V8). Streamlit shares a wider column's
# spare width among them; the time wraps onto two lines, a change or details onto up to five.
WIDTHS = {"When": 76, "Who": 72, "What": 96, "Case": 62, "Change": 116, "Details": 134}
LINE = 15  # characters a line of the change's 116 px holds
rows_px = tables.row_height(frame, ["When", "Change", "Details"], LINE) or 35
components.table(frame, key="audit_table", wide=["When", "Change", "Details"], line_chars=LINE,
                 height=38 + max(1, min(len(frame), 15)) * rows_px,  # up to 15 rows in view, not 3
                 hidden=["id", "assessment_uid", *(["Inspection"] if len(inspection_names) < 2 else [])],
                 column_config={c: st.column_config.TextColumn(c, width=w) for c, w in WIDTHS.items()})


def _download(kind: str):
    """Built only when the button is pressed, in a transaction that also records the export."""
    def build() -> bytes:
        with db.session_scope(engine) as s:
            writer = audit_log.export_csv if kind == "csv" else audit_log.export_xlsx
            return writer(s, user, filters)
    return build


stamp = today.isoformat()
exportable = 0 < total <= audit_log.EXPORT_LIMIT
if total > audit_log.EXPORT_LIMIT:
    st.info(f"An export holds at most {audit_log.EXPORT_LIMIT} rows: narrow the dates to download these.")
buttons = {"disabled": not exportable, "icon": ":material/download:"}
components.download_row([
    components.Download("Download CSV", _download("csv"), f"audit-trail-{stamp}.csv", "text/csv", "audit_csv", buttons),
    components.Download("Download Excel", _download("xlsx"), f"audit-trail-{stamp}.xlsx",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "audit_xlsx", buttons),
], widths=[1, 1])
