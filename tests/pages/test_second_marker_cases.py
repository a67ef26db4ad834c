"""A second marker on the Cases page: the case they were given reads "complete" in the register
(its first marking is), but their own work on it is listed as it stands ("second marking, not
started", then "draft") and offered as "Continue HS-0030, your second marking" (walk 23, F5)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import event
from streamlit.testing.v1 import AppTest

from fieldwork import db
from fieldwork.services import assessments, inspections, own_assessments, second_marking
from fieldwork.services.permissions import INSPECTOR, LEAD, Actor
from fieldwork.ui import session
from tests.accounts_helpers import cheap_hashing, make_user  # noqa: F401  (fixture)
from tests.apptest import ROOT, page
from tests.assess_helpers import add, full_answers
from tests.laptops import edit, random_answers, score

CASES = "pages/cases.py"
MARKER = Actor("inspector3", INSPECTOR)


@pytest.fixture
def assigned(engine, cheap_hashing):
    """HS-0030 scored and complete by inspector2, given to inspector3 to second-mark; inspector3
    also has a draft of their own (HS-0029) and a case of inspector2's they have nothing to do with."""
    first = score(engine, "inspector2", "HS-0030", random_answers(engine, seed=30, force="durham"))
    score(engine, "inspector2", "HS-0032", random_answers(engine, seed=32, force="durham"))
    with db.session_scope(engine) as s:
        make_user(s, "inspector3")
        add(s, MARKER, ref="HS-0029")
        marking, = second_marking.assign(s, Actor("lead1", LEAD), {first: "inspector3"})
        case_id = marking.case_id
        return case_id, assessments.own_assessment(s, MARKER, case_id)


def marker_page(db_url, monkeypatch):
    return page(CASES, db_url, monkeypatch, user="inspector3").run()


def register(at):
    return at.dataframe[1].value.set_index("Case")


def offered(at) -> list[str]:
    """"Open one of your cases": its labels, which hold only what never changes (stop 25: a status
    in them lost the choice when a save elsewhere changed it); the status is in the register."""
    return at.selectbox(key="cases_open_pick").options


def test_the_second_marking_waits_on_the_landing_page_with_its_own_status(engine, db_url, monkeypatch, assigned):
    at = marker_page(db_url, monkeypatch)
    assert not at.exception, at.exception
    labels = [b.label for b in at.button]
    assert "Continue HS-0030, your second marking" in labels
    assert "Start HS-0029, not started yet" in labels  # their own first marking, in the register's words
    assert sorted(offered(at)) == ["HS-0029", "HS-0030 · second marking"]
    rows = register(at)
    assert rows.loc["HS-0030", "Status"] == "complete"  # the case: its counted (first) marking
    assert rows.loc["HS-0030", "Your assessment"] == "second marking, not started"
    assert rows.loc["HS-0029", "Your assessment"] == "not started"
    assert rows.loc["HS-0032", "Your assessment"] == ""  # not theirs


def test_a_started_second_marking_reads_draft_and_a_complete_one_waits_no_more(engine, db_url, monkeypatch,
                                                                               assigned):
    case_id, uid = assigned
    with db.session_scope(engine) as s:
        version = assessments.load(s, MARKER, uid).version
        assessments.save(s, MARKER, uid, version, {"initial_risk_assessment": ("yes", None)})
    at = marker_page(db_url, monkeypatch)
    assert register(at).loc["HS-0030", "Your assessment"] == "second marking, draft"
    assert "Continue HS-0030, your second marking" in [b.label for b in at.button]

    with db.session_scope(engine) as s:
        given = assessments.load(s, MARKER, uid).answers
    # the first marker's answers: the same case facts, so the same questions are asked
    edit(engine, "inspector3", uid, {k: (v, None) for k, v in random_answers(engine, seed=30, force="durham").items()
                                      if k not in given})
    at = marker_page(db_url, monkeypatch)
    assert not at.exception, at.exception
    assert "Continue HS-0030, your second marking" not in [b.label for b in at.button]
    assert register(at).loc["HS-0030", "Your assessment"] == "second marking, complete"


def test_continue_opens_the_second_marking_in_assess(engine, db_url, monkeypatch, assigned):
    case_id, uid = assigned
    monkeypatch.setenv(db.ENV_URL, db_url)
    at = AppTest.from_file(str(ROOT / "fieldwork_app.py"), default_timeout=30)
    at.session_state[session.USER_KEY] = {"name": "inspector3", "role": session.INSPECTOR, "forces": []}
    at.session_state[session.SEEN_KEY] = time.time()
    at.run()
    at.switch_page("pages/cases.py").run()
    at.button(key="cases_continue_second").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Assess"
    assert at.query_params["case"] == str(case_id)
    assert "second assessment by inspector3" in " ".join(c.value for c in at.caption)


def test_own_reads_every_case_in_one_query_and_prefers_the_primary_scoring(engine, assigned):
    case_id, uid = assigned
    statements = []

    def count(*_args):
        statements.append(1)

    with db.session_scope(engine) as s:
        inspection = inspections.resolve(s, None)  # the page holds the row: no query for it
        event.listen(engine, "before_cursor_execute", count)
        try:
            mine = own_assessments.own(s, MARKER, inspection=inspection)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert {o.case_ref: o.label for o in mine.values()} == {"HS-0030": "second marking, not started",
                                                           "HS-0029": "not started"}
    assert len(statements) == 1  # every case at once, ranked in SQL
    assert own_assessments.Own(1, "HS-0001", "agreed", "draft", None).label == "agreed version, draft"


def test_assess_resumes_at_the_waiting_second_marking_and_names_it(engine, db_url, monkeypatch, assigned):
    case_id, uid = assigned
    # their own first marking of HS-0029 complete: the second marking is the only work left
    with db.session_scope(engine) as s:
        own_case = next(cid for cid, o in own_assessments.own(s, MARKER, inspection=None).items()
                        if o.case_ref == "HS-0029")
        own_uid = assessments.own_assessment(s, MARKER, own_case)
        view = assessments.load(s, MARKER, own_uid)
    given = {k: v for k, v in view.answers.items() if k != "case_ref"}
    edit(engine, "inspector3", own_uid, {k: (v, None) for k, v in full_answers(view.questionnaire, given).items()
                                          if k not in given})
    at = page("pages/assess.py", db_url, monkeypatch, user="inspector3").run()  # no case in the address
    assert not at.exception, at.exception
    pick = at.selectbox(key="assess_case")
    assert pick.value == case_id  # not HS-0029 (first in the list, complete): the register says both are complete
    labels = {o.split(" · ")[0]: o for o in pick.options}
    assert labels["HS-0030"].endswith(" · second marking") and "second marking" not in labels["HS-0029"]
