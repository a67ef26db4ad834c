"""A file's bytes as a header and rows: a wide CSV or the ``responses`` sheet of an .xlsx.

``read_table`` refuses a file that is too large, empty, not well formed, in an encoding we
cannot read with certainty, or an .xlsx that is not safe to open (``safe_xlsx``: no formula
evaluated, no link followed, every part counted as it is unpacked). Rows are read as a
stream, and every limit of ``limits`` — rows, columns, non-blank cells, characters — is
counted as they are read: a file beyond one is refused at the row where it crosses it, before
the rest is read (a CSV with far more lines than the row limit is counted first, without
keeping its rows). Cells are kept as the file gave them (text, or Excel values); what they
mean is the importer's business.
"""

from __future__ import annotations

import codecs
import csv
from sys import intern
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from openpyxl.utils import get_column_letter

from fieldwork.files import foreign, limits, text
from fieldwork.files.cells import blank, clip, display
from fieldwork.files.limits import (EMPTY_FILE, FILE_TOO_LARGE, MALFORMED_FILE, MISSING_SHEET, TOO_MANY_ROWS,
                                    UNCALCULATED_FORMULA, UNSUPPORTED_FILE, mb, refuse)
from fieldwork.files.safe_xlsx import open_workbook
from fieldwork.files.xlsx_sheet import UNCALCULATED_REASON, Uncalculated, first_row, sheet_values
from fieldwork.problems import Problem, ProblemError

SHEET = "responses"
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
XLSX_SUFFIXES = {".xlsx"}
ZIP_SUFFIXES = {".zip"}  # ODK Central's "Download all"


@dataclass
class Table:
    """A file's header and its data rows, cells as the file gave them (text, or Excel values)."""

    source: str
    header: list[str]
    rows: list[tuple[int, Sequence]]  # (spreadsheet row number, cells); blank rows left out
    encoding: str  # "UTF-8", "Windows-1252", "xlsx"
    warnings: list[Problem] = field(default_factory=list)
    # the entries of repeat groups: (sheet or zip member, its table), read by services/repeat_files
    repeats: list[tuple[str, "Table"]] = field(default_factory=list)
    # a header mapped onto ours (a KoboToolbox or ODK Central export): for each column, the
    # file's own column index and header, so messages name the file's columns; [] when unmapped
    file_columns: list[tuple[int, str]] = field(default_factory=list)

    def as_in_file(self, i: int) -> tuple[str, str]:
        """(column letter, header) of column ``i`` as the file itself has them."""
        if i < len(self.file_columns):
            at, written = self.file_columns[i]
            return get_column_letter(at + 1), written
        return get_column_letter(i + 1), self.header[i].strip() if i < len(self.header) else ""

    def preview(self, n: int = 10) -> list[dict]:
        """The first rows as dicts by column, for a look before confirming."""
        out = []
        for number, cells in self.rows[:n]:
            row = {"row": number}
            for i, name in enumerate(self.header):
                row[name or get_column_letter(i + 1)] = display(cells[i] if i < len(cells) else None)
            out.append(row)
        return out


SHORT = 24  # a cell this short is most likely a code, repeated down its column: held once (sys.intern)


def _shared(cells: Sequence) -> list:
    """The row with each short text held once for the whole file: 100,000 rows of codes take
    one string per code, not one per cell."""
    return [intern(c) if type(c) is str and len(c) <= SHORT else c for c in cells]


class _Tally:
    """Rows, non-blank cells and characters counted as a sheet is read; refuses at the row
    where a limit is crossed, naming the limit."""

    def __init__(self, name: str):
        self.name, self.rows, self.cells, self.characters = name, 0, 0, 0

    def row(self, number: int) -> None:
        self.rows += 1
        if self.rows > limits.MAX_ROWS:
            raise refuse(TOO_MANY_ROWS, f"holds more than {limits.MAX_ROWS:,} rows (refused at row {number:,}): "
                         "split it into smaller files", self.name, row=number)

    def add(self, number: int, cells: Sequence) -> None:
        self.row(number)
        for value in cells:
            if value is None or value == "":
                continue
            self.cells += 1
            if isinstance(value, str):
                self.characters += len(value)
        if self.cells > limits.MAX_CELLS:
            raise refuse(FILE_TOO_LARGE, f"holds more than {limits.MAX_CELLS:,} filled cells (refused at row "
                         f"{number:,}): split it into smaller files", self.name, row=number)
        if self.characters > limits.MAX_CHARACTERS:
            raise refuse(FILE_TOO_LARGE, f"holds more than {limits.MAX_CHARACTERS:,} characters of text (refused "
                         f"at row {number:,}): split it into smaller files", self.name, row=number)


def _too_large(size: int, name: str) -> ProblemError:
    return refuse(FILE_TOO_LARGE, f"the file is {mb(size)}; at most {mb(limits.MAX_FILE_BYTES)} are accepted "
                  "(split it into smaller files)", name)


def read_path(path: str | Path) -> Table:
    """Read a file from disk, refusing one that is too large before reading it."""
    path = Path(path)
    if not path.is_file():
        raise refuse(EMPTY_FILE, "no such file", path.name)
    size = path.stat().st_size
    if size > limits.MAX_FILE_BYTES:
        raise _too_large(size, path.name)
    return read_table(path.read_bytes(), path.name)


def read_table(data: bytes, name: str) -> Table:
    """The file's header and rows; refuses a file that cannot be read with certainty."""
    name = Path(name or "upload").name[:200]
    if len(data) > limits.MAX_FILE_BYTES:
        raise _too_large(len(data), name)
    if not data.strip():
        raise refuse(EMPTY_FILE, "the file is empty", name)
    suffix = Path(name).suffix.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise refuse(UNSUPPORTED_FILE, "is an old Excel .xls file: save it as .xlsx (Excel Workbook) or "
                     "CSV UTF-8 and import that", name)
    if data.startswith(b"PK\x03\x04") and suffix not in XLSX_SUFFIXES:
        members = foreign.zip_tables(data, name)  # ODK Central's "Download all", our CSV export's zip
        if members is not None:
            (first, main), *others = members
            table = _read_csv(main, f"{name} [{clip(first)}]")
            table.repeats = [(m, _read_csv(b, f"{name} [{clip(m)}]", allow_empty=True)) for m, b in others]
            return table
    if suffix in ZIP_SUFFIXES and not data.startswith(b"PK\x03\x04"):
        raise refuse(UNSUPPORTED_FILE, "is named .zip but is not a zip file", name)
    if data.startswith(b"PK\x03\x04") or suffix in XLSX_SUFFIXES:
        return _read_xlsx(data, name)
    if suffix and suffix not in CSV_SUFFIXES | ZIP_SUFFIXES:
        raise refuse(UNSUPPORTED_FILE, f"{clip(suffix)!r} files are not imported: use a wide .csv file or an .xlsx "
                     f"workbook with a '{SHEET}' sheet", name)
    return _read_csv(data, name)


def _csv_records(data: bytes, encoding: str, name: str) -> Iterable[tuple[int, list[str]]]:
    """(row number, cells) for each CSV record, read as a stream; a broken record is refused
    with the line where it starts."""
    stream = text.open_text(data, encoding)
    first = stream.readline()
    stream.seek(0)
    reader = csv.reader(stream, delimiter=text.delimiter(first.split("\n", 1)[0]), strict=True)
    number = 0
    try:
        for cells in reader:
            number += 1
            yield number, cells
    except csv.Error as exc:  # raised while reading the record after the last one read
        raise refuse(MALFORMED_FILE, f"is not a well-formed CSV file near line {reader.line_num}: {exc}", name,
                     row=number + 1) from None


def _read_csv(data: bytes, name: str, *, allow_empty: bool = False) -> Table:
    if b"\x00" in data[:65536] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise refuse(MALFORMED_FILE, "holds binary data (NUL bytes): it is not a CSV text file", name)
    encoding, warnings = text.encoding_of(data, name)
    if data.count(b"\n") > limits.MAX_ROWS + 1:  # it may hold too many rows: count them first, keeping none
        counted = _Tally(name)
        for number, cells in _csv_records(data, encoding, name):
            if number > 1 and any(c.strip() for c in cells):
                counted.row(number)
    header: list[str] | None = None
    rows: list[tuple[int, Sequence]] = []
    tally = _Tally(name)
    for number, cells in _csv_records(data, encoding, name):
        if header is None:
            header = [c.strip().lstrip("\ufeff") for c in cells]
            if len(header) > limits.MAX_COLUMNS:
                break  # refused by _finish, before any row is read
            continue
        if any(c.strip() for c in cells):
            tally.add(number, cells)
            rows.append((number, _shared(cells)))
    if (header is None or not any(header)) and not rows:  # nothing but blanks (a BOM, spaces, empty lines)?
        if not data.decode(text.CODECS[encoding], errors="replace").strip():
            raise refuse(EMPTY_FILE, "the file is empty", name)
    return _finish(Table(name, header or [], rows, encoding, warnings), allow_empty=allow_empty)


def _read_xlsx(data: bytes, name: str) -> Table:
    try:
        workbook = open_workbook(data, name=name)
    except ProblemError as exc:  # not a workbook, or not safe to open: said in the import's words
        raise ProblemError(exc.problems, f"{name} was refused: nothing was imported") from None
    try:
        sheets = {s.strip().lower(): s for s in workbook.sheetnames}
        # a sheet per repeat group (KoboToolbox's xlsx, our workbook), linked to the rows they belong to
        repeats = foreign.repeat_sheets(workbook, lambda ws: first_row(workbook, ws)) if len(sheets) > 1 else []
        if SHEET in sheets:
            sheet = sheets[SHEET]
        elif len(workbook.sheetnames) == 1:
            sheet = workbook.sheetnames[0]  # a one-sheet workbook can only mean that sheet
        elif repeats:
            sheet = workbook.sheetnames[0]  # KoboToolbox: the submissions first, then a sheet per repeat
        else:
            raise refuse(MISSING_SHEET, f"has no sheet named '{SHEET}' (it has: "
                         f"{', '.join(map(clip, workbook.sheetnames))})", name)
        source = f"{name} [{clip(sheet)}]" if sheet.lower() != SHEET else name
        tally = _Tally(f"{name} [{clip(sheet)}]")  # one count for every sheet read
        header, rows = _sheet_rows(workbook, sheet, name, tally)
        entries = [(title, _finish(Table(f"{name} [{clip(title)}]", *_sheet_rows(workbook, title, name, tally),
                                         "xlsx"), allow_empty=True)) for title in repeats]
    except ProblemError:
        raise
    except Exception as exc:  # a damaged sheet part: openpyxl raises many kinds
        raise refuse(MALFORMED_FILE, f"the sheet could not be read ({type(exc).__name__})", name) from None
    finally:
        workbook.close()
    table = _finish(Table(source, header, rows, "xlsx"))
    table.repeats = entries
    return table


def _sheet_rows(workbook, sheet: str, name: str, tally: _Tally) -> tuple[list[str], list[tuple[int, Sequence]]]:
    header: list[str] | None = None
    rows: list[tuple[int, Sequence]] = []
    for number, cells in sheet_values(workbook, workbook[sheet], limits.MAX_COLUMNS):
        if header is None:
            if number != 1:
                raise refuse(EMPTY_FILE, "row 1 holds no column names: the first row must name the "
                             "variables", name, row=1)
            _refuse_header_formulas(cells, name)
            header = ["" if c is None else str(c).strip() for c in cells]
            continue
        if any(not blank(c) for c in cells):
            tally.add(number, cells)
            rows.append((number, _shared(cells)))
    return header or [], rows


def _refuse_header_formulas(cells: Sequence, name: str) -> None:
    problems = [Problem(UNCALCULATED_FORMULA, UNCALCULATED_REASON.format(formula=repr(clip(c))), source=name, row=1,
                        field=f"column {get_column_letter(i + 1)}")
                for i, c in enumerate(cells) if isinstance(c, Uncalculated)]
    if problems:
        raise ProblemError(problems, f"{name} was refused: nothing was imported")


def _finish(table: Table, *, allow_empty: bool = False) -> Table:
    while table.header and not table.header[-1]:
        table.header.pop()  # Excel leaves empty header cells at the end of a row
    if not table.header:
        raise refuse(EMPTY_FILE, "row 1 holds no column names: the first row must name the variables", table.source,
                     row=1)
    if len(table.header) > limits.MAX_COLUMNS:
        raise refuse(MALFORMED_FILE, f"has {len(table.header):,} columns; at most {limits.MAX_COLUMNS:,} are "
                     "accepted", table.source, row=1)
    if not table.rows and not allow_empty:  # a repeat with no entries is a header alone
        raise refuse(EMPTY_FILE, "has a header row but no rows of data", table.source)
    return table
