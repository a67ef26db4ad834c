"""``< <= > >=`` compare numbers, as XPath 1.0 (section 3.4) says, though answers are text:
in Python (skip logic, constraints, calculations, imports) and in the SQL that counts
indicators, on SQLite and PostgreSQL alike (issue 11/12, F4)."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, MetaData, String, Table, select

from fieldwork import expr
from fieldwork.cli import main

from .forms import xlsform_bytes


@pytest.mark.parametrize("text, values, expected", [
    ("${a} < ${b}", {"a": "9", "b": "30"}, True),            # text would say '9' > '30'
    ("${a} > ${b}", {"a": "100", "b": "20"}, True),
    ("${a} >= ${b}", {"a": "-5", "b": "-40"}, True),
    ("${a} <= ${b}", {"a": "2.5", "b": "10"}, True),
    ("${a} <= ${b}", {"a": "10", "b": "10.0"}, True),
    (". < ${radius}", {"radius": "10"}, True),              # self 9.5, below
    ("${a} < 30", {"a": "9"}, True),
    ("${a} = ${b}", {"a": "10", "b": "10.0"}, False),       # = between two answers: their text
    ("${a} = 10", {"a": "10.0"}, True),                     # a number literal: numerically
    ("${a} != ${b}", {"a": "x", "b": "y"}, True),
    ("${date_charge} >= ${date_report}", {"date_charge": "2024-03-01", "date_report": "2024-02-28"}, True),
    ("${date_charge} >= ${date_report}", {"date_charge": "2024-02-01", "date_report": "2024-02-28"}, False),
    ("${t1} < ${t2}", {"t1": "2024-02-01T09:00:00", "t2": "2024-02-01T10:30:00"}, True),
    ("${t1} < ${t2}", {"t1": "09:00", "t2": "10:30"}, True),
    ("${a} < ${b}", {"a": "apple", "b": "pear"}, False),    # neither numbers nor dates: NaN
    ("${a} > ${b}", {"a": "pear", "b": "apple"}, False),
    ("${a} < ${b}", {"a": "", "b": "5"}, False),            # unanswered is NaN, not 0
    ("${a} >= ${b}", {"a": "5", "b": "2024-01-01"}, False),
])
def test_relational_operators_compare_as_xpath_does(text, values, expected):
    assert expr.evaluate(text, values, self_value="9.5") is expected


def test_a_date_compares_with_today_as_a_date():
    from datetime import datetime, timezone
    clock = lambda: datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)  # noqa: E731
    assert expr.calculate("${d} <= today()", {"d": "2024-02-29"}, clock=clock) == "true"
    assert expr.calculate("${d} <= today()", {"d": "2024-03-02"}, clock=clock) == "false"
    assert expr.evaluate(". <= today()", {}, self_value="1999-12-31") is True
    assert expr.calculate("${d} > today() - 28", {"d": "2024-02-20"}, clock=clock) == "true"
    assert expr.calculate("${d} > today() - 28", {"d": "2024-01-20"}, clock=clock) == "false"


# --- Hypothesis: random numbers written as answers, in Python and in SQL ------------------

numbers = st.one_of(
    st.integers(-10**6, 10**6).map(str),
    st.decimals(-10**4, 10**4, places=3, allow_nan=False, allow_infinity=False).map(lambda d: f"{d:f}"),
)
OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


@settings(max_examples=300, deadline=None)
@given(numbers, numbers, st.sampled_from(sorted(OPS)))
def test_python_gives_the_numeric_verdict(a, b, op):
    verdict = OPS[op](float(a), float(b))
    assert expr.evaluate(f"${{a}} {op} ${{b}}", {"a": a, "b": b}) is verdict
    assert expr.evaluate(f". {op} ${{b}}", {"b": b}, self_value=a) is verdict


@pytest.fixture
def answers_table(engine):
    meta = MetaData()
    table = Table(f"relational_{uuid.uuid4().hex[:8]}", meta, Column("a", String), Column("b", String))
    meta.create_all(engine)
    yield table
    meta.drop_all(engine)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(numbers, numbers, st.sampled_from(sorted(OPS)))
def test_sql_gives_the_numeric_verdict_and_agrees_with_python(engine, answers_table, a, b, op):
    node = expr.parse(f"${{a}} {op} ${{b}}")
    with engine.begin() as conn:
        conn.execute(answers_table.delete())
        conn.execute(answers_table.insert().values(a=a, b=b))
        got = conn.execute(select(expr.to_sql(node, lambda name: answers_table.c[name]))).scalar()
    assert bool(got) is OPS[op](float(a), float(b)) is expr.evaluate(node, {"a": a, "b": b})


@pytest.mark.parametrize("a, b", [("2024-03-01", "2024-02-28"), ("2024-02-01", "2024-02-28"),
                                  ("2024-02-01T09:00:00", "2024-02-01T10:30:00"), ("09:00", "10:30"),
                                  ("apple", "pear"), ("", "5"), ("5", ""), ("5", "2024-01-01"), (None, "3")])
@pytest.mark.parametrize("op", sorted(OPS))
def test_sql_agrees_with_python_on_dates_times_and_text(engine, answers_table, a, b, op):
    node = expr.parse(f"${{a}} {op} ${{b}}")
    with engine.begin() as conn:
        conn.execute(answers_table.insert().values(a=a, b=b))
        got = conn.execute(select(expr.to_sql(node, lambda name: answers_table.c[name]))).scalar()
    assert bool(got) is expr.evaluate(node, {"a": a, "b": b})


# --- the tester's form: a constraint against a calculated radius --------------------------

CALC_FORM = """
| type     | name     | label    | calculation  | constraint     |
| text     | case_ref | Case ref |              |                |
| decimal  | slope    | Slope    |              |                |
| calculate| radius   |          | ${slope}*2   |                |
| decimal  | dist     | Distance |              | . < ${radius}  |
"""


def test_a_constraint_against_a_calculated_number_accepts_smaller_answers(engine, db_url, tmp_path, capsys):
    form = tmp_path / "m_calc2.xlsx"
    form.write_bytes(xlsform_bytes(CALC_FORM, settings={"form_id": "m_calc2", "version": "1",
                                                        "framework": "harassment_stalking_2017"}))
    assert main(["questionnaire", "import", str(form), "--db", db_url]) == 0, capsys.readouterr()
    data = tmp_path / "m_calc2.csv"
    data.write_text("case_ref,slope,radius,dist\nHS-0001,5,10,9.5\nHS-0002,5,10,2.5\nHS-0003,5,10,1.5\n",
                    encoding="utf-8")
    assert main(["import", "m_calc2", str(data), "--dry-run", "--db", db_url]) == 0, capsys.readouterr()
    data.write_text("case_ref,slope,radius,dist\nHS-0004,5,10,12\n", encoding="utf-8")
    assert main(["import", "m_calc2", str(data), "--dry-run", "--db", db_url]) == 1
    err = capsys.readouterr().err
    assert "row 2" in err and "dist" in err
