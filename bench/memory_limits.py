"""Peak memory and time of reading files at and beyond the advertised limits. Run by hand:

    .venv/bin/python bench/memory_limits.py [--dir DIR] [--only NAME ...]

Builds, in DIR (a temporary folder unless given),

* ``shared_strings.xlsx`` — a 42 MB workbook whose table of texts (xl/sharedStrings.xml)
  unpacks to about 190 MB (issue 17: accepted after 279 s at 1.5 GB);
* ``bundle_480mb.zip`` — a bundle, checksums right, whose data.json unpacks to about 480 MB
  (issue 17: peaked at 1.5 GB);
* ``rows_150000.csv`` — 150,000 valid case_review rows (issue 17: 554 MB before refused);
* ``rows_100000.csv`` and ``.xlsx`` — the largest files the limits allow: 100,000 valid rows
  with evidence notes, imported whole;

then runs each import as a user does (and, for comparison, the import of a one-row file) (``fieldwork import`` / ``fieldwork bundle import`` into
a fresh SQLite database), each a process of its own under ``/usr/bin/time -v``, and prints
its outcome, wall time and peak resident memory, with the machine's load average. Targets
(issue 17): every file within the limits under 500 MB; beyond them, refused fast. Record the
figures in README.md and docs/trust-boundaries.md.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import random
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fieldwork.catalog import load_catalog  # noqa: E402
from fieldwork.services import bundles, synthetic, wide_table  # noqa: E402

FIELDWORK = str(Path(sys.executable).parent / "fieldwork")
QUESTIONNAIRE = "case_review"
WORDS = [f"w{i:03d}" for i in range(60)]  # text that packs about 4.5 to 1 (190 MB to 42 MB)


def _questionnaire():
    return load_catalog().questionnaires[QUESTIONNAIRE]


def wide_csv(path: Path, n: int, notes: bool) -> None:
    """n valid rows in the layout our exports write (no meta:inspector: the importer is the scorer)."""
    q = _questionnaire()
    variables = wide_table.variables(q)
    noted = variables[1:] if notes else []
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(variables + [wide_table.note_column(v) for v in noted])
        for start in range(0, n, 10_000):
            for r in synthetic.records(q, min(10_000, n - start), seed=start + 1, notes=notes, prefix="SYN"):
                ref = f"SYN-{start + int(r.case_ref.split('-')[1]):07d}"
                writer.writerow([ref] + [r.answers.get(v, "") for v in variables[1:]]
                                + [r.notes.get(v, "") for v in noted])


def wide_xlsx(path: Path, n: int) -> None:
    """The same rows as ``wide_csv`` (with notes) in the ``responses`` sheet of a workbook
    written as openpyxl writes one (each text in its cell)."""
    from openpyxl import Workbook

    source = path.with_suffix(".source.csv")
    wide_csv(source, n, notes=True)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("responses")
    with source.open(newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            ws.append([c or None for c in row])
    wb.save(path)
    source.unlink()


_XLSX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="responses" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
    'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>',
}
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def shared_strings_xlsx(path: Path, unpacked_mb: int = 190) -> None:
    """A workbook (written as Excel writes one: every text in xl/sharedStrings.xml) whose texts
    unpack to ``unpacked_mb``; its sheet names them all in one column of notes."""
    rnd = random.Random(17)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for name, text in _XLSX_PARTS.items():
            z.writestr(name, text)
        count, written = 0, 0
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}">'.encode())
            while written < unpacked_mb * 1024 * 1024:
                text = " ".join(rnd.choices(WORDS, k=1600))  # about 8,000 characters: a long note
                chunk = f"<si><t>{text}</t></si>".encode()
                part.write(chunk)
                written += len(chunk)
                count += 1
            part.write(b"</sst>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>'
                       '<row r="1"><c r="A1" t="inlineStr"><is><t>case_ref</t></is></c><c r="B1" t="inlineStr"><is>'
                       '<t>note:force</t></is></c></row>'.encode())
            for i in range(count):
                part.write(f'<row r="{i + 2}"><c r="A{i + 2}" t="inlineStr"><is><t>SYN-{i:07d}</t></is></c>'
                           f'<c r="B{i + 2}" t="s"><v>{i}</v></c></row>'.encode())
            part.write(b"</sheetData></worksheet>")


def big_bundle(path: Path, unpacked_mb: int = 480) -> None:
    """A bundle whose checksums are right and whose data.json unpacks to ``unpacked_mb``."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        with z.open(bundles.PAYLOAD, "w", force_zip64=True) as part:
            head = b'{"assessments":['
            part.write(head)
            digest.update(head)
            one = json.dumps({"answers": [{"question": "force", "value": "x" * 64, "note": "y" * 900}] * 8},
                             separators=(",", ":")).encode()
            written, first = 0, True
            while written < unpacked_mb * 1024 * 1024:
                chunk = (b"" if first else b",") + one
                part.write(chunk)
                digest.update(chunk)
                written += len(chunk)
                first = False
            tail = b'],"cases":[],"inspection":{"code":"x"}}'
            part.write(tail)
            digest.update(tail)
        # every field a manifest must hold, of its type (bundle_manifest): only the size is at fault
        manifest = bundles.seal_manifest({"format": bundles.FORMAT, "format_version": bundles.FORMAT_VERSION,
                                          "bundle_id": "be7c4" * 6 + "00", "created_at": "2026-01-01T00:00:00+00:00",
                                          "created_by": "bench", "inspection": "x", "payload": bundles.PAYLOAD,
                                          "sha256": digest.hexdigest()})
        z.writestr(bundles.MANIFEST, json.dumps(manifest, indent=2))


def measure(argv: list[str]) -> dict:
    """Run one command under /usr/bin/time -v: its outcome, wall seconds and peak memory."""
    done = subprocess.run(["/usr/bin/time", "-v", *argv], capture_output=True, text=True)
    err = done.stderr
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", err).group(1)
    seconds = sum(float(p) * 60 ** i for i, p in enumerate(reversed(wall.split(":"))))
    said = [line.strip() for line in (done.stdout + err).splitlines()
            if line.strip().startswith(("- ", "Imported", "imported", "fieldwork:", "Merged", "merged"))]
    return {"exit": done.returncode, "seconds": seconds, "peak_mb": peak_kb / 1024, "said": said[:2]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="fieldwork-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    cases = {
        "one_row.csv": (lambda p: wide_csv(p, 1, notes=False), "import"),  # what any command costs
        "shared_strings.xlsx": (lambda p: shared_strings_xlsx(p), "import"),
        "bundle_480mb.zip": (lambda p: big_bundle(p), "bundle"),
        "rows_150000.csv": (lambda p: wide_csv(p, 150_000, notes=False), "import"),
        "rows_100000.csv": (lambda p: wide_csv(p, 100_000, notes=True), "import"),
        "rows_100000.xlsx": (lambda p: wide_xlsx(p, 100_000), "import"),
    }
    print(f"load average before: {Path('/proc/loadavg').read_text().strip()}")
    for name, (build, kind) in cases.items():
        if args.only and name not in args.only:
            continue
        path = work / name
        if not path.exists():
            build(path)
        db = f"sqlite:///{work / (name + '.db')}"
        (work / (name + ".db")).unlink(missing_ok=True)
        subprocess.run([FIELDWORK, "init", "--db", db], check=True, capture_output=True)
        argv = ([FIELDWORK, "import", QUESTIONNAIRE, str(path), "--db", db] if kind == "import"
                else [FIELDWORK, "bundle", "import", str(path), "--db", db])
        result = measure(argv)
        unpacked = ""
        if path.suffix in (".xlsx", ".zip"):
            with zipfile.ZipFile(path) as z:
                unpacked = f", unpacks to {sum(i.file_size for i in z.infolist()) / 2**20:.0f} MB"
        print(f"{name} ({path.stat().st_size / 2**20:.1f} MB{unpacked}): exit {result['exit']}, "
              f"{result['seconds']:.1f} s, peak {result['peak_mb']:.0f} MB")
        for line in result["said"]:
            print(f"    {line[:200]}")
    print(f"load average after: {Path('/proc/loadavg').read_text().strip()}")


if __name__ == "__main__":
    main()
