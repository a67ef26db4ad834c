"""The Users page (admin): accounts listed, added, changed, disabled, passwords reset."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from fieldwork import audit, db
from fieldwork.services import accounts
from models import AuditEvent
from tests.accounts_helpers import PASSWORD, cheap_hashing, make_user  # noqa: F401 (fixture)
from tests.apptest import page

pytestmark = pytest.mark.usefixtures("cheap_hashing")


def users_page(db_url, monkeypatch):
    return page("pages/users.py", db_url, monkeypatch, user="admin1", role="admin").run()


@pytest.fixture
def people(engine):
    with db.session_scope(engine) as s:
        make_user(s, "admin1", "admin")
        make_user(s, "inspector1", forces=["kent"])


def table(at):
    return at.dataframe[0].value


def test_the_accounts_are_listed_without_their_hashes(engine, db_url, monkeypatch, people):
    at = users_page(db_url, monkeypatch)
    assert not at.exception
    frame = table(at)
    assert list(frame["name"]) == ["admin1", "inspector1"]
    assert list(frame["forces"]) == ["every force", "Kent Police"]  # names, never codes
    assert list(frame["last sign-in"]) == ["never", "never"]
    assert "None" not in {str(v) for v in frame.to_numpy().ravel()}
    created = datetime.strptime(frame["created"][0], "%d %b %Y %H:%M")  # this computer's time, readable
    assert abs((created - datetime.now()).total_seconds()) < 300
    assert not any("argon2" in str(v) for v in frame.to_numpy().ravel())


def test_an_admin_adds_an_account(engine, db_url, monkeypatch, people):
    at = users_page(db_url, monkeypatch)
    at.text_input(key="users_add_name").input("lead1")
    at.selectbox(key="users_add_role").select("lead")
    at.text_input(key="users_add_password").input(PASSWORD)
    at.text_input(key="users_add_password2").input(PASSWORD)
    at.button(key="FormSubmitter:users_add-Add account").click().run()
    assert not at.exception
    assert "Added lead1" in at.success[0].value
    assert "lead1" in list(table(at)["name"])
    with db.session_scope(engine) as s:
        assert accounts.authenticate(s, "lead1", PASSWORD).role == "lead"
    # the form starts empty for the next account: no name, and no password of the one just made
    assert [at.text_input(key=k).value for k in ("users_add_name", "users_add_password", "users_add_password2")] \
        == ["", "", ""]


def test_every_problem_with_a_new_account_is_shown(engine, db_url, monkeypatch, people):
    at = users_page(db_url, monkeypatch)
    at.text_input(key="users_add_name").input("Jane Smith")
    at.text_input(key="users_add_password").input("short")
    at.text_input(key="users_add_password2").input("short")
    at.button(key="FormSubmitter:users_add-Add account").click().run()
    problems = at.dataframe[1].value
    assert set(problems["code"]) == {accounts.BAD_NAME, accounts.WEAK_PASSWORD}
    assert list(table(at)["name"]) == ["admin1", "inspector1"]


def test_an_admin_changes_role_and_forces_resets_a_password_and_disables(engine, db_url, monkeypatch, people):
    at = users_page(db_url, monkeypatch)
    at.selectbox(key="users_chosen").select("inspector1").run()
    at.selectbox(key="users_new_role_inspector1").select("lead")
    at.button(key="FormSubmitter:users_role-Change role").click().run()
    assert "inspector1 is now lead" in at.success[0].value
    at.multiselect(key="users_new_forces_inspector1").set_value(["essex", "kent"])
    at.button(key="FormSubmitter:users_forces-Change forces").click().run()
    at.text_input(key="users_reset_password").input("a fresh long passphrase")
    at.text_input(key="users_reset_password2").input("a fresh long passphrase")
    at.button(key="FormSubmitter:users_password-Reset password").click().run()
    assert "Password of inspector1 reset" in at.success[0].value
    at.button(key="users_disable").click().run()
    assert not at.exception
    row = table(at).set_index("name").loc["inspector1"]
    assert (row["role"], row["forces"], row["state"]) == ("lead", "Essex Police, Kent Police", "disabled")
    with db.session_scope(engine) as s:
        changes = [e.detail for e in s.exec(select(AuditEvent).where(AuditEvent.actor == "admin1",
                                                                     AuditEvent.action == audit.USER_CHANGED))]
    assert [c.split('"change": "')[1].split('"')[0] for c in changes] == [
        "role", "forces", "password_reset", "disabled"]
    assert not any("fresh" in c for c in changes)


def test_the_last_admin_cannot_disable_themself(engine, db_url, monkeypatch, people):
    at = users_page(db_url, monkeypatch)
    at.selectbox(key="users_chosen").select("admin1").run()
    at.button(key="users_disable").click().run()
    assert "last active admin" in at.dataframe[1].value["problem"][0]


def test_anyone_changes_their_own_password_with_the_current_one(engine, db_url, monkeypatch, people):
    at = page("pages/account.py", db_url, monkeypatch, user="inspector1").run()
    at.text_input(key="account_current").input("not my password")
    at.text_input(key="account_new").input("a fresh long passphrase")
    at.text_input(key="account_again").input("a fresh long passphrase")
    at.button(key="FormSubmitter:account_password-Change password").click().run()
    assert "not right" in at.dataframe[0].value["problem"][0]
    at.text_input(key="account_current").input(PASSWORD)
    at.text_input(key="account_new").input("a fresh long passphrase")
    at.text_input(key="account_again").input("a fresh long passphrase")
    at.button(key="FormSubmitter:account_password-Change password").click().run()
    assert "Password changed" in at.success[0].value
    with db.session_scope(engine) as s:
        assert accounts.authenticate(s, "inspector1", "a fresh long passphrase").name == "inspector1"


def test_each_account_shows_its_own_role_and_forces(engine, db_url, monkeypatch, people):
    """Choosing another account shows that account's role and forces, not the previous one's
    (a shared key kept admin1's "admin" on screen for an inspector, one press from giving it)."""
    at = users_page(db_url, monkeypatch)
    at.selectbox(key="users_chosen").select("admin1").run()
    assert at.selectbox(key="users_new_role_admin1").value == "admin"
    at.selectbox(key="users_chosen").select("inspector1").run()
    assert at.selectbox(key="users_new_role_inspector1").value == "inspector"
    assert at.multiselect(key="users_new_forces_inspector1").value == ["kent"]
