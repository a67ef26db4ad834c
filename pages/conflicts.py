"""Conflicts: the cases a merge kept twice instead of overwriting, for the lead to resolve.

Each case shows its assessments side by side — who scored it, where it came from, its status
— with the answers that differ and both evidence notes; the lead chooses the one that counts.
The other stays in the database, uncounted, and the choice is audited.
"""

import streamlit as st

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import inspections, merge
from fieldwork.ui import components, conflict_table, session
from fieldwork.ui.components import show_problems

user = session.require(session.LEAD, session.ADMIN)
engine = session.engine()
KINDS = {"same_case": "the same case scored on two laptops",
         "diverged": "one assessment edited in two places since they last met"}
DONE = "conflicts_resolved"  # the last resolution, said once after the rerun

st.title("Conflicts")
st.info(merge.WHILE_UNRESOLVED, icon=":material/info:")
components.flash(DONE)

with db.session_scope(engine) as s:
    found = merge.open_conflicts(s, user, inspection=session.current_inspection(s))
if not found:
    st.success("No conflicts to resolve: every merged case has one assessment that counts.")
    st.stop()
st.caption(f"{len(found)} case(s) to resolve.")


def side_label(side: merge.ConflictSide) -> str:
    counted = "counts now" if side.counted else "not counted"
    return f"{side.inspector} · {side.arrived} · {side.status} · {counted}"


for conflict in found:
    with st.container(border=True):
        with db.session_scope(engine) as s:
            q_of = inspections.load_questionnaire(s, conflict.questionnaire)
        st.markdown(f"**{conflict.case_ref}** · {q_of.title or conflict.questionnaire} — "
                    + "; ".join(KINDS.get(k, k) for k in conflict.kinds))
        differing = conflict_table.answered(conflict, q_of)  # form metadata is not an answer
        columns = {s.uid: f"{i + 1}. {side_label(s)}" for i, s in enumerate(conflict.sides)}
        if differing:
            conflict_table.show(conflict, q_of, differing, key=f"conflict_table_{conflict.case_id}")
        else:
            st.caption("The answers are the same; they differ in status, notes or when the form was filled in only.")
        noted = [q for q in dict.fromkeys([*differing, *(q for s in conflict.sides for q in s.notes)])
                 if any(s.notes.get(q) for s in conflict.sides)]
        if noted:
            with st.expander("Evidence notes"):
                for q in noted:
                    entry = conflict.entry_of(q)
                    st.markdown(f"**{conflict_table.question_words(q_of, q)}**" + (f" · {entry}" if entry else ""))
                    for s in conflict.sides:
                        if s.notes.get(q):
                            st.caption(f"{columns[s.uid]}: {s.notes[q]}")
        # the choice's labels hold only what never changes (a browser keeps the choice by its label:
        # a status changed by a save elsewhere lost it, stop 25); the status and whether it counts
        # are said just above, as they are now
        st.caption("  \n".join(columns.values()))
        fixed = {s.uid: f"{i + 1}. {s.inspector} · {s.arrived}" for i, s in enumerate(conflict.sides)}
        choice = st.radio("Which assessment counts?", list(columns), format_func=fixed.get,
                          key=f"conflict_choice_{conflict.case_id}", index=None)
        if components.pressed("Resolve", key=f"conflict_resolve_{conflict.case_id}", disabled=choice is None):
            try:
                with db.session_scope(engine) as s:
                    merge.resolve(s, user, conflict.case_id, choice)
            except ProblemError as exc:
                show_problems(exc, key=f"conflict_problems_{conflict.case_id}")
            else:
                chosen = next(x for x in conflict.sides if x.uid == choice)
                st.session_state[DONE] = (f"{conflict.case_ref}: the assessment by {chosen.inspector} ({chosen.arrived}) "
                                          "now counts; the other is kept, not counted.")
                st.rerun()
