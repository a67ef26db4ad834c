"""Every page that writes offers "Try again" when the database stays busy (components.retry):
the write is refused with a message in words (never SQLite's "database is locked"), nothing is
saved, and Try again — once the database is free — sends the same write again, from the same
form. The fault is injected into the page's writes only (INSERT, UPDATE, DELETE), as a lock
held by a large import refuses them; its reads go through."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from fieldwork import db, startup
from fieldwork.services import accounts, counting
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


def _draw_sample(engine, db_url, monkeypatch):
    from tests.pages.test_sample_page import with_frame

    with_frame(engine)
    at = page("pages/sample.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.selectbox(key="sample_draw_inspector").set_value("inspector1")
    return at, lambda: next(b for b in at.button if b.label == "Draw").click().run()


def _drawn(engine):
    from models import SampleDraw

    with db.session_scope(engine) as s:
        return s.execute(select(func.count()).select_from(SampleDraw)).scalar() > 0


def _assign_second_marking(engine, db_url, monkeypatch):
    from tests.laptops import random_answers, score

    for n, force in enumerate(["durham", "durham"], 1):
        score(engine, "inspector1", f"HS-{n:04d}", random_answers(engine, seed=n, force=force))
    with db.session_scope(engine) as s:
        make_user(s, "inspector3", forces=("durham",))
    at = page("pages/second_marking.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.radio(key="sm_by").set_value("Percentage")
    at.number_input(key="sm_percent").set_value(100.0)
    next(b for b in at.button if b.label == "Draw sample").click().run()
    return at, lambda: next(b for b in at.button if b.label.startswith("Assign")).click().run()


def _assigned(engine):
    from models import SecondMarking

    with db.session_scope(engine) as s:
        return s.execute(select(func.count()).select_from(SecondMarking)).scalar() > 0


def _merge_bundle(engine, db_url, monkeypatch):
    import tempfile

    from tests.laptops import export, inspector, random_answers, score, team_accounts

    team_accounts(engine)  # a bundle merges only an account's work
    laptop = db.get_engine(f"sqlite:///{tempfile.mkdtemp()}/laptop.db")
    startup.prepare_and_seed(laptop)
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, seed=1))
    content = export(laptop, inspector("inspector1"))
    at = page("pages/bundles.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.file_uploader(key="bundle_upload").upload("laptop1.fwbundle.zip", content, "application/zip").run()
    return at, lambda: next(b for b in at.button if b.label == "Merge into this database").click().run()


def _merged(engine):
    from models import Assessment

    with db.session_scope(engine) as s:
        return s.execute(select(func.count()).select_from(Assessment)).scalar() == 1


def _save_evidence(engine, db_url, monkeypatch):
    at = page("pages/evidence.py", db_url, monkeypatch, forces=("durham",)).run()
    at.selectbox(key="ev_kind_0").select("interview")
    at.selectbox(key="ev_force_0").select("durham")
    at.date_input(key="ev_date_0").set_value(date(2016, 11, 8))  # the box opens empty (W10)
    at.text_input(key="ev_source_0").input("force stalking SPOC")
    at.text_area(key="ev_summary_0").input("Interview with the SPOC.")
    at.selectbox(key="ev_ex_crit_0_0").select("1.5")
    at.selectbox(key="ev_ex_code_0_0").select("strength")
    at.text_area(key="ev_ex_text_0_0").input("Reviews every stalking report daily.")
    return at, lambda: at.button(key="ev_save").click().run()


def _evidence_saved(engine):
    from models import EvidenceItem

    with db.session_scope(engine) as s:
        return s.execute(select(func.count()).select_from(EvidenceItem)).scalar() == 1


def _load_demo(engine, db_url, monkeypatch):
    at = page("pages/findings.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    return at, lambda: at.button(key="findings_load_demo").click().run()


def _demo_loaded(engine):
    return row_counts(engine)[1] > 0


def _moderate(engine, db_url, monkeypatch):
    from tests.pages.test_quality_pages import _moderation_ready

    marking_id = _moderation_ready(engine)
    at = page("pages/moderation.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.selectbox(key=f"mod_{marking_id}_avoidable_delay").set_value("yes")
    at.selectbox(key=f"mod_{marking_id}_prevention_advice").set_value("yes")
    return at, lambda: next(b for b in at.button if b.label.startswith("Save agreed answers")).click().run()


def _agreed(engine):
    with db.session_scope(engine) as s:
        return s.execute(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "moderation")).scalar() > 0


def _resolve_conflict(engine, db_url, monkeypatch):
    import tempfile

    from tests.laptops import export, inspector, merge, random_answers, score, team_accounts

    team_accounts(engine)  # a bundle merges only an account's work
    laptops = []
    for name in ("a", "b"):
        laptop = db.get_engine(f"sqlite:///{tempfile.mkdtemp()}/{name}.db")
        startup.prepare_and_seed(laptop)
        laptops.append(laptop)
    score(laptops[0], "inspector1", "HS-0001", random_answers(laptops[0], seed=5, avoidable_delay="no"))
    uid_b = score(laptops[1], "inspector2", "HS-0001", random_answers(laptops[1], seed=5, avoidable_delay="yes"))
    merge(engine, export(laptops[0], inspector("inspector1")), "a.fwbundle.zip")
    merge(engine, export(laptops[1], inspector("inspector2")), "b.fwbundle.zip")
    at = page("pages/conflicts.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.radio(key=next(r.key for r in at.radio)).set_value(uid_b).run()
    return at, lambda: next(b for b in at.button if b.label == "Resolve").click().run()


def _resolved(engine):
    from models import Assessment

    with db.session_scope(engine) as s:
        return s.execute(select(func.count()).select_from(Assessment).where(Assessment.conflict)).scalar() == 0


def _judge(engine, db_url, monkeypatch):
    from fieldwork.services import evidence
    from tests.evidence_helpers import LEAD1, add_cases, add_interview

    with db.session_scope(engine) as s:
        add_interview(s)
        add_cases(s, "durham", ["yes"] * 12 + ["no"] * 4)
        ex = next(e.uid for v in evidence.list_evidence(s, LEAD1) for e in v.excerpts if e.criterion == "3.1")
    at = page("pages/judgements.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.selectbox(key="jd_unit").select("durham")
    at.selectbox(key="jd_criterion").select("3.1").run()
    key = "force_durham_3.1_0"
    at.radio(key=f"jd_grade_{key}").set_value("partially_met")
    at.text_area(key=f"jd_rationale_{key}").input("Risk assessed in most cases; officers unsure of DASH.")
    at.multiselect(key=f"jd_ex_{key}").select(ex)
    return at, lambda: at.button(key=f"FormSubmitter:jd_form_{key}-Save judgement").click().run()


def _judged(engine):
    with db.session_scope(engine) as s:
        return s.execute(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("%judg%"))).scalar() > 0


WRITES = {
    "judgements: save a judgement": (_judge, _judged),
    "moderation: save agreed answers": (_moderate, _agreed),
    "conflicts: resolve": (_resolve_conflict, _resolved),
    "evidence: save an interview": (_save_evidence, _evidence_saved),
    "findings: load the demonstration data": (_load_demo, _demo_loaded),
    "sample: draw": (_draw_sample, _drawn),
    "second marking: assign": (_assign_second_marking, _assigned),
    "bundles: merge": (_merge_bundle, _merged),
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
        # ... but not the temporary table findings are counted in (SQLite's temp database, which
        # another connection's write lock does not cover; the Judgements page counts a force's figures)
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE") \
                and counting.POPULATION_TABLE not in statement:
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


def test_the_router_offers_try_again_for_a_busy_refusal_no_page_caught(engine, db_url, monkeypatch):
    """Through the router, as served: the default page's reads meet a busy database; the router
    shows the message and Try again, which runs the page again once the database is free."""
    import re
    import time

    from streamlit.testing.v1 import AppTest

    from tests.apptest import ROOT, _account

    _account(db_url, "lead1", session.LEAD, ())
    monkeypatch.setenv(db.ENV_URL, db_url)
    at = AppTest.from_file(str(ROOT / "fieldwork_app.py"), default_timeout=30)
    at.session_state[session.USER_KEY] = {"name": "lead1", "role": session.LEAD, "forces": []}
    at.session_state[session.SEEN_KEY] = time.time()
    router_reads = re.compile(r"\bFROM (app_user|session_token|inspection)\b(?!.*\bJOIN\b)", re.S)
    dialect, real = engine.dialect, engine.dialect.do_execute

    def busy(cursor, statement, parameters, context=None):
        if not router_reads.search(statement):
            raise dialect.loaded_dbapi.OperationalError("database is locked")
        return real(cursor, statement, parameters, context)

    monkeypatch.setattr(dialect, "do_execute", busy)
    at.run()
    monkeypatch.setattr(dialect, "do_execute", real)
    assert not at.exception, [e.stack_trace for e in at.exception]
    assert "busy" in " ".join(e.value for e in at.error)
    again = [b for b in at.button if b.label == retry.LABEL]
    assert len(again) == 1
    again[0].click().run()
    assert not at.exception and not [b for b in at.button if b.label == retry.LABEL]
    assert not [e for e in at.error if "busy" in e.value]
