"""Questionnaires to and from XLSForm, so an inspectorate can author one in Excel.

Reading is pyxform's (``xlsform_read``): workbook -> pyxform's dict -> plain dicts ->
``build_questionnaire`` (our checks: criteria, contract codes, skip logic). Writing puts every
type and column back, so the file converts with pyxform again and re-imports identically.

Sheets: ``survey`` (the XLSForm columns, plus ``criteria`` and the finding footnotes),
``choices`` (list_name, name, label and any filter columns) and ``settings`` (form_id,
version, form_title, framework, description). ``begin group``/``end group`` rows are sections
and ``note`` rows are the section's guidance (contract section 8). Two extra sheets,
``findings`` and ``indicators``, carry how findings are written and the indicators; other
XLSForm tools ignore them.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Mapping

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire.framework import Framework
from fieldwork.questionnaire.answers import FILE_LIST
from fieldwork.questionnaire.loader import build_questionnaire
from fieldwork.questionnaire.model import METADATA_TYPES, Choice, Questionnaire
from fieldwork.questionnaire.xlsform_read import FINDINGS_COLUMNS, INDICATOR_COLUMNS, read_xlsform
from fieldwork.files.safe_xlsx import Source

SURVEY_COLUMNS = ["type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message",
                  "required_message", "calculation", "choice_filter", "default", "read_only", "appearance",
                  "parameters", "criteria", "footnote_not_known", "footnote_not_applicable"]
CHOICES_COLUMNS = ["list_name", "name", "label"]
SETTINGS_COLUMNS = ["form_id", "version", "form_title", "framework", "description"]
AUTO_VERSION = "auto-"  # a version the import chose, from the form's content


def import_xlsform(source: Source, *, frameworks: Mapping[str, Framework],
                   shared_choices: Mapping[str, tuple[Choice, ...]] = {}, name: str = "questionnaire.xlsx",
                   inspection_framework: str | None = None, allow_repeats: bool = False) -> Questionnaire:
    """The checked questionnaire of an XLSForm. Given the framework of the inspection it joins,
    a form without a ``framework`` setting takes it and one naming another is refused.
    ``allow_repeats``: read repeat groups into the model (the app, imports and findings do not
    handle their entries yet, so adding such a form to an inspection still refuses them)."""
    def our_faults(raw: dict) -> list:
        try:
            build_questionnaire(raw, source=name, frameworks=frameworks, shared_choices=shared_choices,
                                inspection_framework=inspection_framework, sheets=True)
        except ProblemError as exc:
            return exc.problems
        return []

    try:
        data = read_xlsform(source, name=name, also_check=our_faults, allow_repeats=allow_repeats)
        head = data["questionnaire"]
        given = bool(head.get("version"))
        if not given:  # checked with a stand-in, then versioned by content: the same form, the same version
            data = {**data, "questionnaire": {**head, "version": AUTO_VERSION}}
        questionnaire = build_questionnaire(data, source=name, frameworks=frameworks, shared_choices=shared_choices,
                                            inspection_framework=inspection_framework, sheets=True)
    except ProblemError as exc:  # one headline whichever check refused it (the file, pyxform, ours)
        raise ProblemError(in_order(exc.problems), f"questionnaire {name} was refused") from None
    if not given:
        questionnaire = dataclasses.replace(questionnaire, version=AUTO_VERSION + questionnaire.content_hash[:8])
    return dataclasses.replace(questionnaire, warnings=tuple(in_order(list(questionnaire.warnings))))


SHEET_ORDER = ("survey", "choices", "external_choices", "settings", "findings", "indicators")


def in_order(problems: list[Problem]) -> list[Problem]:
    """Faults as a person fixes them: sheet by sheet, row by row, each said once."""
    def key(p: Problem):
        sheet = str(p.source or "").rsplit(" ", 1)[-1]
        return (SHEET_ORDER.index(sheet) if sheet in SHEET_ORDER else len(SHEET_ORDER),
                p.row if p.row is not None else 0)
    return sorted(dict.fromkeys(problems), key=key)


def warning_lines(questionnaire: Questionnaire) -> list[str]:
    """What the import warns about but does not refuse, one line each (sheet, row, column, reason)."""
    return [f"Warning: {p}" for p in questionnaire.warnings]


def version_note(questionnaire: Questionnaire) -> str:
    """What the import says about a version it chose itself ("" when the form gave one)."""
    if not questionnaire.version.startswith(AUTO_VERSION):
        return ""
    return (f"the settings sheet gives no version, so this one is {questionnaire.version!r}, taken from the form's "
            "content (importing the same form again gives the same version; a changed form a new one). Put a "
            "'version' in settings to choose your own.")


def _parameters(parameters: Mapping[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in parameters.items())


def _both(a: str, b: str) -> str:
    """Two rules that must both hold, written as the reader combines a group's with its own."""
    return f"({a}) and ({b})" if a and b else (a or b)


class _RepeatWriter:
    """``begin repeat``/``end repeat`` rows around the sections of each repeat group. Sections
    are flat in the model, each knowing its innermost repeat; a section's rule holds the rules
    of every group around it, so a group written inside a repeat gets only its own part back
    (the reader adds the repeat's again)."""

    def __init__(self, questionnaire: Questionnaire, survey, columns: list[str]):
        self.q, self.survey, self.columns = questionnaire, survey, columns
        self.by_name = {r.name: r for r in questionnaire.repeats}
        self.open: list[tuple[str, str]] = []  # (repeat, the rule its entries are asked under)

    def is_own(self, section) -> bool:
        return bool(self.open) and section.id == self.open[-1][0] and section.repeat == section.id

    def enter(self, section) -> bool:
        chain = self.q.repeat_chain(section.repeat) if section.repeat else []
        while self.open and (len(self.open) > len(chain) or self.open[-1][0] != chain[len(self.open) - 1]):
            self.survey.append(["end repeat", self.open.pop()[0]])
        for name in chain[len(self.open):]:
            r = self.by_name[name]
            outer = self.open[-1][1] if self.open else ""
            own = next((s for s in self.q.sections if s.id == name and s.repeat == name), None)
            inner = own.relevant if own else _both(outer, r.relevant)
            # the repeat's own rule, unless the groups it sat in had rules too: then the whole rule
            written = r.relevant if _both(outer, r.relevant) == inner else inner
            row = dict(zip(self.columns, ["begin repeat", name, r.label]), relevant=written, repeat_count=r.count,
                       parameters=" ".join(f"{k}={v}" for k, v in (("min", r.min_entries), ("max", r.max_entries))
                                           if v))
            self.survey.append([row.get(c, "") for c in self.columns])
            self.open.append((name, inner))
        return self.is_own(section)

    def own_rule(self, section) -> str:
        around = self.open[-1][1] if self.open else ""
        rule = section.relevant
        if not around or rule == around:
            return "" if around else rule
        prefix = f"({around}) and ("
        return rule[len(prefix):-1] if rule.startswith(prefix) and rule.endswith(")") else rule

    def close_all(self) -> None:
        while self.open:
            self.survey.append(["end repeat", self.open.pop()[0]])


_GROUP_KEY = re.compile(r"\$\{([^}/]+(?:/[^}/]+)+)\}")


def _paths(text: str) -> str:
    """A question kept under its group path (one name in two groups) is named by its XPath,
    which pyxform passes through; ``${name}`` would be ambiguous."""
    return _GROUP_KEY.sub(lambda m: "/data/" + m.group(1), text or "")


def export_xlsform(questionnaire: Questionnaire, path: str | Path) -> Path:
    """Write the questionnaire as an XLSForm; importing the file gives back the same questionnaire."""
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    columns = SURVEY_COLUMNS + (["repeat_count"] if questionnaire.repeats else [])
    survey.append(columns)
    repeats = _RepeatWriter(questionnaire, survey, columns)
    for section in questionnaire.sections:
        if repeats.enter(section):  # the repeat's own section: its questions go straight in the repeat
            pass
        else:
            survey.append(["begin group", section.id, section.title, "", "", repeats.own_rule(section)])
        if section.guidance:
            survey.append(["note", f"{section.id}_guidance", section.guidance])
        for q in questionnaire.questions_in(section.id):
            qtype = f"{q.type} {q.choices}" if q.choices else q.type
            if q.choices and FILE_LIST.search(q.choices) and not questionnaire.choices.get(q.choices):
                qtype = f"{q.type}_from_file {q.choices}"  # the file did not come with the form: name it again
            label = "" if q.label == q.name and q.type in ("calculate", *METADATA_TYPES) else q.label
            survey.append([qtype, q.name.rsplit("/", 1)[-1], label, q.guidance, "yes" if q.required else "",
                           _paths(q.relevant), _paths(q.constraint), q.constraint_message, q.required_message,
                           _paths(q.calculation), _paths(q.choice_filter),
                           q.default, "yes" if q.read_only else "", q.appearance, _parameters(q.parameters),
                           " ".join(q.criteria), q.footnotes.get("not_known", ""),
                           q.footnotes.get("not_applicable", "")])
        if not repeats.is_own(section):
            survey.append(["end group", section.id])
    repeats.close_all()
    choices = wb.create_sheet("choices")
    extra = list(dict.fromkeys(k for items in questionnaire.choices.values() for c in items for k in c.columns))
    choices.append(CHOICES_COLUMNS + extra)
    for list_name, items in questionnaire.choices.items():
        if FILE_LIST.search(list_name) and not items:
            continue
        for c in items:
            choices.append([list_name, c.code, c.label, *(c.columns.get(k, "") for k in extra)])
    settings = wb.create_sheet("settings")
    duplicates = any(len({c.code for c in items}) < len(items) for items in questionnaire.choices.values())
    settings.append(SETTINGS_COLUMNS + (["allow_choice_duplicates"] if duplicates else []))
    settings.append([questionnaire.id, questionnaire.version, questionnaire.title, questionnaire.framework,
                     questionnaire.description] + (["yes"] if duplicates else []))
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
