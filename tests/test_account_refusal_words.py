"""An account's refusal speaks of the account and its fields, never of a "question" and its
"column" (walk 25, V7: `fieldwork user add '@evil'` said "question '@evil': column 'name': …"),
and names the account as it was typed; the Users page says it in words too."""

from __future__ import annotations

import io

import pytest

from fieldwork import db
from fieldwork.cli import main
from fieldwork.problems import ProblemError
from fieldwork.services import accounts
from fieldwork.services.permissions import command_line_actor
from tests.accounts_helpers import PASSWORD, cheap_hashing, make_user  # noqa: F401 (fixture)
from tests.apptest import page

pytestmark = pytest.mark.usefixtures("cheap_hashing")


def _add(monkeypatch, db_url, name: str, *more) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    return main(["--db", db_url, "user", "add", name, "--role", "inspector", "--password-stdin", *more])


@pytest.mark.parametrize("name", ["@evil", "=SUM(1+1)"])
def test_the_command_names_the_account_as_typed_and_its_field(engine, db_url, monkeypatch, capsys, name):
    assert _add(monkeypatch, db_url, name) == 1
    err = capsys.readouterr().err
    assert f"account {name!r}: name: use 2 to 32 lower-case letters" in err, err
    assert "question" not in err and "column" not in err


def test_a_name_taken_and_the_services_refusals_name_the_account(engine, db_url, monkeypatch, capsys):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
    assert _add(monkeypatch, db_url, "Inspector1") == 1
    assert "account 'Inspector1': name: there is already an account 'inspector1'" in capsys.readouterr().err
    with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:
        accounts.add_user(s, command_line_actor(), "inspector9", "boss", "inspector9 password", ["atlantis"])
    lines = [str(p) for p in caught.value.problems]
    assert "account 'inspector9': role: 'boss' is not a role: use one of inspector, lead, admin" in lines
    assert any(line.startswith("account 'inspector9': forces: 'atlantis' is not a force code") for line in lines)
    assert "account 'inspector9': password: a password must not contain the account's name" in lines
    assert all("question" not in line and "column" not in line for line in lines), lines
    assert caught.value.summary == "account 'inspector9' not added"


def test_the_users_page_says_it_in_words(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        make_user(s, "admin1", "admin")
    at = page("pages/users.py", db_url, monkeypatch, user="admin1", role="admin").run()
    at.text_input(key="users_add_name").input("@evil")
    at.text_input(key="users_add_password").input(PASSWORD)
    at.text_input(key="users_add_password2").input(PASSWORD)
    at.button(key="FormSubmitter:users_add-Add account").click().run()
    assert not at.exception
    assert at.error[0].value == "Account '@evil' not added."
    (sentence,) = at.dataframe[1].value["problem"]
    assert sentence.startswith("Account @evil: use 2 to 32 lower-case letters"), sentence
    assert "question" not in sentence.lower() and "column" not in sentence.lower()
