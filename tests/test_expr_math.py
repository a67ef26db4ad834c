"""ODK's math functions (sqrt, pow, exp, exp10, log, log10, abs, the trigonometry, pi):
worked out as Python's math does, NaN (blank) where ODK's Java gives NaN, never an error;
an indicator may count with abs() (SQLite and PostgreSQL both have it) and is refused,
by name, for the others."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, MetaData, String, Table, create_engine, select

from fieldwork import expr
from fieldwork.catalog import load_catalog
from fieldwork.problems import ProblemError
from fieldwork.questionnaire.xlsform import import_xlsform
from tests.xlsform_collection import xlsx

ONE = ["sqrt", "exp", "exp10", "log", "log10", "abs", "sin", "cos", "tan", "asin", "acos", "atan"]
PY = {"sqrt": math.sqrt, "exp": math.exp, "exp10": lambda x: 10.0 ** x, "log": math.log, "log10": math.log10,
      "abs": abs, "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin, "acos": math.acos,
      "atan": math.atan}


def _value(text: str, values) -> float:
    from fieldwork.expr import _eval, _Ctx  # the number itself, before it is written as text
    return _eval(expr.parse(text), _Ctx(values))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ONE), st.floats(-50, 50, allow_nan=False))
def test_each_function_gives_what_python_math_gives_or_nan_outside_its_domain(name, x):
    written = f"{x:.6f}"  # as a form holds a number: XPath reads no exponent
    got, x = _value(f"{name}(${{x}})", {"x": written}), float(written)
    try:
        want = float(PY[name](x))
    except ValueError:  # sqrt(-1), log(-1), asin(2): ODK gives NaN (log(0): -Infinity, as Java)
        want = -math.inf if name.startswith("log") and x == 0 else math.nan
    assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want, rel=1e-12, abs=1e-300)


@settings(max_examples=200, deadline=None)
@given(st.floats(-20, 20, allow_nan=False), st.floats(-20, 20, allow_nan=False))
def test_atan2_and_pow_give_what_python_math_gives(y, x):
    y, x = float(f"{y:.4f}"), float(f"{x:.4f}")
    assert _value(f"atan2({y:.4f}, {x:.4f})", {}) == pytest.approx(math.atan2(y, x))
    got = _value(f"pow({y:.4f}, {x:.4f})", {})
    try:
        want = math.pow(y, x)
    except ValueError:
        want = math.inf if y == 0 else math.nan
    assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want)


@pytest.mark.parametrize("text, shown", [
    ("pi()", "3.14159265359"), ("sqrt(16)", "4"), ("sqrt(-1)", ""), ("sqrt('word')", ""), ("sqrt(${blank})", ""),
    ("log(0)", ""), ("exp(1000)", ""), ("exp10(2)", "100"), ("log10(1000)", "3"), ("round(cos(pi()), 0)", "-1"),
    ("asin(2)", ""), ("abs(-2.5)", "2.5"), ("pow(2, 10)", "1024"), ("pow(10, 400)", ""),
])
def test_bad_input_is_blank_as_odk_shows_it_never_an_error(text, shown):
    assert expr.calculate(text, {"blank": ""}) == shown


def test_a_rule_using_them_works_in_a_form():
    q = import_xlsform(xlsx("""
| survey |
|        | type      | name  | label | calculation            | relevant            |
|        | decimal   | side  | Side  |                        |                     |
|        | calculate | area  |       | pow(${side}, 2) * pi() |                     |
|        | text      | big   | Big   |                        | sqrt(${area}) > 10  |
"""), name="m.xlsx", frameworks=load_catalog().frameworks)
    assert q.with_calculations({"side": "1"})["area"] == "3.14159265359"
    assert "big" in q.relevant_names(q.with_calculations({"side": "10"}))
    assert "big" not in q.relevant_names(q.with_calculations({"side": "1"}))


_engine = create_engine("sqlite://")
_meta = MetaData()
_table = Table("t", _meta, Column("a", String))
_meta.create_all(_engine)


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.none(), st.sampled_from(["x", "", "-3", "2.5", "0"])), st.integers(-3, 3))
def test_abs_counts_in_the_database_as_in_python(a, n):
    node = expr.parse(f"abs(${{a}}) > {n}")
    assert expr.sql_faults(node) == []
    with _engine.begin() as conn:
        conn.execute(_table.delete())
        conn.execute(_table.insert().values(a=a))
        got = conn.execute(select(expr.to_sql(node, lambda name: _table.c[name]))).scalar()
    assert bool(got) == expr.evaluate(node, {"a": a})


def test_an_indicator_using_sqrt_is_refused_naming_the_indicator():
    assert expr.sql_faults(expr.parse("sqrt(${a}) > 2 and log(${a}) < 1")) == ["log", "sqrt"]
    with pytest.raises(ProblemError) as err:
        import_xlsform(xlsx("""
| survey |
|        | type    | name | label |
|        | decimal | a    | A     |
| indicators |
|            | id    | label | condition       |
|            | root2 | Root  | sqrt(${a}) > 2  |
"""), name="m.xlsx", frameworks=load_catalog().frameworks)
    [p] = err.value.problems
    assert (p.item, p.field) == ("root2", "condition") and "sqrt()" in p.message
