"""The workbook's ``case_examples`` sheet: the cases a lead marked as examples, one row per
example and criterion it is listed under, with the pseudonymised narrative. Always present
(empty until a lead marks one), so the report team knows where to look.
Every text value passes through ``fieldwork.files.cells.safe`` (``table_sheet`` does it)."""

from __future__ import annotations

from sqlmodel import Session

from fieldwork.services import case_examples
from fieldwork.services.inspections import InspectionRef
from fieldwork.services.permissions import Actor

SHEET = "case_examples"
WIDTHS = [10, 14, 22, 30, 16, 50, 90, 16, 20]


def extend_workbook(session: Session, actor: Actor, ctx, framework, *, inspection: InspectionRef = None) -> None:
    from exports.workbook import table_sheet

    examples = case_examples.list_examples(session, actor, ctx.questionnaire.id, inspection=inspection)
    rows = case_examples.sheet_rows(examples, framework)

    def add_case_examples(wb, _ctx) -> None:
        table_sheet(wb, SHEET, case_examples.SHEET_HEADER, rows, widths=WIDTHS, wrap=[5, 6])

    ctx.extra_sheets.append(add_case_examples)
    ctx.cover_lines.append(("Case examples", f"{len(examples)} marked by the lead (sheet {SHEET})"))
