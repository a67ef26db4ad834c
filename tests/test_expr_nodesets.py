"""Paths (``../x``, ``./x``, ``current()/../x``, ``/data/g/x``) and the nodeset functions
``count()``, ``sum()``, ``join()`` over one question (outside a repeat): parsed by the safe
parser, worked out as over a repeat's entries, and counted in SQL the same way (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, MetaData, String, Table, create_engine, select

from fieldwork import expr

VARS = ["a", "b"]


@pytest.mark.parametrize("text, name", [("../a", "a"), ("./a", "a"), ("current()/../a", "a"), ("/data/g/a", "g/a"),
                                        ("../../g/a", "g/a"), ("${g/a}", "g/a")])
def test_a_path_names_the_question_it_goes_down_to(text, name):
    assert expr.parse(text) == expr.Var(name)


def test_a_path_is_not_a_number_nor_the_question_itself():
    assert expr.parse(".5 + .") == expr.Arith("+", expr.Literal(0.5), expr.Self())
    with pytest.raises(expr.ExpressionError):
        expr.parse("../")


@given(st.one_of(st.none(), st.sampled_from(["", "x", "0", "7", "2.5", "-3", "x y"])))
def test_one_question_is_a_nodeset_of_one_or_none(value):
    """As count() and sum() over repeats count a case-level value (fieldwork.expr._repeat_call):
    one node when answered, none when blank; sum() leaves what is not a number out."""
    values = {"a": value}
    answered = (value or "") != ""
    assert expr.calculate("count(${a})", values) == ("1" if answered else "0")
    number = expr.calculate("number(${a})", values)
    assert expr.calculate("sum(${a})", values) == (number if number != "" else "0")
    assert expr.calculate("join(', ', ${a})", values) == (value or "")
    assert expr.calculate("sum(../a) + count(./a)", values) == expr.calculate("sum(${a}) + count(${a})", values)


# count() and sum() are not counted in SQL (an indicator naming them is refused: see
# tests/test_repeat_expressions.py); paths and join() are
leaf = st.one_of(
    st.builds(lambda v, n, op: f"../{v} {op} {n}", st.sampled_from(VARS), st.integers(-1, 3),
              st.sampled_from(["=", ">", "<="])),
    st.builds(lambda v, c: f"join(' ', current()/../{v}) = '{c}'", st.sampled_from(VARS),
              st.sampled_from(["x", "1", "x y"])),
)
expressions = st.recursive(leaf, lambda inner: st.builds(lambda a, b: f"({a}) or not({b})", inner, inner),
                           max_leaves=3)
answers = st.fixed_dictionaries({v: st.one_of(st.none(), st.sampled_from(["x", "1", "2", "x y", "-1", "0.5"]))
                                 for v in VARS})
_engine = create_engine("sqlite://")
_meta = MetaData()
_table = Table("t", _meta, *(Column(v, String) for v in VARS))
_meta.create_all(_engine)


@settings(max_examples=200, deadline=None)
@given(expressions, answers)
def test_sql_counts_them_as_python_works_them_out(text, values):
    node = expr.parse(text)
    assert expr.sql_faults(node) == []
    with _engine.begin() as conn:
        conn.execute(_table.delete())
        conn.execute(_table.insert().values(**values))
        got = conn.execute(select(expr.to_sql(node, lambda name: _table.c[name]))).scalar()
    assert bool(got) == expr.evaluate(node, values), (text, values)
