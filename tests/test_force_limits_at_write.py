"""A force taken away from an inspector holds at once: the next save from a form left open, the
next opening, a new entry, marking complete — each refused in words, nothing written (attacker
re-test 22, F5: the limit stopped adding cases only)."""

from __future__ import annotations

import pytest

from fieldwork import db
from fieldwork.services import accounts, assessments, repeat_entries
from fieldwork.services.permissions import INSPECTOR, Actor, PermissionDenied, command_line_actor
from tests.accounts_helpers import cheap_hashing, make_user  # noqa: F401 (fixture)
from tests.assess_helpers import add
from tests.db_snapshot import snapshot

# as the app builds it: signed in, so each write reads the account again (services/actor_check.py)
DURHAM_ONLY = Actor("inspector1", INSPECTOR, forces=("durham",), signed_in=True)


@pytest.fixture
def durham_case(engine, cheap_hashing):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1", forces=("durham",))
        uid = add(s, DURHAM_ONLY, "HS-0402").assessment_uid
        version = assessments.load(s, DURHAM_ONLY, uid).version
    return uid, version


def test_a_force_taken_away_stops_the_open_forms_next_save_and_the_next_opening(engine, durham_case):
    uid, version = durham_case
    with db.session_scope(engine) as s:  # the admin moves the inspector to Kent
        accounts.set_forces(s, command_line_actor(), "inspector1", ["kent"])
    before = snapshot(engine)
    for attempt in (lambda s: assessments.save(s, DURHAM_ONLY, uid, version, {"vps_taken": ("no", None)}),
                    lambda s: assessments.mark_complete(s, DURHAM_ONLY, uid, version),
                    lambda s: assessments.load(s, DURHAM_ONLY, uid),  # the page's actor, from before
                    lambda s: assessments.load(s, Actor("inspector1", INSPECTOR, forces=("kent",)), uid)):
        with pytest.raises(PermissionDenied) as refused, db.session_scope(engine) as s:
            attempt(s)
        words = str(refused.value.problems[0].message)
        # one voice, the person refused (stop 25): the case, its force and the account's forces by name
        assert words.startswith("You (inspector1, inspector) may not ") and words.endswith(
            " HS-0402: it is a case of Durham Constabulary, and your account covers Kent Police only"), words
    assert snapshot(engine) == before


def test_the_force_given_back_lets_the_inspector_save_again(engine, durham_case):
    uid, version = durham_case
    with db.session_scope(engine) as s:
        accounts.set_forces(s, command_line_actor(), "inspector1", ["kent"])
        accounts.set_forces(s, command_line_actor(), "inspector1", ["kent", "durham"])
    with db.session_scope(engine) as s:
        assert assessments.save(s, DURHAM_ONLY, uid, version, {"vps_taken": ("no", None)}).version == version + 1


def test_an_inspector_without_force_limits_is_not_stopped(engine, cheap_hashing):
    anyone = Actor("inspector2", INSPECTOR)
    with db.session_scope(engine) as s:
        make_user(s, "inspector2")
        uid = add(s, anyone, "HS-0403").assessment_uid
        version = assessments.load(s, anyone, uid).version
        assert assessments.save(s, anyone, uid, version, {"vps_taken": ("no", None)}).version == version + 1


def test_repeat_entries_are_refused_too(engine, durham_case):
    uid, version = durham_case
    with db.session_scope(engine) as s:
        accounts.set_forces(s, command_line_actor(), "inspector1", ["kent"])
    with pytest.raises(PermissionDenied), db.session_scope(engine) as s:
        repeat_entries.add_entry(s, DURHAM_ONLY, uid, version, "incident")


def test_the_register_lists_only_the_forces_the_account_covers_now(engine, durham_case):
    from fieldwork.services import cases

    with db.session_scope(engine) as s:
        assert [r.case_ref for r in cases.register(s, DURHAM_ONLY).rows] == ["HS-0402"]
        accounts.set_forces(s, command_line_actor(), "inspector1", ["kent"])
    with db.session_scope(engine) as s:
        assert cases.register(s, DURHAM_ONLY).rows == []


def test_a_disabled_account_reads_nothing(engine, durham_case):
    from fieldwork.services.actor_check import SessionEnded

    uid, _ = durham_case
    with db.session_scope(engine) as s:
        accounts.set_active(s, command_line_actor(), "inspector1", False)
    with pytest.raises(SessionEnded), db.session_scope(engine) as s:
        assessments.load(s, DURHAM_ONLY, uid)
