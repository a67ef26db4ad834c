"""The file layer's limits, checked while a file is read (issue 17: memory inside the limits),
and its one CSV writer (issue 18). Small files, with the limits lowered."""

from __future__ import annotations

import ast
import hashlib
import io
import json
import struct
import zipfile
from pathlib import Path

import pytest

from fieldwork.files import csv_out, limits, table, xlsx_sheet
from fieldwork.files.zips import read_part
from fieldwork.problems import ProblemError
from fieldwork.services import bundles
from tests.wide_helpers import csv_bytes, xlsx_bytes

ROOT = Path(__file__).resolve().parent.parent
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ROWS = [{"case_ref": f"HS-{i:04d}", "force": "city_of_london", "note:force": f"seen in section {i}"}
        for i in range(1, 9)]


def refusal(fn, *args) -> list:
    with pytest.raises(ProblemError) as err:
        fn(*args)
    return err.value.problems


def shared_strings_workbook(texts: list[str]) -> bytes:
    """A workbook written as Excel writes one: its texts in xl/sharedStrings.xml."""
    rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
        f'Type="{rels}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{rels}"><sheets><sheet name="responses" '
        'sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
        f'Type="{rels}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
        f'Type="{rels}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">' + "".join(t if t.startswith("<si>") else f"<si><t>{t}</t></si>" for t in texts) + "</sst>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>case_ref</t></is></c><c r="B1" t="inlineStr"><is><t>note:force'
        '</t></is></c></row>' + "".join(f'<row r="{i + 2}"><c r="A{i + 2}" t="inlineStr"><is><t>HS-{i:04d}</t></is>'
                                        f'</c><c r="B{i + 2}" t="s"><v>{i}</v></c></row>' for i in range(len(texts)))
        + "</sheetData></worksheet>",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return buf.getvalue()


def understate(data: bytes, member: str, declared: int) -> bytes:
    """The zip with ``member``'s unpacked size in the central directory changed to ``declared``
    (the CRC left as it was): a header that lies about what the part unpacks to."""
    name = member.encode()
    end = data.rindex(b"PK\x05\x06")  # the end record says where the central directory starts
    at = struct.unpack("<I", data[end + 16:end + 20])[0]
    while True:
        name_len = struct.unpack("<H", data[at + 28:at + 30])[0]
        if data[at + 46:at + 46 + name_len] == name:
            return data[:at + 24] + struct.pack("<I", declared) + data[at + 28:]
        extra, comment = struct.unpack("<HH", data[at + 30:at + 34])
        at += 46 + name_len + extra + comment


def test_a_workbook_whose_texts_are_over_the_limit_is_refused_before_a_row_is_read(monkeypatch):
    monkeypatch.setattr(limits, "MAX_SHARED_STRINGS_BYTES", 4096)
    monkeypatch.setattr(xlsx_sheet, "sheet_values", lambda *a, **k: pytest.fail("a row was read"))
    data = shared_strings_workbook([f"note {i} " + "seen in the file " * 20 for i in range(40)])
    (problem,) = refusal(table.read_table, data, "big.xlsx")
    assert problem.code == limits.FILE_TOO_LARGE and problem.source == "big.xlsx"
    assert "xl/sharedStrings.xml" in problem.message and "at most 4 KB" in problem.message


def test_the_same_workbook_within_the_limit_is_read():
    """Texts in xl/sharedStrings.xml, as Excel saves them (openpyxl, and so our exports, write
    each text in its cell): a read-only sheet holds them itself."""
    data = shared_strings_workbook(["seen in section 2", "=not a formula"])
    t = table.read_table(data, "ok.xlsx")
    assert t.header == ["case_ref", "note:force"]
    assert [cells for _, cells in t.rows] == [["HS-0000", "seen in section 2"], ["HS-0001", "=not a formula"]]


def test_a_zip_part_that_unpacks_to_more_than_its_header_declares_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("data.json", b"x" * 200_000)
    lying = understate(buf.getvalue(), "data.json", 1_000)
    with zipfile.ZipFile(io.BytesIO(lying)) as z:
        assert z.getinfo("data.json").file_size == 1_000
        (problem,) = refusal(read_part, z, "data.json", 10 * 1024 * 1024, "laptop.zip")
    assert problem.code == limits.MALFORMED_FILE and problem.source == "laptop.zip"
    assert "more (or other) than its header declares" in problem.message


def test_a_zip_part_is_stopped_at_its_limit_while_it_unpacks_and_before_when_it_declares_more():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("data.json", b"x" * 200_000)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        (declared,) = refusal(read_part, z, "data.json", 50_000, "laptop.zip")
    assert declared.code == limits.FILE_TOO_LARGE and "at most 49 KB" in declared.message
    # a header that understates is still stopped at the limit as the bytes come out
    lying = understate(buf.getvalue(), "data.json", 10_000)
    with zipfile.ZipFile(io.BytesIO(lying)) as z:
        (problem,) = refusal(read_part, z, "data.json", 50_000, "laptop.zip")
    assert problem.code in (limits.FILE_TOO_LARGE, limits.MALFORMED_FILE)


def _bundle(payload: bytes) -> bytes:
    manifest = bundles.seal_manifest({"format": bundles.FORMAT, "format_version": bundles.FORMAT_VERSION,
                                      "bundle_id": "t", "payload": bundles.PAYLOAD,
                                      "sha256": hashlib.sha256(payload).hexdigest()})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(bundles.MANIFEST, json.dumps(manifest))
        z.writestr(bundles.PAYLOAD, payload)
    return buf.getvalue()


def test_a_bundle_whose_content_is_over_the_limit_is_refused_while_unpacking(monkeypatch):
    monkeypatch.setattr(bundles, "MAX_PAYLOAD_BYTES", 64 * 1024)
    payload = json.dumps({"assessments": [{"note": "y" * 1000}] * 200}).encode()
    (problem,) = refusal(bundles.open_bundle, _bundle(payload), "laptop.zip")
    assert problem.code == bundles.TOO_LARGE and "data.json" in problem.message and "64 KB" in problem.message
    (problem,) = refusal(bundles.open_bundle, understate(_bundle(payload), bundles.PAYLOAD, 1_000), "laptop.zip")
    assert problem.code == bundles.CORRUPT and "header declares" in problem.message


def test_rows_over_the_limit_are_refused_at_the_row_that_crosses_it(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    for data, name in ((csv_bytes(ROWS), "x.csv"), (xlsx_bytes(ROWS), "x.xlsx")):
        (problem,) = refusal(table.read_table, data, name)
        assert problem.code == limits.TOO_MANY_ROWS and problem.row == 7, name
        assert "more than 5 rows (refused at row 7)" in problem.message


def test_a_csv_with_far_more_lines_than_rows_allowed_is_counted_before_any_row_is_kept(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    passes = []
    records = table._csv_records
    monkeypatch.setattr(table, "_csv_records", lambda *a: passes.append(1) or records(*a))
    (problem,) = refusal(table.read_table, csv_bytes(ROWS), "x.csv")
    assert problem.code == limits.TOO_MANY_ROWS and problem.row == 7
    assert len(passes) == 1  # only the counting pass ran: no row was kept


def test_cells_and_characters_over_their_limits_are_refused_naming_the_row(monkeypatch):
    monkeypatch.setattr(limits, "MAX_CELLS", 10)
    (problem,) = refusal(table.read_table, csv_bytes(ROWS), "x.csv")
    assert problem.code == limits.FILE_TOO_LARGE and problem.row == 5 and "more than 10 filled cells" in problem.message
    monkeypatch.setattr(limits, "MAX_CELLS", 1_000)
    monkeypatch.setattr(limits, "MAX_CHARACTERS", 100)
    (problem,) = refusal(table.read_table, xlsx_bytes(ROWS), "x.xlsx")
    assert problem.code == limits.FILE_TOO_LARGE and "x.xlsx [responses]" == problem.source
    assert "more than 100 characters" in problem.message and problem.row == 4


def test_the_csv_writer_escapes_formulas_and_keeps_numbers():
    text = csv_out.csv_text(["note", "n"], [["=HYPERLINK(\"x\")", 3], ["-2 days", None], ["'quoted", 1.5],
                                            ["+cmd", True]])
    assert text.splitlines() == ["note,n", "\"'=HYPERLINK(\"\"x\"\")\",3", "'-2 days,", "''quoted,1.5", "'+cmd,True"]
    assert csv_out.csv_bytes(["a"], [["é"]], bom=True, line_end="\r\n") == "\ufeffa\r\né\r\n".encode()


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_csv_is_written_only_by_the_file_layer():
    writers = []
    for folder in ("fieldwork", "exports", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            if "files" in path.relative_to(ROOT).parts[:2]:
                continue
            source = path.read_text()
            if "csv.writer(" in source or "csv.DictWriter(" in source:
                writers.append(str(path.relative_to(ROOT)))
    assert writers == []


def test_the_file_layer_reads_no_database_and_services_import_no_exports():
    for path in (ROOT / "fieldwork" / "files").glob("*.py"):
        bad = {m for m in _imports(path) if m.startswith(("fieldwork.services", "exports", "sqlmodel", "models",
                                                           "fieldwork.db", "streamlit"))}
        assert not bad, (path.name, bad)
    for path in (ROOT / "fieldwork" / "services").glob("*.py"):
        assert not {m for m in _imports(path) if m == "exports" or m.startswith("exports.")}, path.name


def test_an_evidence_csv_is_read_within_the_import_s_limits(session, monkeypatch):
    from fieldwork.services import evidence_csv
    from models import EvidenceItem
    from sqlmodel import select
    from tests.evidence_helpers import LEAD1
    from tests.test_evidence import CSV_OK

    monkeypatch.setattr(limits, "MAX_ROWS", 2)
    (problem,) = refusal(lambda: evidence_csv.import_csv(session, LEAD1, CSV_OK.encode(), file_name="notes.csv"))
    assert problem.code == limits.TOO_MANY_ROWS and problem.row == 4 and problem.source == "notes.csv"
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 100)
    (problem,) = refusal(lambda: evidence_csv.import_csv(session, LEAD1, CSV_OK.encode(), file_name="notes.csv"))
    assert problem.code == limits.FILE_TOO_LARGE and "at most 100 bytes are accepted" in problem.message
    assert session.exec(select(EvidenceItem)).all() == []


def test_a_sheet_openpyxl_reads_twice_counts_once_against_the_unpacked_limit(monkeypatch):
    """A sheet without a <dimension> (written by a script) is read once by openpyxl for its size
    and once for its rows: the file's total counts its bytes once."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("responses")
    ws.append(["case_ref", "note:force"])
    for i in range(2000):
        ws.append([f"HS-{i:04d}", "seen in section 2 of the file " * 3])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        total = sum(i.file_size for i in z.infolist())
        sheet = z.getinfo("xl/worksheets/sheet1.xml").file_size
    assert sheet > total / 2  # read twice, it would cross the limit below
    monkeypatch.setattr(limits, "MAX_UNZIPPED_BYTES", total + 1)
    assert len(table.read_table(buf.getvalue(), "x.xlsx").rows) == 2000


def test_texts_as_excel_stores_them_read_as_openpyxl_reads_them():
    """Rich text runs joined, phonetic hints left out, spaces kept: the lean reader of the table
    of texts gives what openpyxl's own gives."""
    import openpyxl

    from fieldwork.files import safe_xlsx
    texts = ["plain", "  spaced  ", "<si><r><t>bold </t></r><r><rPr><b/></rPr><t>run</t></r></si>",
             '<si><t>kanji</t><rPh sb="0" eb="1"><t>hint</t></rPh></si>', "<si><t/></si>"]
    data = shared_strings_workbook(texts)
    ours = [row for row in safe_xlsx.open_workbook(data).active.iter_rows(values_only=True)]
    theirs = [row for row in openpyxl.load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True)]
    assert ours == theirs
    assert [r[1] for r in ours[1:]] == ["plain", "  spaced  ", "bold run", "kanji", ""]


def test_a_table_of_texts_with_more_entries_than_a_sheet_may_hold_cells_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_CELLS", 10)
    (problem,) = refusal(table.read_table, shared_strings_workbook([str(i) for i in range(12)]), "many.xlsx")
    assert problem.source == "many.xlsx" and "more than 10 entries" in problem.message


def _with_part(data: bytes, member: str, text: str) -> bytes:
    """The workbook with ``member`` replaced (or added)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != member:
                out.writestr(info.filename, src.read(info.filename))
        out.writestr(member, text)
    return buf.getvalue()


def _styles(cell_formats: int) -> str:
    xfs = "".join(f'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="{i % 7}"/>' for i in range(cell_formats))
    return (f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            f'<borders count="1"><border/></borders><cellXfs count="{cell_formats}">{xfs}</cellXfs></styleSheet>')


def test_a_table_of_styles_over_its_limit_is_refused_before_a_row_is_read(monkeypatch):
    """openpyxl builds an object per style of xl/styles.xml, about 25 bytes of memory per byte:
    a 2.9 MB file whose styles unpacked to 63 MB peaked at 1.6 GB (attacker re-test 22, F6).
    Every part read whole is bounded by MAX_OTHER_PART_BYTES; sheets, streamed, are not."""
    monkeypatch.setattr(limits, "MAX_OTHER_PART_BYTES", 64 * 1024)
    monkeypatch.setattr(xlsx_sheet, "sheet_values", lambda *a, **k: pytest.fail("a row was read"))
    data = _with_part(shared_strings_workbook(["seen"]), "xl/styles.xml", _styles(2_000))
    (problem,) = refusal(table.read_table, data, "styled.xlsx")
    assert problem.code == limits.FILE_TOO_LARGE and problem.source == "styled.xlsx"
    assert problem.message == ("the table of the workbook's styles (xl/styles.xml) unpacks to more than 64 KB; "
                               "at most 64 KB are accepted")


def test_styles_within_the_limit_and_a_large_streamed_sheet_are_read(monkeypatch):
    monkeypatch.setattr(limits, "MAX_OTHER_PART_BYTES", 64 * 1024)
    texts = [f"seen in section {i} " + "x" * 40 for i in range(2_000)]  # the sheet part: over 64 KB
    data = _with_part(shared_strings_workbook(texts), "xl/styles.xml", _styles(100))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size > 64 * 1024
    assert len(table.read_table(data, "ok.xlsx").rows) == 2_000


def test_the_default_limit_refuses_styles_a_real_attack_used():
    data = _with_part(shared_strings_workbook(["seen"]), "xl/styles.xml", _styles(150_000))  # about 9 MB
    (problem,) = refusal(table.read_table, data, "styled.xlsx")
    assert "xl/styles.xml" in problem.message and "at most 8 MB" in problem.message
