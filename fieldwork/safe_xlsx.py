"""Moved to ``fieldwork.files.safe_xlsx`` (the file layer). Kept as a name for code written on
other branches before the move; new code imports ``fieldwork.files.safe_xlsx``."""

from fieldwork.files.limits import MAX_PARTS, MAX_RATIO, MAX_UNZIPPED_BYTES  # noqa: F401
from fieldwork.files.safe_xlsx import Source, open_workbook, sheet_rows  # noqa: F401
