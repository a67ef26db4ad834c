"""Streamlit entry point: the sign-in gate, then the navigation for the signed-in user's role.

Start it with ``fieldwork serve`` (or ``streamlit run fieldwork_app.py``). Until someone signs
in (or after their session sat idle too long) the only page is the sign-in page. On every
run the account is read again, so an account an admin disables loses access at once and a
changed role or set of forces applies on the next click. Each page checks the role itself
as well (fieldwork.ui.session.require): hiding a page is not a check. A refresh resumes the
session from the browser's cookie (fieldwork.ui.session.resume) if its token is still good;
the token is checked on every run as well, so a session ended elsewhere ends here too.
"""

from pathlib import Path

import streamlit as st

from fieldwork import db
from fieldwork.services import accounts, session_tokens
from fieldwork.problems import ProblemError
from fieldwork.ui import components, navigation, session, session_cookie
from fieldwork.ui.components import retry

st.set_page_config(page_title="Fieldwork", page_icon=":material/fact_check:", layout="wide")

AUDITED_EXPIRY = "fieldwork_expiry_audited"

user = session.current_user()
expired = st.session_state.get(session.EXPIRED_KEY)
with db.session_scope(session.engine()) as s:
    if user is not None:
        fresh = accounts.current_actor(s, user.name)
        if fresh is None:  # disabled or removed since sign-in
            accounts.record_sign_out(s, user, reason="account_disabled")
            session.revoke_token(s, session_tokens.ACCOUNT_DISABLED)
            session.sign_out()
            st.session_state[session.ENDED_KEY] = "disabled"  # the sign-in page says why
        elif not session.token_still_valid(s):  # signed out in another tab, password changed, expired
            session.sign_out()
            st.session_state[session.ENDED_KEY] = True
            fresh = None
        elif fresh != user:
            session.sign_in_as(fresh)
        user = fresh
    elif expired and st.session_state.get(AUDITED_EXPIRY) != expired:
        accounts.record_sign_out(s, session.CurrentUser(expired, ""), reason="idle")
        st.session_state[AUDITED_EXPIRY] = expired

if user is None:
    # Every page's address leads to the sign-in page while nobody is signed in, so a refresh of
    # /assess?case=12 asks for a sign-in (not "page not found") and then opens that case again.
    doors = [st.Page("pages/sign_in.py", title=spec.title, url_path=Path(spec.path).stem) for spec in navigation.PAGES]
    sign_in = st.Page("pages/sign_in.py", title="Sign in", icon=":material/login:", default=True)
    session_cookie.render(session.cookie_wish())  # after a sign-out: the browser forgets the token
    st.navigation([sign_in, *doors], position="hidden").run()
else:
    st.session_state.pop(AUDITED_EXPIRY, None)
    groups: dict[str, list] = {}
    home = navigation.home(user.role)
    for spec in navigation.pages_for(user.role):
        start = spec.path == home
        # the start page is "/" in the menu, and Streamlit answers its own address with "Page not
        # found"; so it stands at the root under another name, and its own address opens it too:
        # a link roles share (an admin's /findings, typed or bookmarked by a lead) works for
        # every role that may see the page (walk 24, W15)
        groups.setdefault(spec.group, []).append(st.Page(
            spec.path, title=spec.title, icon=spec.icon, default=start, visibility=spec.visibility,
            url_path=navigation.START if start else navigation.address(spec)))
        if start:
            groups[spec.group].append(st.Page(spec.path, title=spec.title, url_path=navigation.address(spec),
                                              visibility="hidden"))
    # a page this role may not open, typed or bookmarked, says whose page it is (hidden from the menu)
    for spec in navigation.refused_for(user.role):
        groups.setdefault(spec.group, []).append(st.Page(
            "pages/not_for_you.py", title=spec.title, url_path=navigation.address(spec), visibility="hidden"))
    with st.sidebar:
        # first, before anything shows the person signed in: the sign-in finishes only once the
        # browser reports that it holds the cookie, so an address opened at once afterwards (in
        # this tab or a new one) is signed in too (issue 17, fault b)
        held = session.cookie_held(session_cookie.render(session.cookie_wish()))
        if held == session.WAITING:
            st.caption("Signing in…")
            st.stop()  # the component's report reruns the app
        if held == session.REFUSED:
            st.warning("This browser did not keep the sign-in cookie: a refresh or a new tab will ask you to "
                       "sign in again.", icon=":material/cookie_off:")
        st.caption(f"Signed in as **{user.name}** ({user.role})"
                   + (f" · forces: {', '.join(user.forces)}" if user.forces and not user.is_lead else ""))
        components.inspection_picker()  # only where the database holds more than one inspection
        if st.button("Sign out", key="fieldwork_sign_out", icon=":material/logout:"):
            with db.session_scope(session.engine()) as s:
                accounts.record_sign_out(s, user, reason="signed_out")
                session.revoke_token(s)
            session.sign_out()
            st.rerun()
    current = st.navigation(groups)
    refused = {Path(spec.path).stem: spec for spec in navigation.refused_for(user.role)}
    st.session_state[navigation.REFUSED_KEY] = refused.get(current.url_path)  # read by pages/not_for_you.py
    try:
        current.run()
    except ProblemError as exc:  # a refusal no page caught (a clash, a busy database): words, never a traceback
        components.show_problems(exc, key="fieldwork_unhandled_problems")  # with Try again if it was busy
    finally:
        retry.end_of_run()  # a write pressed (or asked again) in this run is never replayed in a later one
