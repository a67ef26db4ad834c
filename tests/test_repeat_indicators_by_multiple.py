"""Indicators over the entries of repeat groups broken down by a select_multiple question
(``fieldwork findings --by``): each option's group is the cases that ticked it (the groups
overlap), and in each group every indicator reading entries (count(), sum(), "any entry" tests,
indexed-repeat()) counts the cases a plain re-count of that group gives (Hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from fieldwork import db
from fieldwork.catalog import load_catalog
from fieldwork.questionnaire.xlsform import import_xlsform
from fieldwork.services import findings, inspections
from models import Answer, Assessment, CaseFile, QuestionnaireVersion
from tests.test_repeat_indicators import CASE, FIXED, FORM_ID, INDICATORS, SURVEY, check, maybe, write_cases
from tests.xlsform_collection import xlsx

ROUTES = ("phone", "online", "letter")
_CHARGED = "|        | select_one yes_no    | charged  | Charged?         |\n"
_LAST_CHOICE = "|         | ways      | letter    | Letter    |\n"
assert _CHARGED in SURVEY and _LAST_CHOICE in SURVEY
FORM = (SURVEY.replace(_CHARGED, _CHARGED + "|        | select_multiple routes | routes | Routes of contact |\n")
        .replace(_LAST_CHOICE, _LAST_CHOICE + "".join(f"|         | routes    | {r} | {r.title()} |\n"
                                                       for r in ROUTES)))


def add_form(session):
    if not session.exec(select(QuestionnaireVersion).where(QuestionnaireVersion.questionnaire == FORM_ID)).first():
        q = import_xlsform(xlsx(FORM + INDICATORS), frameworks=load_catalog().frameworks, name="pin_log.xlsx",
                           allow_repeats=True)
        inspections.add_questionnaire(session, q, inspections.inspection_by_code(session, None), actor="test")


def write(session, cases: list[dict]) -> None:
    """test_repeat_indicators' cases, each with its routes ticked (a case-level select_multiple)."""
    write_cases(session, cases)
    for n, case in enumerate(cases, start=1):
        aid = session.exec(select(Assessment.id).join(CaseFile, CaseFile.id == Assessment.case_id)
                           .where(CaseFile.case_ref == f"HS-{n:04d}")).one()
        if case.get("routes") is not None:
            session.add(Answer(assessment_id=aid, question="routes", instance="", value=case["routes"]))
    session.flush()


def by_routes(session, cases):
    report = findings.compute(session, FORM_ID, by="routes")
    ticked = {r: [c for c in cases if r in (c.get("routes") or "").split()] for r in ROUTES}
    assert report.groups == {r: len(mine) for r, mine in ticked.items() if mine}
    for route, mine in ticked.items():
        if mine:
            check(report, mine, group=route)
    check(report, cases)  # the whole population beside the groups
    return report


WITH_ROUTES = [{**FIXED[0], "routes": "phone online"}, {**FIXED[1], "routes": "online"}, {**FIXED[2], "routes": None}]


def test_a_fixed_collection_by_a_select_multiple(engine):
    with db.session_scope(engine) as s:
        add_form(s)
        write(s, WITH_ROUTES)
    with db.session_scope(engine) as s:
        report = by_routes(s, WITH_ROUTES)
    got = {f.group: (f.count, f.denominator) for f in report.findings if f.id == "in_person"}
    assert got["phone"] == (1, 1) and got["online"] == (1, 2)  # HS-0001 is in both groups


CASE_WITH_ROUTES = st.tuples(CASE, maybe(["phone", "online", "phone online", "letter phone", ""])).map(
    lambda pair: {**pair[0], "routes": pair[1]})


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(cases=st.lists(CASE_WITH_ROUTES, min_size=0, max_size=10))
def test_indicators_over_entries_by_a_select_multiple_count_as_a_plain_recount(engine, cases):
    with db.session_scope(engine) as s:
        add_form(s)
    with Session(engine) as s:  # each example's cases rolled back after it
        write(s, cases)
        by_routes(s, cases)
        s.rollback()
