"""Every write re-checks who is writing, in the writing transaction: a disabled account, a
session signed out elsewhere, a password reset, an idle or expired session, a changed role or
force limit stop the very next write, whatever path the app took to call it; nothing is saved."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update

from fieldwork import db
from fieldwork.services import accounts, actor_check, assessments, cases, session_tokens
from fieldwork.services.permissions import ADMIN, INSPECTOR, LEAD, Actor, command_line_actor
from models import SessionToken, utcnow
from tests.accounts_helpers import cheap_hashing, make_user  # noqa: F401 (fixture)
from tests.assess_helpers import CONTEXT
from tests.db_snapshot import snapshot

pytestmark = pytest.mark.usefixtures("cheap_hashing")
ADMIN1 = Actor("admin1", ADMIN)


@pytest.fixture
def signed_in(engine):
    """inspector1 signed in from a browser (a token), with a draft of HS-0001 open."""
    with db.session_scope(engine) as s:
        make_user(s, "admin1", ADMIN)
        make_user(s, "inspector1", INSPECTOR)
        make_user(s, "lead1", LEAD)
        actor = accounts.actor_of(accounts.get_user(s, "inspector1"))
        token = session_tokens.issue(s, actor)
    actor = replace(actor, signed_in=True, token=token)
    with db.session_scope(engine) as s:
        new = cases.add_case(s, actor, inspection=None, questionnaire_id="case_review", case_ref="HS-0001",
                             context=CONTEXT)
        version = assessments.load(s, actor, new.assessment_uid).version
    return actor, new.assessment_uid, version


def _save(engine, actor, uid, version):
    with db.session_scope(engine) as s:
        return assessments.save(s, actor, uid, version, {"vps_taken": ("no", "seen on file")})


def _refused(engine, actor, uid, version, reason):
    before = snapshot(engine)
    with pytest.raises(actor_check.SessionEnded) as caught:
        _save(engine, actor, uid, version)
    assert caught.value.reason == reason
    assert caught.value.problems[0].code == actor_check.SESSION_ENDED
    assert "Sign in again" in caught.value.problems[0].message and "Not saved" in caught.value.problems[0].message
    assert snapshot(engine) == before  # nothing written, not even the token's last-seen


def test_a_live_session_saves(engine, signed_in):
    actor, uid, version = signed_in
    assert _save(engine, actor, uid, version).version == version + 1


def test_a_disabled_account_stops_at_its_next_write(engine, signed_in):
    actor, uid, version = signed_in
    with db.session_scope(engine) as s:
        accounts.set_active(s, ADMIN1, "inspector1", False)
    _refused(engine, actor, uid, version, "disabled")


@pytest.mark.parametrize("how", ["signed_out_elsewhere", "password_reset"])
def test_a_session_ended_elsewhere_stops_at_its_next_write(engine, signed_in, how):
    actor, uid, version = signed_in
    with db.session_scope(engine) as s:
        if how == "signed_out_elsewhere":
            session_tokens.revoke(s, actor.token)
        else:
            accounts.set_password(s, ADMIN1, "inspector1", "a brand new passphrase 2017")
    _refused(engine, actor, uid, version, session_tokens.REVOKED)


def test_an_idle_or_expired_session_stops(engine, signed_in):
    actor, uid, version = signed_in
    with db.session_scope(engine) as s:
        s.exec(update(SessionToken).values(last_seen_at=utcnow() - timedelta(hours=2)))
    _refused(engine, actor, uid, version, session_tokens.IDLE)
    with db.session_scope(engine) as s:
        s.exec(update(SessionToken).values(last_seen_at=utcnow(), expires_at=utcnow() - timedelta(seconds=1)))
    _refused(engine, actor, uid, version, session_tokens.EXPIRED)


def test_the_role_and_forces_are_read_again_at_the_write(engine, signed_in):
    actor, _, _ = signed_in
    with db.session_scope(engine) as s:
        accounts.set_forces(s, ADMIN1, "inspector1", ["kent"])
    before = snapshot(engine)
    with pytest.raises(Exception) as caught, db.session_scope(engine) as s:  # the session still says every force
        cases.add_case(s, actor, inspection=None, questionnaire_id="case_review", case_ref="HS-0002",
                       context=CONTEXT)  # durham
    assert caught.value.problems[0].code == "permission_denied"
    with db.session_scope(engine) as s:
        accounts.set_forces(s, ADMIN1, "inspector1", [])
        accounts.set_role(s, ADMIN1, "inspector1", ADMIN)  # admins do not score cases
    with pytest.raises(Exception) as caught, db.session_scope(engine) as s:
        cases.add_case(s, actor, inspection=None, questionnaire_id="case_review", case_ref="HS-0002",
                       context=CONTEXT)
    assert caught.value.problems[0].code == "permission_denied"
    assert snapshot(engine) != before  # only the admin's own changes


def test_a_demoted_admin_can_no_longer_manage_accounts(engine, signed_in):
    with db.session_scope(engine) as s:
        make_user(s, "admin2", ADMIN)
        admin2 = replace(accounts.actor_of(accounts.get_user(s, "admin2")), signed_in=True)
        accounts.set_role(s, ADMIN1, "admin2", INSPECTOR)
    before = snapshot(engine)
    with pytest.raises(Exception) as caught, db.session_scope(engine) as s:
        accounts.set_role(s, admin2, "inspector1", ADMIN)
    assert caught.value.problems[0].code == "permission_denied"
    assert snapshot(engine) == before


def test_the_command_line_acts_for_the_operating_system_user(engine):
    with db.session_scope(engine) as s:  # no account to re-check: whoever holds the file holds the data
        assert actor_check.at_write(s, command_line_actor()) == command_line_actor()


def test_a_disabled_lead_cannot_import_a_frame_draw_or_exclude(engine, signed_in):
    """The sampling writes (issue 16) re-check the account like every other write."""
    from fieldwork.services import sampling, sampling_exclusions, sampling_frames

    with db.session_scope(engine) as s:
        lead = replace(accounts.actor_of(accounts.get_user(s, "lead1")), signed_in=True)
        lead = replace(lead, token=session_tokens.issue(s, lead))
        accounts.set_active(s, ADMIN1, "lead1", False)
    before = snapshot(engine)
    frame = b"case_ref,force,plea\nSF-0001,durham,guilty\n"
    for write in (lambda s: sampling_frames.import_frame(s, lead, "case_review", frame, "frame.csv"),
                  lambda s: sampling.draw(s, lead, "case_review", seed=1),
                  lambda s: sampling_exclusions.exclude(s, lead, "HS-0001", "duplicate")):
        with pytest.raises(actor_check.SessionEnded):
            with db.session_scope(engine) as s:
                write(s)
    assert snapshot(engine) == before
