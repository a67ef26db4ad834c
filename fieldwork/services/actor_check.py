"""Who is writing, checked again at the moment of writing, in the writing transaction.

The app's router re-reads the account on every full run, but a form fragment's rerun, a
widget callback or a component's event skips the router: an account disabled (or a session
signed out elsewhere, a password reset, a session past its idle or absolute limit) must not
keep saving through a form left open on screen. So every service that changes data calls
``at_write(session, actor)`` first and works with the Actor it returns: the account as it
stands now (enabled, its role and force limits read again) and, for a browser session, its
token still live (not revoked, not expired, not idle). A refusal raises ``SessionEnded``, the
transaction writes nothing, and the page shows the sign-in with the reason.

Actors built by the app's session carry ``signed_in=True``; the command line acts for the
operating-system user (``permissions.command_line_actor``), who holds the database file
itself and has no account to re-check.
"""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session, select

from fieldwork.problem_codes import SESSION_ENDED
from fieldwork.problems import Problem, ProblemError
from fieldwork.services import session_tokens
from fieldwork.services.account_records import actor_of
from fieldwork.services.permissions import Actor
from models import User


# Why a write was refused, in words (the sign-in page shows the same sentence).
REASONS = {
    "disabled": "your account has been disabled",
    "missing": "your account no longer exists",
    "revoked": "your session was ended (signed out in another tab, or your password was changed or reset)",
    "expired": "your session reached its time limit",
    "idle": "your session was left without activity for too long",
    "locked": "your account is locked",
    "malformed": "your session could not be recognised",
    "unknown": "your session could not be recognised",
}


class SessionEnded(ProblemError):
    def __init__(self, actor: Actor, reason: str):
        self.reason = reason
        self.token = actor.token  # the session it ended: a later sign-in is not ended by showing it again
        words = REASONS.get(reason, "your session has ended")
        super().__init__([Problem(SESSION_ENDED, f"Not saved: {words}. Sign in again.", item=actor.name,
                                  item_kind="account")], "signed out: nothing was saved")


def at_write(session: Session, actor: Actor) -> Actor:
    """The actor as the database holds it now, or SessionEnded. Call it first in every write."""
    if not actor.signed_in:
        return actor
    user = session.exec(select(User).where(User.name == actor.name)).first()
    if user is None:
        raise SessionEnded(actor, "missing")
    if not user.active:
        raise SessionEnded(actor, "disabled")
    if actor.token:
        check = session_tokens.keep_alive(session, actor.token, session_tokens.idle_limit())
        if not check.ok:
            raise SessionEnded(actor, check.refused or "revoked")
    return replace(actor_of(user), signed_in=True, token=actor.token)
