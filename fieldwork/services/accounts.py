"""Accounts and sign-in: local accounts with Argon2id password hashes, managed by an admin.

There is no default account and no default password: the first admin is created on the
command line (``fieldwork user add NAME --role admin``), which acts as the operating-system
user (contract section 8). Guessing is slowed down: after ``FREE_FAILURES`` wrong passwords
in a row the account locks for a period that doubles with every further failure (1, 2, 4 ...
minutes, at most an hour). A sign-in with an unknown name, a disabled or a locked account
still checks the password against a hash, so every refusal takes as long as a wrong password
and the answer never tells whether the name exists. Every sign-in and refusal is audited;
the password never is. A password change or reset, and disabling an account, end every
browser session the account has (fieldwork.services.session_tokens).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, update
from sqlmodel import Session, select

from fieldwork import audit
from fieldwork.problem_codes import (
    BAD_ROLE, BAD_USER_NAME as BAD_NAME, LAST_ADMIN, SIGN_IN_REFUSED, UNKNOWN_FORCE as BAD_FORCE,
    USER_NAME_TAKEN as NAME_TAKEN, WEAK_PASSWORD,
)
from fieldwork.problems import ACCOUNT, Problem, ProblemError
from fieldwork.services import permissions
from fieldwork.services.permissions import ADMIN, ROLES, Actor
from fieldwork.services import actor_check, common_passwords, session_tokens
# re-exported: the account's row as every module reads it (NO_SUCH_USER is its problem code)
from fieldwork.services.account_records import (  # noqa: F401
    NO_SUCH_USER, actor_of, aware as _aware, forces_of as _forces_of, get_user, is_locked, normalise_name)
from models import User, utcnow

MIN_PASSWORD = 12  # NCSC: length beats complexity rules
MAX_PASSWORD = 256  # hashing a megabyte "password" is a cheap way to tie up the server
NAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}\Z")  # \Z: "$" would let a final line break through
RESERVED_NAMES = {"system", "unknown"}  # actor names the app itself writes in the audit trail
FREE_FAILURES = 5  # wrong passwords in a row before the account locks
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
UNKNOWN_ACTOR = "(unknown name)"  # failed sign-ins for names that are no account: the typed text may be a password
# A handful of passwords long enough to pass the length rule yet among the first an attacker tries.
COMMON_PASSWORDS = {
    "password1234", "123456789012", "qwertyuiopas", "passwordpassword", "letmeinletmein", "administrator",
    "iloveyou1234", "welcome12345", "changeme1234", "qwerty123456", "1234567890ab", "abcdefghijkl",
}

REFUSED_MESSAGE = ("The name or password is not right, or the account is disabled or locked for a while after "
                   "repeated failures. Try again later, or ask an admin to reset your password.")


class SignInRefused(ProblemError):
    """One message for every refusal: it never tells whether the name exists."""

    def __init__(self):
        super().__init__([Problem(SIGN_IN_REFUSED, REFUSED_MESSAGE, field="password")], "sign-in refused")


@dataclass(frozen=True)
class UserView:
    """An account as pages and the command line show it (never the hash)."""

    name: str
    role: str
    forces: tuple[str, ...]
    active: bool
    locked_until: datetime | None
    failed_attempts: int
    last_sign_in_at: datetime | None
    created_at: datetime

    @property
    def locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > utcnow()


# --- hashing --------------------------------------------------------------------------

_hasher = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory profile


def hasher() -> PasswordHasher:
    return _hasher


def use_hasher(new: PasswordHasher) -> None:
    """Swap the parameters (tests use cheap ones); the decoy hash follows."""
    global _hasher
    _hasher = new
    _decoy_hash.cache_clear()


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    # Checked against when there is no account to check, so refusals all cost one verification.
    return _hasher.hash("decoy password that matches nothing")


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# --- checks ---------------------------------------------------------------------------


def name_problem(name: str) -> str | None:
    if not NAME.match(name):
        return ("use 2 to 32 lower-case letters, digits and . _ - characters, starting with a letter, "
                "no spaces (e.g. inspector1)")
    if name in RESERVED_NAMES:
        return f"{name!r} is reserved; choose another name"
    return None


def password_problems(password: str, name: str = "") -> list[Problem]:
    problems = []
    if len(password or "") < MIN_PASSWORD:
        problems.append(Problem(WEAK_PASSWORD, f"a password needs at least {MIN_PASSWORD} characters "
                                "(a few words strung together are easy to remember)", field="password"))
    elif len(password) > MAX_PASSWORD:
        problems.append(Problem(WEAK_PASSWORD, f"a password may have at most {MAX_PASSWORD} characters",
                                field="password"))
    elif password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        problems.append(Problem(WEAK_PASSWORD, "this password is among the first an attacker tries",
                                field="password"))
    elif name and name.lower() in password.lower():
        problems.append(Problem(WEAK_PASSWORD, "a password must not contain the account's name", field="password"))
    elif why := common_passwords.problem(password, name):  # 30,000 leaked passwords, NIST SP 800-63B
        problems.append(Problem(WEAK_PASSWORD, why, field="password"))
    return problems


def _force_codes() -> set[str]:
    from fieldwork.catalog import load_catalog

    return {c.code for c in load_catalog().codes.forces}


def _forces_problems(forces) -> tuple[tuple[str, ...], list[Problem]]:
    cleaned = tuple(sorted({f.strip() for f in forces if f and f.strip()}))
    known = _force_codes()
    problems = [Problem(BAD_FORCE, f"{f!r} is not a force code (contract section 6, e.g. west_yorkshire)",
                        field="forces") for f in cleaned if f not in known]
    return cleaned, problems


def _role_problems(role: str) -> list[Problem]:
    if role not in ROLES:
        return [Problem(BAD_ROLE, f"{role!r} is not a role: use one of {', '.join(ROLES)}", field="role")]
    return []


def about_account(problems: list[Problem], name: str) -> list[Problem]:
    """The problems named by the account they are about ("account 'inspector9': password: …"),
    its fields read as a form's, not a file's columns (walk 25, V7: "question '@evil': column 'name'")."""
    return [replace(p, item=name or None, item_kind=ACCOUNT) for p in problems]


def _view(user: User) -> UserView:
    return UserView(user.name, user.role, _forces_of(user), user.active, _aware(user.locked_until),
                    user.failed_attempts, _aware(user.last_sign_in_at), _aware(user.created_at))


def _other_active_admins(session: Session, name: str) -> int:
    return session.exec(select(func.count()).select_from(User).where(
        User.role == ADMIN, User.active == True, User.name != name)).one()  # noqa: E712 (SQL, not Python)


def _end_sessions(session: Session, user: User, reason: str) -> None:
    """Revoke every session token of the account, in the caller's transaction."""
    session_tokens.revoke_all(session, user.id, reason)


def _changed(session: Session, actor: Actor, user: User, change: str, **detail) -> None:
    audit.record(session, actor.name, audit.USER_CHANGED, account=user.name, change=change, **detail)


# --- administration (admin only) ------------------------------------------------------


def count_users(session: Session) -> int:
    """How many accounts exist (no actor: the sign-in page and ``serve`` say when there are none)."""
    return session.exec(select(func.count()).select_from(User)).one()


def exists(session: Session, name: str) -> bool:
    return session.exec(select(User.id).where(User.name == normalise_name(name))).first() is not None


def add_user(session: Session, actor: Actor, name: str, role: str, password: str, forces=()) -> UserView:
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    permissions.require_role(actor, (ADMIN,), "manage accounts")
    typed, name = (name or "").strip(), normalise_name(name)
    problems = []
    why = name_problem(name)
    if why:
        problems.append(Problem(BAD_NAME, why, field="name"))
    elif exists(session, name):
        problems.append(Problem(NAME_TAKEN, f"there is already an account {name!r}", field="name"))
    problems += _role_problems(role)
    cleaned, force_problems = _forces_problems(forces)
    problems += force_problems + password_problems(password, name)
    if problems:  # each named by the account as it was typed, never lower-cased
        raise ProblemError(about_account(problems, typed), f"account {typed!r} not added")
    user = User(name=name, role=role, forces=json.dumps(list(cleaned)), password_hash=_hasher.hash(password),
                password_changed_at=utcnow(), created_by=actor.name)
    session.add(user)
    session.flush()
    _changed(session, actor, user, "added", role=role, forces=list(cleaned))
    return _view(user)


def list_users(session: Session, actor: Actor) -> list[UserView]:
    permissions.require_role(actor, (ADMIN,), "see the accounts")
    return [_view(u) for u in session.exec(select(User).order_by(User.name)).all()]


def set_password(session: Session, actor: Actor, name: str, password: str) -> None:
    """An admin resets anyone's password (the account is unlocked); users change their own
    with ``change_own_password``."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    permissions.require_role(actor, (ADMIN,), "reset passwords")
    user = get_user(session, name)
    problems = password_problems(password, user.name)
    if problems:
        raise ProblemError(about_account(problems, user.name), "password not changed")
    user.password_hash = _hasher.hash(password)
    user.password_changed_at = utcnow()
    user.failed_attempts = 0
    user.locked_until = None
    session.add(user)
    _end_sessions(session, user, "password_reset")
    _changed(session, actor, user, "password_reset")


def change_own_password(session: Session, actor: Actor, current: str, new: str) -> None:
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    user = get_user(session, actor.name)
    if not _verify(user.password_hash, current or ""):
        raise ProblemError([Problem(WEAK_PASSWORD, "the current password is not right", field="current_password")],
                           "password not changed")
    problems = password_problems(new, user.name)
    if problems:
        raise ProblemError(problems, "password not changed")
    user.password_hash = _hasher.hash(new)
    user.password_changed_at = utcnow()
    session.add(user)
    _end_sessions(session, user, "password_changed")  # the page issues this browser a new token
    _changed(session, actor, user, "password_changed")


def set_active(session: Session, actor: Actor, name: str, active: bool) -> None:
    """Disable (or enable again) an account; enabling also lifts a lock. The last active admin stays."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    permissions.require_role(actor, (ADMIN,), "disable or enable accounts")
    user = get_user(session, name)
    if not active and user.role == ADMIN and user.active and _other_active_admins(session, user.name) == 0:
        raise ProblemError(about_account([Problem(
            LAST_ADMIN, "the last active admin cannot be disabled: add another admin first", field="name")],
            user.name))
    user.active = active
    if active:
        user.failed_attempts = 0
        user.locked_until = None
    else:
        _end_sessions(session, user, "account_disabled")  # enabling again does not bring them back
    session.add(user)
    _changed(session, actor, user, "enabled" if active else "disabled")


def set_role(session: Session, actor: Actor, name: str, role: str) -> None:
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    permissions.require_role(actor, (ADMIN,), "change roles")
    user = get_user(session, name)
    problems = _role_problems(role)
    if not problems and user.role == ADMIN and role != ADMIN and user.active \
            and _other_active_admins(session, user.name) == 0:
        problems.append(Problem(LAST_ADMIN, "the last active admin keeps the role: add another admin first",
                                field="role"))
    if problems:
        raise ProblemError(about_account(problems, user.name), "role not changed")
    old, user.role = user.role, role
    session.add(user)
    _changed(session, actor, user, "role", old=old, new=role)


def set_forces(session: Session, actor: Actor, name: str, forces) -> None:
    """Limit an account to some forces (empty: every force). Leads and admins see every force anyway."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    permissions.require_role(actor, (ADMIN,), "change which forces an account sees")
    user = get_user(session, name)
    cleaned, problems = _forces_problems(forces)
    if problems:
        raise ProblemError(about_account(problems, user.name), "forces not changed")
    user.forces = json.dumps(list(cleaned))
    session.add(user)
    _changed(session, actor, user, "forces", forces=list(cleaned))


# --- signing in -----------------------------------------------------------------------


def lock_period(failures: int) -> timedelta | None:
    """How long the account locks after this many failures in a row (None: not yet)."""
    if failures < FREE_FAILURES:
        return None
    return min(FIRST_LOCK * (2 ** (failures - FREE_FAILURES)), LONGEST_LOCK)


def authenticate(session: Session, name: str, password: str) -> Actor:
    """The account's Actor if the name and password are right and the account may sign in;
    otherwise ``SignInRefused``, after recording the failure.

    A failure is committed before the refusal is raised (the one exception to "the caller's
    transaction"): a guess must count even though the sign-in fails. Call it in a session of
    its own.
    """
    name = normalise_name(name)[:64]
    user = session.exec(select(User).where(User.name == name)).first() if name else None
    now = utcnow()
    if user is None:
        _verify(_decoy_hash(), password or "")  # as slow as a real check
        audit.record(session, UNKNOWN_ACTOR, audit.SIGN_IN_FAILED, reason="unknown_name")
        session.commit()
        raise SignInRefused()
    locked = _aware(user.locked_until) is not None and _aware(user.locked_until) > now
    right = _verify(user.password_hash, (password or "")[:MAX_PASSWORD * 4])
    if not user.active or locked or not right:
        reason = "disabled" if not user.active else "locked" if locked else "wrong_password"
        if reason == "wrong_password":
            # counted in SQL so that two guesses at once both count
            session.exec(update(User).where(User.id == user.id)
                         .values(failed_attempts=User.failed_attempts + 1))
            session.refresh(user)
            period = lock_period(user.failed_attempts)
            if period is not None:
                user.locked_until = now + period
                session.add(user)
        else:
            period = None
        detail = {"locked_minutes": int(period.total_seconds() // 60)} if period else {}
        audit.record(session, user.name, audit.SIGN_IN_FAILED, reason=reason, failures=user.failed_attempts, **detail)
        session.commit()
        raise SignInRefused()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)  # parameters raised since it was set
    user.failed_attempts = 0
    user.locked_until = None
    user.last_sign_in_at = now
    session.add(user)
    audit.record(session, user.name, audit.SIGN_IN, role=user.role)
    return Actor(user.name, user.role, _forces_of(user))


def current_actor(session: Session, name: str) -> Actor | None:
    """The account as it stands now (role and forces may have changed since sign-in), or None if
    it is gone or disabled: the app checks this on every page load, so disabling takes effect at once."""
    user = session.exec(select(User).where(User.name == normalise_name(name))).first()
    if user is None or not user.active:
        return None
    return actor_of(user)


def record_sign_out(session: Session, actor: Actor, *, reason: str = "signed_out") -> None:
    """reason: signed_out (the button), idle (the session expired), account_disabled."""
    audit.record(session, actor.name, audit.SIGN_OUT, reason=reason)
