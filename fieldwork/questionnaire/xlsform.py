"""Questionnaires to and from XLSForm, so an inspectorate can author one in Excel.

Sheets: ``survey`` (type, name, label, hint, required, relevant, constraint, plus
``criteria``, ``constraint_message`` and the finding footnotes), ``choices`` (list_name,
name, label) and ``settings`` (form_id, version, form_title, framework, description).
``begin group``/``end group`` rows are sections and ``note`` rows are the section's guidance
(contract section 8). Two extra sheets, ``findings`` and ``indicators``, carry how findings
are written and the indicators; other XLSForm tools ignore them.

Reading is a pipeline: workbook -> plain dicts (here) -> ``build_questionnaire`` (checks).
Header aliases are data, as in pyxform.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire.framework import Framework
from fieldwork.questionnaire.loader import build_questionnaire
from fieldwork.questionnaire.model import Choice, Questionnaire
from fieldwork.safe_xlsx import Source, open_workbook

SURVEY_COLUMNS = ["type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message",
                  "criteria", "footnote_not_known", "footnote_not_applicable"]
CHOICES_COLUMNS = ["list_name", "name", "label"]
SETTINGS_COLUMNS = ["form_id", "version", "form_title", "framework", "description"]
FINDINGS_COLUMNS = ["name", "answer", "text"]
INDICATOR_COLUMNS = ["id", "label", "population", "condition", "criteria", "text", "footnote"]

# Spellings other tools use for the same header (pyxform keeps these as data too).
HEADER_ALIASES = {
    "list name": "list_name",
    "listname": "list_name",
    "form id": "form_id",
    "id_string": "form_id",
    "title": "form_title",
    "form title": "form_title",
    "guidance": "hint",
    "required_message": "constraint_message",
    "constraint message": "constraint_message",
}
# Metadata rows that survey tools add; they ask the inspector nothing, so they are skipped.
METADATA_TYPES = {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username",
                  "email", "audit", "start-geopoint", "background-audio"}
TYPE_ALIASES = {"begin_group": "begin group", "end_group": "end group", "select one": "select_one",
                "string": "text", "int": "integer", "decimal": "integer"}
UNSUPPORTED_TYPES = {"select_multiple", "begin repeat", "begin_repeat", "end repeat", "end_repeat", "calculate",
                     "geopoint", "geotrace", "geoshape", "image", "audio", "video", "file", "barcode", "range",
                     "rank", "acknowledge", "time", "datetime", "hidden", "xml-external", "csv-external"}


# XLSForm writes a question's own value in its constraint as "." (". >= 0 and . <= 365"); our
# expressions name the variable, so "." becomes ${name} — never inside a quoted string, nor
# the point of a number such as 0.5.
_QUOTED = re.compile(r"""('[^']*'|"[^"]*")""")
_SELF = re.compile(r"(?<![\w.$}])\.(?![\w.])")


def _self_reference(constraint: str, name: str) -> str:
    parts = _QUOTED.split(str(constraint or ""))
    return "".join(p if i % 2 else _SELF.sub("${" + str(name) + "}", p) for i, p in enumerate(parts))


def _header(cell) -> str:
    key = str(cell or "").strip().lower()
    if "::" in key:  # label::English (en) -> label (first language wins, see _rows)
        key = key.split("::", 1)[0].strip()
    return HEADER_ALIASES.get(key, key)


def _rows(workbook, sheet: str, source: str) -> list[dict]:
    """Rows of a sheet as dicts by normalised header, each with its spreadsheet row number."""
    names = {n.strip().lower(): n for n in workbook.sheetnames}
    if sheet not in names:
        return []
    raw = list(workbook[names[sheet]].iter_rows(values_only=True))
    if not raw:
        return []
    headers = [_header(h) for h in raw[0]]
    out = []
    for number, values in enumerate(raw[1:], start=2):
        row: dict = {"_row": number}
        for key, value in zip(headers, values):
            if key and key not in row and value is not None and str(value).strip() != "":
                row[key] = str(value).strip() if not isinstance(value, (int, float)) or isinstance(value, bool) else value
        if len(row) > 1:
            out.append(row)
    return out


def read_xlsform(source: Source, *, name: str = "questionnaire.xlsx") -> dict:
    """Workbook -> the plain dicts ``build_questionnaire`` takes. Structural faults are refused
    here with the sheet row; everything else is checked by the loader."""
    workbook = open_workbook(source, name=name)
    problems: list[Problem] = []
    if "survey" not in {n.strip().lower() for n in workbook.sheetnames}:
        raise ProblemError([Problem("missing_sheet", "an XLSForm needs a 'survey' sheet", source=name)],
                           f"{name} was refused")
    settings = (_rows(workbook, "settings", name) or [{}])[0]
    head = {
        "id": str(settings.get("form_id", "")).strip(),
        "version": str(settings.get("version", "")).strip(),
        "title": settings.get("form_title", ""),
        "framework": settings.get("framework", ""),
        "description": settings.get("description", ""),
    }
    if not head["id"]:
        problems.append(Problem("missing_field", "the settings sheet has no form_id", source=name, field="form_id"))
    if not head["version"]:
        problems.append(Problem("missing_field", "the settings sheet has no version", source=name, field="version"))

    choices: dict[str, list[dict]] = {}
    for row in _rows(workbook, "choices", name):
        list_name = str(row.get("list_name", ""))
        if not list_name:
            problems.append(Problem("missing_field", "a choice has no list_name", source=f"{name} choices",
                                    row=row["_row"], field="list_name"))
            continue
        code = row.get("name", "")
        choices.setdefault(list_name, []).append({"code": _code(code), "label": str(row.get("label", "") or code)})

    sections: list[dict] = []
    questions: list[dict] = []
    current: dict | None = None
    for row in _rows(workbook, "survey", name):
        kind = TYPE_ALIASES.get(str(row.get("type", "")).strip().lower(), str(row.get("type", "")).strip().lower())
        words = kind.split()
        base = TYPE_ALIASES.get(words[0], words[0]) if words else ""
        where = dict(source=f"{name} survey", row=row["_row"], field="type", item=row.get("name"))
        if kind in ("begin group",):
            current = {"id": str(row.get("name", "")), "title": str(row.get("label", "") or row.get("name", "")),
                       "guidance": ""}
            if not current["id"]:
                problems.append(Problem("missing_field", "a begin group row has no name", **{**where, "field": "name"}))
            sections.append(current)
            continue
        if kind == "end group":
            current = None
            continue
        if base == "note":
            text = str(row.get("label", "") or row.get("hint", ""))
            target = current if current is not None else (sections[-1] if sections else None)
            if target is None:
                current = {"id": "general", "title": "General", "guidance": ""}
                sections.append(current)
                target = current
            target["guidance"] = (target["guidance"] + "\n\n" + text).strip()
            continue
        if base in METADATA_TYPES or not kind:
            continue
        if base in UNSUPPORTED_TYPES or kind in UNSUPPORTED_TYPES:
            problems.append(Problem("unsupported_type", f"type {kind!r} is not supported (questions are select_one, "
                                    "text, integer or date)", **where))
            continue
        if base == "select_one":
            if len(words) < 2:
                problems.append(Problem("missing_field", "select_one needs a list name, e.g. 'select_one yes_no'",
                                        **where))
                continue
            if len(words) > 2:  # "select_one list or_other"
                problems.append(Problem("unsupported_type", f"{kind!r}: 'or_other' is not supported", **where))
                continue
        if current is None:
            current = {"id": "general", "title": "General", "guidance": ""}
            sections.append(current)
        questions.append({
            "_row": row["_row"], "name": row.get("name", ""), "type": base,
            "choices": words[1] if base == "select_one" else None, "label": row.get("label", ""),
            "guidance": row.get("hint", ""), "required": row.get("required", ""),
            "relevant": row.get("relevant", ""),
            "constraint": _self_reference(row.get("constraint", ""), row.get("name", "")),
            "constraint_message": row.get("constraint_message", ""), "criteria": row.get("criteria", ""),
            "section": current["id"],
            "footnotes": {k: row[f"footnote_{k}"] for k in ("not_known", "not_applicable") if row.get(f"footnote_{k}")},
            "findings": {},
        })

    by_name = {q["name"]: q for q in questions}
    for row in _rows(workbook, "findings", name):
        q = by_name.get(row.get("name"))
        if q is None:
            problems.append(Problem("unknown_variable", f"a finding is written for {row.get('name')!r}, which is not "
                                    "a question", source=f"{name} findings", row=row["_row"], field="name"))
            continue
        q["findings"][_code(row.get("answer", ""))] = row.get("text", "")
    indicators = [{**{k: row.get(k, "") for k in INDICATOR_COLUMNS}, "_row": row["_row"]}
                  for row in _rows(workbook, "indicators", name)]
    if problems:
        raise ProblemError(problems, f"{name} was refused")
    return {"questionnaire": head, "choices": choices, "sections": sections, "questions": questions,
            "indicators": indicators}


def _code(value) -> str:
    # a code typed as a number in Excel comes back as 1.0: write it back as "1"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def import_xlsform(source: Source, *, frameworks: Mapping[str, Framework],
                   shared_choices: Mapping[str, tuple[Choice, ...]] = {}, name: str = "questionnaire.xlsx",
                   inspection_framework: str | None = None) -> Questionnaire:
    """The checked questionnaire of an XLSForm. Given the framework of the inspection it joins,
    a form without a ``framework`` setting takes it and one naming another is refused."""
    return build_questionnaire(read_xlsform(source, name=name), source=name, frameworks=frameworks,
                               shared_choices=shared_choices, inspection_framework=inspection_framework)


def export_xlsform(questionnaire: Questionnaire, path: str | Path) -> Path:
    """Write the questionnaire as an XLSForm; importing the file gives back the same questionnaire."""
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(SURVEY_COLUMNS)
    for section in questionnaire.sections:
        survey.append(["begin group", section.id, section.title])
        if section.guidance:
            survey.append(["note", f"{section.id}_guidance", section.guidance])
        for q in questionnaire.questions_in(section.id):
            qtype = f"select_one {q.choices}" if q.is_single_choice else q.type
            survey.append([qtype, q.name, q.label, q.guidance, "yes" if q.required else "", q.relevant,
                           q.constraint, q.constraint_message, " ".join(q.criteria),
                           q.footnotes.get("not_known", ""), q.footnotes.get("not_applicable", "")])
        survey.append(["end group", section.id])
    choices = wb.create_sheet("choices")
    choices.append(CHOICES_COLUMNS)
    for list_name, items in questionnaire.choices.items():
        for c in items:
            choices.append([list_name, c.code, c.label])
    settings = wb.create_sheet("settings")
    settings.append(SETTINGS_COLUMNS)
    settings.append([questionnaire.id, questionnaire.version, questionnaire.title, questionnaire.framework,
                     questionnaire.description])
    findings = wb.create_sheet("findings")
    findings.append(FINDINGS_COLUMNS)
    for q in questionnaire.questions:
        for answer, text in q.findings.items():
            findings.append([q.name, answer, text])
    indicators = wb.create_sheet("indicators")
    indicators.append(INDICATOR_COLUMNS)
    for i in questionnaire.indicators:
        indicators.append([i.id, i.label, i.population, i.condition, " ".join(i.criteria), i.text, i.footnote])
    for ws in wb.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for idx, col in enumerate(ws.iter_cols(min_row=1, max_row=min(ws.max_row, 200)), start=1):
            width = max((len(str(c.value)) for c in col if c.value is not None), default=8)
            ws.column_dimensions[get_column_letter(idx)].width = min(max(10, width + 2), 60)
    path = Path(path)
    wb.save(path)
    return path
