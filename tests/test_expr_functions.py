"""The XPath functions XLSForms use: what each gives, properties over many values
(hypothesis), the SQL compilation agreeing with Python where indicators use them, and
nothing ever passed to eval."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, MetaData, String, Table, create_engine, select

from fieldwork import expr

VALUES = {"b": "following social", "n": "7", "d1": "2016-02-01", "d2": "2016-02-11", "t": "HS1234", "blank": "",
          "x": "4.2"}


@pytest.mark.parametrize("text, expected", [
    ("selected(${b}, 'social')", "true"),
    ("count-selected(${b})", "2"),
    ("selected-at(${b}, 1)", "social"),
    ("if(${n} > 5, 'big', 'small')", "big"),
    ("coalesce(${blank}, 'none')", "none"),
    ("concat(${t}, '-', ${n})", "HS1234-7"),
    ("string-length(${t})", "6"),
    ("substr(${t}, 2)", "1234"),
    ("substr(${t}, 0, 2)", "HS"),
    ("contains(${t}, '12')", "true"),
    ("starts-with(${t}, 'HS')", "true"),
    ("regex(${t}, '^[A-Z]{2}[0-9]{4}$')", "true"),
    ("number(${x}) * 2", "8.4"),
    ("int(${x})", "4"),
    ("round(2.675, 2)", "2.68"),
    ("round(${x})", "4"),
    ("${d2} - ${d1}", "10"),
    ("decimal-date-time(${d2}) - decimal-date-time(${d1})", "10"),
    ("date(decimal-date-time(${d1}) + 30)", "2016-03-02"),
    ("format-date(${d1}, '%d/%m/%Y')", "01/02/2016"),
    ("format-date(${d1}, '%e %b %Y')", "1 Feb 2016"),
    ("7 div 2", "3.5"),
    ("7 mod 3", "1"),
    ("-7 mod 3", "-1"),
    ("0.1 + 0.2", "0.3"),
    ("1 div 0", ""),
    ("number('x') + 1", ""),
    ("jr:choice-name(${n}, '${n}')", "7"),
])
def test_functions_give_what_odk_gives(text, expected):
    assert expr.calculate(text, VALUES) == expected


def test_choice_name_uses_the_label():
    labels = {("unit", "cid"): "CID"}
    assert expr.calculate("jr:choice-name(${unit}, '${unit}')", {"unit": "cid"},
                          choice_label=lambda q, c: labels.get((q, c), c)) == "CID"


def test_dot_is_the_question_itself():
    assert expr.evaluate(". >= 0 and . < 10", {}, self_value="4")
    assert not expr.evaluate("string-length(.) > 2", {}, self_value="ab")
    assert expr.evaluate("string-length() = 2", {}, self_value="ab")


def test_clock_functions_are_known_and_fixed_by_the_clock():
    node = expr.parse("today()")
    assert expr.uses_clock(node) and not expr.uses_clock(expr.parse("${a} + 1"))
    fixed = lambda: datetime(2026, 12, 6, 3, 0, tzinfo=timezone.utc)  # noqa: E731
    assert expr.calculate("today()", {}, clock=fixed) == "2026-12-06"
    assert expr.calculate("now()", {}, clock=fixed).startswith("2026-12-06T03:00:00")


@pytest.mark.parametrize("hostile", [
    "concat(__import__('os'))", "if(1, 2)", "substr('a')", "regex('a')", "${a}.__class__", "1 +", "div 2",
    "format-date(${a})", "exec('1')", "jr:eval('1')",
])
def test_wrong_calls_are_refused_before_anything_runs(hostile):
    with pytest.raises(expr.ExpressionError):
        expr.parse(hostile)


# --- properties ---------------------------------------------------------------------------

codes = st.lists(st.sampled_from(["a", "b", "c", "d"]), unique=True, max_size=4)
texts = st.text(alphabet="abcXYZ019 -", max_size=12)
numbers = st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))


@given(codes, st.sampled_from(["a", "b", "c", "d"]))
def test_selected_and_count_selected_agree_with_the_ticks(ticked, code):
    value = " ".join(ticked)
    assert expr.evaluate(f"selected(${{v}}, '{code}')", {"v": value}) == (code in ticked)
    assert expr.calculate("count-selected(${v})", {"v": value}) == str(len(ticked))


@given(texts, texts)
def test_concat_and_string_length(a, b):
    assert expr.calculate("concat(${a}, ${b})", {"a": a, "b": b}) == a + b
    assert expr.calculate("string-length(concat(${a}, ${b}))", {"a": a, "b": b}) == str(len(a + b))
    assert expr.evaluate("starts-with(concat(${a}, ${b}), ${a})", {"a": a, "b": b})
    assert expr.evaluate("contains(concat(${a}, ${b}), ${b})", {"a": a, "b": b})


@given(numbers, numbers)
def test_arithmetic_is_decimal_arithmetic_to_twelve_digits(x, y):
    got = expr.calculate("${x} + ${y}", {"x": str(x), "y": str(y)})
    assert Decimal(got) == (x + y).normalize() or abs(Decimal(got) - (x + y)) < Decimal("1e-6")


@given(days, st.integers(min_value=-3000, max_value=3000))
def test_date_arithmetic_counts_days(day, n):
    later = day + timedelta(days=n)
    values = {"a": day.isoformat(), "b": later.isoformat()}
    assert expr.calculate("${b} - ${a}", values) == str(n)
    assert expr.calculate(f"date(decimal-date-time(${{a}}) + {n})" if n >= 0 else
                          f"date(decimal-date-time(${{a}}) - {-n})", values) == later.isoformat()
    assert expr.calculate("format-date(${a}, '%Y-%m-%d')", values) == day.isoformat()


@given(st.integers(min_value=-1000, max_value=1000), st.integers(min_value=1, max_value=50))
def test_div_and_mod_rebuild_the_number(a, b):
    q = expr.calculate(f"int({a} div {b})", {})
    r = expr.calculate(f"{a} mod {b}" if a >= 0 else f"-{-a} mod {b}", {})
    assert int(q) * b + int(r) == a


@given(st.one_of(st.none(), st.sampled_from(["", "x", "7"])), st.sampled_from(["", "y", "3"]))
def test_if_and_coalesce(a, b):
    values = {"a": a, "b": b}
    assert expr.calculate("coalesce(${a}, ${b})", values) == (a or b)
    assert expr.calculate("if(${a} != '', ${a}, ${b})", values) == (a or b)


# --- the same meaning in SQL, where indicators use the functions --------------------------

VARS = ["a", "b", "c"]
leaf = st.one_of(
    st.builds(lambda v, c: f"selected(${{{v}}}, '{c}')", st.sampled_from(VARS), st.sampled_from(["x", "y", "1"])),
    st.builds(lambda v, n, op: f"count-selected(${{{v}}}) {op} {n}", st.sampled_from(VARS), st.integers(0, 3),
              st.sampled_from(["<", ">=", "="])),
    st.builds(lambda v, n: f"${{{v}}} + 1 > {n}", st.sampled_from(VARS), st.integers(0, 4)),
    st.builds(lambda v, n: f"${{{v}}} * 2 - 1 <= {n}", st.sampled_from(VARS), st.integers(0, 4)),
    st.builds(lambda v, n: f"${{{v}}} div 2 >= {n}", st.sampled_from(VARS), st.integers(0, 3)),
    st.builds(lambda v, n: f"string-length(${{{v}}}) > {n}", st.sampled_from(VARS), st.integers(0, 3)),
    st.builds(lambda v, c: f"contains(${{{v}}}, '{c}')", st.sampled_from(VARS), st.sampled_from(["x", "1"])),
    st.builds(lambda v, c: f"starts-with(${{{v}}}, '{c}')", st.sampled_from(VARS), st.sampled_from(["x", "1"])),
    st.builds(lambda v, w: f"coalesce(${{{v}}}, ${{{w}}}) = 'x'", st.sampled_from(VARS), st.sampled_from(VARS)),
    st.builds(lambda v, w: f"if(${{{v}}} = 'x', ${{{w}}}, 'y') = 'y'", st.sampled_from(VARS), st.sampled_from(VARS)),
    st.builds(lambda v, n: f"number(${{{v}}}) = {n}", st.sampled_from(VARS), st.integers(0, 3)),
)
expressions = st.recursive(leaf, lambda inner: st.one_of(
    st.builds(lambda a, b: f"({a}) and ({b})", inner, inner),
    st.builds(lambda a, b: f"({a}) or ({b})", inner, inner),
    st.builds(lambda a: f"not({a})", inner)), max_leaves=4)
answers = st.fixed_dictionaries({v: st.one_of(st.none(), st.sampled_from(["x", "y", "1", "2", "x y", "1 x"]))
                                 for v in VARS})

_engine = create_engine("sqlite://")
_meta = MetaData()
_table = Table("t", _meta, *(Column(v, String) for v in VARS))
_meta.create_all(_engine)


@settings(max_examples=300, deadline=None)
@given(expressions, answers)
def test_sql_agrees_with_python_for_the_functions_indicators_use(text, values):
    node = expr.parse(text)
    assert expr.sql_faults(node) == []
    with _engine.begin() as conn:
        conn.execute(_table.delete())
        conn.execute(_table.insert().values(**values))
        sql_result = conn.execute(select(expr.to_sql(node, lambda name: _table.c[name]))).scalar()
    assert bool(sql_result) == expr.evaluate(node, values), (text, values)


def test_functions_an_indicator_cannot_count_are_named():
    assert expr.sql_faults(expr.parse("regex(${a}, 'x') and today() = ${b}")) == ["regex", "today"]
