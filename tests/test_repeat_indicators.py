"""Indicators reading the entries of repeat groups (issue 12), counted in SQL: count() and sum()
over a case's entries, and a test on a question asked per entry holding for the case when it holds
for at least one entry (XPath's nodeset comparison). Checked against a plain Python re-count of
the same cases (Hypothesis), by the findings, their breakdowns, the tracing of an indicator and the
findings JSON (``unit: "cases"``); what has no meaning is refused with what and why."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.questionnaire import entry_terms
from fieldwork.questionnaire.xlsform import import_xlsform
from fieldwork.catalog import load_catalog
from fieldwork.services import findings, findings_formats, inspections, tracing
from fieldwork.services.permissions import Actor
from models import COMPLETE, Answer, Assessment, CaseFile, QuestionnaireVersion
from tests.xlsform_collection import xlsx

FORM_ID = "pin_log"
SURVEY = """
| survey |
|        | type                 | name     | label            |
|        | select_one yes_no    | charged  | Charged?         |
|        | begin repeat         | pin      | PIN issued       |
|        | select_one served    | served   | How served       |
|        | integer              | days     | Days to serve    |
|        | select_multiple ways | ways     | Ways it was sent |
|        | end repeat           |          |                  |
|        | begin repeat         | incident | Incident         |
|        | select_one yes_no    | attended | Police attended? |
|        | begin repeat         | contact  | Contact          |
|        | select_one yes_no    | made     | Contact made?    |
|        | end repeat           |          |                  |
|        | end repeat           |          |                  |
| choices |
|         | list_name | name      | label     |
|         | yes_no    | yes       | Yes       |
|         | yes_no    | no        | No        |
|         | served    | in_person | In person |
|         | served    | by_post   | By post   |
|         | ways      | text      | Text      |
|         | ways      | letter    | Letter    |
| settings |
|          | form_id | version | form_title |
|          | pin_log | 1       | PIN log    |
"""
INDICATORS = """
| indicators |
|            | id               | label            | population          | condition                                        |
|            | any_pin          | Any PIN          |                     | count(${pin}) > 0                                |
|            | in_person        | In person        |                     | ${served} = 'in_person'                          |
|            | none_in_person   | None in person   | ${pin}              | not(${served} = 'in_person')                     |
|            | not_in_person    | Not in person    |                     | ${served} != 'in_person'                         |
|            | slow             | Slow             | ${charged} = 'yes'  | ${days} > 10                                     |
|            | total_days       | Total days       |                     | sum(${days}) >= 20                               |
|            | by_text          | By text          |                     | selected(${ways}, 'text')                        |
|            | many_contacts    | Many contacts    |                     | count(${made}) >= 2 and ${attended} = 'yes'      |
|            | answered         | Answered         |                     | ${served}                                        |
|            | either           | Either           |                     | ${made} = 'yes' or ${attended} in ('no')         |
|            | mixed            | Mixed            | count(${pin}) >= 1  | ${days} > count(${pin})                          |
|            | no_incident      | No incident      |                     | count(${incident}) = 0                           |
|            | second_in_person | Second in person |                     | indexed-repeat(${served}, ${pin}, 2) = 'in_person' |
|            | first_contact    | First contact    |                     | indexed-repeat(${made}, ${incident}, 1, ${contact}, 1) = 'yes' |
|            | first_days       | First days       |                     | indexed-repeat(${days}, ${pin}, 1) > 5           |
"""


def number(value):
    try:
        return float(value) if value not in (None, "") and value.lstrip("-").replace(".", "", 1).isdigit() else None
    except AttributeError:
        return None


def plain(case: dict) -> dict[str, tuple[bool, bool]]:
    """(in the population, counted) of each indicator for one case, worked out by hand: a test on a
    question asked per entry holds when at least one entry makes it true (a blank answer is "")."""
    pins, incidents = case["pin"], case["incident"]
    contacts = [c for i in incidents for c in i["contact"]]
    val = lambda entry, q: entry.get(q) or ""  # noqa: E731
    served = [val(p, "served") for p in pins]
    days = [number(val(p, "days")) for p in pins]
    attended = [val(i, "attended") for i in incidents]
    return {
        "any_pin": (True, len(pins) > 0),
        "in_person": (True, "in_person" in served),
        "none_in_person": (bool(pins), "in_person" not in served),
        "not_in_person": (True, any(s != "in_person" for s in served)),
        "slow": (case["charged"] == "yes", any(d is not None and d > 10 for d in days)),
        "total_days": (True, sum(d for d in days if d is not None) >= 20),
        "by_text": (True, any("text" in val(p, "ways").split() for p in pins)),
        "many_contacts": (True, len(contacts) >= 2 and "yes" in attended),
        "answered": (True, any(s != "" for s in served)),
        "either": (True, any(val(c, "made") == "yes" for c in contacts) or "no" in attended),
        "mixed": (len(pins) >= 1, any(d is not None and d > len(pins) for d in days)),
        "no_incident": (True, not incidents),
        "second_in_person": (True, len(pins) >= 2 and served[1] == "in_person"),
        "first_contact": (True, bool(incidents and incidents[0]["contact"])
                          and val(incidents[0]["contact"][0], "made") == "yes"),
        "first_days": (True, bool(days) and days[0] is not None and days[0] > 5),
    }


def build():
    return import_xlsform(xlsx(SURVEY + INDICATORS), frameworks=load_catalog().frameworks, name="pin_log.xlsx",
                          allow_repeats=True)


def add_form(session):
    inspection = inspections.inspection_by_code(session, None)
    if session.exec(select(QuestionnaireVersion).where(QuestionnaireVersion.questionnaire == FORM_ID)).first():
        return
    q = build()
    inspections.add_questionnaire(session, q, inspection, actor="test")


def write_cases(session, cases: list[dict]) -> None:
    """The cases as complete assessments, each entry with a row for its repeat's first question
    (answered or blank, as the app's Add writes it)."""
    inspection = inspections.inspection_by_code(session, None)
    version = inspections.current_version(session, FORM_ID)
    for n, case in enumerate(cases, start=1):
        cf = CaseFile(inspection_id=inspection.id, questionnaire=FORM_ID, case_ref=f"HS-{n:04d}")
        session.add(cf)
        session.flush()
        a = Assessment(case_id=cf.id, questionnaire_version_id=version.id, inspector="inspector1", status=COMPLETE)
        session.add(a)
        session.flush()
        rows = [("", "charged", case["charged"])]
        for i, pin in enumerate(case["pin"], start=1):
            rows.append((f"pin[{i}]", "served", pin.get("served")))
            rows += [(f"pin[{i}]", q, pin[q]) for q in ("days", "ways") if q in pin]
        for i, incident in enumerate(case["incident"], start=1):
            rows.append((f"incident[{i}]", "attended", incident.get("attended")))
            for j, contact in enumerate(incident["contact"], start=1):
                rows.append((f"incident[{i}]/contact[{j}]", "made", contact.get("made")))
        session.add_all([Answer(assessment_id=a.id, question=q, instance=inst, value=v) for inst, q, v in rows])
    session.flush()


def check(report, cases, *, group=None):
    for iid in plain({"charged": None, "pin": [], "incident": []}):
        worked = [plain(c)[iid] for c in cases]
        population = sum(p for p, _ in worked)
        count = sum(p and c for p, c in worked)
        [f] = [f for f in report.findings if f.id == iid and f.group == group]
        assert (f.kind, f.unit, f.denominator, f.count) == ("indicator", "cases", population, count), iid


maybe = lambda values: st.one_of(st.none(), st.sampled_from(values))  # noqa: E731
PIN = st.fixed_dictionaries({"served": maybe(["in_person", "by_post", ""])},
                            optional={"days": maybe(["0", "3", "11", "25", ""]),
                                      "ways": maybe(["text", "letter", "text letter", ""])})
INCIDENT = st.fixed_dictionaries({"attended": maybe(["yes", "no"]),
                                  "contact": st.lists(st.fixed_dictionaries({"made": maybe(["yes", "no"])}),
                                                      max_size=3)})
CASE = st.fixed_dictionaries({"charged": maybe(["yes", "no"]), "pin": st.lists(PIN, max_size=4),
                              "incident": st.lists(INCIDENT, max_size=3)})


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(cases=st.lists(CASE, min_size=0, max_size=12))
def test_indicators_over_entries_count_in_sql_as_a_plain_recount(engine, cases):
    with db.session_scope(engine) as s:
        add_form(s)
    with Session(engine) as s:  # each example's cases rolled back after it
        write_cases(s, cases)
        check(findings.compute(s, FORM_ID), cases)
        by = findings.compute(s, FORM_ID, by="charged")
        for code in ("yes", "no"):
            if by.groups.get(code):
                check(by, [c for c in cases if c["charged"] == code], group=code)
        s.rollback()


FIXED = [
    {"charged": "yes", "pin": [{"served": "by_post", "days": "12"}, {"served": "in_person", "days": "9"}],
     "incident": [{"attended": "yes", "contact": [{"made": "no"}, {"made": "yes"}]}]},
    {"charged": "no", "pin": [{"served": None}], "incident": []},
    {"charged": "yes", "pin": [], "incident": [{"attended": "no", "contact": []}]},
]


def test_a_fixed_collection_counts_as_written_and_says_its_unit(engine):
    with db.session_scope(engine) as s:
        add_form(s)
        write_cases(s, FIXED)
    with db.session_scope(engine) as s:
        report = findings.compute(s, FORM_ID)
    got = {f.id: (f.count, f.denominator) for f in report.findings if f.kind == "indicator"}
    assert got["any_pin"] == (2, 3)  # HS-0001 and HS-0002 hold a PIN
    assert got["in_person"] == (1, 3)  # HS-0001's second PIN
    assert got["none_in_person"] == (1, 2)  # of the cases with a PIN, HS-0002
    assert got["not_in_person"] == (2, 3)  # HS-0001's first PIN; HS-0002's blank one; none for HS-0003
    assert got["slow"] == (1, 2)  # HS-0001: 12 days in one entry
    assert got["total_days"] == (1, 3)  # 12 + 9
    assert got["many_contacts"] == (1, 3)
    assert got["answered"] == (1, 3)
    assert got["either"] == (2, 3)
    assert got["no_incident"] == (1, 3)
    assert got["second_in_person"] == (1, 3) and got["first_contact"] == (0, 3) and got["first_days"] == (1, 3)
    data = json.loads(findings_formats.to_json(report))
    units = {f["id"]: f["unit"] for f in data["findings"] if f["id"] in got}
    assert set(units.values()) == {"cases"} and len(units) == len(got)


def test_tracing_lists_the_cases_an_indicator_over_entries_counts(engine):
    with db.session_scope(engine) as s:
        add_form(s)
        write_cases(s, FIXED)
    with db.session_scope(engine) as s:
        traced = tracing.cases_behind(s, Actor("lead1", "lead"), FORM_ID, "in_person")
        narrowed = tracing.cases_behind(s, Actor("lead1", "lead"), FORM_ID, "none_in_person")
    assert sorted((c.case_ref, c.in_count) for c in traced.cases) == [
        ("HS-0001", True), ("HS-0002", False), ("HS-0003", False)]
    assert sorted((c.case_ref, c.in_count) for c in narrowed.cases) == [("HS-0001", False), ("HS-0002", True)]


@pytest.mark.parametrize("condition, says", [
    ("${served} = ${ways}", "reads served and ways, each asked once per entry"),
    ("${pin} = 'x'", "reads the repeat group pin as a value"),
    ("sum(${pin}) > 1", "sum(${pin}) adds up a repeat group"),
    ("position(..) = 1", "uses position()"),
    ("indexed-repeat(${served}, ${pin}, ${charged}) = 'x'", "a position worked out from the answers is not"),
])
def test_what_has_no_meaning_over_entries_is_refused_saying_what(condition, says):
    with pytest.raises(ProblemError) as err:
        import_xlsform(xlsx(SURVEY + f"""
| indicators |
|            | id  | label | condition   |
|            | bad | Bad   | {condition.replace('|', '')} |
"""), frameworks=load_catalog().frameworks, name="pin_log.xlsx", allow_repeats=True)
    assert any(p.item == "bad" and says in p.message for p in err.value.problems), err.value.problems


def test_an_atom_is_read_where_a_true_or_false_stands():
    entry, repeats = {"served", "days"}, {"pin"}
    from fieldwork import expr

    reading = entry_terms.read(expr.parse("if(${served} = 'a', count(${pin}) > 1, ${days})"), entry, repeats)
    assert sorted(t.kind for t in reading.terms.values()) == ["any", "any", "count"] and not reading.faults
