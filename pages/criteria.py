"""Criteria: the inspection framework as a tree, and under each specific criterion the
questions that evidence it with their guidance — the data dictionary read before fieldwork."""

import streamlit as st

from fieldwork import db
from fieldwork.services import criteria_view
from fieldwork.ui import session

session.require(session.INSPECTOR, session.LEAD, session.ADMIN)

st.title("Inspection criteria")
with db.session_scope(session.engine()) as s:
    tree = criteria_view.criteria_tree(s, session.current_inspection(s).code)

st.caption(f"{tree.inspection_name} · framework {tree.framework_title} · source: {tree.source}")
search = st.text_input("Find a criterion or question", key="criteria_search", placeholder="e.g. risk, DASH, MG3")
for general in tree.general:
    visible = [sc for sc in general.specific if sc.matches(search)]
    if search and not visible:
        continue
    with st.expander(f"**{general.id}.** {general.text}", expanded=bool(search)):
        for sc in visible:
            st.markdown(f"**{sc.id}** {sc.text}")
            if not sc.questions:
                st.caption("Evidenced by interviews and documents, not by a case-file question.")
            for q in sc.questions:
                with st.container(border=True):
                    st.markdown(f"`{q.questionnaire}` · **{q.label}**  \n`{q.name}` · {q.answers}"
                                + (f"  \nAsked when: `{q.relevant}`" if q.relevant else "")
                                + ("  \n*Required*" if q.required else ""))
                    if q.guidance:
                        st.caption(q.guidance)
