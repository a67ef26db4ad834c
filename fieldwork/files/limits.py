"""What a file someone gives us may hold, checked while it is read, and the codes of refusals.

The figures keep every file within them under 500 MB of memory to read, check and import,
and stop a file beyond them as soon as a limit is crossed (bench/memory_limits.py measures
both). They are far above a real inspection: 10,000 cases are about 3 MB of CSV.
"""

from __future__ import annotations

# The codes of reading a file are the catalogue's (fieldwork/problem_codes.py); the layer's
# modules and their callers may name them through this module.
from fieldwork.problem_codes import (  # noqa: F401
    BAD_ENCODING, EMPTY_FILE, FILE_TOO_LARGE, MALFORMED_FILE, MISSING_SHEET, READ_AS_CP1252,
    TOO_MANY_ROWS, UNCALCULATED_FORMULA, UNREADABLE_FILE, UNSUPPORTED_FILE,
)
from fieldwork.problems import Problem, ProblemError

MAX_FILE_BYTES = 50 * 1024 * 1024  # a CSV or .xlsx as given (an .xlsx is compressed)
MAX_ROWS = 100_000  # rows of data (blank rows are not counted)
MAX_COLUMNS = 2_000
MAX_CELLS = 5_000_000  # non-blank cells of one sheet: 100,000 cases of 50 answers
MAX_CHARACTERS = MAX_FILE_BYTES  # characters in a sheet's cells: what a 50 MB CSV can hold
# All the parts of an .xlsx together, unpacked. Sheets are streamed (only the shared strings
# are held, bounded below), so this bounds time, not memory: a workbook of 100,000 rows with
# notes written by openpyxl (each text in its cell) unpacks to 212 MB.
MAX_UNZIPPED_BYTES = 320 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024  # an .xlsx's table of texts (xl/sharedStrings.xml), unpacked
# Every part of an .xlsx read whole (styles, workbook, theme, properties ...), unpacked: openpyxl
# builds objects of all of it, about 25 bytes of memory per byte of xl/styles.xml (attacker re-test
# 22: a 63 MB table of styles in a 2.9 MB file peaked at 1.6 GB). A heavily formatted workbook's
# styles are well under 1 MB, Excel's own limit of 64,000 cell formats about 6 MB.
MAX_OTHER_PART_BYTES = 8 * 1024 * 1024
MAX_PARTS = 10_000
MAX_RATIO = 200  # a part that unpacks to over 200 times its packed size is a zip bomb



def mb(n: int) -> str:
    """A size in words: "50 MB", "640 KB", "100 bytes"."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n:,} bytes"


# What Streamlit lets through at all (server.maxUploadSize, in MB, in .streamlit/config.toml and on
# `fieldwork serve`'s command line): the largest file any page accepts, a bundle's 64 MB (services/
# bundles.py); each uploader then refuses, in words, a file over its own limit (ui/components/uploads.py).
MAX_UPLOAD_MB = 64


def too_large(name: str, size: int, limit: int = MAX_FILE_BYTES) -> ProblemError | None:
    """The refusal of a file of ``size`` bytes over ``limit``, naming the file and the limit, or None."""
    if size <= limit:
        return None
    shown = mb(size) if mb(size) != mb(limit) else f"more than {mb(limit)}"  # never "50 MB; at most 50 MB"
    return refuse(FILE_TOO_LARGE, f"{name} is {shown}: at most {mb(limit)} a file are accepted", name)


def refuse(code: str, message: str, name: str, **where) -> ProblemError:
    """A file refused whole: nothing of it is imported."""
    return ProblemError([Problem(code, message, source=name, **where)], f"{name} was refused: nothing was imported")
