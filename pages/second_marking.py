"""Second marking: draw a reproducible sample of complete cases per force, assign each to a
second inspector who scores it blind, follow progress, and read the agreement per question."""

import dataclasses

import pandas as pd
import streamlit as st

from exports import agreement as agreement_export
from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import agreement, agreement_words, cases, inspections, second_marking
from fieldwork.ui import components, marking_table, session
from fieldwork.ui.components import show_problems

user = session.require(session.LEAD, session.ADMIN)
engine = session.engine()
SAMPLE = "second_marking_sample"  # ((inspection, questionnaire), Sample, proposal) awaiting assignment
DONE = "second_marking_done"
# ((inspection, questionnaire), rule, every case drawn): the whole draw, kept while some of its
# rows are assigned and others wait, so neither the heading nor the sample line shrinks to the
# rows still waiting (walk 25, V3)
DRAWN = "second_marking_drawn"

components.heading("Second marking", "A second inspector scores a sample of complete cases without seeing the first "
                   "scores; the Moderation page then agrees the answers where they differ, and findings use the "
                   "agreed answers.", message_key=DONE)

with db.session_scope(engine) as s:
    inspection, questionnaire_ids, force_codes, _ = cases.filter_options(s, user, session.current_inspection(s))
    markers = second_marking.second_markers(s, inspection)
    accounts = second_marking.marker_accounts(s) or None  # proposals only name who may see the case
    load = second_marking.current_load(s, inspection)
force_labels = components.force_labels()
with db.session_scope(engine) as s:
    titles = inspections.questionnaire_titles(s, inspection)
qid = components.questionnaire_picker(questionnaire_ids, key="sm_questionnaire", titles=titles)

# --- draw a sample -----------------------------------------------------------------------------
st.subheader("Draw a sample")
with st.form("sm_sample_form"):
    cols = st.columns(4)
    by = cols[0].radio("Size per force", ["Percentage", "Number of cases"], key="sm_by")
    percent = cols[1].number_input("Percentage", min_value=1.0, max_value=100.0, value=10.0, step=5.0,
                                   key="sm_percent")
    number = cols[2].number_input("Number of cases", min_value=1, value=2, step=1, key="sm_number")
    seed = cols[3].number_input("Seed", min_value=0, value=2017, step=1, key="sm_seed",
                                help="Note it: the same seed draws the same cases again.")
    forces = st.multiselect("Forces (all if none chosen)", force_codes, key="sm_forces",
                            format_func=lambda f: force_labels.get(f, f))
    drawn = components.pressed("Draw sample", key="second_marking_draw_sample_submit", form=True)
if drawn:
    try:
        with db.session_scope(engine) as s:
            sample = second_marking.draw_sample(
                s, user, qid, seed=int(seed), forces=forces or None, inspection=inspection,
                **({"percent": float(percent)} if by == "Percentage" else {"number": int(number)}))
    except ProblemError as exc:
        show_problems(exc, key="sm_sample_problems")
    else:
        st.session_state[SAMPLE] = ((inspection.code, qid), sample, second_marking.propose(sample.items, markers, load,
                                                                                               accounts))
        st.session_state[DRAWN] = ((inspection.code, qid), sample.rule, [i.case_ref for i in sample.items])

pending = st.session_state.get(SAMPLE)
if pending and pending[0] == (inspection.code, qid):
    _, sample, proposal = pending
    whole = st.session_state.get(DRAWN)
    drawn = whole[2] if whole and whole[:2] == (pending[0], sample.rule) else [i.case_ref for i in sample.items]
    if not sample.items:
        st.info("No complete case is waiting for a second marking under this rule.")
    else:
        waiting = (f"{len(sample.items)} case(s) drawn" if len(drawn) <= len(sample.items)
                   else f"{len(sample.items)} of the {len(drawn)} drawn cases still to assign")
        st.caption(f"{waiting} — {sample.rule}. The second inspector is proposed so the "
                   "work is spread evenly and never goes to the first marker; change any before assigning.")
        frame = pd.DataFrame([{"Case": i.case_ref, "Force": force_labels.get(i.force, i.force or "(none)"),
                               "First marker": i.first_inspector, "Second marker": proposal.get(i.primary_uid)}
                              for i in sample.items])
        edited = st.data_editor(frame, hide_index=True, width="stretch", key="sm_assign_table",
                                disabled=["Case", "Force", "First marker"],
                                column_config={"Second marker": st.column_config.SelectboxColumn(
                                    "Second marker", options=markers, required=True)})
        chosen = {item.primary_uid: edited.iloc[i]["Second marker"] for i, item in enumerate(sample.items)}
        with db.session_scope(engine) as s:  # each row checked as it stands, before anything is written
            problems = second_marking.check_assignments(s, user, chosen, inspection=inspection)
        refused = {p.item for p in problems}
        valid = {uid: who for uid, who in chosen.items()
                 if next(i.case_ref for i in sample.items if i.primary_uid == uid) not in refused}
        if problems:
            show_problems(ProblemError(problems, f"{len(refused)} row(s) cannot be assigned as they stand"),
                          key="sm_assign_problems")
        label = (f"Assign {len(sample.items)} second marking(s)" if not problems
                 else f"Assign the {len(valid)} row(s) without a problem" if valid
                 else "Change the second marker above to assign")  # not "Assign the 0 row(s)" (walk 25, V3)
        if components.pressed(label, type="primary", key="sm_assign", disabled=not valid):
            try:
                with db.session_scope(engine) as s:
                    made = second_marking.assign(s, user, valid, rule=sample.rule, inspection=inspection)
            except ProblemError as exc:
                show_problems(exc, key="sm_assign_refused")
            else:
                left = [i for i in sample.items if i.primary_uid not in valid]
                if left:  # the refused rows stay, with what the lead chose, to be changed
                    st.session_state[SAMPLE] = (pending[0], dataclasses.replace(sample, items=left),
                                                {i.primary_uid: chosen[i.primary_uid] for i in left})
                else:
                    st.session_state.pop(SAMPLE, None)
                    st.session_state.pop(DRAWN, None)
                st.session_state[DONE] = (f"{len(made)} second marking(s) assigned"
                                          + (f"; {len(left)} row(s) still to change and assign below" if left else "")
                                          + ". Each second inspector finds the case on their Assess page (on a "
                                          "laptop: export their bundle from the Bundles page).")
                st.rerun()

# --- progress ------------------------------------------------------------------------------------
st.subheader("Second markings")
with db.session_scope(engine) as s:
    rows = second_marking.markings(s, user, questionnaire=qid, inspection=inspection)
if not rows:
    st.caption("None assigned yet.")
else:
    whole = st.session_state.get(DRAWN)  # a draw with rows still to assign above
    marking_table.show(rows, drawn=whole[1:] if whole and whole[0] == (inspection.code, qid) else None)
    states = pd.Series([r.state for r in rows]).value_counts()
    st.caption(" · ".join(f"{n} {state}" for state, n in states.items()))

# --- agreement -----------------------------------------------------------------------------------
st.subheader("Agreement between first and second markers")
cols = st.columns(2)
statistic = cols[0].radio("Flag questions on", list(agreement.STATISTICS), key="sm_statistic", horizontal=True,
                          format_func={"kappa": "Cohen's kappa", "ac1": "Gwet's AC1"}.get)
threshold = cols[1].number_input("Flag under", min_value=0.0, max_value=1.0, value=agreement.DEFAULT_THRESHOLD,
                                 step=0.05, key="sm_threshold")
with db.session_scope(engine) as s:
    report = agreement.report(s, qid, inspection=inspection, threshold=float(threshold),
                              statistic=statistic)
if not report.pairs:
    st.caption("Agreement appears once a second marking and its first marking are both complete.")
else:
    st.caption(f"{report.pairs} case(s) marked twice. Percent agreement, Cohen's kappa and Gwet's AC1 use the "
               "cases where both inspectors found the question applicable (asked, and not answered 'not "
               "applicable'); how often they agreed on that is the applicability column. Kappa can be low when "
               "nearly every case has the same answer although the inspectors almost always agree; AC1 is not.")
    if any(q.kind == agreement.ENTRY_COUNT for q in report.questions):
        st.caption("Repeat groups: a question asked in an entry is compared over the entries both inspectors "
                   "recorded, the n-th with the n-th (unit: entries); each count(…) row compares how many entries "
                   "each recorded in a case; an answer in an entry only one of them recorded has nothing to be "
                   "compared with, so it is counted in the last column, not in the statistics.")
    table = pd.DataFrame(agreement_export.display_rows(report))
    components.table(table, key="sm_agreement", hidden=("Variable",), wide=("Question",),
                     column_config={c: st.column_config.NumberColumn(c, format="percent")
                                    for c in ("Agreement", "Applicability agreement")})
    # the same sentences the draft report prints under its agreement table
    if too_few := agreement_words.too_few_sentence(report):
        st.info(too_few)
    if flagged := agreement_words.flagged_sentence(report):
        st.warning(flagged)
    if blank := agreement_words.blank_sentence(report):
        st.caption(blank)
    st.download_button("Download agreement (CSV)", data=agreement_export.to_csv(report),
                       file_name=f"{qid}-agreement.csv", mime="text/csv", key="sm_agreement_csv",
                       on_click="ignore")
