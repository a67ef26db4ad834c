"""Accounts: who may sign in to the app, with which role, and the state of their sign-ins.

The table is ``app_user`` (USER is reserved in PostgreSQL). A password is kept only as an
Argon2id hash. ``forces`` is a JSON list of force codes; empty means every force (an
inspector limited to some forces, as REDCap's data access groups). ``failed_attempts`` and
``locked_until`` slow down guessing (fieldwork.services.accounts).
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
