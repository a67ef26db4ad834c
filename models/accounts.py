"""Accounts: who may sign in to the app, with which role, and the state of their sign-ins.

The table is ``app_user`` (USER is reserved in PostgreSQL). A password is kept only as an
Argon2id hash. ``forces`` is a JSON list of force codes; empty means every force (an
inspector limited to some forces, as REDCap's data access groups). ``failed_attempts`` and
``locked_until`` slow down guessing (fieldwork.services.accounts).

``session_token`` lets a browser resume its session after a refresh: the browser keeps a
random token in a cookie, the table keeps only the token's SHA-256 hash
(fieldwork.services.session_tokens).
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from models.core import utcnow


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True, max_length=32)  # login name, e.g. inspector1
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=20)  # inspector | lead | admin
    forces: str = Field(default="[]", sa_type=Text)  # JSON list of force codes; [] = every force
    active: bool = Field(default=True)
    failed_attempts: int = Field(default=0)  # consecutive failures since the last sign-in
    locked_until: Optional[datetime] = None
    last_sign_in_at: Optional[datetime] = None
    password_changed_at: Optional[datetime] = None
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(default="", max_length=100)


class SessionToken(SQLModel, table=True):
    """One signed-in browser. A row is revoked, never edited back to life; rows long expired
    are deleted (they are no audit record: sign-ins and sign-outs are in ``audit_event``)."""

    __tablename__ = "session_token"

    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, index=True, max_length=64)  # hex SHA-256 of the cookie's token
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)  # slides while the browser is in use
    expires_at: datetime  # the latest moment it can be used, however active the browser
    revoked_at: Optional[datetime] = None
    revoked_reason: str = Field(default="", max_length=32)  # signed_out, idle, password_changed, ...
