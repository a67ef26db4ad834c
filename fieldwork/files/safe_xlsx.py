"""Opening an .xlsx that came from someone else, safely.

An .xlsx is a zip of XML. Before openpyxl sees it we check that it is a zip at all, that its
parts declare a bounded size (a zip bomb is refused, not unpacked) and that there are a
bounded number of them. openpyxl then reads it through ``zips.GuardedZip``: every part is
counted as it is unpacked and the reading stops at its limit, whatever the header declared —
the shared strings (the table of the workbook's texts, which openpyxl holds whole in memory)
at ``MAX_SHARED_STRINGS_BYTES``, any part openpyxl reads whole into objects (styles, the
workbook, its properties and relationships) at ``MAX_OTHER_PART_BYTES``, everything together at ``MAX_UNZIPPED_BYTES``. It opens
read-only (rows are streamed) with cached values (``data_only``): no formula is ever
evaluated, and external links are not kept or followed (``keep_links=False``).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import BinaryIO, Union

from openpyxl.reader.excel import ExcelReader
from openpyxl.workbook.workbook import Workbook
from openpyxl.xml.constants import SHARED_STRINGS as SHARED_STRINGS_TYPE
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from fieldwork.files import limits
from fieldwork.files.zips import Budget, GuardedZip
from fieldwork.problems import Problem, ProblemError

SHARED_STRINGS = "xl/sharedStrings.xml"

Source = Union[str, Path, bytes, BinaryIO]


def _as_stream(source: Source) -> BinaryIO:
    if isinstance(source, (str, Path)):
        return open(source, "rb")
    if isinstance(source, bytes):
        return io.BytesIO(source)
    return source


def open_workbook(source: Source, *, name: str = "workbook", read_only: bool = True,
                  max_unzipped: int | None = None) -> Workbook:
    """Check and open; raise ProblemError naming the file and the reason if it is not safe."""
    max_unzipped = limits.MAX_UNZIPPED_BYTES if max_unzipped is None else max_unzipped
    stream = _as_stream(source)
    try:
        data = stream.read()
    finally:
        if isinstance(source, (str, Path)):
            stream.close()
    fault = None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if len(infos) > limits.MAX_PARTS:
                fault = f"holds {len(infos)} parts; at most {limits.MAX_PARTS} are accepted"
            elif total > max_unzipped:
                fault = f"unpacks to {total // (1024 * 1024)} MB; at most {max_unzipped // (1024 * 1024)} MB are accepted"
            elif any(i.compress_size and i.file_size / i.compress_size > limits.MAX_RATIO
                     and i.file_size > 10 * 1024 * 1024 for i in infos):
                fault = "is compressed suspiciously tightly (a zip bomb?) and was not unpacked"
            elif "xl/workbook.xml" not in {i.filename for i in infos}:
                fault = "is a zip file but not an Excel workbook (no xl/workbook.xml)"
    except zipfile.BadZipFile:
        fault = "is not an .xlsx workbook (it is not a zip file: an old .xls, or a CSV renamed?)"
    if fault:
        raise ProblemError([Problem(limits.UNREADABLE_FILE, fault, source=name)], f"{name} was refused")
    budget = Budget(name, max_unzipped, {SHARED_STRINGS: limits.MAX_SHARED_STRINGS_BYTES}, {
        SHARED_STRINGS: "the table of the workbook's texts (xl/sharedStrings.xml)",
        "xl/styles.xml": "the table of the workbook's styles (xl/styles.xml)"})
    try:
        reader = ExcelReader(io.BytesIO(data), read_only=read_only, data_only=True, keep_links=False)
        reader.archive.close()
        reader.archive = GuardedZip(io.BytesIO(data), budget, whole_limit=limits.MAX_OTHER_PART_BYTES)
        reader.read_strings = lambda: _read_strings_lean(reader, name)
        # a chart sheet holds no data and openpyxl parses it whole, wherever its part is named
        reader.read_chartsheet = lambda sheet, rel: None
        reader.read()
        return reader.wb
    except ProblemError as exc:  # a part over its limit, or not what its header declares
        raise ProblemError(exc.problems, f"{name} was refused") from None
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise ProblemError([Problem(limits.UNREADABLE_FILE, f"could not be read as a workbook ({type(exc).__name__})",
                                    source=name)], f"{name} was refused") from None


_SI, _T, _R = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("si", "t", "r"))


def _read_strings_lean(reader: ExcelReader, name: str) -> None:
    """openpyxl's own reading of the table of texts, without its cost: openpyxl builds a rich
    text object per entry and keeps every parsed entry (emptied) under the root, so a 62 MB
    table of three million tiny texts took minutes and over 500 MB. Here each entry becomes a
    plain string (its text, and the text of its runs; phonetic hints left out, as openpyxl
    does) and is dropped from the tree at once; more entries than a sheet may hold cells are
    refused as they are read."""
    part = reader.package.find(SHARED_STRINGS_TYPE)
    if part is None:
        return
    strings: list[str] = []
    with reader.archive.open(part.PartName[1:]) as src:
        root = None
        for event, node in iterparse(src, events=("start", "end")):
            if root is None:
                root = node
            if event != "end" or node.tag != _SI:
                continue
            texts = []
            for child in node:
                if child.tag == _T:
                    texts.append(child.text or "")
                elif child.tag == _R:
                    texts.extend(g.text or "" for g in child if g.tag == _T)
            strings.append("".join(texts).replace("x005F_", ""))
            root.clear()
            if len(strings) > limits.MAX_CELLS:
                raise ProblemError([Problem(
                    limits.UNREADABLE_FILE,
                    f"its table of texts holds more than {limits.MAX_CELLS:,} entries, more than a sheet "
                    f"may hold cells", source=name)])
    reader.shared_strings = strings


def sheet_rows(workbook: Workbook, sheet: str) -> list[tuple]:
    """All rows of a sheet as tuples of cell values (None for empty)."""
    ws = workbook[sheet]
    return [tuple(row) for row in ws.iter_rows(values_only=True)]
