"""An XLSForm's ``default`` column, as ODK reads it: the value a new form starts with.

A case added in the app starts with each question's default already answered (the inspector
sees it and may change it), as a new ODK form does. An import never fills one in: a blank
cell is a question left blank on the device (ODK submits what the form held, default
included), so it stays blank here too (docs/xlsform.md).
"""

from __future__ import annotations

from typing import Mapping

from fieldwork.questionnaire.answers import convert
from fieldwork.questionnaire.model import MEDIA_TYPES, METADATA_TYPES, Questionnaire


def with_defaults(questionnaire: Questionnaire, given: Mapping[str, str]) -> dict[str, str]:
    """The answers a new assessment starts with: those given, and every question's default
    that is a valid answer to it, asked (its skip logic holds) and within its constraint.
    A default written as an expression (``today()``, ``${x}``) is not a literal answer and is
    left out."""
    out = dict(given)
    for q in questionnaire.questions:
        if not q.default or q.name in out or q.is_computed or q.type in (*METADATA_TYPES, *MEDIA_TYPES):
            continue
        value, fault = convert(questionnaire, q, q.default)
        if fault is None and value not in (None, ""):
            out[q.name] = value
    asked = questionnaire.relevant_names(out)
    failing = set(questionnaire.constraint_failures(out))
    return {k: v for k, v in out.items() if k in given or (k in asked and k not in failing)}
