"""A ``choice_filter`` held to: an answer outside the list its filter leaves for the case.

ODK Collect offers a question with ``choice_filter: force=${force}`` only the choices whose
``force`` column matches the case's force. A stored answer outside that list (typed in Add a
case before the filter was applied, imported, or left by a change of force) would be counted
under the wrong group in the findings while the form shows an empty box, so saving it,
marking the case complete and importing it are refused, in words. The list is worked out as
the Assess form works it out (``loader.filtered_choices``), in the answer's own entry for a
question in a repeat group.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

from fieldwork.questionnaire import entries as repeat_entries
from fieldwork.questionnaire.loader import filtered_choices
from fieldwork.questionnaire.model import CHOICE_TYPES, Questionnaire


def _filtered(questionnaire: Questionnaire) -> bool:
    return any(q.choice_filter and q.type in CHOICE_TYPES for q in questionnaire.questions)


def _codes(questionnaire: Questionnaire, name: str, value) -> list[str]:
    text = str(value)
    return text.split() if questionnaire.question(name).is_multiple_choice else [text]


def _context(questionnaire: Questionnaire, answers: Mapping[str, object], instances, instance: str,
             worked: repeat_entries.Entries | None) -> Mapping[str, object]:
    if not instance:
        return answers
    worked = worked or repeat_entries.Entries(questionnaire, answers, instances)
    return worked.context(instance)


def outside(questionnaire: Questionnaire, answers: Mapping[str, object], instances: Iterable[str] = (),
            names: Iterable[str] | None = None) -> list[str]:
    """The answered slots (of ``names``, else all) holding a code their filtered list leaves out."""
    if not _filtered(questionnaire):
        return []
    instances = list(instances)
    worked = None
    out = []
    for key in (answers if names is None else names):
        value = answers.get(key)
        instance, name = repeat_entries.split(key)
        if value in (None, "") or not questionnaire.has_question(name):
            continue
        question = questionnaire.question(name)
        if not question.choice_filter or question.type not in CHOICE_TYPES or not questionnaire.options(name):
            continue  # no filter; or a list in a file that did not come with the form: the code is typed
        if instance and worked is None:
            worked = repeat_entries.Entries(questionnaire, answers, instances)
        if leaves_out(questionnaire, name, value, _context(questionnaire, answers, instances, instance, worked)):
            out.append(key)
    return out


def leaves_out(questionnaire: Questionnaire, name: str, value, context: Mapping[str, object]) -> bool:
    """Whether the question's filtered list, given the answers in ``context``, lacks ``value``
    (or one of its codes). False for a question without a filter or a list."""
    question = questionnaire.question(name)
    if value in (None, "") or not question.choice_filter or question.type not in CHOICE_TYPES \
            or not questionnaire.options(name):
        return False
    allowed = {c.code for c in filtered_choices(questionnaire, question, context)}
    return any(code not in allowed for code in _codes(questionnaire, name, value))


def refusal(questionnaire: Questionnaire, answers: Mapping[str, object], key: str,
            instances: Iterable[str] = ()) -> str:
    """Why the answer in ``key`` is outside its list, in words: the answer, what it is filtered
    by (each question by its label, with its answer) and what the list offers."""
    instance, name = repeat_entries.split(key)
    question = questionnaire.question(name)
    context = _context(questionnaire, answers, list(instances), instance, None)
    allowed = filtered_choices(questionnaire, question, context)
    wrong = [c for c in _codes(questionnaire, name, answers.get(key)) if c not in {a.code for a in allowed}]
    by = []
    for var in dict.fromkeys(re.findall(r"\$\{([^}]*)\}", question.choice_filter)):
        var = var.rsplit("/", 1)[-1]
        if questionnaire.has_question(var):
            given = context.get(var)
            shown = questionnaire.label_of(var, given) if given not in (None, "") else "not answered"
            by.append(f"“{questionnaire.question(var).label or var}” is {shown}")
    where = f"{repeat_entries.title(questionnaire, instance)}: " if instance else ""
    offered = ", ".join(c.label for c in allowed) or "nothing"
    return (f"{where}“{question.label or name}” holds {', '.join(questionnaire.label_of(name, c) for c in wrong)}, "
            f"which its list does not offer for this case ({' and '.join(by) or 'its filter'}; the list offers: "
            f"{offered}): choose one of those")
