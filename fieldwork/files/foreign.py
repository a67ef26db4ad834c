"""The shapes of KoboToolbox's and ODK Central's download files (what their columns mean is
``fieldwork.services.odk_kobo``'s, how entries link to their case ``repeat_files``'): ODK
Central's "Download all" zip — ``FORM.csv`` and a ``FORM-REPEAT.csv`` per repeat group, media
in a folder beside them (our own CSV export of a form with repeats has the same shape) — and a
workbook with a sheet per repeat group (KoboToolbox's xlsx, our own workbook)."""

from __future__ import annotations

import io
import zipfile
from typing import Sequence

from fieldwork.files import limits
from fieldwork.files.limits import MALFORMED_FILE
from fieldwork.files.zips import read_part
from fieldwork.problems import Problem, ProblemError

# The columns that link a row of a repeat group's table to the row it belongs to.
LINK_COLUMNS = {"_parent_index", "_parent_table_name", "parent_key"}


def is_repeat_header(header: Sequence) -> bool:
    """A sheet or file of entries of a repeat group: its rows name the row they belong to."""
    return bool(LINK_COLUMNS & {str(c or "").strip().casefold() for c in header})


def zip_tables(data: bytes, name: str) -> list[tuple[str, bytes]] | None:
    """The CSV files of a zip of tables, the cases' file (``FORM.csv``, the shortest name)
    first; None where the zip is not one. Each is unpacked within the limit of a CSV file
    (``MAX_FILE_BYTES``), counted as it is unpacked; all together within ``MAX_UNZIPPED_BYTES``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            if any(i.filename.startswith("xl/") for i in infos):
                return None  # a workbook
            tables = [i for i in infos if i.filename.lower().endswith(".csv") and "/" not in i.filename.strip("/")]
            if not tables:
                return None
            if sum(i.file_size for i in tables) > limits.MAX_UNZIPPED_BYTES or any(
                    i.compress_size and i.file_size / i.compress_size > limits.MAX_RATIO
                    and i.file_size > 10 * 1024 * 1024 for i in tables):
                raise ProblemError([Problem(MALFORMED_FILE, "unpacks to too much data (or is compressed "
                                            "suspiciously tightly) and was not unpacked", source=name)],
                                   f"{name} was refused: nothing was imported")
            main = min(tables, key=lambda i: (len(i.filename), i.filename))
            rest = sorted((i for i in tables if i is not main), key=lambda i: i.filename)
            return [(i.filename, read_part(zf, i, limits.MAX_FILE_BYTES, name, f"the file {i.filename[:80]}"))
                    for i in [main, *rest]]
    except zipfile.BadZipFile:
        return None


def repeat_sheets(workbook, first_row) -> list[str]:
    """The sheets after the first whose header links their rows to another sheet's."""
    return [ws.title for ws in workbook.worksheets[1:] if is_repeat_header(first_row(ws))]
