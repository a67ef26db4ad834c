"""Wide CSV (contract section 7): header = variable names, one row per counted complete
assessment, cells = codes (or, with ``labels``, the answers' labels for reading).

UTF-8 without a byte order mark by default, as the contract and other tools expect; ``bom``
adds one so that Excel opens the file with accents intact (the importer reads both).
"""

from __future__ import annotations

from typing import Mapping

from exports import rows
from fieldwork.files.csv_out import csv_bytes
from fieldwork.services.wide_table import Responses


def write_csv(resp: Responses, *, labels: bool = False, bom: bool = False,
              markers: Mapping[str, Mapping[str, str]] | None = None) -> bytes:
    # the rows are made safe by exports.rows, which the workbook shares
    return csv_bytes(rows.header(resp, markers), rows.all_values(resp, labels=labels, markers=markers),
                     line_end="\r\n", bom=bom, escaped=True)
