"""Moved to ``fieldwork.files.cells`` (the file layer). Kept as a name for code written on
other branches before the move; new code imports ``fieldwork.files.cells``."""

from fieldwork.files.cells import DANGEROUS_FIRST, QUOTE, UNWRITABLE, safe, safe_text, unquote  # noqa: F401
