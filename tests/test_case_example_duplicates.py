"""A case example marked twice (walk 23, F4): the identical example (same case, criterion,
finding, answer and narrative) is refused in words; one that differs in any of them is not."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fieldwork import db
from fieldwork.problem_codes import DUPLICATE_EXAMPLE
from fieldwork.problems import ProblemError
from fieldwork.services import case_examples
from models import CaseExample
from tests.laptops import LEAD_ACTOR, random_answers, score

NARRATIVE = "The file shows six weeks without action."


def _count(engine) -> int:
    with db.session_scope(engine) as s:
        return s.execute(select(func.count()).select_from(CaseExample)).scalar_one()


def test_the_same_example_twice_is_refused_in_words(engine):
    score(engine, "inspector1", "HS-0001", random_answers(engine, seed=1, avoidable_delay="yes"))
    with db.session_scope(engine) as s:
        case_examples.mark(s, LEAD_ACTOR, "case_review", "HS-0001", NARRATIVE, criterion="3.1")
    with pytest.raises(ProblemError) as err, db.session_scope(engine) as s:
        case_examples.mark(s, LEAD_ACTOR, "case_review", "HS-0001", f"  {NARRATIVE} ", criterion="3.1")
    problem, = err.value.problems
    assert problem.code == DUPLICATE_EXAMPLE and problem.item == "HS-0001"
    assert "already an example of this with the same narrative" in problem.message
    assert _count(engine) == 1

    with db.session_scope(engine) as s:  # another criterion, a finding, another narrative: each its own
        case_examples.mark(s, LEAD_ACTOR, "case_review", "HS-0001", NARRATIVE, criterion="4.1")
        case_examples.mark(s, LEAD_ACTOR, "case_review", "HS-0001", NARRATIVE, finding="avoidable_delay",
                           answer="yes")
        case_examples.mark(s, LEAD_ACTOR, "case_review", "HS-0001", NARRATIVE + " Then a PIN.", criterion="3.1")
    assert _count(engine) == 4
    with pytest.raises(ProblemError, match="already an example"), db.session_scope(engine) as s:
        case_examples.mark(s, LEAD_ACTOR, "case_review", "HS-0001", NARRATIVE, finding="avoidable_delay",
                           answer="yes")


def test_narrative_warnings_are_the_note_check():
    assert "a phone number" in case_examples.narrative_warnings("Called on 07700 900123.")
    assert case_examples.narrative_warnings(NARRATIVE) == []
