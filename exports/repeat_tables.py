"""One table per repeat group beside the cases' table: the workbook's repeat sheets and the
CSV export's zip (``FORM.csv`` and ``FORM-REPEAT.csv``, as ODK Central names its files).

Columns as KoboToolbox writes its repeat sheets, with our ``case_ref`` first: ``case_ref``, the
repeat's own questions in questionnaire order, then ``_index`` (the row's number in its table),
``_parent_table_name`` (``responses`` for an entry of a case, else the repeat group it sits
in) and ``_parent_index`` (the case's row among the cases, or the parent entry's ``_index``).
The importer reads them back (``fieldwork/services/repeat_files.py``); positions are the
entries' order within their parent, so an entry keeps its path where positions run 1, 2, 3.
"""

from __future__ import annotations

import csv
import io
import zipfile

from exports.cells import safe
from fieldwork.questionnaire import repeat_levels
from fieldwork.services.repeat_entries import Entry
from fieldwork.services.responses import CASE_REF, Responses

MAIN = "responses"
SHEET_CHARS = 31


def header(resp: Responses, repeat: str) -> list[str]:
    names = [x.name for x in repeat_levels.questions_of(resp.questionnaire, repeat)]
    return [CASE_REF, *names, "_index", "_parent_table_name", "_parent_index"]


def tables(resp: Responses, entries: dict[str, list[Entry]]) -> dict[str, tuple[list[str], list[list[str]]]]:
    """repeat -> (header, rows of text), outer repeats first."""
    q = resp.questionnaire
    case_index = {row.uid: i for i, row in enumerate(resp.rows, start=1)}
    refs = {row.uid: row.case_ref for row in resp.rows}
    indexes: dict[tuple[str, str], int] = {}  # (uid, instance) -> _index in its table
    out = {}
    for repeat in sorted(q.repeats, key=lambda r: repeat_levels.depth(q, r.name)):
        names = header(resp, repeat.name)[1:-3]
        rows = []
        for n, entry in enumerate(entries.get(repeat.name, []), start=1):
            indexes[(entry.uid, entry.instance)] = n
            parent_index = (indexes.get((entry.uid, entry.parent)) if entry.parent else case_index[entry.uid])
            rows.append([refs[entry.uid], *(entry.answers.get(name, "") for name in names), str(n),
                         repeat.parent or MAIN, "" if parent_index is None else str(parent_index)])
        out[repeat.name] = (header(resp, repeat.name), rows)
    return {r.name: out[r.name] for r in q.repeats}


def sheet_names(resp: Responses, taken: set[str]) -> dict[str, str]:
    """repeat -> its sheet: the repeat's name (cut to Excel's 31 characters) unless a sheet
    already has it (the importer then knows it by its columns)."""
    out, used = {}, {t.casefold() for t in taken}
    for r in resp.questionnaire.repeats:
        name = r.name[:SHEET_CHARS]
        if name.casefold() in used:
            name = f"repeat_{r.name}"[:SHEET_CHARS]
        used.add(name.casefold())
        out[r.name] = name
    return out


def add_sheets(wb, resp: Responses, entries: dict[str, list[Entry]]) -> None:
    """The workbook's repeat sheets (openpyxl write-only workbook, as the other sheets)."""
    from exports.workbook import table_sheet

    names = sheet_names(resp, set(wb.sheetnames))
    for repeat, (head, rows) in tables(resp, entries).items():
        table_sheet(wb, names[repeat], head, rows)


def write_zip(main_csv: bytes, resp: Responses, entries: dict[str, list[Entry]]) -> bytes:
    """The cases' CSV and one CSV per repeat group, zipped."""
    form = resp.questionnaire.id
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{form}.csv", main_csv)
        for repeat, (head, rows) in tables(resp, entries).items():
            text = io.StringIO(newline="")
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow([safe(h) for h in head])
            writer.writerows([[safe(c) for c in row] for row in rows])
            zf.writestr(f"{form}-{repeat}.csv", text.getvalue().encode("utf-8"))
    return buf.getvalue()
