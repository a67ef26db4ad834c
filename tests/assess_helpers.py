"""Helpers for tests that score cases: a case added the way the Cases page adds it, and a
full set of answers that follows the questionnaire's skip logic."""

from __future__ import annotations

from fieldwork.questionnaire.model import Questionnaire
from fieldwork.services import cases
from fieldwork.services.permissions import INSPECTOR, LEAD, Actor

INSPECTOR1 = Actor("inspector1", INSPECTOR)
INSPECTOR2 = Actor("inspector2", INSPECTOR)
LEAD1 = Actor("lead1", LEAD)
CONTEXT = {"force": "durham", "domestic_abuse": "yes", "offence_charged": "stalking_s4a", "plea": "guilty",
           "charged_by": "cps", "digital_element": "no"}


def add(session, actor: Actor = INSPECTOR1, ref: str = "HS-0001", questionnaire: str = "case_review",
        **context) -> cases.NewCase:
    return cases.add_case(session, actor, inspection=None, questionnaire_id=questionnaire, case_ref=ref,
                          context={**CONTEXT, **context} if questionnaire == "case_review" else context)


def full_answers(questionnaire: Questionnaire, given: dict[str, str] | None = None) -> dict[str, str]:
    """Every question that is asked, answered: the given answers, else the first code (text
    questions get a made-up value). Skip logic only looks back, so one pass in order works."""
    answers = dict(given or {})
    for question in questionnaire.questions:
        if question.name in answers or question.name == cases.CASE_REF:
            continue
        if question.name not in questionnaire.relevant_names(answers):
            continue
        if question.is_single_choice:
            answers[question.name] = questionnaire.codes(question.name)[0]
        else:
            answers[question.name] = {"integer": "3", "date": "2016-05-04"}.get(question.type, "seen")
    return answers
