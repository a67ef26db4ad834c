"""Every figure traced: the cases behind each finding's count and denominator, on the
demonstration data, equal the finding's own count and denominator."""

from __future__ import annotations

import json

import pytest

from fieldwork import cli, db
from fieldwork.problems import ProblemError
from fieldwork.services import findings, tracing
from fieldwork.services.permissions import Actor

LEAD = Actor("lead1", "lead")


@pytest.fixture
def demo_session(demo_engine):
    with db.session_scope(demo_engine) as s:
        yield s


@pytest.mark.parametrize("questionnaire", ["case_review", "pin_review"])
def test_traced_cases_equal_every_overall_count_and_denominator(demo_session, questionnaire):
    report = findings.compute(demo_session, questionnaire)
    for f in report.overall():
        trace = tracing.cases_behind(demo_session, LEAD, questionnaire, f.id, f.answer)
        assert (trace.count, trace.denominator) == (f.count, f.denominator), (f.id, f.answer)
        assert len({c.case_ref for c in trace.cases}) == trace.denominator  # each case once


@pytest.mark.slow
def test_traced_cases_equal_every_group_figure_by_force(demo_session):
    report = findings.compute(demo_session, "case_review", by="force")
    for f in report.findings:
        if f.group is None:
            continue
        trace = tracing.cases_behind(demo_session, LEAD, "case_review", f.id, f.answer, filters={"force": [f.group]})
        assert (trace.count, trace.denominator) == (f.count, f.denominator), (f.id, f.answer, f.group)
        assert {c.force for c in trace.cases} <= {f.group}


def test_trace_rows_say_who_what_and_notes_only_when_asked(demo_session):
    trace = tracing.cases_behind(demo_session, LEAD, "case_review", "initial_risk_assessment", "not_known")
    assert trace.count == 1 and trace.denominator == 112
    first = trace.cases[0]  # counted cases first
    assert first.in_count and first.answer == "not_known" and first.case_ref.startswith("HS-")
    assert first.inspector and first.force and first.note == ""


def test_bad_targets_and_inspectors_are_refused(demo_session):
    with pytest.raises(ProblemError, match="not a code"):
        tracing.cases_behind(demo_session, LEAD, "case_review", "initial_risk_assessment", "maybe")
    with pytest.raises(ProblemError, match="name the answer"):
        tracing.cases_behind(demo_session, LEAD, "case_review", "initial_risk_assessment")
    with pytest.raises(ProblemError, match="no finding"):
        tracing.cases_behind(demo_session, LEAD, "case_review", "nonsense", "yes")
    with pytest.raises(ProblemError, match="may not"):
        tracing.cases_behind(demo_session, Actor("inspector1", "inspector"), "case_review", "plea", "guilty")


def test_cli_cases_lists_the_same(demo_engine, db_url, capsys):
    code = cli.main(["findings", "case_review", "--db", db_url, "--cases", "da_sh_risks_not_assessed",
                     "--format", "text"])
    out, _ = capsys.readouterr()
    assert code == 0 and out.startswith("da_sh_risks_not_assessed") and ": 40 of 82 cases" in out.splitlines()[0]
    assert sum(1 for line in out.splitlines() if line.strip().startswith("counted")) == 40
    code = cli.main(["findings", "case_review", "--db", db_url, "--cases", "avoidable_delay=yes",
                     "--filter", "force=durham", "--format", "json"])
    data = json.loads(capsys.readouterr()[0])
    with db.session_scope(demo_engine) as s:
        f = findings.compute(s, "case_review", by="force").get("avoidable_delay", "yes", "durham")
    assert (data["count"], data["denominator"], len(data["cases"])) == (f.count, f.denominator, f.denominator)
    code = cli.main(["findings", "case_review", "--db", db_url, "--cases", "avoidable_delay=no", "--format", "csv"])
    lines = capsys.readouterr()[0].splitlines()
    assert code == 0 and lines[0].startswith("case_ref,force,inspector,answer,in_count,note,") and len(lines) == 1 + 112
    code = cli.main(["findings", "case_review", "--db", db_url, "--cases", "avoidable_delay"])
    assert code == 1 and "name the answer" in capsys.readouterr()[1]

