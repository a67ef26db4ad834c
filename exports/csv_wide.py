"""Wide CSV (contract section 7): header = variable names, one row per counted complete
assessment, cells = codes (or, with ``labels``, the answers' labels for reading).

UTF-8 without a byte order mark by default, as the contract and other tools expect; ``bom``
adds one so that Excel opens the file with accents intact (the importer reads both).
"""

from __future__ import annotations

import csv
import io
from typing import Mapping

from exports import rows
from exports.cells import safe
from fieldwork.services.wide_table import Responses


def write_csv(resp: Responses, *, labels: bool = False, bom: bool = False,
              markers: Mapping[str, Mapping[str, str]] | None = None) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe(h) for h in rows.header(resp, markers)])
    writer.writerows(rows.all_values(resp, labels=labels, markers=markers))
    data = buffer.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data
