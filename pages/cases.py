"""Cases: the case register of the inspection — progress per force against the sample, the
cases filtered by force, status, inspector and questionnaire, adding a case, and opening
one of your cases to score it."""

from datetime import datetime

import pandas as pd
import streamlit as st

from fieldwork import db
from fieldwork.services import cases, inspections, own_assessments
from fieldwork.ui import add_case_form, components, session

user = session.require(session.INSPECTOR, session.LEAD, session.ADMIN)
ADDED = add_case_form.ADDED  # the case just added: offered for opening
ASSESS_PAGE = "pages/assess.py"

st.title("Cases")
engine = session.engine()
with db.session_scope(engine) as s:
    inspection, questionnaire_ids, force_codes, inspector_names = cases.filter_options(
        s, user, session.current_inspection(s))
    questionnaires = {qid: inspections.load_questionnaire(s, qid) for qid in questionnaire_ids}
force_labels = components.force_labels()


def force_label(code: str | None) -> str:
    return force_labels.get(code, code) if code else "(no force recorded)"


def open_case(case_id: int) -> None:
    st.switch_page(ASSESS_PAGE, query_params={"case": str(case_id)})


st.caption(f"{inspection.name} · cases are entered with their pseudonymised reference only, never a name")

own: dict[int, own_assessments.Own] = {}  # the status of the user's own assessment of each case
if user.role in (session.INSPECTOR, session.LEAD):  # the inspector's day starts where they stopped
    with db.session_scope(engine) as s:
        latest = cases.latest_draft(s, user, inspection=inspection)
        own = own_assessments.own(s, user, inspection=inspection)
        seconds = own_assessments.waiting_second_markings(s, user, inspection=inspection)
    if latest is not None:  # in the register's words: a case not started yet is not called a draft
        label = (f"Continue {latest.case_ref}, your latest draft" if latest.status == cases.DRAFT
                 else f"Start {latest.case_ref}, {cases.STATUSES[latest.status]} yet")
        if st.button(label, key="cases_continue", type="primary", icon=":material/edit_note:"):
            open_case(latest.case_id)
    if seconds:  # the case itself reads "complete" (its first marking): say that this work waits
        if st.button(f"Continue {seconds[0].case_ref}, your second marking", key="cases_continue_second",
                     type="primary", icon=":material/rate_review:"):
            open_case(seconds[0].case_id)
        if len(seconds) > 1:
            st.caption(f"{len(seconds) - 1} more second marking(s) wait for you: "
                       + ", ".join(f"{o.case_ref} ({o.label})" for o in seconds[1:]))

# --- filters ---------------------------------------------------------------------------
cols = st.columns(5)
search = cols[4].text_input("Reference", key="cases_search", placeholder="Search, e.g. HS-0012",
                            help="Shows the cases whose reference contains this text (capitals or not).")
qid = components.questionnaire_picker(questionnaire_ids, key="cases_questionnaire", where=cols[0],
                                     titles={q: questionnaires[q].title or q for q in questionnaire_ids})
forces = cols[1].multiselect("Force", force_codes, key="cases_forces", format_func=force_label,
                             placeholder="All forces")
statuses = cols[2].multiselect("Status", list(cases.STATUSES), key="cases_statuses",
                               format_func=cases.STATUSES.__getitem__, placeholder="Any status")
inspector = cols[3].selectbox("Inspector", inspector_names, index=None, key="cases_inspector",
                              placeholder="Anyone")

with db.session_scope(engine) as s:
    reg = cases.register(s, user, inspection=inspection, questionnaire=qid, forces=forces, statuses=statuses,
                         inspector=inspector, reference=search)

# --- progress against the sample --------------------------------------------------------
st.subheader("Progress against the sample")
progress = [p for p in reg.progress if p.target or p.cases]
if progress:
    # complete of the cases counted, never over 100 %: a drawn sample counts its own cases; the
    # force's other complete cases (added by hand, imported, past the target) are said apart
    st.dataframe(pd.DataFrame([{
        "Force": force_label(p.force), "Sample target": p.target or None,
        "Complete in the sample": p.towards_target if p.target else None,
        "Progress": p.towards_target / p.target if p.target else None,
        "Complete outside the sample": p.outside, "Cases in the register": p.cases,
    } for p in progress]), hide_index=True, width="stretch", key="cases_progress",
        column_config={"Progress": st.column_config.ProgressColumn("Progress", min_value=0.0, max_value=1.0,
                                                                    format="percent")})
    done, target, beyond = cases.sample_totals(progress)  # a force past its target: the rest said apart
    st.caption((f"{done} of {target} sample cases complete" if target else f"{beyond} cases complete")
               + (f", and {beyond} more complete outside the sample" if target and beyond else "")
               + (". Where a sample was drawn, only its drawn cases (and their replacements) count towards "
                  "the target." if any(p.sampled_complete is not None for p in progress) else ""))
else:
    st.caption("No sample target is set for this questionnaire, and it has no cases yet.")

# --- the register -----------------------------------------------------------------------
def case_width(rows) -> str:
    longest = max((len(r.case_ref) for r in rows), default=0)
    return "small" if longest <= 10 else "medium" if longest <= 16 else "large"


def submitted_words(text: str) -> str:
    """ODK Central's or KoboToolbox's submission time (ISO, "2024-06-20T12:00:00.123Z") as people
    read it, in this computer's time; kept as given where it is not such a time."""
    if not text:
        return ""
    try:
        return components.local_time(datetime.fromisoformat(text)) or text
    except ValueError:
        return text


st.subheader(f"Register · {len(reg.rows)} case(s)")
if reg.rows:
    st.dataframe(pd.DataFrame([{
        "Case": r.case_ref, "Force": force_label(r.force), "Status": cases.STATUSES[r.status],
        "Inspector(s)": ", ".join(r.inspectors),
        # the user's own assessment, where it differs from the case's (a second marking not started)
        **({"Your assessment": own[r.case_id].label if r.case_id in own else ""} if own else {}),
        "Last saved": r.updated_at,
        # kept from an ODK Central / KoboToolbox import; shown only where some case has them
        **({"Submitted by": r.submitted_by, "Submitted": submitted_words(r.submitted_at)}
           if any(x.submitted_at or x.submitted_by for x in reg.rows) else {}),
        **({"Review state": r.review_state} if any(x.review_state for x in reg.rows) else {}),  # ODK Central's
    } for r in reg.rows]), hide_index=True, width="stretch", key="cases_register",
        column_config={"Last saved": st.column_config.DatetimeColumn("Last saved", format="D MMM YYYY, HH:mm"),
                       # an ODK form without case_ref gives instance ids (36 characters): shown whole,
                       # not cut to "5a17e000" where three cases look like one (walk 24, W7)
                       "Case": st.column_config.TextColumn("Case", width=case_width(reg.rows))})
else:
    st.info("No cases match these filters." if forces or statuses or inspector or search.strip()
            else "No cases yet: add one below.")



def _own_status(row: cases.CaseRow) -> str:
    """How far the user's own assessment has got ("second marking, not started"), not the case's."""
    return own[row.case_id].label if row.case_id in own else cases.STATUSES[row.status]


mine = [r for r in reg.rows if user.name in r.inspectors]
if mine and user.role in (session.INSPECTOR, session.LEAD):
    cols = st.columns([3, 1], vertical_alignment="bottom")
    by_case = {r.case_id: r for r in mine}
    # the label holds only what never changes (the reference, "second marking"): a browser keeps the
    # choice by its label, so a status in it that a save elsewhere changes lost the case (stop 25)
    purpose = {cid: f" · {own_assessments.PURPOSE_WORDS[o.purpose]}" for cid, o in own.items()
               if own_assessments.PURPOSE_WORDS.get(o.purpose)}
    picked = cols[0].selectbox("Open one of your cases", list(by_case), key="cases_open_pick",
                               format_func=lambda cid: f"{by_case[cid].case_ref}{purpose.get(cid, '')}")
    if cols[1].button("Open in Assess", key="cases_open", icon=":material/edit_note:"):
        open_case(picked)
    if picked in by_case:
        st.caption(f"{by_case[picked].case_ref}: {_own_status(by_case[picked])}")

# --- add a case -------------------------------------------------------------------------
st.subheader("Add a case")
questionnaire = questionnaires[qid]
added = st.session_state.get(ADDED)
if added:
    st.success(f"Added {added['case_ref']}: its draft assessment is yours.", icon=":material/check_circle:")
    if st.button(f"Score {added['case_ref']} now", key="cases_open_added", type="primary"):
        st.session_state.pop(ADDED, None)
        open_case(added["case_id"])

if user.role not in (session.INSPECTOR, session.LEAD):
    st.caption("Inspectors and leads add cases: each comes with a draft assessment for the one who adds it.")
    st.stop()
add_case_form.add_case_form(user, session.engine, inspection, qid, questionnaire)
