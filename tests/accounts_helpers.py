"""Helpers for tests that need accounts: cheap Argon2 parameters (the real ones cost ~50 ms
a hash on purpose) and an account made the way an admin makes it."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from fieldwork.services import accounts
from fieldwork.services.permissions import command_line_actor

PASSWORD = "stalking review 2017"


@pytest.fixture
def cheap_hashing():
    before = accounts.hasher()
    accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    yield
    accounts.use_hasher(before)


def make_user(session, name: str, role: str = "inspector", password: str = PASSWORD, forces=()):
    return accounts.add_user(session, command_line_actor(), name, role, password, forces)
