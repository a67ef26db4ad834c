"""An account's stored row as the rest of the core reads it: found by name, its times in UTC,
its forces, whether it is locked, and the Actor it acts as.

Accounts (``fieldwork.services.accounts``: sign-in and administration), browser sessions
(``session_tokens``) and the check at every write (``actor_check``) all stand on this module,
so none of them needs another at import time.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlmodel import Session, select

from fieldwork.problem_codes import UNKNOWN_USER as NO_SUCH_USER
from fieldwork.problems import ACCOUNT, Problem, ProblemError
from fieldwork.services.permissions import Actor
from models import User, utcnow


def aware(moment: datetime | None) -> datetime | None:
    """SQLite and PostgreSQL's plain TIMESTAMP hand back naive times; they were stored as UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def normalise_name(name: str) -> str:
    return (name or "").strip().lower()


def get_user(session: Session, name: str) -> User:
    user = session.exec(select(User).where(User.name == normalise_name(name))).first()
    if user is None:
        raise ProblemError([Problem(NO_SUCH_USER, f"there is no account {normalise_name(name)!r}", field="name",
                                    item=normalise_name(name), item_kind=ACCOUNT)])
    return user


def forces_of(user: User) -> tuple[str, ...]:
    try:
        return tuple(json.loads(user.forces or "[]"))
    except ValueError:
        return ()


def actor_of(user: User) -> Actor:
    """The account as the core sees an actor: name, role and forces as they stand now."""
    return Actor(user.name, user.role, forces_of(user))


def is_locked(user: User, now: datetime | None = None) -> bool:
    """Locked for a while after repeated failed sign-ins."""
    until = aware(user.locked_until)
    return until is not None and until > (now or utcnow())
