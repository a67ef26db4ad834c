"""``fieldwork user ...``: the first admin is made on the command line, acting as the
operating-system user; passwords come from a prompt or one line of stdin, never an argument."""

from __future__ import annotations

import io

import pytest
from sqlmodel import select

from fieldwork import audit, db
from fieldwork.cli import main
from fieldwork.commands import users
from fieldwork.services import accounts
from models import AuditEvent
from tests.accounts_helpers import PASSWORD, cheap_hashing  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("cheap_hashing")


def run(monkeypatch, db_url, *argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--db", db_url, *argv])


def test_user_add_with_password_stdin_makes_an_account_that_signs_in(engine, db_url, monkeypatch, capsys):
    assert run(monkeypatch, db_url, "user", "add", "admin1", "--role", "admin", "--password-stdin",
               stdin=PASSWORD + "\n") == 0
    assert "added admin1 (admin)" in capsys.readouterr().out
    with db.session_scope(engine) as s:
        assert accounts.authenticate(s, "admin1", PASSWORD).role == "admin"
        (added,) = s.exec(select(AuditEvent).where(AuditEvent.action == audit.USER_CHANGED)).all()
        assert added.actor == audit.os_user() and added.actor.startswith("os:")


def test_user_add_prompts_twice_and_refuses_two_different_passwords(engine, db_url, monkeypatch, capsys):
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr(users.getpass, "getpass", lambda prompt="": next(answers))
    assert run(monkeypatch, db_url, "user", "add", "lead1", "--role", "lead") == 1
    assert "differ" in capsys.readouterr().err
    answers = iter([PASSWORD, PASSWORD])
    assert run(monkeypatch, db_url, "user", "add", "lead1", "--role", "lead", "--forces", "kent,essex") == 0
    assert "forces essex, kent" in capsys.readouterr().out


def test_user_add_names_every_problem_and_exits_1(engine, db_url, monkeypatch, capsys):
    assert run(monkeypatch, db_url, "user", "add", "inspector1", "--role", "inspector", "--forces", "gotham",
               "--password-stdin", stdin="short\n") == 1
    err = capsys.readouterr().err
    assert "gotham" in err and "at least 12" in err
    assert run(monkeypatch, db_url, "user", "add", "Jane Smith", "--role", "inspector", "--password-stdin",
               stdin=PASSWORD + "\n") == 1
    assert "no spaces" in capsys.readouterr().err


def test_user_list_passwd_disable_enable(engine, db_url, monkeypatch, capsys):
    run(monkeypatch, db_url, "user", "add", "inspector1", "--role", "inspector", "--password-stdin",
        stdin=PASSWORD + "\n")
    assert run(monkeypatch, db_url, "user", "passwd", "inspector1", "--password-stdin",
               stdin="another long passphrase\n") == 0
    assert run(monkeypatch, db_url, "user", "disable", "inspector1") == 0
    capsys.readouterr()
    assert run(monkeypatch, db_url, "user", "list") == 0
    out = capsys.readouterr().out
    assert "inspector1\tinspector\tall\tdisabled\tnever" in out
    assert run(monkeypatch, db_url, "user", "enable", "inspector1") == 0
    with db.session_scope(engine) as s:
        assert accounts.authenticate(s, "inspector1", "another long passphrase").name == "inspector1"
    assert run(monkeypatch, db_url, "user", "passwd", "nobody9", "--password-stdin", stdin=PASSWORD + "\n") == 1
    assert "no account 'nobody9'" in capsys.readouterr().err


def test_user_list_on_a_fresh_database_says_how_to_add_the_first_admin(engine, db_url, monkeypatch, capsys):
    assert run(monkeypatch, db_url, "user", "list") == 0
    assert "fieldwork user add NAME --role admin" in capsys.readouterr().out


def test_serve_on_a_database_without_accounts_says_how_to_make_the_first_admin(engine, db_url, capsys):
    users.offer_first_admin(db_url, interactive=False)
    assert "fieldwork user add NAME --role admin" in capsys.readouterr().err


def test_serve_at_a_terminal_offers_to_make_the_first_admin(engine, db_url, monkeypatch, capsys):
    typed = iter(["y", "Jane Smith", "admin1"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(typed))
    monkeypatch.setattr(users.getpass, "getpass", lambda prompt="": PASSWORD)
    users.offer_first_admin(db_url, interactive=True)
    captured = capsys.readouterr()
    assert "no spaces" in captured.err and "added admin1 (admin)" in captured.out
    users.offer_first_admin(db_url, interactive=True)  # there is an account now: says nothing
    assert capsys.readouterr().err == ""


def test_user_add_refuses_a_taken_name_before_asking_for_a_password(engine, db_url, monkeypatch, capsys):
    run(monkeypatch, db_url, "user", "add", "lead1", "--role", "lead", "--password-stdin", stdin=PASSWORD + "\n")
    monkeypatch.setattr(users.getpass, "getpass", lambda prompt="": pytest.fail("asked for a password"))
    assert run(monkeypatch, db_url, "user", "add", "LEAD1", "--role", "admin") == 1
    assert "already an account 'lead1'" in capsys.readouterr().err
