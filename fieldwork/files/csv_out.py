"""The one CSV writer: every CSV the app, the exports and the commands write comes from here.

Every cell goes through ``cells.safe`` (formula injection, characters a spreadsheet cannot
hold), None is an empty cell, and the text is UTF-8 (with a byte order mark where asked, so
that Excel opens it with accents intact). What differs between files — line ends, the
delimiter, quoting every cell — is a parameter, so each file keeps the form its readers expect.
"""

from __future__ import annotations

import csv
import io
from typing import Iterable, Sequence

from fieldwork.files.cells import safe

BOM = "\ufeff"


def csv_text(header: Sequence[str] | None, rows: Iterable[Sequence], *, line_end: str = "\n",
             delimiter: str = ",", quote_all: bool = False, bom: bool = False, escaped: bool = False) -> str:
    """The CSV as text. ``escaped``: the rows were made safe already by ``exports.rows``,
    which the workbook shares (quoting them twice would change what re-imports)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end,
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    if header is not None:
        writer.writerow([safe(h) for h in header])
    if escaped:
        writer.writerows(rows)
    else:
        writer.writerows([safe(v) for v in row] for row in rows)
    return (BOM if bom else "") + buffer.getvalue()


def csv_bytes(header: Sequence[str] | None, rows: Iterable[Sequence], **options) -> bytes:
    """``csv_text`` encoded as UTF-8."""
    return csv_text(header, rows, **options).encode("utf-8")


def dict_rows(columns: Sequence[str], rows: Iterable[dict]) -> Iterable[list]:
    """Rows given as dicts, in the order of ``columns`` (a missing key is an empty cell)."""
    return ([row.get(c) for c in columns] for row in rows)
