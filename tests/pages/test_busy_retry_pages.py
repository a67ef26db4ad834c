"""Every page that writes offers "Try again" when the database stays busy (components.retry):
the write is refused with a message in words (never SQLite's "database is locked"), nothing is
saved, and Try again — once the database is free — sends the same write again, from the same
form. The fault is injected into the page's writes only (INSERT, UPDATE, DELETE), as a lock
held by a large import refuses them; its reads go through."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fieldwork import db
from fieldwork.services import accounts
from fieldwork.ui import session
from fieldwork.ui.components import retry
from models import AuditEvent, CaseFile, User
from tests.accounts_helpers import PASSWORD, cheap_hashing, make_user  # noqa: F401 (fixture)
from tests.apptest import page
from tests.db_snapshot import snapshot
from tests.wide_helpers import case_review_rows, csv_bytes, row_counts

pytestmark = pytest.mark.usefixtures("cheap_hashing")


def _users(engine):
    with db.session_scope(engine) as s:
        make_user(s, "admin1", "admin")
        make_user(s, "inspector1")


def _add_account(engine, db_url, monkeypatch):
    _users(engine)
    at = page("pages/users.py", db_url, monkeypatch, user="admin1", role="admin").run()
    at.text_input(key="users_add_name").input("lead1")
    at.selectbox(key="users_add_role").select("lead")
    at.text_input(key="users_add_password").input(PASSWORD)
    at.text_input(key="users_add_password2").input(PASSWORD)
    return at, lambda: at.button(key="FormSubmitter:users_add-Add account").click().run()


def _account_added(engine):
    with db.session_scope(engine) as s:
        return accounts.exists(s, "lead1")


def _change_password(engine, db_url, monkeypatch):
    _users(engine)
    at = page("pages/account.py", db_url, monkeypatch, user="inspector1").run()
    _type_passwords(at)
    return at, lambda: at.button(key="FormSubmitter:account_password-Change password").click().run()


def _type_passwords(at):
    at.text_input(key="account_current").input(PASSWORD)
    at.text_input(key="account_new").input("a fresh long passphrase")
    at.text_input(key="account_again").input("a fresh long passphrase")


def _password_changed(engine):
    with db.session_scope(engine) as s:
        hashed = s.execute(select(User.password_hash).where(User.name == "inspector1")).scalar()
    return accounts._verify(hashed, "a fresh long passphrase")


def _add_case(engine, db_url, monkeypatch):
    at = page("pages/cases.py", db_url, monkeypatch).run()
    at.text_input(key="add_case_ref_0").input("HS-0007")
    for name, value in dict(force="durham", domestic_abuse="yes", charged_by="police").items():
        at.selectbox(key=f"add_case_{name}_0").set_value(value)
    return at, lambda: next(b for b in at.button if b.label == "Add case").click().run()


def _case_added(engine):
    with db.session_scope(engine) as s:
        return s.execute(select(func.count()).select_from(CaseFile).where(CaseFile.case_ref == "HS-0007")).scalar() == 1


def _import(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        data = case_review_rows(s, 3)
    at = page("pages/import_data.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.file_uploader[0].set_value(("week1.csv", csv_bytes(data), "text/csv")).run()
    return at, lambda: at.button(key="import_confirm").click().run()


def _imported(engine):
    return row_counts(engine)[1] == 3


def _export(engine, db_url, monkeypatch):
    at = page("pages/export.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    return at, lambda: at.button(key="export_prepare").click().run()


def _exported(engine):
    with db.session_scope(engine) as s:
        return s.execute(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "export")).scalar() == 1


WRITES = {
    "users: add an account": (_add_account, _account_added),
    # passwords are never kept after a submit (the form clears them): typed again, then Try again
    "account: change my password": (_change_password, _password_changed, _type_passwords),
    "cases: add a case": (_add_case, _case_added),
    "import: import the file": (_import, _imported),
    "export: prepare the export (audited)": (_export, _exported),
}


@pytest.mark.parametrize("write", WRITES)
def test_a_busy_database_offers_try_again_on_every_page_that_writes(engine, db_url, monkeypatch, write):
    prepare, saved, *retype = WRITES[write]
    at, press = prepare(engine, db_url, monkeypatch)
    assert not at.exception
    dialect, real = engine.dialect, engine.dialect.do_execute

    def busy(cursor, statement, parameters, context=None):  # a writer holds the database
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            raise dialect.loaded_dbapi.OperationalError("database is locked")
        return real(cursor, statement, parameters, context)

    before = snapshot(engine)
    monkeypatch.setattr(dialect, "do_execute", busy)
    press()
    monkeypatch.setattr(dialect, "do_execute", real)
    assert not at.exception, [e.stack_trace for e in at.exception]
    shown = " ".join([*(e.value for e in at.error),
                      *(" ".join(map(str, d.value["problem"])) for d in at.dataframe if "problem" in d.value)])
    assert "database is busy" in shown and "Nothing was saved" in shown
    assert "locked" not in shown.lower()
    again = [b for b in at.button if b.label == retry.LABEL]
    assert len(again) == 1, [b.label for b in at.button]
    assert snapshot(engine) == before and not saved(engine)

    for typing in retype:
        typing(at)
    again = [b for b in at.button if b.label == retry.LABEL]
    again[0].click().run()  # the database is free again: the same write, from the same form
    assert not at.exception, [e.stack_trace for e in at.exception]
    assert saved(engine), [e.value for e in at.error]
    assert not [b for b in at.button if b.label == retry.LABEL]
