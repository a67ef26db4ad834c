"""The address of a page the signed-in role may not open (typed, bookmarked or followed from a
colleague's link): it says, in words, whose page it is and offers the way home. The router
(fieldwork_app.py) puts it under that page's address, hidden from the menu."""

import streamlit as st

from fieldwork.ui import navigation, session

user = session.require()
spec = st.session_state.get(navigation.REFUSED_KEY)
st.title(spec.title if spec else "Not available")
who = session.page_is_for(spec.roles) if spec else "This page is not available to your account."
ask = "an administrator" if spec and session.LEAD not in spec.roles else "a lead inspector"
st.error(f"{who} Your account ({user.name}, {session.ROLE_WORDS[user.role][1]}) may not open it; ask {ask} "
         "if you need what it shows.", icon=":material/lock:")
home = navigation.home(user.role)
if home:
    st.page_link(home, label="Go to your start page", icon=":material/home:")
