"""The signed-in user and the database engine, as a page sees them.

``st.cache_resource`` holds only the engine; each action opens its own Session
(``fieldwork.db.session_scope``). The signed-in user lives in ``st.session_state`` and
expires after inactivity; every page calls ``require(...)`` with the roles it admits, so
the check happens on the server whatever the navigation shows.
"""

from __future__ import annotations

import os
import time
import streamlit as st

from fieldwork import db
from fieldwork.services.permissions import ADMIN, INSPECTOR, LEAD, ROLES, Actor

USER_KEY = "fieldwork_user"
SEEN_KEY = "fieldwork_seen_at"
EXPIRED_KEY = "fieldwork_expired"  # the name whose session just expired through inactivity
CurrentUser = Actor  # the signed-in user, as the core sees any actor
__all__ = ["ADMIN", "INSPECTOR", "LEAD", "ROLES", "CurrentUser", "current_user", "engine", "require"]


def idle_limit_seconds() -> int:
    return int(float(os.environ.get("FIELDWORK_SESSION_MINUTES", "30")) * 60)


@st.cache_resource(show_spinner=False)
def _engine_for(url: str):
    return db.get_engine(url)


def engine():
    return _engine_for(db.database_url(os.environ.get(db.ENV_URL)))


def sign_in_as(user: CurrentUser) -> None:
    st.session_state[USER_KEY] = {"name": user.name, "role": user.role, "forces": list(user.forces)}
    st.session_state[SEEN_KEY] = time.time()


def sign_out() -> None:
    st.session_state.pop(USER_KEY, None)
    st.session_state.pop(SEEN_KEY, None)


def expiry_message() -> str:
    return (f"Your session expired after {idle_limit_seconds() // 60} minutes without activity: "
            "please sign in again.")


def current_user() -> CurrentUser | None:
    """The signed-in user, or None if nobody is or the session sat idle too long."""
    raw = st.session_state.get(USER_KEY)
    if not raw:
        return None
    seen = st.session_state.get(SEEN_KEY, 0.0)
    now = time.time()
    if now - seen > idle_limit_seconds():
        sign_out()
        st.session_state[EXPIRED_KEY] = raw["name"]  # the router audits it and the sign-in page says why
        return None
    st.session_state[SEEN_KEY] = now
    return CurrentUser(raw["name"], raw["role"], tuple(raw.get("forces") or ()))


def require(*roles: str) -> CurrentUser:
    """Stop the page unless the signed-in user holds one of these roles."""
    user = current_user()
    if user is None:
        st.warning(expiry_message() if st.session_state.get(EXPIRED_KEY) else "Please sign in.")
        st.stop()
    if roles and user.role not in roles:
        st.error(f"Your role ({user.role}) may not open this page.")
        st.stop()
    return user
