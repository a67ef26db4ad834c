"""A worksheet's rows streamed from an .xlsx opened by ``safe_xlsx`` (read-only).

openpyxl's own sheet parser reads the sheet part as it is unpacked, one row at a time, so a
sheet is never held whole; ``_SheetParser`` changes two things about it (below).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

_IS, _T, _R, _F = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("is", "t", "r", "f"))


@dataclass(frozen=True)
class Uncalculated:
    """An .xlsx cell holding a formula saved without its calculated value (a file written by a
    script, not saved by Excel). We never evaluate formulas, so its value is unknown: it is a
    problem of its row and column, never a blank."""

    formula: str

    def __str__(self) -> str:
        return "=" + self.formula


UNCALCULATED_REASON = ("holds a formula ({formula}) with no calculated value: open the file in Excel and save it "
                       "(Excel then stores the result), or type the value")


class _SheetParser(WorkSheetParser):
    """openpyxl's own sheet parser, except that

    * inline strings (which openpyxl, and so our own exports, write for every text cell) are
      read as plain text instead of through a rich-text object per cell: that halves the time
      to read a 10,000-case sheet;
    * a formula cell without a cached value is read as ``Uncalculated``, not as blank
      (openpyxl's ``data_only`` gives None): its content would otherwise be lost unseen. A
      cached value is read as openpyxl reads it; the formula itself is never evaluated."""

    def parse_cell(self, element):
        if element.get("t") != "inlineStr":
            cell = super().parse_cell(element)
            if cell["value"] is None and element.get("t") != "str":  # "str" with no text: a formula whose result is ""
                formula = element.find(_F)
                if formula is not None:
                    cell["value"] = Uncalculated(formula.text or "")
            return cell
        coordinate = element.get("r")
        if coordinate:
            row, column = coordinate_to_tuple(coordinate)
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        value = None
        child = element.find(_IS)
        if child is not None:  # plain text, or rich-text runs (phonetic hints left out, as openpyxl does)
            value = (child.findtext(_T) or "") + "".join(r.findtext(_T) or "" for r in child.findall(_R))
        return {"row": row, "column": column, "value": value, "data_type": "s", "style_id": 0}


def sheet_values(workbook, ws, max_columns: int | None = None) -> Iterator[tuple[int, Sequence]]:
    """(row number, cell values) for each row the sheet holds, cached values only (the
    workbook was opened with data_only: no formula is evaluated). ``max_columns`` stops a
    row that names a far column (``XFD1``) from making a list of 16,384 cells: the row is
    cut there and the caller sees a row as long as the limit plus one. The fallback path
    cannot tell a formula without a cached value from a blank cell."""
    try:
        source = workbook._archive.open(ws._worksheet_path)
        # a read-only sheet holds the workbook's texts itself (the workbook's own list stays empty)
        strings = getattr(ws, "_shared_strings", None) or workbook.shared_strings
        parser = _SheetParser(source, strings, data_only=True, epoch=workbook.epoch,
                              date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
    except AttributeError:  # an openpyxl whose internals differ: its public (slower) path
        ws.reset_dimensions()  # read what is there, not the size the file claims
        yield from enumerate(ws.iter_rows(values_only=True), start=1)
        return
    cap = None if max_columns is None else max_columns + 1
    with source:
        for number, cells in parser.parse():
            width = max((c["column"] for c in cells), default=0)
            values = [None] * (width if cap is None else min(width, cap))
            for c in cells:
                if c["column"] <= len(values):
                    values[c["column"] - 1] = c["value"]
            yield number, values


def first_row(workbook, ws) -> Sequence:
    rows = sheet_values(workbook, ws)
    try:
        return next(rows, (0, []))[1]
    finally:
        rows.close()  # closes the sheet part it opened
