"""Write a questionnaire as inline markdown tables (as pyxform's tests do) and build it
through the real XLSForm reader and loader."""

from __future__ import annotations

import io

from openpyxl import Workbook

from fieldwork.catalog import load_catalog
from fieldwork.questionnaire.xlsform import import_xlsform

YES_NO = """
| list_name | name      | label     |
| yes_no    | yes       | Yes       |
| yes_no    | no        | No        |
| charge    | police    | Police    |
| charge    | cps       | CPS       |
"""


def md_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.strip().splitlines():
        line = line.strip()
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def xlsform_bytes(survey: str, choices: str = YES_NO, settings: dict | None = None,
                  indicators: str | None = None) -> bytes:
    settings = settings or {"form_id": "test_form", "version": "1", "framework": "harassment_stalking_2017"}
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in md_rows(survey):
        ws.append([c or None for c in row])
    ch = wb.create_sheet("choices")
    for row in md_rows(choices):
        ch.append([c or None for c in row])
    st = wb.create_sheet("settings")
    st.append(list(settings))
    st.append(list(settings.values()))
    if indicators:
        ind = wb.create_sheet("indicators")
        for row in md_rows(indicators):
            ind.append([c or None for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build(survey: str, **kwargs):
    catalog = load_catalog()
    return import_xlsform(xlsform_bytes(survey, **kwargs), frameworks=catalog.frameworks,
                          shared_choices=catalog.codes.as_choice_lists(), name="test.xlsx")
