"""Sign in: the only page anyone sees until they have signed in (fieldwork_app.py)."""

import streamlit as st

from fieldwork import db
from fieldwork.services import accounts, session_tokens
from fieldwork.ui import session

st.title("Sign in")
st.caption("Fieldwork holds case files of victims of harassment and stalking: only the inspection team may sign in.")

engine = session.engine()
with db.session_scope(engine) as s:
    no_accounts = accounts.count_users(s) == 0
if no_accounts:
    st.info("There are no accounts yet. An administrator creates the first one on the command line, "
            "on the machine that holds the database:\n\n"
            "    fieldwork user add NAME --role admin\n\n"
            "and then adds everyone else's account on the Users page.")
elif st.session_state.get(session.EXPIRED_KEY):
    st.info(session.expiry_message())
elif st.session_state.get(session.ENDED_KEY):
    st.info(session.ended_message())

with st.form("sign_in_form", clear_on_submit=True):
    name = st.text_input("Name", key="sign_in_name", autocomplete="username", max_chars=64)
    password = st.text_input("Password", key="sign_in_password", type="password", autocomplete="current-password",
                             max_chars=accounts.MAX_PASSWORD)
    submitted = st.form_submit_button("Sign in", type="primary")

if submitted:
    try:
        # The form empties as it is sent (the password must not stay in it), and checking the
        # password takes a deliberate second or two (Argon2id): without a word here the empty
        # form read as a sign-in that had failed, and people typed it all again.
        with st.spinner("Signing in: checking the password…"), db.session_scope(engine) as s:
            actor = accounts.authenticate(s, name or "", password or "")
            token = session_tokens.issue(s, actor)  # a refresh resumes the session with it
    except accounts.SignInRefused as exc:
        st.error(exc.problems[0].message)
    else:
        session.sign_in_as(actor, token)
        st.session_state.pop(session.EXPIRED_KEY, None)
        st.rerun()
