"""The signed-in user and the database engine, as a page sees them.

``st.cache_resource`` holds only the engine; each action opens its own Session
(``fieldwork.db.session_scope``). The signed-in user lives in ``st.session_state`` and
expires after inactivity; every page calls ``require(...)`` with the roles it admits, so
the check happens on the server whatever the navigation shows.

A refresh, a laptop waking or a dropped connection starts a new Streamlit session with an
empty ``st.session_state``: the browser's session cookie (fieldwork.ui.session_cookie) then
resumes the sign-in silently, once per new session, if its token is still good
(fieldwork.services.session_tokens). The router checks the token on every click, so a
sign-out in another tab, a password change or a disabled account ends this session too.
"""

from __future__ import annotations

import hashlib
import os
import time
from datetime import timedelta

import streamlit as st

from fieldwork import db, startup
from fieldwork.problems import ProblemError
from fieldwork.services import actor_check, inspections
from fieldwork.services import session_tokens
from fieldwork.services.permissions import ADMIN, INSPECTOR, LEAD, ROLES, Actor
from fieldwork.ui import session_cookie
from models import Inspection

USER_KEY = "fieldwork_user"
SEEN_KEY = "fieldwork_seen_at"
EXPIRED_KEY = "fieldwork_expired"  # the name whose session just expired through inactivity
TOKEN_KEY = "fieldwork_token"  # this session's token; the browser's cookie holds the same
COOKIE_KEY = "fieldwork_cookie"  # (last-seen, max-age) of the token: when it changes the cookie is set afresh
CLEAR_KEY = "fieldwork_clear_token"  # a token the browser should forget (signed out, or refused)
TRIED_KEY = "fieldwork_cookie_tried"  # the cookie sent when this session connected has been tried
DROP_KEY = "fieldwork_drop_notes"  # the browser drops the unsaved notes of the session that ended
ENDED_KEY = "fieldwork_ended"  # the session was ended from elsewhere (another tab, a password change)
HELD_KEY = "fieldwork_cookie_held"  # the browser holds the cookie of this tag ("refused:<tag>": it would not keep it)
CurrentUser = Actor  # the signed-in user, as the core sees any actor
__all__ = ["ADMIN", "INSPECTOR", "LEAD", "ROLES", "CurrentUser", "current_user", "engine", "require"]


def idle_limit_seconds() -> int:
    return int(session_tokens.idle_limit().total_seconds())


@st.cache_resource(show_spinner=False)
def _engine_for(url: str):
    return startup.open_engine(url)


def engine():
    return _engine_for(db.database_url(os.environ.get(db.ENV_URL)))


def idle_limit() -> timedelta:
    return timedelta(seconds=idle_limit_seconds())


def sign_in_as(user: CurrentUser, token: str | None = None) -> None:
    """Remember the signed-in user; with a token (a sign-in, a new password), the router sets
    the browser's cookie to it on its next run. Without one, the session keeps the token it has."""
    st.session_state[USER_KEY] = {"name": user.name, "role": user.role, "forces": list(user.forces)}
    st.session_state[SEEN_KEY] = time.time()
    if token:
        st.session_state[TOKEN_KEY] = token
        st.session_state.pop(COOKIE_KEY, None)
        st.session_state.pop(CLEAR_KEY, None)
        st.session_state.pop(ENDED_KEY, None)
        st.session_state.pop(DROP_KEY, None)


def token_tag(token: str) -> str:
    """What the browser reports back once it holds the cookie: a digest, so the token itself
    never travels back as a component value."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


HELD, WAITING, REFUSED = "held", "waiting", "refused"


def cookie_held(reported: str | None) -> str:
    """Does the browser hold this session's cookie yet? A sign-in finishes only when it does
    (issue 17, fault b): the page does not show the person signed in before the browser can
    open another address signed in. ``reported`` is what the cookie component said on this
    run; a browser that refuses cookies is let through (the router says what that means)."""
    token = st.session_state.get(TOKEN_KEY)
    if not token or not st.session_state.get(USER_KEY):
        return HELD  # nothing for the browser to hold (a test's session, or signed out)
    tag = token_tag(token)
    if reported in (tag, f"refused:{tag}"):
        st.session_state[HELD_KEY] = reported
    held = st.session_state.get(HELD_KEY)
    return HELD if held == tag else REFUSED if held == f"refused:{tag}" else WAITING


def sign_out(*, drop_notes: bool = True) -> None:
    """Forget the user in this session; the browser is told to forget the token and (unless a
    session that merely sat idle) the evidence notes it kept unsaved for it: typing in a session
    that was ended (signed out, disabled, revoked elsewhere) is never saved later unseen. A
    note kept after a lost connection or an idle timeout is still offered back at the next
    sign-in (fieldwork.ui.note_keeper). Revoking the token in the database is the caller's
    (``revoke_token``), in its own transaction."""
    if drop_notes:
        st.session_state[DROP_KEY] = True
    st.session_state.pop(USER_KEY, None)
    st.session_state.pop(SEEN_KEY, None)
    st.session_state.pop(COOKIE_KEY, None)
    token = st.session_state.pop(TOKEN_KEY, None)
    if token:
        st.session_state[CLEAR_KEY] = token
    st.session_state[TRIED_KEY] = True  # the cookie this session connected with is not tried again


def revoke_token(s, reason: str = session_tokens.SIGNED_OUT) -> None:
    """Revoke this session's token, in the caller's transaction (sign-out, with its audit row)."""
    token = st.session_state.get(TOKEN_KEY)
    if token:
        session_tokens.revoke(s, token, reason)


def presented_token() -> str | None:
    """The token in the cookie the browser sent when this session connected. Streamlit keeps
    the cookies of that first request only: a cookie set later is read by the next session."""
    return st.context.cookies.get(session_cookie.cookie_name(st.context.url)) or None


def resume() -> CurrentUser | None:
    """Sign in silently from the browser's cookie, once per new session. A refused token is
    cleared from the browser; one that sat idle says so on the sign-in page (and is audited by
    the router as an idle sign-out, once: the token is revoked as idle at the same time)."""
    if st.session_state.get(TRIED_KEY):
        return None
    st.session_state[TRIED_KEY] = True
    token = presented_token()
    if not token:
        return None
    with db.session_scope(engine()) as s:
        check = session_tokens.resume(s, token, idle_limit())
    if not check.ok:
        st.session_state[CLEAR_KEY] = token
        if check.refused == session_tokens.IDLE and check.name:
            st.session_state[EXPIRED_KEY] = check.name
        return None
    sign_in_as(check.actor, token)
    st.session_state[HELD_KEY] = token_tag(token)  # the browser presented it: it holds it already
    st.session_state.pop(EXPIRED_KEY, None)
    return check.actor


def token_still_valid(s) -> bool:
    """On every click (the router, in its transaction): is this session's token still good?
    Slides its last-seen now and then, and notes when the cookie must be set afresh. A session
    without a token (signed in before tokens existed, or a test) keeps the in-memory rules."""
    token = st.session_state.get(TOKEN_KEY)
    if not token:
        return True
    check = session_tokens.keep_alive(s, token, idle_limit())
    if not check.ok:
        return False
    st.session_state[COOKIE_KEY] = (check.seen_at.isoformat(), check.max_age)
    return True


def cookie_wish() -> dict | None:
    """What the browser's cookie should become on this run (fieldwork.ui.session_cookie.render)."""
    token, cookie = st.session_state.get(TOKEN_KEY), st.session_state.get(COOKIE_KEY)
    if st.session_state.get(USER_KEY) and token and cookie:
        tag = token_tag(token)
        # the browser reports back only while the sign-in waits for it: a report reruns the app,
        # and one sent while a resumed session's first run is still choosing its page would
        # land that address on the home page
        report = st.session_state.get(HELD_KEY) not in (tag, f"refused:{tag}")
        return {"action": "set", "token": token, "tag": tag, "report": report, "stamp": cookie[0], "max_age": cookie[1]}
    if st.session_state.get(CLEAR_KEY):
        from fieldwork.ui.note_keeper import STORE_PREFIX

        wish = {"action": "clear", "token": st.session_state[CLEAR_KEY]}
        return wish | ({"drop_prefix": STORE_PREFIX} if st.session_state.get(DROP_KEY) else {})
    return None


_NEXT_STEP = {
    "disabled": "Ask an administrator to enable your account; until then you cannot sign in.",
    "missing": "Ask an administrator for an account; until then you cannot sign in.",
    "locked": "Sign in again once the lock ends, or ask an administrator to unlock your account.",
}


def ended_message() -> str:
    reason = st.session_state.get(ENDED_KEY)
    if isinstance(reason, str) and reason in actor_check.REASONS:  # a write was refused: say why
        # Only the change refused at this moment is lost: everything saved before stays (an
        # inspector who read "Nothing was saved" took it that their whole case was gone), and
        # an account disabled or removed cannot sign in again, so say who can help.
        return (f"You were signed out: {actor_check.REASONS[reason]}. What you saved before is kept; the change "
                "you just made was not saved, and evidence notes typed since were discarded from this browser. "
                + _NEXT_STEP.get(reason, "Please sign in again."))
    return ("You were signed out: the session was ended in another tab, by a password change, or after "
            f"{session_tokens.LIFETIME.total_seconds() / 3600:g} hours signed in. Evidence notes typed since and "
            "not saved were discarded from this browser. Please sign in again.")


def stale_refusal(exc: ProblemError) -> bool:
    """A refusal kept on screen from a session that has ended since (a page keeps its last
    message): shown again after the person signed in anew, it must not end the new session."""
    return (isinstance(exc, actor_check.SessionEnded) and bool(st.session_state.get(USER_KEY))
            and getattr(exc, "token", None) != st.session_state.get(TOKEN_KEY))


def end_session(exc: ProblemError) -> bool:
    """A write refused because the session has ended (actor_check.SessionEnded): forget the user
    here so the next run shows the sign-in with the reason. False for any other refusal."""
    if not isinstance(exc, actor_check.SessionEnded) or stale_refusal(exc):
        return False
    sign_out()
    st.session_state[ENDED_KEY] = exc.reason
    return True


def expiry_message() -> str:
    return (f"Your session expired after {idle_limit_seconds() // 60} minutes without activity: "
            "please sign in again.")


def current_user() -> CurrentUser | None:
    """The signed-in user, or None if nobody is or the session sat idle too long."""
    raw = st.session_state.get(USER_KEY)
    if not raw:
        return resume()
    seen = st.session_state.get(SEEN_KEY, 0.0)
    now = time.time()
    if now - seen > idle_limit_seconds():
        if st.session_state.get(TOKEN_KEY):  # so that a refresh cannot bring the session back
            with db.session_scope(engine()) as s:
                revoke_token(s, session_tokens.IDLE)
        sign_out(drop_notes=False)  # sat idle: a note kept after a lost connection is still offered back
        st.session_state[EXPIRED_KEY] = raw["name"]  # the router audits it and the sign-in page says why
        return None
    st.session_state[SEEN_KEY] = now
    # signed_in: every write re-checks this account (and token) in its own transaction
    return CurrentUser(raw["name"], raw["role"], tuple(raw.get("forces") or ()), signed_in=True,
                       token=st.session_state.get(TOKEN_KEY))


ROLE_WORDS = {INSPECTOR: ("inspectors", "an inspector"), LEAD: ("lead inspectors", "a lead inspector"),
              ADMIN: ("administrators", "an administrator")}


def page_is_for(roles) -> str:
    """"This page is for lead inspectors and administrators." — the roles, in words."""
    words = [ROLE_WORDS.get(r, (r,))[0] for r in sorted(roles, key=list(ROLE_WORDS).index)] if roles else []
    if not words:
        return "This page is for nobody."
    return "This page is for " + (" and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)) + "."


def require(*roles: str) -> CurrentUser:
    """Stop the page unless the signed-in user holds one of these roles."""
    user = current_user()
    if user is None:
        st.warning(expiry_message() if st.session_state.get(EXPIRED_KEY) else "Please sign in.")
        st.stop()
    if roles and user.role not in roles:
        st.error(f"{page_is_for(roles)} As {ROLE_WORDS.get(user.role, user.role)[1]}, you may not open this page.")
        st.stop()
    return user


# --- the inspection the pages work on ---------------------------------------------------------
INSPECTION_KEY = "fieldwork_inspection"  # the code of the inspection picked in the sidebar
PICKER_KEY = "fieldwork_inspection_picker"


def current_inspection(s) -> Inspection:
    """The inspection picked in the sidebar (it stays picked from page to page), else the
    database's default one. Every page that shows or changes an inspection's data asks here."""
    code = st.session_state.get(INSPECTION_KEY)
    if code:
        try:
            return inspections.inspection_by_code(s, code)
        except ProblemError:  # gone since it was picked (another database?): back to the default
            st.session_state.pop(INSPECTION_KEY, None)
    return inspections.inspection_by_code(s)

