"""Expressions reaching the entries of repeat groups (issue 12): count(), sum(), position(..)
and indexed-repeat(), evaluated over an assessment's entries — property-tested against a plain
count of the entries."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldwork import expr
from fieldwork.catalog import load_catalog
from fieldwork.questionnaire.repeat_levels import expression_values
from fieldwork.questionnaire.xlsform import import_xlsform
from tests.xlsform_collection import xlsx

FORM = """
| survey |
|        | type              | name       | label          | relevant                      | calculation              |
|        | integer           | n_incident | Incidents      |                               |                          |
|        | begin repeat      | incident   | Incident       |                               |                          |
|        | integer           | harm       | Harm score     |                               |                          |
|        | calculate         | number     |                |                               | position(..)             |
|        | begin repeat      | contact    | Contact        |                               |                          |
|        | select_one yes_no | made       | Made?          | position(..) = 1              |                          |
|        | end repeat        |            |                |                               |                          |
|        | end repeat        |            |                |                               |                          |
|        | calculate         | total_harm |                |                               | sum(${harm})             |
|        | select_one yes_no | many       | Many?          | count(${incident}) > 2        |                          |
|        | text              | first_harm | First harm     | indexed-repeat(${harm}, ${incident}, 1) != '' |  |
| choices |
|         | list_name | name | label |
|         | yes_no    | yes  | Yes   |
|         | yes_no    | no   | No    |
| settings |
|          | form_id   | version |
|          | harms     | 1       |
"""


def questionnaire():
    return import_xlsform(xlsx(FORM), frameworks=load_catalog().frameworks, name="harms.xlsx", allow_repeats=True)


Q = questionnaire()

incidents = st.lists(st.tuples(st.one_of(st.none(), st.integers(-50, 50)), st.integers(0, 4)), max_size=6)


def entries_of(drawn) -> dict[str, dict[str, str]]:
    out = {}
    for i, (harm, contacts) in enumerate(drawn, start=1):
        out[f"incident[{i}]"] = {} if harm is None else {"harm": str(harm)}
        for j in range(1, contacts + 1):
            out[f"incident[{i}]/contact[{j}]"] = {"made": "yes"}
    return out


def value(expression: str, drawn, instance: str = "") -> str:
    return expr.calculate(expression, expression_values(Q, {}, entries_of(drawn), instance))


@settings(max_examples=150, deadline=None)
@given(incidents)
def test_count_and_sum_over_every_entry_at_the_case_level(drawn):
    assert value("count(${incident})", drawn) == str(len(drawn))
    assert value("count(${contact})", drawn) == str(sum(c for _, c in drawn))
    assert value("sum(${harm})", drawn) == str(sum(h for h, _ in drawn if h is not None))
    assert expr.evaluate("count(${incident}) > 2", expression_values(Q, {}, entries_of(drawn))) == (len(drawn) > 2)


@settings(max_examples=150, deadline=None)
@given(incidents, st.data())
def test_inside_an_entry_position_and_the_nested_entries_in_view(drawn, data):
    if not drawn:
        return
    i = data.draw(st.integers(1, len(drawn)))
    here = f"incident[{i}]"
    assert value("position(..)", drawn, here) == str(i)
    assert value("count(${contact})", drawn, here) == str(drawn[i - 1][1])  # the contacts of this incident only
    if drawn[i - 1][1]:
        j = data.draw(st.integers(1, drawn[i - 1][1]))
        assert value("position(..)", drawn, f"{here}/contact[{j}]") == str(j)


@settings(max_examples=150, deadline=None)
@given(incidents, st.integers(1, 8))
def test_indexed_repeat_reads_one_entry(drawn, n):
    expected = "" if n > len(drawn) or drawn[n - 1][0] is None else str(drawn[n - 1][0])
    assert value("indexed-repeat(${harm}, ${incident}, " + str(n) + ")", drawn) == expected
    nested = "indexed-repeat(${made}, ${incident}, " + str(n) + ", ${contact}, 1)"
    assert value(nested, drawn) == ("yes" if n <= len(drawn) and drawn[n - 1][1] else "")


def test_a_form_using_them_is_read_and_without_entries_they_count_none():
    q = questionnaire()
    assert q.question("total_harm").calculation == "sum(${harm})"
    assert expr.calculate("count(${incident})", {}) == "0" and expr.calculate("sum(${harm})", {}) == "0"
    assert expr.calculate("count(${n_incident})", {"n_incident": "3"}) == "1"  # a case-level value: one node


def test_an_indicator_using_count_or_reading_a_question_asked_per_entry_is_accepted():
    """Counted over the entries in SQL (tests/test_repeat_indicators.py): no longer refused."""
    from tests.forms import xlsform_bytes

    q = import_xlsform(xlsform_bytes("""
| type              | name     | label  |
| begin repeat      | incident | I      |
| select_one yes_no | a        | A      |
| end repeat        |          |        |
""", indicators="""
| id   | label | population              | condition    |
| ind1 | I     | count(${incident}) > 1  | ${a} = 'yes' |
"""), frameworks=load_catalog().frameworks, name="test.xlsx", allow_repeats=True)
    assert [i.id for i in q.indicators] == ["ind1"]


def test_an_indicator_comparing_two_questions_asked_per_entry_is_refused_by_name():
    from fieldwork.problems import ProblemError
    from tests.forms import xlsform_bytes

    try:
        import_xlsform(xlsform_bytes("""
| type              | name     | label  |
| begin repeat      | incident | I      |
| select_one yes_no | a        | A      |
| select_one yes_no | b        | B      |
| end repeat        |          |        |
""", indicators="""
| id   | label | population | condition    |
| ind2 | I     |            | ${a} = ${b}  |
"""), frameworks=load_catalog().frameworks, name="test.xlsx", allow_repeats=True)
    except ProblemError as exc:
        assert any(p.item == "ind2" and "each asked once per entry" in p.message for p in exc.problems)
    else:
        raise AssertionError("an indicator comparing two questions asked per entry was not refused")
