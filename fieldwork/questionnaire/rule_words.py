"""A question's skip logic said in words, for the person told why an answer is refused:
“asked only when “Was a suspect charged?” is Yes”, never ``${charged} = 'yes'``.

The usual shapes of an XLSForm ``relevant`` are worded — a question compared with a code or
a number, ``selected()``, ``in (...)``, answered or not, joined by ``and``/``or``/``not`` —
each question by its label and each code by its label. Anything else (arithmetic,
functions over entries) has no faithful short wording: the caller says so in general terms
and leaves the XPath out of the sentence.
"""

from __future__ import annotations

from fieldwork import expr
from fieldwork.questionnaire.model import Questionnaire

COMPARED = {"=": "is", "!=": "is not", "<": "is less than", "<=": "is at most", ">": "is more than",
            ">=": "is at least"}
FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}


def in_words(questionnaire: Questionnaire, rule: str) -> str | None:
    """The rule as a sentence's ending ("“Charged?” is Yes and “Plea” is not Guilty"), or None
    when it has a shape this does not word."""
    if not rule:
        return None
    try:
        return _words(questionnaire, expr.parse(rule), top=True)
    except expr.ExpressionError:
        return None


def asked_only_when(questionnaire: Questionnaire, name: str) -> str:
    """Why a question is not asked, in words: its group's skip logic and its own."""
    said = in_words(questionnaire, questionnaire.rule(questionnaire.question(name)))
    return f"asked only when {said}" if said else "asked only when other answers call for it"


def _label(questionnaire: Questionnaire, name: str) -> str | None:
    name = name.rsplit("/", 1)[-1]
    if not questionnaire.has_question(name):
        return None
    return f"“{questionnaire.question(name).label or name}”"


def _code(questionnaire: Questionnaire, name: str, value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    label = questionnaire.label_of(name.rsplit("/", 1)[-1], value) if questionnaire.has_question(
        name.rsplit("/", 1)[-1]) else value
    return label if label else "blank"


def _words(q: Questionnaire, node, *, top: bool = False) -> str | None:
    if isinstance(node, expr.BoolOp):
        parts = [_words(q, o) for o in node.operands]
        if any(p is None for p in parts):
            return None
        text = f" {node.op} ".join(parts)
        return text if top or node.op == "and" else f"({text})"
    if isinstance(node, expr.Not):
        inner = _words(q, node.operand)
        return None if inner is None else f"not ({inner})"
    if isinstance(node, expr.Compare):
        left, right, op = node.left, node.right, node.op
        if isinstance(left, expr.Literal) and isinstance(right, expr.Var):
            left, right, op = right, left, FLIPPED[op]
        if isinstance(left, expr.Var) and isinstance(right, expr.Literal):
            label = _label(q, left.name)
            if label is None:
                return None
            if right.value == "" and op in ("=", "!="):
                return f"{label} is {'not ' if op == '=' else ''}answered"
            return f"{label} {COMPARED[op]} {_code(q, left.name, right.value)}"
        return None
    if isinstance(node, expr.InList) and isinstance(node.operand, expr.Var):
        label = _label(q, node.operand.name)
        if label is None:
            return None
        return f"{label} is " + " or ".join(_code(q, node.operand.name, o.value) for o in node.options)
    if isinstance(node, expr.Call) and node.name == "selected" and isinstance(node.args[0], expr.Var) \
            and isinstance(node.args[1], expr.Literal):
        name = node.args[0].name
        label = _label(q, name)
        if label is None:
            return None
        multiple = q.question(name.rsplit("/", 1)[-1]).is_multiple_choice
        return f"{label} {'includes' if multiple else 'is'} {_code(q, name, node.args[1].value)}"
    if isinstance(node, expr.Var):
        label = _label(q, node.name)
        return None if label is None else f"{label} is answered"
    return None
