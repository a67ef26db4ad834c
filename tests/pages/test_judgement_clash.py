"""Judgements, two leads on one cell (F14): the second lead's save is refused in words with both
grades, their choice stays in the form, and they keep theirs or the stored one. Two AppTest
sessions on one database, the second one's save after the first's."""

from __future__ import annotations

import pytest

from fieldwork import db
from fieldwork.problem_codes import JUDGEMENT_CHANGED
from fieldwork.problems import ProblemError
from fieldwork.services import judgements
from fieldwork.ui import session
from tests.apptest import page
from tests.evidence_helpers import LEAD1, LEAD2

CELL = dict(unit_type="force", unit="durham", criterion="3.1")
FORM = "force_durham_3.1"


def _open(db_url, monkeypatch, user):
    at = page("pages/judgements.py", db_url, monkeypatch, user=user, role=session.LEAD).run()
    at.selectbox(key="jd_unit").select("durham")
    at.selectbox(key="jd_criterion").select("3.1").run()
    assert not at.exception
    return at


def _judge_on_page(at, version: int, grade: str, rationale: str):
    at.radio(key=f"jd_grade_{FORM}_{version}").set_value(grade)
    at.text_area(key=f"jd_rationale_{FORM}_{version}").input(rationale)
    return at.button(key=f"FormSubmitter:jd_form_{FORM}_{version}-Save judgement").click().run()


def _stored(engine):
    with db.session_scope(engine) as s:
        return judgements.view(s, LEAD1, **CELL)


def test_the_second_lead_is_told_and_keeps_their_grade(engine, db_url, monkeypatch):
    lead_a = _open(db_url, monkeypatch, "lead1")
    lead_b = _open(db_url, monkeypatch, "lead2")
    _judge_on_page(lead_b, 0, "partially_met", "Risk assessed in most cases.")
    assert "Judged 3.1" in lead_b.success[0].value

    lead_a.run()  # any click on lead A's page says so before they save
    assert any("lead2 judged this cell (Partially met)" in i.value for i in lead_a.info)
    _judge_on_page(lead_a, 0, "not_met", "Risk assessment rarely done at first contact.")
    assert not lead_a.exception and not lead_a.success
    [refusal] = [w.value for w in lead_a.warning if "not saved" in w.value]
    assert "lead2 judged this cell" in refusal and "Yours: **Not met**" in refusal
    assert "Stored now: **Partially met** by lead2" in refusal
    # the lead's choice is still in the form they filled in
    assert lead_a.radio(key=f"jd_grade_{FORM}_0").value == "not_met"
    assert lead_a.text_area(key=f"jd_rationale_{FORM}_0").value.startswith("Risk assessment rarely")
    assert _stored(engine).grade == "partially_met"

    lead_a.button(key=f"jd_clash_mine_{FORM}").click().run()
    assert not lead_a.exception and not lead_a.error
    assert "Judged 3.1 for" in lead_a.success[0].value and "Not met" in lead_a.success[0].value
    assert not any("not saved" in w.value for w in lead_a.warning)
    stored = _stored(engine)
    assert (stored.grade, stored.judged_by, stored.version) == ("not_met", "lead1", 2)
    assert [(h["judged_by"], h["grade"]) for h in stored.history] == [("lead2", "partially_met"),
                                                                      ("lead1", "not_met")]
    assert lead_a.radio(key=f"jd_grade_{FORM}_2").value == "not_met"  # the form opened afresh on the saved one


def test_the_second_lead_keeps_the_stored_grade(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        judgements.judge(s, LEAD1, **CELL, grade="met", rationale="First look.")
    lead_a = _open(db_url, monkeypatch, "lead1")
    lead_b = _open(db_url, monkeypatch, "lead2")
    _judge_on_page(lead_b, 1, "partially_met", "Second look: most cases only.")
    assert "Judged 3.1" in lead_b.success[0].value

    _judge_on_page(lead_a, 1, "not_met", "Third look.")
    assert any("Stored now: **Partially met** by lead2" in w.value for w in lead_a.warning)
    lead_a.button(key=f"jd_clash_stored_{FORM}").click().run()
    assert not lead_a.exception and not lead_a.error and not lead_a.success
    assert not any("not saved" in w.value for w in lead_a.warning)
    assert lead_a.radio(key=f"jd_grade_{FORM}_2").value == "partially_met"
    assert lead_a.text_area(key=f"jd_rationale_{FORM}_2").value == "Second look: most cases only."
    stored = _stored(engine)
    assert (stored.grade, stored.judged_by, stored.version) == ("partially_met", "lead2", 2)


def test_keep_mine_after_a_third_change_is_refused_again(engine, db_url, monkeypatch):
    lead_a = _open(db_url, monkeypatch, "lead1")
    with db.session_scope(engine) as s:
        judgements.judge(s, LEAD2, **CELL, grade="met", rationale="lead2's look.")
    _judge_on_page(lead_a, 0, "not_met", "lead1's look.")
    assert any("Stored now: **Met** by lead2" in w.value for w in lead_a.warning)
    with db.session_scope(engine) as s:  # lead2 changes it again while lead1 reads the refusal
        judgements.judge(s, LEAD2, **CELL, grade="partially_met", rationale="lead2 again.", expected_version=1)
    lead_a.button(key=f"jd_clash_mine_{FORM}").click().run()
    assert not lead_a.success  # never saved over a judgement the lead was not shown
    assert any("Stored now: **Partially met** by lead2" in w.value for w in lead_a.warning)
    assert _stored(engine).grade == "partially_met"


def test_the_service_names_the_stored_grade_in_words(session):
    judgements.judge(session, LEAD2, **CELL, grade="partially_met", rationale="r")
    with pytest.raises(ProblemError) as stale:
        judgements.judge(session, LEAD1, **CELL, grade="not_met", rationale="r", expected_version=0)
    [problem] = stale.value.problems
    assert problem.code == JUDGEMENT_CHANGED and "(now Partially met)" in problem.message
    with pytest.raises(ProblemError) as unseen:
        judgements.judge(session, LEAD1, **CELL, grade="not_met", rationale="r")
    assert "lead2 has already judged this (Partially met)" in unseen.value.problems[0].message
