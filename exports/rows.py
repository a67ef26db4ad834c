"""The wide table's rows as cell values, shared by the CSV writer and the workbook's
``responses`` sheets: codes or labels, the inspector, markers, and notes when asked.

Every text value goes through ``fieldwork.files.cells.safe`` here, so no writer can forget it.
Integer answers are written as numbers (a number cell cannot hold a formula). How each
column turns a stored code into a cell is decided once per export, not once per cell.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Callable, Iterator, Mapping

from fieldwork.files.cells import safe
from fieldwork.services import wide_table
from fieldwork.services.wide_table import Responses

Markers = Mapping[str, Mapping[str, str]]  # marker name -> assessment uid -> value


def header(resp: Responses, markers: Markers | None = None) -> list[str]:
    return wide_table.columns(resp.questionnaire, with_notes=resp.with_notes, markers=tuple(markers or ()))


def _integer(code: str):
    return int(code) if code.lstrip("-").isdigit() else safe(code)


def _decimal(code: str):
    # Decimal, not float: openpyxl writes its exact text, so 0.1 stays 0.1 in the file
    try:
        return Decimal(code)
    except InvalidOperation:
        return safe(code)


def _date(code: str):
    try:
        return date.fromisoformat(code)
    except ValueError:
        return safe(code)


def _converter(resp: Responses, variable: str, labels: bool, *, typed: bool = True) -> Callable[[str], object]:
    """stored code -> cell value, for one variable column."""
    q = resp.questionnaire
    if variable == wide_table.CASE_REF or not q.has_question(variable):
        return safe
    question = q.question(variable)
    if question.type == "integer":
        return _integer
    if question.type in ("decimal", "range"):
        return _decimal
    if question.type == "date" and typed:
        return _date
    if labels and question.is_single_choice:
        shown = {c.code: safe(c.label) for c in q.options(variable)}
        return lambda code: shown[code] if code in shown else safe(code)
    if labels and question.is_multiple_choice:
        names = {c.code: c.label for c in q.options(variable)}
        return lambda codes: safe("; ".join(names.get(c, c) for c in codes.split()))
    return safe


def all_values(resp: Responses, *, labels: bool = False, markers: Markers | None = None,
               typed: bool = True) -> Iterator[list]:
    """``typed``: dates as date cells (the workbook); the CSV keeps the stored ISO text."""
    variables = wide_table.variables(resp.questionnaire)[1:]  # after case_ref
    convert = [(v, _converter(resp, v, labels, typed=typed)) for v in variables]
    noted = variables if resp.with_notes else []
    markers = markers or {}
    for row in resp.rows:
        answers, notes = row.answers, row.notes
        out = [safe(row.case_ref)]
        out += [None if v not in answers else fn(answers[v]) for v, fn in convert]
        out.append(safe(row.inspector))
        out += [safe(m.get(row.uid)) for m in markers.values()]
        out += [safe(notes.get(v)) for v in noted]
        yield out

