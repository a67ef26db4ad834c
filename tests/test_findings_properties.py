"""Property tests: the database's counts equal a plain re-count in Python, on random data.

Random cases (complete or draft, counted or not, answers that are codes, blank, stale codes
or missing) go into a small questionnaire with not-applicable and not-known codes and three
indicators (one over every case, one whose population is often empty). For random ``by``
variables and filters, every finding must match the re-count below, which follows the
report's conventions as written in the contract, on both ways of counting by group (packed
sums and a plain GROUP BY) and both ways of counting overall (joined to the population, or
every answer less those outside it), on whichever database the suite runs.
"""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select

from fieldwork import db, expr
from fieldwork.services import counting, findings, inspections
from models import Answer, Assessment, CaseFile, QuestionnaireVersion
from tests.forms import build

SURVEY = """
| type              | name | label   | relevant         |
| begin group       | s    | Section |                  |
| select_one grp    | grp  | Group   |                  |
| select_one yna    | qa   | A       |                  |
| select_one ynk    | qb   | B       |                  |
| select_one met_na | qc   | C       | ${qa} = 'yes'    |
| text              | memo | Memo    |                  |
| end group         | s    |         |                  |
"""
CHOICES = """
| list_name | name          | label         |
| grp       | x             | X             |
| grp       | y             | Y             |
| grp       | z             | Z             |
| yna       | yes           | Yes           |
| yna       | no            | No            |
| yna       | na            | Not applicable|
| ynk       | yes           | Yes           |
| ynk       | no            | No            |
| ynk       | not_known     | Not known     |
| met_na    | fully_met     | Fully met     |
| met_na    | partially_met | Partially met |
| met_na    | not_met       | Not met       |
| met_na    | na            | Not applicable|
"""
INDICATORS = """
| id       | label          | population         | condition                               |
| everyone | Not group x    |                    | ${grp} != 'x'                           |
| a_yes    | A yes, B no... | ${qa} = 'yes'      | ${qb} = 'no' or ${qc} = 'fully_met'     |
| rare     | B not known    | ${qb} = 'not_known' | ${qa} = 'na'                           |
"""
QID = "prop_form"
CODES = {"grp": ["x", "y", "z"], "qa": ["yes", "no", "na"], "qb": ["yes", "no", "not_known"],
         "qc": ["fully_met", "partially_met", "not_met", "na"]}


def questionnaire():
    return build(SURVEY, choices=CHOICES, indicators=INDICATORS,
                 settings={"form_id": QID, "version": "1", "framework": "harassment_stalking_2017"})


def value_for(name):
    # a code; sometimes blank, missing (None: no answer row), a stale code, or always na
    return st.one_of(st.sampled_from(CODES[name]), st.sampled_from([None, "", "stale_code"]))


case_strategy = st.fixed_dictionaries({
    "status": st.sampled_from(["complete", "complete", "complete", "draft"]),
    "counted": st.sampled_from([True, True, True, False]),
    "answers": st.fixed_dictionaries({name: value_for(name) for name in CODES}),
})
request_strategy = st.fixed_dictionaries({
    "by": st.sampled_from([None, "grp", "qa", "qb", "qc"]),
    "filters": st.one_of(st.just({}), st.sampled_from(["grp", "qa", "qb"]).flatmap(
        lambda name: st.lists(st.sampled_from(CODES[name]), min_size=1, max_size=2, unique=True).map(
            lambda codes: {name: codes}))),
})


@pytest.fixture
def form(engine):
    q = questionnaire()
    with db.session_scope(engine) as s:
        inspections.add_questionnaire(s, q, inspections.inspection_by_code(s), actor="test")
    return q


def store(engine, cases) -> None:
    """Replace the questionnaire's cases with these (plain inserts: drafts and uncounted too)."""
    with db.session_scope(engine) as s:
        inspection = inspections.inspection_by_code(s)
        version = s.scalar(select(QuestionnaireVersion).where(QuestionnaireVersion.questionnaire == QID))
        ids = select(CaseFile.id).where(CaseFile.questionnaire == QID)
        s.execute(delete(Answer).where(Answer.assessment_id.in_(select(Assessment.id).where(
            Assessment.case_id.in_(ids)))))
        s.execute(delete(Assessment).where(Assessment.case_id.in_(ids)))
        s.execute(delete(CaseFile).where(CaseFile.questionnaire == QID))
        for i, case in enumerate(cases):
            cf = CaseFile(inspection_id=inspection.id, questionnaire=QID, case_ref=f"P-{i:04d}")
            s.add(cf)
            s.flush()
            a = Assessment(case_id=cf.id, questionnaire_version_id=version.id, inspector="inspector1",
                           status=case["status"], counted=case["counted"])
            s.add(a)
            s.flush()
            rows = [{"assessment_id": a.id, "question": k, "value": v}
                    for k, v in case["answers"].items() if v is not None]
            if rows:
                s.execute(insert(Answer), rows)


def half_up(count, denominator):
    if denominator == 0:
        return None
    exact = count * 100 / denominator
    whole = int(exact)
    # decide the half with integers, as a person checking the report would: 62.5 -> 63
    return whole + 1 if count * 100 * 2 - whole * 2 * denominator >= denominator else whole


def recount(q, cases, by, filters):
    """The report's conventions, literally, one case at a time."""
    pop = [c for c in cases if c["status"] == "complete" and c["counted"]
           and all(c["answers"].get(v) in codes for v, codes in filters.items())]
    groups = [g for g in q.codes(by) if any(c["answers"].get(by) == g for c in pop)] if by else []
    expected = {}
    for group in [None, *groups]:
        members = pop if group is None else [c for c in pop if c["answers"].get(by) == group]
        for name, codes in CODES.items():
            values = [c["answers"].get(name) for c in members]
            asked = sum(v in codes for v in values)
            na = values.count("na") if "na" in codes else 0
            nk = values.count("not_known") if "not_known" in codes else 0
            for code in codes:
                denominator = asked if code == "na" else asked - na
                n = values.count(code)
                expected[(name, code, group)] = (n, denominator, half_up(n, denominator), nk, na)
        for ind in q.indicators:
            def holds(text, answers):
                return True if not text else expr.evaluate(text, {k: v for k, v in answers.items() if v})
            in_pop = [c for c in members if holds(ind.population, c["answers"])]
            n = sum(holds(ind.condition, c["answers"]) for c in in_pop)
            expected[(ind.id, None, group)] = (n, len(in_pop), half_up(n, len(in_pop)), 0, 0)
    return len(pop), groups, expected


def check(engine, q, cases, request) -> None:
    cases_n, groups, expected = recount(q, cases, request["by"], request["filters"])
    original = counting.count
    for packed, complement in ((True, False), (False, False), (False, True)):
        with mock.patch.object(counting, "count",
                               lambda *a, **k: original(*a, packed=packed, complement=complement, **k)):
            with db.session_scope(engine) as s:
                report = findings.compute(s, QID, by=request["by"], filters=request["filters"])
        assert report.cases == cases_n
        assert list(report.groups) == groups
        assert sum(report.groups.values()) <= cases_n
        got = {(f.id, f.answer, f.group): (f.count, f.denominator, f.percent, f.not_known, f.not_applicable)
               for f in report.findings}
        assert got == expected, f"packed={packed}, complement={complement}"
        assert report.drafts_excluded == sum(
            c["status"] == "draft" and c["counted"]  # a draft never counted is not work left to do
            and all(c["answers"].get(v) in codes for v, codes in request["filters"].items())
            for c in cases)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.lists(case_strategy, max_size=25), request=request_strategy)
def test_database_counts_equal_a_plain_recount(engine, form, cases, request):
    store(engine, cases)
    check(engine, form, cases, request)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(min_value=0, max_value=12), by=st.sampled_from([None, "grp", "qb"]))
def test_a_question_answered_na_everywhere_has_no_percent(engine, form, n, by):
    cases = [{"status": "complete", "counted": True,
              "answers": {"grp": "xyz"[i % 3], "qa": "na", "qb": "yes", "qc": "na"}} for i in range(n)]
    store(engine, cases)
    check(engine, form, cases, {"by": by, "filters": {}})
    with db.session_scope(engine) as s:
        report = findings.compute(s, QID)
    yes = report.get("qa", "yes")
    assert (yes.count, yes.denominator, yes.percent) == (0, 0, None)
    assert report.get("qa", "na").denominator == n
    assert "no case was asked" in yes.text


def test_an_empty_population_counts_nothing_and_fails_nothing(engine, form):
    store(engine, [])
    with db.session_scope(engine) as s:
        report = findings.compute(s, QID, by="grp")
    assert report.cases == 0 and report.groups == {}
    assert all(f.count == 0 and f.denominator == 0 and f.percent is None for f in report.findings)
    assert len(report.findings) == sum(len(c) for c in CODES.values()) + 3


@pytest.mark.parametrize("count,denominator,percent", [(70, 112, 63), (1, 8, 13), (1, 3, 33), (2, 3, 67),
                                                       (0, 5, 0), (5, 5, 100), (1, 200, 1), (1, 201, 0),
                                                       (0, 0, None)])
def test_percent_rounds_half_up(count, denominator, percent):
    assert findings.percent_half_up(count, denominator) == percent
    assert half_up(count, denominator) == percent
