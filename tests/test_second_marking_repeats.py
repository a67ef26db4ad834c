"""Second marking compares answers question by question: a questionnaire with repeat groups is
refused with a message rather than its entries paired wrongly (issue 12)."""

from __future__ import annotations

import pytest

from fieldwork import db
from fieldwork.problem_codes import REPEAT_NOT_SUPPORTED
from fieldwork.problems import ProblemError
from fieldwork.services import second_marking
from tests.laptops import LEAD_ACTOR
from tests.repeat_helpers import add_form


def test_a_questionnaire_with_repeats_is_refused_for_second_marking_naming_its_repeats(engine):
    with db.session_scope(engine) as s:
        add_form(s)
    with db.session_scope(engine) as s:
        problem = second_marking.questionnaire_problem(s, "incident_log")
        assert problem.code == REPEAT_NOT_SUPPORTED
        assert "incident, pin, hearing" in problem.message and "cannot be second-marked" in problem.message
        with pytest.raises(ProblemError) as err:
            second_marking.plan(s, LEAD_ACTOR, "incident_log", [], seed=1)
        assert REPEAT_NOT_SUPPORTED in {p.code for p in err.value.problems}


def test_a_questionnaire_without_repeats_is_not_refused(engine):
    with db.session_scope(engine) as s:
        assert second_marking.questionnaire_problem(s, "case_review") is None
