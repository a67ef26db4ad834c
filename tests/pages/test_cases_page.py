"""The Cases page through AppTest: the register, progress against the sample, adding a case
(and being refused with every problem), and opening a case in Assess."""

from __future__ import annotations

import time

from sqlmodel import select
from streamlit.testing.v1 import AppTest

from fieldwork import db
from fieldwork.ui import session
from models import Assessment, CaseFile
from tests.accounts_helpers import cheap_hashing, make_user  # noqa: F401  (fixture)
from tests.apptest import ROOT, page
from tests.assess_helpers import INSPECTOR2, add

CASES = "pages/cases.py"


def fill(at: AppTest, n: int = 0, ref: str = "HS-0007", **context) -> AppTest:
    at.text_input(key=f"add_case_ref_{n}").input(ref)
    for name, value in context.items():
        at.selectbox(key=f"add_case_{name}_{n}").set_value(value)
    return at


def submit(at: AppTest) -> AppTest:
    return next(b for b in at.button if b.label == "Add case").click().run()


def register(at):
    return at.dataframe[1].value


def progress(at):
    return at.dataframe[0].value


def test_an_inspector_adds_a_case_and_sees_it_in_the_register(engine, db_url, monkeypatch):
    at = page(CASES, db_url, monkeypatch).run()
    assert not at.exception
    assert "No cases yet" in at.info[0].value
    durham = progress(at).set_index("Force").loc["Durham Constabulary"]
    assert (durham["Complete in the sample"], durham["Sample target"]) == (0, 16)

    submit(fill(at, force="durham", domestic_abuse="yes", charged_by="police"))
    assert not at.exception
    assert "Added HS-0007" in at.success[0].value
    rows = register(at)
    assert list(rows["Case"]) == ["HS-0007"] and list(rows["Status"]) == ["not started"]
    assert list(rows["Inspector(s)"]) == ["inspector1"]
    assert at.text_input(key="add_case_ref_1").value == ""  # the form starts empty for the next case
    with db.session_scope(engine) as s:
        assert s.exec(select(Assessment.inspector).join(CaseFile).where(CaseFile.case_ref == "HS-0007")).one() \
            == "inspector1"


def test_a_refused_case_lists_every_problem_and_keeps_what_was_typed(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        add(s, ref="HS-0001")
    at = page(CASES, db_url, monkeypatch).run()
    submit(fill(at, ref="Jane Doe"))
    problems = " ".join(at.dataframe[-1].value["problem"])
    assert "case reference" in problems and "force" in problems
    assert at.text_input(key="add_case_ref_0").value == "Jane Doe"  # nothing typed is lost
    at.text_input(key="add_case_ref_0").input("hs-0001")
    at.selectbox(key="add_case_force_0").set_value("gwent")
    submit(at)
    assert "already in the register" in " ".join(at.dataframe[-1].value["problem"])
    with db.session_scope(engine) as s:
        assert len(s.exec(select(CaseFile)).all()) == 1


def test_the_register_filters_by_force_status_and_inspector(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        add(s, ref="HS-0001", force="durham")
        add(s, ref="HS-0002", force="gwent")
        add(s, actor=INSPECTOR2, ref="HS-0003", force="gwent")
    at = page(CASES, db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    assert list(register(at)["Case"]) == ["HS-0001", "HS-0002", "HS-0003"]
    at.multiselect(key="cases_forces").select("gwent").run()
    assert list(register(at)["Case"]) == ["HS-0002", "HS-0003"]
    assert list(progress(at)["Force"]) == ["Gwent Police"]
    at.selectbox(key="cases_inspector").set_value("inspector2").run()
    assert list(register(at)["Case"]) == ["HS-0003"]
    at.multiselect(key="cases_statuses").select("complete").run()
    assert not at.dataframe[1:] and "No cases match" in at.info[0].value


def test_an_admin_sees_the_register_but_adds_no_case(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        add(s, ref="HS-0001")
    at = page(CASES, db_url, monkeypatch, user="admin1", role=session.ADMIN).run()
    assert list(register(at)["Case"]) == ["HS-0001"]
    assert not [b for b in at.button if b.label == "Add case"]


def test_opening_a_case_switches_to_assess_with_the_case_in_the_address(engine, db_url, monkeypatch, cheap_hashing):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
        add(s, ref="HS-0001")
        new = add(s, ref="HS-0002")
    monkeypatch.setenv(db.ENV_URL, db_url)
    at = AppTest.from_file(str(ROOT / "fieldwork_app.py"), default_timeout=30)
    at.session_state[session.USER_KEY] = {"name": "inspector1", "role": session.INSPECTOR, "forces": []}
    at.session_state[session.SEEN_KEY] = time.time()
    at.run()
    at.switch_page("pages/cases.py").run()
    at.selectbox(key="cases_open_pick").set_value(new.case_id)
    at.button(key="cases_open").click().run()
    assert not at.exception
    assert at.title[0].value == "Assess"
    assert at.query_params["case"] == str(new.case_id)
    assert at.selectbox(key="assess_case").value == new.case_id


def test_an_inspector_limited_to_forces_is_offered_only_those(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        add(s, ref="HS-0001", force="durham")
        add(s, ref="HS-0002", force="gwent")
    at = page(CASES, db_url, monkeypatch, user="inspector3", forces=("gwent",)).run()
    assert list(register(at)["Case"]) == ["HS-0002"]
    assert list(progress(at)["Force"]) == ["Gwent Police"]
    assert at.selectbox(key="add_case_force_0").options == ["Gwent Police"]
