"""ODK's functions in a form's calculations (walk 24, W2): uuid() and random() worked out once
and kept, a few of ODK's text functions worked out, and a function ODK has and this app does
not work out refused by name in words, never as an "unknown name" to be written ${name}."""

from __future__ import annotations

import re

import pytest

from fieldwork import expr
from fieldwork.problems import ProblemError
from tests.forms import build

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_uuid_is_a_new_uuid4_each_time_it_is_worked_out():
    first, second = expr.calculate("uuid()", {}), expr.calculate("once(uuid())", {})
    assert UUID4.match(first) and UUID4.match(second) and first != second
    assert re.fullmatch(r"[A-Za-z0-9]{12}", expr.calculate("uuid(12)", {}))


def test_random_is_a_number_from_0_to_1():
    assert 0 <= float(expr.calculate("random()", {})) < 1


@pytest.mark.parametrize("text, value", [
    ("substring-before('HS-0001', '-')", "HS"),
    ("substring-after('HS-0001', '-')", "0001"),
    ("substring-after('HS0001', '-')", ""),
    ("translate('hs-0001', 'hs', 'HS')", "HS-0001"),
    ("translate('a-b-c', '-', '')", "abc"),
    ("if(boolean-from-string('true'), 'y', 'n')", "y"),
    ("if(boolean-from-string('no'), 'y', 'n')", "n"),
])
def test_odk_text_functions(text, value):
    assert expr.calculate(text, {}) == value


def test_a_uuid_calculation_is_kept_once_worked_out():
    q = build("""
| type      | name       | label | calculation             |
| text      | note_ref   | Ref   |                         |
| calculate | instanceID |       | concat('uuid:', uuid()) |
""")
    first = q.with_calculations({"note_ref": "x"})["instanceID"]
    assert first.startswith("uuid:") and UUID4.match(first[5:])
    assert q.with_calculations({"note_ref": "y", "instanceID": first})["instanceID"] == first


@pytest.mark.parametrize("calculation, said", [
    ("digest(${ref}, 'SHA-256')", "digest() is an ODK function this app does not work out (it hashes text on "
                                  "the device)"),
    ("area(${ref})", "area() is an ODK function this app does not work out (it measures a shape drawn on the "
                     "device's map)"),
    ("shout(${ref})", "shout() is not a function this app knows (docs/xlsform.md lists those it works out)"),
])
def test_a_function_the_app_does_not_work_out_is_refused_by_name(calculation, said):
    with pytest.raises(ProblemError) as caught:
        build(f"""
| type      | name  | label | calculation   |
| text      | ref   | Ref   |               |
| calculate | out   |       | {calculation} |
""")
    messages = [p.message for p in caught.value.problems]
    assert any(said in m for m in messages), messages
    assert not any("variables are written" in m for m in messages)
    assert [p.row for p in caught.value.problems] == [3]
