"""The form's own Python evaluation of a rule reading a question asked per entry, from the case
(a case-level question's skip logic, a calculation, an indicator's expression), follows XPath's
nodeset rule as the indicators' SQL does (fieldwork/expr.py, "a test ... holds when at least one
entry makes it true"): for generated cases, a case-level question whose relevant is an indicator's
population and condition is asked (fieldwork.questionnaire.entries.Entries: the Assess form,
a bundle's checks) exactly for the cases the indicator counts in SQL, as the tracing lists them;
and expr.evaluate over repeat_levels.expression_values (the imports' evaluation) agrees."""

from __future__ import annotations


from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from fieldwork import db, expr
from fieldwork.catalog import load_catalog
from fieldwork.questionnaire.entries import Entries
from fieldwork.questionnaire.repeat_levels import expression_values
from fieldwork.questionnaire.xlsform import import_xlsform
from fieldwork.services import inspections, tracing
from fieldwork.services.permissions import Actor
from models import QuestionnaireVersion
from tests.test_repeat_indicators import CASE, FIXED, FORM_ID, INDICATORS, SURVEY, write_cases
from tests.xlsform_collection import xlsx


def _indicators() -> list[tuple[str, str, str]]:
    """(id, population, condition) of the indicators the SQL counts over entries."""
    rows = [line.split("|")[2:6] for line in INDICATORS.strip().splitlines()[2:]]
    return [(i.strip(), p.strip(), c.strip()) for i, _, p, c in rows]


def _form() -> str:
    """test_repeat_indicators' form with a relevant column, and one case-level question per
    indicator asked when its population and condition hold."""
    survey, rest = SURVEY.split("| choices |")
    lines = survey.strip().splitlines()
    out = [lines[0], lines[1].rstrip() + " relevant |"]
    out += [line.rstrip() + "  |" for line in lines[2:]]
    for iid, population, condition in _indicators():
        rule = f"({population}) and ({condition})" if population else condition
        out.append(f"|        | text | asked_{iid} | Asked {iid} | {rule.replace('|', '')} |")
    return "\n".join(out) + "\n| choices |" + rest + INDICATORS


def build():
    return import_xlsform(xlsx(_form()), frameworks=load_catalog().frameworks, name="pin_log.xlsx",
                          allow_repeats=True)


QUESTIONNAIRE = build()


def add_form(session):
    if not session.exec(select(QuestionnaireVersion).where(QuestionnaireVersion.questionnaire == FORM_ID)).first():
        inspections.add_questionnaire(session, build(), inspections.inspection_by_code(session, None), actor="test")


def stored(case: dict) -> tuple[dict, dict[str, dict], set[str]]:
    """(case answers, entries by instance path, the instance of every row) as write_cases stores them."""
    entries: dict[str, dict] = {}
    for i, pin in enumerate(case["pin"], start=1):
        entries[f"pin[{i}]"] = {q: pin.get(q) for q in ("served", "days", "ways") if q in pin}
    for i, incident in enumerate(case["incident"], start=1):
        entries[f"incident[{i}]"] = {"attended": incident.get("attended")}
        for j, contact in enumerate(incident["contact"], start=1):
            entries[f"incident[{i}]/contact[{j}]"] = {"made": contact.get("made")}
    return {"charged": case["charged"]}, entries, set(entries)


def python_verdicts(case: dict) -> dict[str, tuple[bool, bool]]:
    """Per indicator: (asked by the form's Entries, held by expr over expression_values)."""
    q = QUESTIONNAIRE
    answers, entries, instances = stored(case)
    slots = {k: v for k, v in answers.items() if v not in (None, "")}
    slots.update({f"{path}/{name}": v for path, values in entries.items() for name, v in values.items()
                  if v not in (None, "")})
    asked = Entries(q, slots, instances).asked
    values = expression_values(q, {k: v for k, v in answers.items() if v is not None}, entries)
    out = {}
    for iid, population, condition in _indicators():
        held = (not population or expr.evaluate(population, values)) and expr.evaluate(condition, values)
        out[iid] = (f"asked_{iid}" in asked, held)
    return out


def sql_verdicts(session, n: int) -> dict[str, list[bool]]:
    """Per indicator, each case's verdict in SQL: in the tracing's population and in its count."""
    out = {}
    for iid, _, _ in _indicators():
        traced = {c.case_ref: c.in_count for c in tracing.cases_behind(session, Actor("lead1", "lead"), FORM_ID,
                                                                        iid).cases}
        out[iid] = [traced.get(f"HS-{k:04d}", False) for k in range(1, n + 1)]
    return out


def agree(session, cases):
    sql = sql_verdicts(session, len(cases))
    for k, case in enumerate(cases):
        got = python_verdicts(case)
        for iid, (asked, held) in got.items():
            assert asked == held == sql[iid][k], (iid, case, asked, held, sql[iid][k])


def test_the_form_and_the_sql_agree_on_a_fixed_collection(engine):
    with db.session_scope(engine) as s:
        add_form(s)
        write_cases(s, FIXED)
    with db.session_scope(engine) as s:
        agree(s, FIXED)
    assert python_verdicts(FIXED[0])["in_person"] == (True, True)  # the second PIN was served in person
    assert python_verdicts(FIXED[1])["not_in_person"] == (True, True)  # a PIN with no answer: "" != 'in_person'
    assert python_verdicts(FIXED[2])["in_person"] == (False, False)  # no PIN: every comparison is false


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(cases=st.lists(CASE, min_size=1, max_size=8))
def test_the_form_asks_a_question_exactly_where_the_sql_indicator_holds(engine, cases):
    with db.session_scope(engine) as s:
        add_form(s)
    with Session(engine) as s:  # each example's cases rolled back after it
        write_cases(s, cases)
        agree(s, cases)
        s.rollback()


def test_without_entries_in_view_a_question_asked_per_entry_reads_blank_as_before():
    assert not expr.evaluate("${served} = 'in_person'", {"served": None})
    assert expr.evaluate("${served} != 'in_person'", {})
