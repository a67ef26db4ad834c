"""Cells: the values a spreadsheet will not run (writing), and a cell read as text (reading).

Writing (CSV / formula injection).

Excel, LibreOffice and Google Sheets treat a cell that begins with ``=``, ``+``, ``-`` or ``@``
(and, after trimming, a tab or carriage return) as a formula: an evidence note reading
``=HYPERLINK("http://…")`` would become a live link, ``+cmd|' /C calc'!A0`` a DDE call.
OWASP's remedy is to write such text with a leading single quote, which every spreadsheet
shows as text. Every writer (``fieldwork.files.csv_out``, the workbooks in ``exports/``) passes every text value through ``safe`` — the
one place the rule lives — for .xlsx and .csv alike, codes and labels, notes and case refs.

A value that already begins with a quote is quoted too, so the rule can be undone exactly:
``unquote`` (used by the importer) removes one leading quote from any value that has one,
and an export re-imports with identical text.

Reading: ``blank``, ``display`` and ``text`` say what a cell of a CSV or an .xlsx holds, the
same way for every reader (imports, sampling frames, evidence files); ``clip`` cuts a value
quoted in a message.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from fieldwork.questionnaire import answers

# What an .xlsx (XML 1.0) cannot hold. The app, imports and bundles refuse these characters
# (fieldwork.services.characters); a row written before that rule, or by hand in SQL, still
# exports, with each such character shown as U+FFFD instead of the export failing.
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r", "\n")
QUOTE = "'"


def safe_text(text: str) -> str:
    """Text a spreadsheet shows as typed and never evaluates."""
    if UNWRITABLE.search(text):
        text = UNWRITABLE.sub("\ufffd", text)
    if text and (text[0] in DANGEROUS_FIRST or text[0] == QUOTE):
        return QUOTE + text
    return text


def xml_text(text: str) -> str:
    """Text an XML 1.0 document (a Word file) can hold: each character it cannot shown as U+FFFD,
    as the workbook does, instead of the document failing to be written."""
    return UNWRITABLE.sub("\ufffd", text) if UNWRITABLE.search(text) else text


def safe(value):
    """Any cell value: text is neutralised; numbers, dates, booleans and None pass as they are
    (a number cell cannot hold a formula)."""
    if isinstance(value, str):
        return safe_text(value)
    if value is None or isinstance(value, (bool, int, float, date, datetime)):
        return value
    return safe_text(str(value))


def unquote(text: str) -> str:
    """Undo ``safe_text``: drop one leading quote. Used when reading a file back in."""
    return text[1:] if text.startswith(QUOTE) else text


# --- reading ----------------------------------------------------------------------------

# A cell shown as text and a value quoted in a message are the questionnaire's (a floor below):
# the app, the import and bundles read a cell the same way.
QUOTED_CHARS = answers.QUOTED_CHARS
clip, display = answers.clip, answers.display


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value) -> str:
    """A cell as text, with our own export's injection quote removed."""
    return unquote(display(value))
