"""The shapes of KoboToolbox's and ODK Central's download files (what their columns mean is
``fieldwork.services.odk_kobo``'s): ODK Central's "Download all" zip, and a KoboToolbox
workbook with a sheet per repeat group."""

from __future__ import annotations

import io
import zipfile

from fieldwork.files import limits
from fieldwork.files.limits import MALFORMED_FILE, REPEATS_NOT_IMPORTED
from fieldwork.files.zips import read_part
from fieldwork.problems import Problem, ProblemError


def central_zip_csv(data: bytes, name: str) -> tuple[bytes, str] | None:
    """The submissions CSV inside ODK Central's "Download all" zip (``FORM.csv``, media in a
    folder beside it), or None where the zip is not such a download. A zip holding repeat files
    (``FORM-REPEAT.csv``) is refused: the entries of repeat groups are not imported yet, and
    importing the cases without them would lose data silently. The CSV is unpacked within the
    limit of a CSV file (``MAX_FILE_BYTES``), counted as it is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            if any(i.filename.startswith("xl/") for i in infos):
                return None  # a workbook
            tables = [i for i in infos if i.filename.lower().endswith(".csv") and "/" not in i.filename.strip("/")]
            if not tables:
                return None
            refuse = None
            if sum(i.file_size for i in tables) > limits.MAX_UNZIPPED_BYTES or any(
                    i.compress_size and i.file_size / i.compress_size > limits.MAX_RATIO
                    and i.file_size > 10 * 1024 * 1024 for i in tables):
                refuse = "unpacks to too much data (or is compressed suspiciously tightly) and was not unpacked"
            elif len(tables) > 1:
                shortest = min(tables, key=lambda i: len(i.filename))
                others = sorted(i.filename for i in tables if i is not shortest)
                refuse = (f"holds the repeat files {', '.join(others)} beside {shortest.filename}: the entries of "
                          "repeat groups are not imported yet, and the cases without them would be incomplete")
            if refuse:
                raise ProblemError([Problem(REPEATS_NOT_IMPORTED if len(tables) > 1 else MALFORMED_FILE, refuse,
                                            source=name)], f"{name} was refused: nothing was imported")
            what = f"the submissions file {tables[0].filename[:80]}"
            return read_part(zf, tables[0], limits.MAX_FILE_BYTES, name, what), tables[0].filename
    except zipfile.BadZipFile:
        return None


def refuse_repeat_sheets(workbook, first_row, name: str) -> None:
    """A KoboToolbox xlsx with a sheet per repeat group (linked by ``_parent_index``): refused
    whole, naming the repeat sheets, until entries of repeat groups are imported."""
    repeats = [ws.title for ws in workbook.worksheets[1:]
               if {"_parent_index", "_parent_table_name"} & {str(c or "").strip() for c in first_row(ws)}]
    if repeats:
        raise ProblemError([Problem(REPEATS_NOT_IMPORTED, f"holds the repeat sheets {', '.join(repeats)} beside "
                                    f"{workbook.worksheets[0].title}: the entries of repeat groups are not imported "
                                    "yet, and the cases without them would be incomplete", source=name)],
                           f"{name} was refused: nothing was imported")
