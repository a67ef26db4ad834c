"""Questionnaires and frameworks: the model, the loader that checks them, XLSForm in and out."""

from fieldwork.questionnaire.framework import Codes, Framework, GeneralCriterion, SpecificCriterion
from fieldwork.questionnaire.loader import build_questionnaire, load_questionnaire
from fieldwork.questionnaire.model import (NOT_APPLICABLE, NOT_KNOWN, Choice, Indicator, Question, Questionnaire,
                                           Section)

__all__ = [
    "NOT_APPLICABLE", "NOT_KNOWN", "Choice", "Codes", "Framework", "GeneralCriterion", "Indicator",
    "Question", "Questionnaire", "Section", "SpecificCriterion", "build_questionnaire", "load_questionnaire",
]
