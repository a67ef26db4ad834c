"""A question asked per entry read inside arithmetic at the case level (``${days} + 1 > 10``):
the indicators' SQL (fieldwork.services.entry_indicators, through the tracing's count) and the
form's own Python evaluation (expr.evaluate over repeat_levels.expression_values) agree case by
case: the comparison holding it is tried entry by entry in both, never a blank in one and the
first entry in the other (fieldwork/expr.py, "a test ... holds when at least one entry makes it
true")."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from fieldwork import db, expr
from fieldwork.catalog import load_catalog
from fieldwork.questionnaire.repeat_levels import expression_values
from fieldwork.questionnaire.xlsform import import_xlsform
from fieldwork.services import inspections, tracing
from fieldwork.services.permissions import Actor
from models import QuestionnaireVersion
from tests.test_repeat_indicators import FORM_ID, SURVEY, write_cases
from tests.xlsform_collection import xlsx

INDICATORS = """
| indicators |
|            | id             | label          | population         | condition                              |
|            | plus_one       | Plus one       |                    | ${days} + 1 > 10                       |
|            | twice          | Twice          |                    | ${days} * 2 - 1 >= 9                   |
|            | with_count     | With count     |                    | ${days} + count(${pin}) > 6            |
|            | in_if          | In if          |                    | if(${days} > 3, 1, 0) + 1 = 2          |
|            | halves         | Halves         |                    | ${days} div 2 >= 3                     |
|            | number_of      | Number of      |                    | number(${days}) - 3 < 0                |
|            | not_five       | Not five       |                    | ${days} + 0 != 5                       |
|            | charged_slow   | Charged slow   | ${charged} = 'yes' | ${days} + 1 > 10 and ${charged} = 'yes' |
|            | none_over      | None over      |                    | not(${days} - 10 > 0)                  |
"""
QUESTIONNAIRE = import_xlsform(xlsx(SURVEY + INDICATORS), frameworks=load_catalog().frameworks,
                               name="pin_log.xlsx", allow_repeats=True)
IDS = [ind.id for ind in QUESTIONNAIRE.indicators]

# days as stored: numbers, blanks, and what an import could leave (space around, a date)
DAYS = st.one_of(st.none(), st.sampled_from(["0", "3", "4", "5", "11", "25", "", " 7", "2.5", "-2", "x",
                                             "1970-01-12"]))
PIN = st.fixed_dictionaries({"served": st.none()}, optional={"days": DAYS})
CASE = st.fixed_dictionaries({"charged": st.one_of(st.none(), st.sampled_from(["yes", "no"])),
                              "pin": st.lists(PIN, max_size=3), "incident": st.just([])})


def python_verdicts(case: dict) -> dict[str, bool]:
    entries = {f"pin[{i}]": {q: pin.get(q) for q in ("served", "days") if q in pin}
               for i, pin in enumerate(case["pin"], start=1)}
    answers = {"charged": case["charged"]} if case["charged"] is not None else {}
    values = expression_values(QUESTIONNAIRE, answers, entries)
    out = {}
    for ind in QUESTIONNAIRE.indicators:
        out[ind.id] = ((not ind.population or expr.evaluate(ind.population, values))
                       and expr.evaluate(ind.condition, values))
    return out


def sql_verdicts(session, n: int) -> dict[str, list[bool]]:
    out = {}
    for iid in IDS:
        traced = {c.case_ref: c.in_count for c in tracing.cases_behind(session, Actor("lead1", "lead"), FORM_ID,
                                                                        iid).cases}
        out[iid] = [traced.get(f"HS-{k:04d}", False) for k in range(1, n + 1)]
    return out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(cases=st.lists(CASE, min_size=1, max_size=8))
@example(cases=[{"charged": "yes", "pin": [{"served": None, "days": "3"}, {"served": None, "days": "11"}],
                 "incident": []},  # the second entry, not the first: any entry holds
                {"charged": "no", "pin": [{"served": None, "days": " 7"}, {"served": None}], "incident": []},
                {"charged": None, "pin": [{"served": None, "days": "1970-01-12"}], "incident": []},
                {"charged": None, "pin": [], "incident": []}])
def test_a_question_asked_per_entry_inside_arithmetic_counts_as_python_evaluates_it(engine, cases):
    with db.session_scope(engine) as s:
        if not s.exec(select(QuestionnaireVersion).where(QuestionnaireVersion.questionnaire == FORM_ID)).first():
            inspections.add_questionnaire(s, QUESTIONNAIRE, inspections.inspection_by_code(s, None), actor="test")
    with Session(engine) as s:  # each example's cases rolled back after it
        write_cases(s, cases)
        sql = sql_verdicts(s, len(cases))
        for k, case in enumerate(cases):
            for iid, held in python_verdicts(case).items():
                assert sql[iid][k] is held, (iid, case)
        s.rollback()
