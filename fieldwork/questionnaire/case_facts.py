"""What Add a case asks: the facts a case is added with, wherever the form puts them.

The register and the sample count cases by force, so a case is not added without its
``force``, and its ``cps_area`` is set with it. The contract's questionnaires keep these in a
section named ``context`` (contract section 3); a form written in KoboToolbox or ODK puts them
in a group named as its author liked ("case_details"). Add a case therefore asks the
``context`` section's questions, if the form has one, and the facts it checks by name
wherever they sit, in the form's order. Calculations are worked out, never typed; metadata
is filled in and files are never stored, so neither is offered.
"""

from __future__ import annotations

from typing import Mapping

from fieldwork.contract import CASE_REF, CONTEXT_SECTION
from fieldwork.questionnaire.model import MEDIA_TYPES, METADATA_TYPES, Question, Questionnaire

FORCE = "force"
CPS_AREA = "cps_area"
CHECKED = (FORCE, CPS_AREA)  # the facts Add a case checks by name (services/cases.add_case)


def asked_at_add(questionnaire: Questionnaire) -> list[Question]:
    """The questions Add a case offers, in the form's order (the case reference apart)."""
    return [q for q in questionnaire.questions
            if (q.section == CONTEXT_SECTION or q.name in CHECKED) and q.name != CASE_REF
            and not q.is_computed and q.type not in (*METADATA_TYPES, *MEDIA_TYPES)
            and not questionnaire.repeat_of(q.name)]


def worked_out(questionnaire: Questionnaire, answers: Mapping[str, str]) -> dict[str, str]:
    """The case's calculations (outside repeat groups) worked out from these answers, as the
    first save in Assess would work them out: only those asked and not blank."""
    computed = [q.name for q in questionnaire.questions if q.is_computed and q.calculation
                and not questionnaire.repeat_of(q.name)]
    if not computed:
        return {}
    worked = questionnaire.with_calculations({k: v for k, v in answers.items() if k not in computed})
    asked = questionnaire.relevant_names(worked)
    return {n: str(worked[n]) for n in computed if n in asked and worked.get(n) not in (None, "")}


def import_note(questionnaire: Questionnaire) -> str:
    """What ``questionnaire import`` tells the lead about adding cases: what Add a case will ask,
    each question by its label and name, and what is lost without a ``force`` question."""
    asked = [f"“{q.label or q.name}” ({q.name})" for q in asked_at_add(questionnaire)]
    said = "Add a case asks: the case reference" + "".join(f", {a}" for a in asked) + "."
    if not questionnaire.has_question(FORCE) or questionnaire.repeat_of(FORCE):
        said += (" The form has no question named force outside a repeat group, so its cases are added without a "
                 "force: the register, the sample and the findings cannot count them by force (name the force "
                 "question force, its choices the force codes, to count them).")
    return said
