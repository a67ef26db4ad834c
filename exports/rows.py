"""The wide table's rows as cell values, shared by the CSV writer and the workbook's
``responses`` sheets: codes or labels, the inspector, markers, and notes when asked.

Every text value goes through ``exports.cells.safe`` here, so no writer can forget it.
Integer answers are written as numbers (a number cell cannot hold a formula).
"""

from __future__ import annotations

from typing import Iterator, Mapping

from exports.cells import safe
from fieldwork.services import responses as wide
from fieldwork.services.responses import ResponseRow, Responses


def header(resp: Responses, markers: Mapping[str, Mapping[str, str]] | None = None) -> list[str]:
    return wide.columns(resp.questionnaire, with_notes=resp.with_notes, markers=tuple(markers or ()))


def _cell(resp: Responses, variable: str, code: str | None, labels: bool):
    if code is None:
        return None
    if variable == wide.CASE_REF or not resp.questionnaire.has_question(variable):
        return safe(code)
    question = resp.questionnaire.question(variable)
    if question.type == "integer" and code.lstrip("-").isdigit():
        return int(code)
    if labels and question.is_single_choice:
        return safe(resp.questionnaire.label_of(variable, code))
    return safe(code)


def values(resp: Responses, row: ResponseRow, *, labels: bool = False,
           markers: Mapping[str, Mapping[str, str]] | None = None) -> list:
    variables = wide.variables(resp.questionnaire)
    out = [_cell(resp, v, row.value(v), labels) for v in variables]
    out.append(safe(row.inspector))
    for marker in markers or {}:
        out.append(safe(markers[marker].get(row.uid)))
    if resp.with_notes:
        out += [safe(row.notes.get(v)) for v in variables if v != wide.CASE_REF]
    return out


def all_values(resp: Responses, *, labels: bool = False,
               markers: Mapping[str, Mapping[str, str]] | None = None) -> Iterator[list]:
    for row in resp.rows:
        yield values(resp, row, labels=labels, markers=markers)
