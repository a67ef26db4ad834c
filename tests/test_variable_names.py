"""Variables in words on the pickers (fieldwork.short_labels.variable_names): never a code in
brackets; two that read the same told apart in words."""

from __future__ import annotations

from fieldwork.short_labels import variable_names
from tests.forms import build

SAME_WORDS = """
| type              | name            | label                        |
| begin group       | first_contact   | First contact                |
| select_one yes_no | risk_first      | Risk assessed?               |
| select_one yes_no | advice_first    | Advice given?                |
| end group         |                 |                              |
| begin group       | at_charge       | At charge                    |
| select_one yes_no | risk_charge     | Risk assessed?               |
| select_one yes_no | advice_charge   | Advice given?                |
| select_one yes_no | advice_again    | Advice given?                |
| select_one charge | charged_by      | Who made the charging decision? |
| end group         |                 |                              |
"""


def test_two_questions_worded_alike_are_told_apart_by_their_section_then_their_order():
    q = build(SAME_WORDS)
    names = variable_names(q, [x.name for x in q.single_choice_questions])
    assert names == {
        "risk_first": "Risk assessed? – in First contact",
        "risk_charge": "Risk assessed? – in At charge",
        "advice_first": "Advice given? – in First contact",
        "advice_charge": "Advice given? – in At charge – the first of these",
        "advice_again": "Advice given? – in At charge – the second of these",
        "charged_by": "Who made the charging decision?",
    }
    assert len(set(names.values())) == len(names)
    assert not any(code in words for code in names for words in names.values())


def test_the_criteria_short_labels_name_the_demonstration_variables(demo_engine):
    from fieldwork import db
    from fieldwork.services import inspections

    with db.session_scope(demo_engine) as s:
        for qid in ("case_review", "pin_review"):
            q = inspections.load_questionnaire(s, qid)
            names = variable_names(q, [x.name for x in q.single_choice_questions])
            assert len(set(names.values())) == len(names), qid  # no two read the same
            assert not any(f"({code})" in words or words == code for code in names for words in names.values())
    assert names["force"] == "Force"
