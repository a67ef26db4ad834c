"""Session tokens without Streamlit: a refresh resumes a session only with a token that is
known, unrevoked, unexpired, not idle, of an active and unlocked account; the database keeps
only hashes; signing out, a password change or reset and disabling an account end them."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import inspect
from sqlmodel import select

from fieldwork import db
from fieldwork.services import accounts, session_tokens
from fieldwork.services.permissions import ADMIN, INSPECTOR, LEAD, Actor
from models import SessionToken, User, utcnow
from tests.accounts_helpers import PASSWORD, cheap_hashing, make_user  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("cheap_hashing")

IDLE = timedelta(minutes=30)
INSPECTOR1 = Actor("inspector1", INSPECTOR)
ADMIN1 = Actor("admin1", ADMIN)


@pytest.fixture
def people(session):
    make_user(session, "inspector1")
    make_user(session, "admin1", ADMIN)
    session.flush()


def rows(session, name="inspector1"):
    return session.exec(select(SessionToken).join(User).where(User.name == name)
                        .order_by(SessionToken.id)).all()


def test_a_token_is_random_and_only_its_hash_is_stored(session, people):
    first, second = session_tokens.issue(session, INSPECTOR1), session_tokens.issue(session, INSPECTOR1)
    assert first != second and len(first) == 43  # 32 random bytes, URL-safe
    stored = rows(session)
    assert [r.token_hash for r in stored] == [hashlib.sha256(t.encode()).hexdigest() for t in (first, second)]
    for row in stored:
        assert first not in repr(row.model_dump()) and second not in repr(row.model_dump())
        assert row.expires_at - row.created_at == session_tokens.LIFETIME


def test_a_good_token_resumes_the_account_as_it_stands_now(session, people):
    token = session_tokens.issue(session, INSPECTOR1)
    accounts.set_role(session, ADMIN1, "inspector1", LEAD)  # changed since the sign-in
    check = session_tokens.resume(session, token, IDLE)
    assert check.ok and check.refused is None
    assert check.actor == Actor("inspector1", LEAD)
    assert check.max_age == IDLE.total_seconds()  # the cookie lives no longer than the idle limit


def test_every_resume_slides_last_seen_and_keeps_a_busy_session_alive(session, people):
    start = utcnow()
    token = session_tokens.issue(session, INSPECTOR1, now=start)
    for minutes in (20, 40, 60, 80):  # never idle for 30 minutes, though 80 have passed
        check = session_tokens.resume(session, token, IDLE, now=start + timedelta(minutes=minutes))
        assert check.ok, minutes
        assert check.seen_at == start + timedelta(minutes=minutes)
    session.expire_all()
    assert accounts._aware(rows(session)[0].last_seen_at) == start + timedelta(minutes=80)


def test_a_running_session_writes_last_seen_at_most_once_a_minute(session, people):
    start = utcnow()
    token = session_tokens.issue(session, INSPECTOR1, now=start)
    assert session_tokens.keep_alive(session, token, IDLE, now=start + timedelta(seconds=30)).seen_at == start
    later = start + session_tokens.SLIDE_EVERY
    assert session_tokens.keep_alive(session, token, IDLE, now=later).seen_at == later


def test_an_idle_token_is_refused_and_revoked_once(session, people):
    start = utcnow()
    token = session_tokens.issue(session, INSPECTOR1, now=start)
    late = start + IDLE + timedelta(seconds=1)
    first = session_tokens.resume(session, token, IDLE, now=late)
    assert (first.actor, first.refused, first.name) == (None, session_tokens.IDLE, "inspector1")
    # the idle sign-out is reported once (the app audits it then); afterwards the token is simply dead
    assert session_tokens.resume(session, token, IDLE, now=late).refused == session_tokens.REVOKED
    session.expire_all()
    assert rows(session)[0].revoked_reason == session_tokens.IDLE


def test_a_running_session_is_not_ended_by_the_minute_last_seen_may_lag(session, people):
    start = utcnow()
    token = session_tokens.issue(session, INSPECTOR1, now=start)
    lagging = start + IDLE + timedelta(seconds=30)  # the session's own clock saw a click 59 s after start
    assert session_tokens.keep_alive(session, token, IDLE, now=lagging).ok
    assert not session_tokens.resume(session, session_tokens.issue(session, INSPECTOR1, now=start), IDLE,
                                     now=lagging).ok  # a refresh honours the cookie's Max-Age


def test_a_token_expires_however_busy_the_browser(session, people):
    start = utcnow()
    token = session_tokens.issue(session, INSPECTOR1, now=start)
    for hours in range(1, 12):
        assert session_tokens.resume(session, token, IDLE * 3, now=start + timedelta(hours=hours)).ok
    near_end = start + session_tokens.LIFETIME - timedelta(minutes=10)
    check = session_tokens.resume(session, token, IDLE * 3, now=near_end)
    assert check.max_age == 10 * 60  # the cookie never outlives the token
    check = session_tokens.resume(session, token, IDLE * 3, now=start + session_tokens.LIFETIME)
    assert (check.actor, check.refused) == (None, session_tokens.EXPIRED)


def test_a_wrong_or_malformed_token_is_refused(session, people):
    token = session_tokens.issue(session, INSPECTOR1)
    other = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert session_tokens.resume(session, other, IDLE).refused == session_tokens.UNKNOWN
    for bad in (None, "", "x" * 43 + "; Path=/", token + token, token.encode(), "é" * 43, 12345):
        check = session_tokens.resume(session, bad, IDLE)
        assert (check.actor, check.refused) == (None, session_tokens.MALFORMED), bad
    assert not session_tokens.revoke(session, None) and not session_tokens.revoke(session, other)
    assert session_tokens.resume(session, token, IDLE).ok  # none of that harmed the real one


def test_the_stored_hash_is_compared_in_constant_time(session, people, monkeypatch):
    token = session_tokens.issue(session, INSPECTOR1)
    compared = []

    def spy(a, b):
        compared.append((a, b))
        return a == b

    monkeypatch.setattr(session_tokens.hmac, "compare_digest", spy)
    assert session_tokens.resume(session, token, IDLE).ok
    digest = hashlib.sha256(token.encode()).hexdigest().encode()
    assert compared == [(digest, digest)]


def test_signing_out_revokes_that_token_only(session, people):
    laptop, desktop = session_tokens.issue(session, INSPECTOR1), session_tokens.issue(session, INSPECTOR1)
    assert session_tokens.revoke(session, laptop)
    assert not session_tokens.revoke(session, laptop)  # already ended: the first reason stays
    assert session_tokens.resume(session, laptop, IDLE).refused == session_tokens.REVOKED
    assert session_tokens.keep_alive(session, laptop, IDLE).refused == session_tokens.REVOKED
    assert session_tokens.resume(session, desktop, IDLE).ok
    session.expire_all()
    assert [r.revoked_reason for r in rows(session)] == [session_tokens.SIGNED_OUT, ""]


@pytest.mark.parametrize("change, reason", [
    (lambda s: accounts.change_own_password(s, INSPECTOR1, PASSWORD, "a brand new passphrase"),
     session_tokens.PASSWORD_CHANGED),
    (lambda s: accounts.set_password(s, ADMIN1, "inspector1", "a brand new passphrase"), session_tokens.PASSWORD_RESET),
    (lambda s: accounts.set_active(s, ADMIN1, "inspector1", False), session_tokens.ACCOUNT_DISABLED),
])
def test_a_password_change_reset_or_disabling_ends_every_session_of_the_account(session, people, change, reason):
    tokens = [session_tokens.issue(session, INSPECTOR1) for _ in range(3)]
    admins = session_tokens.issue(session, ADMIN1)
    assert session_tokens.live_count(session, "inspector1") == 3
    change(session)
    assert session_tokens.live_count(session, "inspector1") == 0
    assert all(session_tokens.resume(session, t, IDLE).refused == session_tokens.REVOKED for t in tokens)
    session.expire_all()
    assert {r.revoked_reason for r in rows(session)} == {reason}
    assert session_tokens.resume(session, admins, IDLE).ok  # other accounts are untouched


def test_enabling_an_account_again_does_not_bring_its_sessions_back(session, people):
    token = session_tokens.issue(session, INSPECTOR1)
    accounts.set_active(session, ADMIN1, "inspector1", False)
    accounts.set_active(session, ADMIN1, "inspector1", True)
    assert session_tokens.resume(session, token, IDLE).refused == session_tokens.REVOKED


def test_a_disabled_account_is_refused_even_with_a_token_left_live(session, people):
    token = session_tokens.issue(session, INSPECTOR1)
    user = accounts.get_user(session, "inspector1")
    user.active = False  # disabled by a path that did not revoke (an older version, a database edit)
    session.add(user)
    session.flush()
    assert session_tokens.resume(session, token, IDLE).refused == session_tokens.DISABLED
    assert session_tokens.keep_alive(session, token, IDLE).refused == session_tokens.DISABLED


def test_a_lock_stops_new_sign_ins_but_never_a_session_signed_in_before(session, people):
    token = session_tokens.issue(session, INSPECTOR1)
    user = accounts.get_user(session, "inspector1")
    user.locked_until = utcnow() + timedelta(minutes=5)  # someone has been guessing its password
    session.add(user)
    session.flush()
    assert session_tokens.resume(session, token, IDLE).ok  # a refresh of the inspector's own browser
    assert session_tokens.keep_alive(session, token, IDLE).ok
    user.locked_until = utcnow() - timedelta(minutes=1)  # and after the lock has ended
    session.add(user)
    session.flush()
    assert session_tokens.resume(session, token, IDLE).ok


def test_tokens_long_expired_are_deleted_when_a_new_one_is_issued(session, people):
    long_ago = utcnow() - session_tokens.LIFETIME - session_tokens.KEEP_ENDED - timedelta(hours=1)
    session_tokens.issue(session, INSPECTOR1, now=long_ago)
    recent = session_tokens.issue(session, INSPECTOR1, now=utcnow() - timedelta(days=2))
    current = session_tokens.issue(session, INSPECTOR1)
    assert [r.token_hash for r in rows(session)] == [session_tokens.hash_token(t) for t in (recent, current)]


def test_a_database_made_before_session_tokens_gains_the_table_on_start(engine):
    SessionToken.__table__.drop(engine)
    assert "session_token" not in inspect(engine).get_table_names()
    db.prepare(engine)  # what every start does
    assert "session_token" in inspect(engine).get_table_names()
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
    with db.session_scope(engine) as s:
        token = session_tokens.issue(s, INSPECTOR1)
    with db.session_scope(engine) as s:
        assert session_tokens.resume(s, token, IDLE).ok


def test_the_cookie_never_outlives_the_absolute_limit_even_when_last_seen_lags(session, people):
    """keep_alive slides last-seen only once a minute: the cookie's Max-Age is counted from now,
    so a cookie set near the end of the 12 hours still ends with the token (issue 17)."""
    start = utcnow()
    token = session_tokens.issue(session, INSPECTOR1, now=start)
    for hours in range(1, 12):  # busy all day
        assert session_tokens.resume(session, token, IDLE * 3, now=start + timedelta(hours=hours)).ok
    seen = start + session_tokens.LIFETIME - timedelta(minutes=10)
    assert session_tokens.resume(session, token, IDLE * 3, now=seen).ok
    later = seen + timedelta(seconds=50)  # within the minute: last-seen is not slid
    check = session_tokens.keep_alive(session, token, IDLE * 3, now=later)
    assert check.ok and check.seen_at == seen
    assert later + timedelta(seconds=check.max_age) <= start + session_tokens.LIFETIME
