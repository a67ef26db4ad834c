"""The workbook export's progress: each sheet said in words as it starts (the Export page shows
them under its bar), in order, ending with the save; the workbook the same with or without a
callback (docs/waits.md)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from exports import exporting, workbook
from fieldwork import db
from fieldwork.services.permissions import Actor

pytestmark = pytest.mark.slow  # a whole workbook of the demonstration data

LEAD = Actor("lead1", "lead")


def _sheets(data: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return {ws.title: [r for r in ws.iter_rows(values_only=True)] for ws in book.worksheets if ws.title != "cover"}


def test_each_sheet_is_said_in_words_and_the_workbook_is_the_same(demo_engine):
    heard = []
    with db.session_scope(demo_engine) as s:
        told = exporting.export_workbook(s, LEAD, "case_review",
                                         progress=lambda done, total, words: heard.append((done, total, words)))
        quiet = exporting.export_workbook(s, LEAD, "case_review")
    total = heard[0][1]
    assert [(d, t) for d, t, _ in heard] == [(d, total) for d in range(total + 1)]  # one step at a time, to the end
    words = [w for _, _, w in heard]
    assert words[0] == f"Writing the cover (1 of {total})…"
    assert f"Writing the findings by force (5 of {total})…" in words  # the breakdown's short label, not its code
    assert words[-1] == workbook.SAVING
    assert not [w for w in words if "_" in w]  # no function or sheet code shown to a person
    assert _sheets(told) == _sheets(quiet)
