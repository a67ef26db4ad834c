"""A case read-only, opened from a finding's cases (``/case_view?assessment=UID``): the same
read-only case the Assess page shows once an assessment is complete (``fieldwork/ui/case_record.py``);
and the form that marks the case as an example for a criterion or finding (leads and admins)."""

import streamlit as st

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import assessments, case_examples, findings
from fieldwork.ui import case_record, components, session

user = session.require(session.LEAD, session.ADMIN)
uid = st.query_params.get("assessment", "")
if not uid:
    st.title("Case (read-only)")
    st.info("Open a case from a finding's cases on the Findings page.")
    st.stop()
try:
    with db.session_scope(session.engine()) as s:
        view = assessments.load(s, user, uid)
        framework = findings.framework_for(s, session.current_inspection(s).code)
except ProblemError as exc:
    st.title("Case (read-only)")
    components.show_problems(exc, key="case_view_problems")
    st.stop()

q = view.questionnaire
st.title(f"Case {view.case_ref} (read-only)")
st.caption(f"{q.title} (version {q.version}) · {view.purpose} assessment by {view.inspector} · {view.status}")
case_record.show(user, view, key="case_view")

st.subheader("Mark this case as an example")
st.caption("For the report's \"In one case …\" sentences and case studies. Write the narrative pseudonymised: "
           "no names, dates of birth, addresses or phone numbers.")
finding_q = st.query_params.get("finding", "")
answer_q = st.query_params.get("answer", "")
targets = [(None, None)] + [(i.id, None) for i in q.indicators] + [
    (x.name, c) for x in q.single_choice_questions for c in q.codes(x.name)]
start = targets.index((finding_q, answer_q or None)) if (finding_q, answer_q or None) in targets else 0
criteria_ids = [None] + [sp.id for g in framework.general for sp in g.specific]
criteria_text = {sp.id: sp.text for g in framework.general for sp in g.specific}
MARKED, WARNED, CLEAR = "case_example_marked", "case_example_warned", "case_example_clear"
if st.session_state.pop(CLEAR, False):  # the example just saved: an empty box for the next one
    st.session_state["case_example_narrative"] = ""
# not cleared on submit: a refused or warned narrative stays in the box to be put right
with st.form("case_example_form"):
    target = st.selectbox("Example of the finding", targets, index=start, key="case_example_finding",
                          format_func=lambda t: "(no finding: a criterion only)" if t[0] is None else (
                              q.indicator(t[0]).label if t[1] is None else
                              f"{q.question(t[0]).label} – {q.label_of(t[0], t[1])}"))
    criterion = st.selectbox("and / or of the criterion", criteria_ids, key="case_example_criterion",
                             format_func=lambda c: "(the finding's own criteria)" if c is None
                             else f"{c} {criteria_text[c][:90]}")
    narrative = st.text_area("Narrative", key="case_example_narrative", max_chars=case_examples.MAX_NARRATIVE)
    submitted = components.pressed("Mark as example", key="case_view_mark_as_example_submit", form=True, type="primary")
outcome = st.container()  # one place for this press's outcome: a success replaces a refusal shown there
if submitted:
    st.session_state.pop(MARKED, None)
    text = (narrative or "").strip()
    warnings = case_examples.narrative_warnings(text)
    if warnings and st.session_state.get(WARNED) != text:
        # said before it is saved (the workbook carries it at once, and it cannot be edited
        # here); pressing again with the text unchanged saves it as it is: the lead decides
        st.session_state[WARNED] = text
        outcome.warning("Not saved yet: the narrative may hold " + ", ".join(warnings) + ". Take it out and press "
                        "Mark as example, or press Mark as example again to save it as it is.",
                        icon=":material/shield:")
    else:
        try:
            with db.session_scope(session.engine()) as s:
                marked = case_examples.mark(s, user, q.id, view.case_ref, narrative, criterion=criterion,
                                            finding=target[0], answer=target[1])
        except ProblemError as exc:
            with outcome:
                components.show_problems(exc, key="case_example_problems")
        else:  # drawn again, so the case's examples above list the new one
            st.session_state.pop(WARNED, None)
            st.session_state[MARKED] = (marked.example, marked.warnings)
            st.session_state[CLEAR] = True
            st.rerun()
if done := st.session_state.pop(MARKED, None):
    example, warnings = done
    outcome.success(f"{view.case_ref} marked as an example of {example.title}; it is listed under "
                    f"criteria {', '.join(example.criteria) or '—'} on the Findings page and in the workbook.")
    if warnings:
        outcome.warning("The narrative may hold " + ", ".join(warnings) + ": check it is pseudonymised (remove the "
                        "example on the Findings page, By inspection criterion, if it is not).")
