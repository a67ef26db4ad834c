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

from fieldwork.files.cells import safe
from fieldwork.files.csv_out import csv_bytes
from fieldwork.questionnaire import repeat_levels
from fieldwork.services.entry_rows import Entry
from fieldwork.services.wide_table import CASE_REF, Responses

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
    from fieldwork.files.xlsx_out import table_sheet

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
            zf.writestr(f"{form}-{repeat}.csv", csv_bytes(head, rows, line_end="\r\n"))
    return buf.getvalue()


# --- in ODK Central's and KoboToolbox's layouts (``fieldwork export --layout odk|kobo``) ------


def _inner_group(q, question) -> list[str]:
    section = q.section(question.section)
    repeat = q.repeat_of(question.name)
    if section is None or section.id == repeat or section.id.startswith("general"):
        return []
    return [section.id]


def _central_name(q, r, question) -> str:
    """A field's column in a repeat's file as Central names it: from the repeat down, groups
    joined by ``-`` (``name``, ``adult-age``). A question stored under its group path (a name
    used twice in the form: ``incident/adult/age``) loses the path down to its repeat."""
    if "/" in question.name:
        parts = question.name.split("/")
        if r.name in parts:
            parts = parts[len(parts) - parts[::-1].index(r.name):]
        return "-".join(parts)
    return "-".join([*_inner_group(q, question), question.name])


def _point(value: str) -> list[str]:
    parts = value.split() if value else []
    return (parts + ["", "", "", ""])[:4]


def odk_zip(main_csv: bytes, resp: Responses, entries: dict[str, list[Entry]], instance_ids: dict[str, str]) -> bytes:
    """ODK Central's "Download all": ``FORM.csv`` and ``FORM-REPEAT.csv`` per repeat group, each
    with the repeat's fields (``group-field`` inside it; a geopoint as its four parts), then
    ``PARENT_KEY`` and ``KEY`` (``uuid:ID/incident[2]/contact[1]``)."""
    q = resp.questionnaire
    form = q.id
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{form}.csv", main_csv)
        for r in q.repeats:
            inside = repeat_levels.questions_of(q, r.name)
            head = []
            for x in inside:
                name = _central_name(q, r, x)
                head += [f"{name}-{p}" for p in ("Latitude", "Longitude", "Altitude", "Accuracy")] \
                    if x.type == "geopoint" else [name]
            rows = []
            for entry in entries.get(r.name, []):
                key = f"uuid:{instance_ids[entry.uid]}"
                cells = []
                for x in inside:
                    value = entry.answers.get(x.name, "")
                    cells += _point(value) if x.type == "geopoint" else [value]
                rows.append([*cells, f"{key}/{entry.parent}" if entry.parent else key, f"{key}/{entry.instance}"])
            zf.writestr(f"{form}-{r.name}.csv", csv_bytes(head + ["PARENT_KEY", "KEY"], rows, line_end="\r\n"))
    return buf.getvalue()


KOBO_SUBMISSION = ["_submission__id", "_submission__uuid", "_submission__submission_time",
                   "_submission__validation_status", "_submission__notes", "_submission__status",
                   "_submission__submitted_by", "_submission___version__", "_submission__tags"]


def kobo_xlsx(main_csv: bytes, resp: Responses, entries: dict[str, list[Entry]]) -> bytes:
    """KoboToolbox's xlsx (its CSV holds no repeats): the submissions sheet as the CSV layout
    has it, then a sheet per repeat group named after it, with whole paths
    (``incident/contact/contact_made``), a select_multiple's 0/1 option columns, ``_index``,
    ``_parent_table_name``, ``_parent_index`` and the submission's own columns."""
    from openpyxl import Workbook

    q = resp.questionnaire
    wb = Workbook(write_only=True)
    main = wb.create_sheet((q.title or q.id)[:SHEET_CHARS])
    rows = list(csv.reader(io.StringIO(main_csv.decode("utf-8")), delimiter=";"))
    for row in rows:
        main.append(row)
    header = rows[0] if rows else []
    column = {name: i for i, name in enumerate(header)}
    submission = {}
    for index, row in enumerate(rows[1:], start=1):
        uid = resp.rows[index - 1].uid
        submission[uid] = (index, [row[column[c]] if c in column else "" for c in
                                   ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
                                    "_submitted_by", "__version__", "_tags")])
    indexes: dict[tuple[str, str], int] = {}
    for r in sorted(q.repeats, key=lambda r: repeat_levels.depth(q, r.name)):
        inside = repeat_levels.questions_of(q, r.name)
        chain = q.repeat_chain(r.name)
        ws = wb.create_sheet(r.name[:SHEET_CHARS])
        head = []
        for x in inside:
            full = "/".join([*chain, *_inner_group(q, x), x.name])
            head.append(full)
            if x.is_multiple_choice:
                head += [f"{full}/{code}" for code in q.codes(x.name)]
        ws.append(head + ["_index", "_parent_table_name", "_parent_index", *KOBO_SUBMISSION])
        for n, entry in enumerate(entries.get(r.name, []), start=1):
            indexes[(entry.uid, entry.instance)] = n
            cells = []
            for x in inside:
                value = entry.answers.get(x.name, "")
                cells.append(safe(value))
                if x.is_multiple_choice:
                    ticked = value.split()
                    cells += [("1" if code in ticked else "0") if value else "" for code in q.codes(x.name)]
            case_index, sub = submission[entry.uid]
            parent = indexes.get((entry.uid, entry.parent)) if entry.parent else case_index
            ws.append(cells + [n, r.parent[:SHEET_CHARS] if r.parent else main.title, parent, *sub])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
