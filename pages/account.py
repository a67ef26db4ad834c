"""My account: change your own password (the current one is asked first)."""

import streamlit as st

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import accounts, session_tokens
from fieldwork.ui import components, session

user = session.require(session.INSPECTOR, session.LEAD, session.ADMIN)

st.title("My account")
st.markdown(f"Signed in as **{user.name}** ({user.role})"
            + (f", limited to the forces {', '.join(user.forces)}" if user.forces and not user.is_lead else "") + ".")
if "account_done" in st.session_state:
    st.success(st.session_state.pop("account_done"))

with st.form("account_password", clear_on_submit=True):
    st.markdown(f"**Change your password** (at least {accounts.MIN_PASSWORD} characters; a few words strung "
                "together are easier to remember than symbols).")
    current = st.text_input("Current password", type="password", key="account_current",
                            autocomplete="current-password")
    new = st.text_input("New password", type="password", key="account_new", autocomplete="new-password")
    again = st.text_input("New password again", type="password", key="account_again", autocomplete="new-password")
    if components.pressed("Change password", key="account_change_password_submit", form=True, type="primary"):
        if new != again:
            st.error("The two new passwords differ.")
        else:
            try:
                with db.session_scope(session.engine()) as s:
                    accounts.change_own_password(s, user, current, new)  # ends every session of the account
                    token = session_tokens.issue(s, user)  # ... but this one, which carries on with a new token
            except ProblemError as exc:
                components.show_problems(exc, key="account_problems")
            else:
                session.sign_in_as(user, token)
                st.session_state["account_done"] = "Password changed; you were signed out everywhere else."
                st.rerun()
