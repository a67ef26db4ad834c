"""Accounts and sign-in at the core: who may manage accounts, the password and name rules,
wrong passwords, the lock-out after repeated failures, and the audit rows they leave."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from fieldwork import audit, db
from fieldwork.problems import ProblemError
from fieldwork.services import accounts
from fieldwork.services.permissions import ADMIN, INSPECTOR, LEAD, Actor, PermissionDenied, command_line_actor
from models import AuditEvent, User, utcnow
from tests.accounts_helpers import PASSWORD, cheap_hashing, make_user  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("cheap_hashing")

ADMIN1 = Actor("admin1", ADMIN)


def sign_in(engine, name, password=PASSWORD):
    with db.session_scope(engine) as s:
        return accounts.authenticate(s, name, password)


def events(engine, action=None):
    with db.session_scope(engine) as s:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return s.exec(query).all()


def test_an_account_signs_in_with_its_password_and_gets_its_role_and_forces(engine):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1", INSPECTOR, forces=["kent", "essex"])
    actor = sign_in(engine, "inspector1")
    assert actor == Actor("inspector1", INSPECTOR, ("essex", "kent"))
    assert actor.sees_force("kent") and not actor.sees_force("surrey")
    with db.session_scope(engine) as s:
        stored = s.exec(select(User)).one()
        assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
        assert stored.last_sign_in_at is not None


def test_names_are_case_insensitive_login_names(engine):
    with db.session_scope(engine) as s:
        make_user(s, "Lead1", LEAD)
    assert sign_in(engine, " LEAD1 ").name == "lead1"


def test_a_wrong_password_or_unknown_name_is_refused_with_the_same_message(engine):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
    with pytest.raises(accounts.SignInRefused) as wrong:
        sign_in(engine, "inspector1", "not the password at all")
    with pytest.raises(accounts.SignInRefused) as unknown:
        sign_in(engine, "nobody9", PASSWORD)
    assert str(wrong.value) == str(unknown.value)
    failed = events(engine, audit.SIGN_IN_FAILED)
    assert [(e.actor, '"wrong_password"' in e.detail) for e in failed] == [
        ("inspector1", True), (accounts.UNKNOWN_ACTOR, False)]


def test_the_password_is_never_written_to_the_audit_trail(engine):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
    sign_in(engine, "inspector1")
    with pytest.raises(accounts.SignInRefused):
        sign_in(engine, "inspector1", "a typo of the password")
    with pytest.raises(accounts.SignInRefused):
        sign_in(engine, "stalking review 2017", "x")  # a password typed into the name box
    text = " ".join(f"{e.actor} {e.detail} {e.old_value} {e.new_value}" for e in events(engine))
    assert PASSWORD not in text and "a typo" not in text


def test_an_unknown_name_costs_a_password_check_like_a_known_one(engine, monkeypatch):
    checked = []
    real = accounts._verify
    monkeypatch.setattr(accounts, "_verify", lambda stored, pw: checked.append(stored) or real(stored, pw))
    with pytest.raises(accounts.SignInRefused):
        sign_in(engine, "nobody9", "whatever password")
    assert len(checked) == 1 and checked[0].startswith("$argon2id$")


def test_five_wrong_passwords_lock_the_account_for_a_growing_time(engine):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
    for _ in range(accounts.FREE_FAILURES):
        with pytest.raises(accounts.SignInRefused):
            sign_in(engine, "inspector1", "wrong password guess")
    # now even the right password is refused until the lock ends
    with pytest.raises(accounts.SignInRefused):
        sign_in(engine, "inspector1")
    with db.session_scope(engine) as s:
        user = s.exec(select(User)).one()
        locked_for = accounts._aware(user.locked_until) - utcnow()
        assert timedelta(seconds=50) < locked_for <= accounts.FIRST_LOCK
        assert user.failed_attempts == accounts.FREE_FAILURES
    reasons = [e.detail for e in events(engine, audit.SIGN_IN_FAILED)]
    assert '"locked"' in reasons[-1] and '"locked_minutes": 1' in reasons[-2]
    assert [accounts.lock_period(n) for n in (4, 5, 6, 7, 20)] == [
        None, timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), accounts.LONGEST_LOCK]


def test_when_the_lock_ends_the_right_password_works_and_the_count_starts_again(engine):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
    for _ in range(accounts.FREE_FAILURES):
        with pytest.raises(accounts.SignInRefused):
            sign_in(engine, "inspector1", "wrong password guess")
    with db.session_scope(engine) as s:  # time passes
        user = s.exec(select(User)).one()
        user.locked_until = utcnow() - timedelta(seconds=1)
        s.add(user)
    assert sign_in(engine, "inspector1").name == "inspector1"
    with db.session_scope(engine) as s:
        user = s.exec(select(User)).one()
        assert user.failed_attempts == 0 and user.locked_until is None


def test_a_password_reset_by_an_admin_lifts_the_lock(engine):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
    for _ in range(accounts.FREE_FAILURES):
        with pytest.raises(accounts.SignInRefused):
            sign_in(engine, "inspector1", "wrong password guess")
    with db.session_scope(engine) as s:
        accounts.set_password(s, ADMIN1, "inspector1", "a brand new passphrase")
    assert sign_in(engine, "inspector1", "a brand new passphrase").name == "inspector1"


def test_a_disabled_account_cannot_sign_in_and_loses_its_session(engine):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
        make_user(s, "admin1", ADMIN)
        accounts.set_active(s, ADMIN1, "inspector1", False)
        assert accounts.current_actor(s, "inspector1") is None
    with pytest.raises(accounts.SignInRefused):
        sign_in(engine, "inspector1")
    with db.session_scope(engine) as s:
        accounts.set_active(s, ADMIN1, "inspector1", True)
    assert sign_in(engine, "inspector1").role == INSPECTOR


@pytest.mark.parametrize("password, why", [
    ("short pw", "at least 12"),
    ("password1234", "first an attacker tries"),
    ("aaaaaaaaaaaaaaa", "first an attacker tries"),
    ("inspector1 is me", "name"),
    ("x" * 300, "at most"),
])
def test_weak_passwords_are_refused(session, password, why):
    with pytest.raises(ProblemError) as refused:
        make_user(session, "inspector1", password=password)
    assert refused.value.problems[0].code == accounts.WEAK_PASSWORD
    assert why in refused.value.problems[0].message


def test_every_problem_with_a_new_account_is_named_at_once(session):
    with pytest.raises(ProblemError) as refused:
        make_user(session, "Jane Smith", "boss", "short", forces=["kent", "gotham"])
    codes = sorted(p.code for p in refused.value.problems)
    assert codes == sorted([accounts.BAD_NAME, accounts.BAD_ROLE, accounts.BAD_FORCE, accounts.WEAK_PASSWORD])


@pytest.mark.parametrize("name", ["jane smith", "a", "inspector1@hmicfrs.gov.uk", "1inspector", "system", ""])
def test_bad_login_names_are_refused(session, name):
    with pytest.raises(ProblemError) as refused:
        make_user(session, name)
    assert refused.value.problems[0].code == accounts.BAD_NAME


def test_a_name_is_taken_once(session):
    make_user(session, "inspector1")
    with pytest.raises(ProblemError) as refused:
        make_user(session, "INSPECTOR1")
    assert refused.value.problems[0].code == accounts.NAME_TAKEN


@pytest.mark.parametrize("role", [INSPECTOR, LEAD])
def test_only_an_admin_manages_accounts(session, role):
    make_user(session, "inspector1")
    actor = Actor("someone", role)
    calls = [
        lambda: accounts.add_user(session, actor, "inspector2", INSPECTOR, PASSWORD),
        lambda: accounts.list_users(session, actor),
        lambda: accounts.set_password(session, actor, "inspector1", "another long passphrase"),
        lambda: accounts.set_active(session, actor, "inspector1", False),
        lambda: accounts.set_role(session, actor, "inspector1", ADMIN),
        lambda: accounts.set_forces(session, actor, "inspector1", ["kent"]),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()


def test_an_admin_changes_roles_and_forces_and_each_change_is_audited(engine):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
        accounts.set_role(s, ADMIN1, "inspector1", LEAD)
        accounts.set_forces(s, ADMIN1, "inspector1", ["west_yorkshire"])
        accounts.set_active(s, ADMIN1, "inspector1", False)
        view = {u.name: u for u in accounts.list_users(s, ADMIN1)}["inspector1"]
        assert (view.role, view.forces, view.active) == (LEAD, ("west_yorkshire",), False)
    changes = events(engine, audit.USER_CHANGED)
    assert [e.actor for e in changes] == [command_line_actor().name] + ["admin1"] * 3
    assert all('"account": "inspector1"' in e.detail for e in changes)
    assert [e.detail.split('"change": "')[1].split('"')[0] for e in changes] == ["added", "role", "forces", "disabled"]


def test_the_last_active_admin_cannot_be_disabled_or_demoted(session):
    make_user(session, "admin1", ADMIN)
    for call in (lambda: accounts.set_active(session, ADMIN1, "admin1", False),
                 lambda: accounts.set_role(session, ADMIN1, "admin1", LEAD)):
        with pytest.raises(ProblemError) as refused:
            call()
        assert refused.value.problems[0].code == accounts.LAST_ADMIN
    make_user(session, "admin2", ADMIN)
    accounts.set_role(session, ADMIN1, "admin1", LEAD)


def test_a_user_changes_their_own_password_only_with_the_current_one(engine):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
    me = Actor("inspector1", INSPECTOR)
    with pytest.raises(ProblemError):
        with db.session_scope(engine) as s:
            accounts.change_own_password(s, me, "not my password", "a new long passphrase")
    with db.session_scope(engine) as s:
        accounts.change_own_password(s, me, PASSWORD, "a new long passphrase")
    assert sign_in(engine, "inspector1", "a new long passphrase").name == "inspector1"


def test_a_sign_in_is_audited_with_the_role(engine):
    with db.session_scope(engine) as s:
        make_user(s, "lead1", LEAD)
    sign_in(engine, "lead1")
    (event,) = events(engine, audit.SIGN_IN)
    assert event.actor == "lead1" and '"role": "lead"' in event.detail


def test_a_hash_made_with_weaker_parameters_is_upgraded_at_sign_in(engine):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
        old = s.exec(select(User)).one().password_hash
    from argon2 import PasswordHasher
    accounts.use_hasher(PasswordHasher(time_cost=2, memory_cost=8, parallelism=1))
    sign_in(engine, "inspector1")
    with db.session_scope(engine) as s:
        assert s.exec(select(User)).one().password_hash != old


@pytest.mark.parametrize("weak", ["password12345", "qwertyuiop123", "Summer2024!!", "letmein12345!", "dragon2017!!",
                                  "1qaz2wsx3edc4rfv"])
def test_a_password_from_the_common_list_or_a_variant_of_one_is_refused(weak):
    from fieldwork.services import common_passwords

    assert len(common_passwords.common()) >= 10_000  # NIST SP 800-63B: a real list, not a dozen
    problems = accounts.password_problems(weak, "inspector1")
    assert [p.code for p in problems] == [accounts.WEAK_PASSWORD], weak


@pytest.mark.parametrize("weak", ["Autumn2026!!", "fieldwork2026", "Hmicfrs2026!", "Liverpool1234", "battery2026##",
                                  "1nsp3ct10n!!2026", "P0l1c3!2026!", "4utumn!!2026", "L1v3rp00l!2026",
                                  "hmicfrs_hmicfrs", "Cps2026!!Cps", "inspection2026inspection",
                                  "fieldwork inspection", "Fieldwork!Inspection"])
def test_one_dictionary_name_or_service_word_with_digits_and_symbols_is_refused(weak):
    """NIST SP 800-63B 5.1.1.2: dictionary words and context-specific words (the service's name);
    the attacker re-test of stop 22 found Autumn2026!! and fieldwork2026 accepted."""
    (problem,) = accounts.password_problems(weak, "inspector1")
    assert problem.code == accounts.WEAK_PASSWORD


@pytest.mark.parametrize("good", ["stalking review 2017", "correct horse battery staple", "case files on tuesday"])
def test_a_passphrase_passes(good):
    assert accounts.password_problems(good, "inspector1") == []
