"""Resuming a signed-in session after a browser refresh: random tokens, kept only as hashes.

A Streamlit session lives in the server's memory, so a refresh, a laptop waking or a dropped
connection starts a new one. At sign-in the server issues a random token
(``secrets.token_urlsafe(32)``, 256 bits); the browser keeps it in a cookie and presents it
when a new session starts. The database keeps only the token's SHA-256 hash: a copy of the
database (a backup, a laptop's file) holds nothing a browser could present. A fast hash is
enough because the token is random and long, unlike a password.

A token resumes the session only while it is

- unrevoked: signing out revokes it; a password change or reset and an admin disabling the
  account revoke all of the account's tokens (fieldwork.services.accounts);
- within ``LIFETIME`` of the sign-in, however busy the browser (a token copied from a laptop
  is useless by the next working day);
- used within the idle limit the app enforces on its sessions (the caller passes it):
  every use slides ``last_seen_at``; a token found idle is revoked as ``idle`` once;
- of an active account; the role and forces are read again from the account, so a changed
  role applies to the resumed session. A lock after failed sign-ins is not a reason to refuse:
  a lock stops new sign-ins (password guesses), and every live token was issued by a sign-in
  before the failures that caused the lock began (a successful sign-in resets the count), so
  someone else's wrong guesses never end the session of the inspector already working.

Nothing here audits: the sign-in that issued the token and the sign-out that revoked it are
in the audit trail already (the callers record them). A resume only continues that session,
and happens on every refresh; the token's row keeps when it was last used.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from fieldwork.services import account_records
from fieldwork.services.permissions import Actor
from models import SessionToken, User, utcnow

TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # what token_urlsafe(32) makes; anything else is refused unread
LIFETIME = timedelta(hours=12)
SLIDE_EVERY = timedelta(minutes=1)  # a running session writes last-seen at most this often, not on every click
KEEP_ENDED = timedelta(days=30)  # rows this long past their expiry are deleted when a new token is issued

# Why a token was refused (Check.refused)
MALFORMED = "malformed"
UNKNOWN = "unknown"
REVOKED = "revoked"
EXPIRED = "expired"
IDLE = "idle"
DISABLED = "disabled"
LOCKED = "locked"

# Why a token was revoked (SessionToken.revoked_reason)
SIGNED_OUT = "signed_out"
PASSWORD_CHANGED = "password_changed"
PASSWORD_RESET = "password_reset"
ACCOUNT_DISABLED = "account_disabled"


@dataclass(frozen=True)
class Check:
    """The answer to a presented token: the account's Actor as it stands now, or why not."""

    actor: Actor | None
    refused: str | None = None
    seen_at: datetime | None = None  # last-seen after this check (it changes when it slides)
    max_age: int = 0  # seconds the browser may keep the cookie, counted from seen_at
    name: str | None = None  # the account the token was issued to, when the token is known

    @property
    def ok(self) -> bool:
        return self.actor is not None


def idle_limit() -> timedelta:
    """How long a session may sit without a click (``FIELDWORK_SESSION_MINUTES``, default 30): the
    app's sessions and every write's re-check (fieldwork.services.actor_check) use the same."""
    return timedelta(minutes=float(os.environ.get("FIELDWORK_SESSION_MINUTES", "30")))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def issue(session: Session, actor: Actor, *, now: datetime | None = None) -> str:
    """A new token for this signed-in account; only its hash is stored. Call it in the
    transaction of the sign-in, so that no token exists for a sign-in that failed."""
    now = now or utcnow()
    user = account_records.get_user(session, actor.name)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(SessionToken(token_hash=hash_token(token), user_id=user.id, created_at=now, last_seen_at=now,
                             expires_at=now + LIFETIME))
    session.exec(delete(SessionToken).where(SessionToken.expires_at < now - KEEP_ENDED))
    session.flush()
    return token


def resume(session: Session, token: str, idle: timedelta, *, now: datetime | None = None) -> Check:
    """A new browser session presents a token: the Actor if it may carry on, else why not.
    Every resume slides last-seen."""
    return _check(session, token, idle, now or utcnow(), locks=False, slide_every=timedelta(0))


def keep_alive(session: Session, token: str, idle: timedelta, *, now: datetime | None = None) -> Check:
    """A running session's token on a click: still valid (not revoked elsewhere, not expired)?
    Slides last-seen at most every ``SLIDE_EVERY`` (and allows that much lag in the idle
    check: the session's own idle check runs first). A lock after someone else's failed
    guesses does not end a session already open (see the module's notes)."""
    return _check(session, token, idle, now or utcnow(), locks=False, slide_every=SLIDE_EVERY)


def _check(session: Session, token, idle: timedelta, now: datetime, *, locks: bool,
           slide_every: timedelta) -> Check:
    if not isinstance(token, str) or not TOKEN_PATTERN.match(token):
        return Check(None, MALFORMED)
    digest = hash_token(token)
    row = session.exec(select(SessionToken).where(SessionToken.token_hash == digest)).first()
    # The lookup found the row by its hash; the compare is constant-time all the same, and
    # exact whatever collation the database compares strings with.
    if row is None or not hmac.compare_digest(row.token_hash.encode("ascii"), digest.encode("ascii")):
        return Check(None, UNKNOWN)
    if row.revoked_at is not None:
        return Check(None, REVOKED)
    user = session.get(User, row.user_id)
    name = user.name if user is not None else None
    if row.revoked_at is not None:
        return Check(None, REVOKED, name=name)
    expires_at, seen = account_records.aware(row.expires_at), account_records.aware(row.last_seen_at)
    if expires_at <= now:
        return Check(None, EXPIRED, name=name)
    # A running session writes last-seen only every slide_every, so it may lag the session's own
    # clock by that much: the session's idle check (in memory) is the one that ends it.
    if seen + idle + slide_every < now:
        # Revoked as idle once (the caller audits the idle sign-out then); afterwards plainly revoked.
        ended = _revoke_where(session, SessionToken.id == row.id, IDLE, now)
        return Check(None, IDLE if ended else REVOKED, name=name)
    if user is None or not user.active:
        return Check(None, DISABLED, name=name)
    if locks and account_records.is_locked(user, now):
        return Check(None, LOCKED, name=name)
    if now - seen >= slide_every:
        session.exec(update(SessionToken).where(SessionToken.id == row.id).values(last_seen_at=now))
        seen = now
    # the cookie lives as long as the idle limit allows, and never past the absolute limit
    max_age = int(max(timedelta(0), min(seen + idle - seen, expires_at - now)).total_seconds())
    return Check(account_records.actor_of(user), None, seen, max_age, name)


def _revoke_where(session: Session, condition, reason: str, now: datetime) -> int:
    # Only tokens still live: a revoked token keeps the first reason and moment.
    result = session.exec(update(SessionToken).where(condition, SessionToken.revoked_at.is_(None))
                          .values(revoked_at=now, revoked_reason=reason))
    return result.rowcount


def revoke(session: Session, token: str, reason: str = SIGNED_OUT, *, now: datetime | None = None) -> bool:
    """End one browser's session (sign-out). False if it was unknown or already ended."""
    if not isinstance(token, str) or not TOKEN_PATTERN.match(token):
        return False
    return bool(_revoke_where(session, SessionToken.token_hash == hash_token(token), reason, now or utcnow()))


def revoke_all(session: Session, user_id: int, reason: str, *, now: datetime | None = None) -> int:
    """End every browser session of one account; how many were live."""
    return _revoke_where(session, SessionToken.user_id == user_id, reason, now or utcnow())


def live_count(session: Session, name: str, *, now: datetime | None = None) -> int:
    """How many unrevoked, unexpired tokens the account has (idle ones included until next used)."""
    now = now or utcnow()
    return session.exec(select(func.count()).select_from(SessionToken).join(User)
                        .where(User.name == account_records.normalise_name(name), SessionToken.revoked_at.is_(None),
                               SessionToken.expires_at > now)).one()
