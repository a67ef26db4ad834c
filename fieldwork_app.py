"""Streamlit entry point: builds the navigation for the signed-in user's role.

Start it with ``fieldwork serve`` (or ``streamlit run fieldwork_app.py``).
"""

import streamlit as st

from fieldwork.ui import navigation, session

st.set_page_config(page_title="Fieldwork", page_icon=":material/fact_check:", layout="wide")

user = session.current_user()
role = user.role if user else session.INSPECTOR
groups: dict[str, list] = {}
for spec in navigation.pages_for(role):
    groups.setdefault(spec.group, []).append(st.Page(spec.path, title=spec.title, icon=spec.icon))
st.navigation(groups).run()
