"""The counting queries: the indexes they rely on, join limits, and the temporary table."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from fieldwork import db, startup
from fieldwork.problems import ProblemError
from fieldwork.questionnaire.model import Indicator
from fieldwork.services import counting, demo, findings


def test_an_older_database_gains_the_findings_indexes_on_start(engine, db_url):
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_answer_counting"))
        conn.execute(text("DROP INDEX ix_answer_pivot"))
    db.dispose_all()
    engine = startup.open_engine(db_url)  # prepare() runs again, as on the next start
    names = {i["name"] for i in inspect(engine).get_indexes("answer")}
    assert {"ix_answer_counting", "ix_answer_pivot"} <= names


def test_findings_twice_in_one_transaction_leave_no_table_behind(engine):
    with db.session_scope(engine) as s:
        demo.load(s, actor="test")
        first = findings.compute(s, "case_review", by="cps_area")
        second = findings.compute(s, "case_review", by="cps_area")
        assert first.to_dict() == second.to_dict()
        assert counting.POPULATION_TABLE not in inspect(s.connection()).get_temp_table_names()


def test_indicators_beyond_one_join_go_into_more_pivots():
    wide = [Indicator(f"i{n}", "wide", "", " or ".join(f"${{v{n}_{k}}} = 'yes'" for k in range(20)))
            for n in range(4)]
    pivots = counting.plan_pivots(wide, [("q1", ["yes", "no"])])
    assert [len(p.indicators) for p in pivots] == [2, 2]
    assert all(len(p.variables) <= counting.MAX_JOINS for p in pivots)
    assert pivots[-1].questions == [("q1", ["yes", "no"])]


def test_an_indicator_wider_than_a_join_is_refused_by_name():
    too_wide = Indicator("huge", "huge", "", " or ".join(f"${{v{k}}} = 'yes'" for k in range(61)))
    with pytest.raises(ProblemError) as refused:
        counting.plan_pivots([too_wide], [])
    assert refused.value.problems[0].item == "huge"
    assert refused.value.problems[0].code == counting.TOO_MANY_VARIABLES


def test_counting_by_the_complement_equals_counting_by_the_join(engine):
    """Overall counts as every answer less the outsiders' (drafts, not counted, the other
    questionnaire, cases filtered out) are the counts joined to the population, figure for figure."""
    from unittest import mock

    from sqlalchemy import select, update

    from models import Assessment

    original = counting.count
    with db.session_scope(engine) as s:
        demo.load(s, actor="test")
        ids = s.scalars(select(Assessment.id).order_by(Assessment.id)).all()
        s.execute(update(Assessment).where(Assessment.id.in_(ids[::7])).values(status="draft"))
        s.execute(update(Assessment).where(Assessment.id.in_(ids[3::11])).values(counted=False))
        for qid, filters in (("case_review", {}), ("pin_review", {}), ("case_review", {"force": ["durham", "gwent"]})):
            reports = []
            for complement in (True, False):
                with mock.patch.object(counting, "count", lambda *a, **k: original(*a, complement=complement, **k)):
                    reports.append(findings.compute(s, qid, filters=filters).to_dict())
            assert reports[0] == reports[1]
            assert reports[0]["cases"] > 0 and reports[0]["drafts_excluded"] > 0
