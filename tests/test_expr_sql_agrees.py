"""An indicator counted in the database gives, case by case, what Python's evaluation gives
(``fieldwork.expr.evaluate``, ODK/XPath semantics): findings are published figures.

Hypothesis writes expressions of the grammar indicators use (comparisons, and/or/not,
arithmetic, selected(), count-selected(), if(), coalesce(), concat(), the text tests, numbers,
dates, date-times, times, blank and odd text) and answers for them; each is compiled by
``expr.to_sql`` over a one-row table of the backend under test and compared with Python's
verdict. The faults it found are kept as explicit examples."""

from __future__ import annotations

import os
import sys
import uuid

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, MetaData, String, Table, select

from fieldwork import expr, expr_sql_values
from fieldwork.problems import ProblemError

from .forms import build

VARS = ("a", "b", "c")
# answers as a device or an import could store them: numbers, dates, date-times (with and
# without offsets), times, codes, blanks and odd text
ANSWERS = ["", "0", "5", "-3", "2.5", "10", "19000", "19783", "19783.5", " 5", "5 ", "5\n", "-0", ".5", "1e3",
           "NaN", "abc", "yes", "yes no", "no yes x", "a%b", "_", "true", "false",
           "2024-03-01", "2024-02-29", "2023-02-29", "1970-01-02", "1969-12-31", "0001-01-01", "2024-03-01\n",
           "2024-03-01T10:00:00", "2024-03-01T10:00", "2024-03-01T10:00:00Z", "2024-03-01T00:30:00+02:00",
           "2024-02-29T23:30:00-01:00", "2024-03-01T10:00:00.250", "2024-03-01T10:00:00+0100",
           "2024-13-01", "10:30", "09:00:00", "10:30Z", "24:00"]
MOMENTS = [a for a in ANSWERS if a[:4].isdigit() and "-" in a]  # dates and date-times, drawn more often
answer = st.one_of(st.none(), st.sampled_from(ANSWERS), st.sampled_from(MOMENTS),
                   st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=6))
answers = st.fixed_dictionaries({v: answer for v in VARS})

STRINGS = ["", "5", "yes", "no", "abc", "%", "_", "2024-03-01", "2024-03-01T12:00:00Z", "10:30", " ", "x y"]
NUMBERS = ["0", "1", "5", "2.5", "-1", "19783", "19783.5", ".5"]


def quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


variable = st.sampled_from([f"${{{v}}}" for v in VARS])
number = st.sampled_from(NUMBERS)
string = st.sampled_from(STRINGS).map(quoted)
OPS = ["=", "!=", "<", "<=", ">", ">="]


def _values(inner):
    """Parts that stand for a value (text, number or true/false)."""
    return st.one_of(
        st.builds(lambda a, op, b: f"({a} {op} {b})", inner, st.sampled_from(["+", "-", "*", "div", "mod"]), inner),
        st.builds(lambda a: f"count-selected({a})", inner),
        st.builds(lambda a: f"string-length({a})", inner),
        st.builds(lambda f, a: f"{f}({a})", st.sampled_from(["number", "int", "abs", "string", "boolean"]), inner),
        st.builds(lambda a, b: f"concat({a}, {b})", inner, inner),
        st.builds(lambda a, b: f"coalesce({a}, {b})", inner, inner),
        st.builds(lambda t, a, b: f"if({t}, {a}, {b})", inner, inner, inner),
        st.builds(lambda a, op, b: f"({a} {op} {b})", inner, st.sampled_from(OPS), inner),
        st.builds(lambda a, c: f"selected({a}, {c})", inner, st.sampled_from(STRINGS + NUMBERS).map(quoted)),
        st.builds(lambda f, a, b: f"{f}({a}, {b})", st.sampled_from(["contains", "starts-with", "ends-with"]),
                  inner, inner),
        st.builds(lambda a, opts: f"({a} in ({', '.join(opts)}))", inner,
                  st.lists(st.one_of(string, number), min_size=1, max_size=3)),
        st.builds(lambda a, b: f"({a} and {b})", inner, inner),
        st.builds(lambda a, b: f"({a} or {b})", inner, inner),
        st.builds(lambda a: f"not({a})", inner),
    )


# a comparison of an answer (or an answer's arithmetic) is the commonest indicator: drawn as a leaf too.
# Four leaves: deeper, a date read as a number nests past what SQLite's parser takes (an error, not
# a wrong count: see docs/xlsform.md)
comparison = st.builds(lambda a, op, b: f"({a} {op} {b})",
                       st.one_of(variable, st.builds(lambda x, op, n: f"{x} {op} {n}", variable,
                                                     st.sampled_from(["+", "-", "*"]), number)),
                       st.sampled_from(OPS), st.one_of(number, variable, string))
expressions = st.recursive(st.one_of(variable, variable, number, string, st.just("true()"), st.just("false()"),
                                     comparison, comparison), _values, max_leaves=4)


@pytest.fixture
def one_row(engine):
    meta = MetaData()
    table = Table(f"agree_{uuid.uuid4().hex[:8]}", meta, *(Column(v, String) for v in VARS))
    meta.create_all(engine)
    yield engine, table
    meta.drop_all(engine)


def counted(one_row, node, values) -> bool:
    engine, table = one_row
    with engine.begin() as conn:
        conn.execute(table.delete())
        conn.execute(table.insert().values(**values))
        got = conn.execute(select(expr.to_sql(node, lambda name: table.c[name])).select_from(table)).scalar()
    return bool(got)


def case(a=None, b=None, c=None) -> dict:
    return {"a": a, "b": b, "c": c}


# what the database counted differently before (found by this test, or in the notes)
FOUND = [
    ("${a} > 19000", case("2024-03-01")),  # a date against a number: its days since 1970
    ("${a} + 1 > 19783", case("2024-03-01")),  # date arithmetic
    ("${a} - 1 < 0", case(" 5")),  # space around a number: XPath's number() takes it
    ("${a} < ${b}", case("2024-03-01", "2024-02-29T23:30:00-01:00")),  # moments, not text
    ("${a} > ${b}", case("2024-03-01T00:30:00+02:00", "2024-02-29T23:00:00Z")),
    ("${a} < ${b}", case("2023-02-29", "2024-01-01")),  # not a date: NaN
    ("selected(${a}, '')", case()),
    ("selected(${a}, 'YES')", case("yes")),  # SQLite's LIKE ignores case
    ("contains(${a}, '%')", case("abc")),  # LIKE's wildcards
    ("starts-with(${a}, '_')", case("x")),
    ("count-selected(${a}) = 2", case("yes  no")),  # a run of spaces
    ("int(${a}) = 2", case("2.7")),  # PostgreSQL's CAST rounds
    ("(${a} = 'x') = 5", case("x")),  # true/false against a number compares truth
    ("${a} in (5)", case("5.0")),  # in: = against a number compares numbers
    ("if(${a} = '', 1, ${a}) = '01'", case("01")),  # if() whose branches differ in kind
    ("coalesce(${a}, 0) < 1", case()),
    ("${a} = 5", case("5\n")),  # PostgreSQL's $ is the end of the text, Python's allows a final new line
    ("${a} < ${b}", case("10:30", "9:00")),
    ("${a} > ${b}", case("10:30Z", "10:30+01:00")),  # times of day: their text, by code point
    # nested comparisons of worked-out text: 380,000 values once written as SQL, more than SQLite
    # takes in a statement; refused when the form is loaded (stop 24)
    ("number((concat('', (${a} <= 2.5)) >= concat(true(), false())))", case("-3", "-3")),
]


def _examples(test):
    for text, values in FOUND:
        test = example(text=text, values=values)(test)
    return test


# 200 examples find every fault above within a few seconds; FIELDWORK_AGREE_EXAMPLES=3000 looks further
@settings(max_examples=int(os.environ.get("FIELDWORK_AGREE_EXAMPLES", 200)), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=expressions, values=answers)
@_examples
def test_the_database_counts_every_expression_as_python_evaluates_it(one_row, text, values):
    node = expr.parse(text)
    if expr.sql_faults(node):
        return  # refused when the form is loaded: never counted (tested below)
    assert counted(one_row, node, values) is expr.evaluate(node, values), (text, values)


SURVEY = """
| type              | name     | label    |
| select_one yes_no | referred | Referred |
| integer           | days     | Days     |
| integer           | weeks    | Weeks    |
"""


@pytest.mark.parametrize("condition, says", [
    ("${days} div ${weeks} > 1", "div by something other than a number written in it"),
    ("${days} mod ${weeks} = 0", "mod by something other than a number written in it"),
    ("${days} div 0 > 1", "div by something other than a number written in it"),
    ("concat(${days} div 7, '') = '1'", "concat() of a number that need not be whole"),
    ("string-length(number(${days})) > 1", "string-length() of a number that need not be whole"),
    ("selected(${referred}, ${days})", "selected() of a code not written in it"),
    ("concat('', ${days} <= 2.5) >= concat(true(), false())", "more than 20,000 values once written as SQL"),
])
def test_what_the_database_cannot_count_as_python_does_is_refused_by_indicator_and_function(condition, says):
    with pytest.raises(ProblemError) as err:
        build(SURVEY, indicators=f"""
| id    | label | population | condition   |
| slow  | Slow  |            | {condition} |
""")
    [problem] = err.value.problems
    assert problem.item == "slow" and problem.field == "condition" and says in problem.message, problem.message


@pytest.mark.parametrize("condition", ["${days} div 7 > 1", "${days} mod 7 = 0", "concat(count-selected(${referred}), "
                                       "string-length(${days})) = '12'", "${days} + 1 > 10"])
def test_what_it_can_count_is_taken(condition):
    q = build(SURVEY, indicators=f"""
| id    | label | population | condition   |
| slow  | Slow  |            | {condition} |
""")
    assert [ind.id for ind in q.indicators] == ["slow"]


def test_the_databases_whitespace_is_pythons():
    assert set(expr_sql_values.WHITESPACE) == {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}
