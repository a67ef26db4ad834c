"""Writing an .xlsx sheet that holds one table (the workbook's sheets, the audit trail's and
the agreement's downloads): a bold frozen header, readable widths, filter buttons, and every
value made safe (``cells.safe``) as it is written. Sheets are write-only: rows are streamed
to the file, not held as cells.
"""

from __future__ import annotations

import warnings
from typing import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from fieldwork.files.cells import safe

PERCENT = "0%"
MAX_WIDTH = 60
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")


def header_cells(ws, names: Sequence[str]) -> list:
    cells = []
    for name in names:
        cell = WriteOnlyCell(ws, value=safe(name))
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cells.append(cell)
    return cells


def width(values: Iterable, floor: int = 8) -> float:
    longest = max((len(str(v)) for v in values if v is not None), default=0)
    return min(max(floor, longest + 2), MAX_WIDTH)


def declare_size(ws, n_columns: int, n_rows: int) -> None:
    """Write the sheet's size into its header, as Excel does. A write-only sheet leaves it out,
    and then every reader (openpyxl's included) scans the whole sheet once just to size it."""
    ref = f"A1:{get_column_letter(max(n_columns, 1))}{max(n_rows, 1)}"
    ws.calculate_dimension = lambda: ref


def add_table(ws, name: str, header: Sequence[str], n_rows: int) -> None:
    """An Excel table with filter buttons over the header and rows (at least one row: Excel
    needs one, and an empty row is where an inspector starts typing)."""
    ref = f"A1:{get_column_letter(len(header))}{max(n_rows, 1) + 1}"
    table = Table(displayName=name, ref=ref)
    # write-only sheets cannot be read back, so the columns are named here, as in the header
    table.tableColumns = [TableColumn(id=i + 1, name=str(h)) for i, h in enumerate(header)]
    table.autoFilter = AutoFilter(ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    with warnings.catch_warnings():  # openpyxl warns that write-only tables need their columns: they have them
        warnings.simplefilter("ignore", UserWarning)
        ws.add_table(table)


def table_sheet(wb: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence], *,
                table: str | None = None, widths: Sequence[float] | None = None,
                percent: Sequence[int] = (), wrap: Sequence[int] = ()):
    """A sheet holding one filterable table: bold frozen header, readable widths, percent
    columns (0-based indexes, values already fractions) shown as Excel percentages."""
    ws = wb.create_sheet(title)
    widths = widths or [width([h, *(r[i] for r in rows[:500])]) for i, h in enumerate(header)]
    for i, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(i + 1)].width = w
    ws.freeze_panes = "A2"
    declare_size(ws, len(header), len(rows) + 1)
    ws.append(header_cells(ws, header))
    special = set(percent) | set(wrap)
    for row in rows:
        out = []
        for i, value in enumerate(row):
            value = safe(value)
            if i in special:
                cell = WriteOnlyCell(ws, value=value)
                if i in percent:
                    cell.number_format = PERCENT
                if i in wrap:
                    cell.alignment = WRAP
                out.append(cell)
            else:
                out.append(value)
        ws.append(out)
    add_table(ws, table or f"tbl_{title}", header, len(rows))
    return ws
