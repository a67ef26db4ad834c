"""Read an XLSForm with pyxform, the XLSForm project's own reader, into the plain dicts
``build_questionnaire`` checks.

pyxform gives the survey as a dict (``workbook_to_json``): its aliases and older spellings
(``select one yn``, ``label:English``), list names as written, nested groups, settings
defaults (``form_id`` from the file name), languages (``default_language``), ``or_other``
and its refusals with their rows all stay current with the standard. What it does not keep —
the spreadsheet row of each question and our own sheets (``findings``, ``indicators``) — is
read here from the same workbook, opened first by ``safe_xlsx`` (no formula run, size bounded).

Groups become sections, one per group whatever its depth, each carrying the skip logic of
every group around it; questions outside any group go to a "General" section of their own
for each run of them, so the order of the form is kept. Notes become the section's guidance.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from pathlib import Path

from fieldwork.problem_codes import (
    MISSING_FILE, MISSING_SHEET, REPEAT_NOT_SUPPORTED, UNKNOWN_TYPE, UNKNOWN_VARIABLE,
    XLSFORM_REFUSED as PYXFORM_REFUSED,
)
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire.model import MEDIA_TYPES, METADATA_TYPES, QUESTION_TYPES
from fieldwork.files.safe_xlsx import Source, open_workbook
from fieldwork.questionnaire.xlsform_paths import Names, question_paths
from fieldwork.questionnaire import xlsform_loops

FINDINGS_COLUMNS = ["name", "answer", "text"]
INDICATOR_COLUMNS = ["id", "label", "population", "condition", "criteria", "text", "footnote"]


# pyxform's name of a type (after its aliases) -> ours, where they differ
TYPES = {
    "select one": "select_one", "select all that apply": "select_multiple", "select one external": "select_one",
    "dateTime": "datetime", "photo": "image", "trigger": "acknowledge", "location": "geopoint", "gps": "geopoint",
    "int": "integer", "string": "text", "imei": "deviceid", "background-geopoint": "background-geopoint",
}
_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")
_HEADER_FAULT = re.compile(r"column header", re.I)  # pyxform names no row for the header's faults: it is row 1
_COLUMN = re.compile(r"the '([\w:]+)' value is invalid")
_SHEET = re.compile(r"\b(survey|choices|settings|external_choices|entities)\b", re.I)


def _default_stem(name: str) -> str:
    stem = Path(name).stem
    return re.sub(r"[^A-Za-z0-9_]", "_", stem) or "questionnaire"


def _header(cell) -> str:
    key = str(cell or "").strip()
    if "::" in key:
        key = key.split("::", 1)[0]
    elif ":" in key and key.split(":", 1)[0].strip().lower() in ("label", "hint"):
        key = key.split(":", 1)[0]
    key = key.strip().lower()
    return {"list name": "list_name", "listname": "list_name"}.get(key, key)


def _sheet(workbook, sheet: str) -> list[dict]:
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
                row[key] = _cell(value)
        if len(row) > 1:
            out.append(row)
    return out


def _cell(value) -> str:
    # a code typed as a number in Excel comes back as 1.0: write it back as "1"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_SMART = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}


def _cleaned(text: str) -> set[str]:
    """What pyxform may have made of a cell: smart quotes straightened, whitespace collapsed."""
    straight = re.sub("[\u2018\u2019\u201c\u201d]", lambda m: _SMART[m.group(0)], text)
    return {straight.strip(), " ".join(straight.split())}


def _text(value, language: str | None, raw: dict | None = None) -> str:
    """One language of a label or hint (pyxform gives a dict when the form is translated),
    as written in the cell: pyxform straightens quotes and collapses line breaks, which would
    change the wording of guidance and of the report's sentences."""
    if isinstance(value, dict):
        text = ""
        for key in (language, "default"):
            if key and value.get(key):
                text = str(value[key]).strip()
                break
        else:
            text = next((str(v).strip() for v in value.values() if v), "")
    else:
        text = "" if value is None else str(value).strip()
    for cell in (raw or {}).values():
        if isinstance(cell, str) and cell != text and text in _cleaned(cell):
            return cell
    return text


# A constraint's "." (the question itself) is written ${name}, so the rule reads the same to
# every tool (and to the SQL compiler); never inside a quoted string, nor a number's point.
_QUOTED = re.compile(r"""('[^']*'|"[^"]*")""")
_SELF = re.compile(r"(?<![\w.$}])\.(?![\w.])")


def _self_reference(constraint: str, name: str) -> str:
    parts = _QUOTED.split(str(constraint or ""))
    return "".join(p if i % 2 else _SELF.sub("${" + str(name) + "}", p) for i, p in enumerate(parts))


def _pyxform(data: bytes, name: str) -> dict:
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    stem = _default_stem(name)
    try:
        workbook = get_xlsform(data, file_type=".xlsx")
        # the root is named as pyxform's convert names it ("data", or settings' name), so a repeat
        # named like the root is refused as pyxform refuses it; the file name stays the fallback id
        return workbook_to_json(workbook_dict=workbook, form_name=None, fallback_form_name=stem,
                                default_language="default", warnings=[])
    except PyXFormError as exc:
        message = str(exc).strip()
        row = _ROW.search(message)
        sheet = _SHEET.search(message)
        reason = _ROW.sub("", message).strip(" :")
        column = _COLUMN.search(message)
        raise ProblemError([Problem(PYXFORM_REFUSED, f"not a valid XLSForm: {reason}",
                                    source=f"{name} {sheet.group(1).lower() if sheet else 'survey'}",
                                    row=int(row.group(1)) if row else (1 if _HEADER_FAULT.search(message) else None),
                                    field=column.group(1) if column else None)], f"{name} was refused") from None


def _base_type(text: str) -> tuple[str, str | None]:
    """(our type, list name) of a survey ``type`` cell as written, for the rows pyxform refused."""
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    words = str(text or "").strip().replace("select one", "select_one").replace("select all that apply",
                                                                                  "select_multiple").split()
    if not words:
        return "", None
    first = words[0].lower()
    first = {"select_one_from_file": "select_one", "select_multiple_from_file": "select_multiple",
             "select_one_external": "select_one"}.get(first, first)
    if first in ("select_one", "select_multiple", "rank"):
        rest = words[2:] if len(words) > 2 and words[1].lower() == "from" else words[1:]  # select one from X
        return first, (rest[0] if rest else None)
    phrase = " ".join(words)
    if phrase.lower().replace("_", " ") in ("begin group", "end group", "begin repeat", "end repeat"):
        return phrase.lower().replace("_", " "), None
    known = TYPES.get(phrase, phrase) if phrase in QUESTION_TYPE_DICT or phrase in TYPES else phrase
    return TYPES.get(known, known), None


def raw_form(workbook, survey_rows: list[dict], name: str) -> dict:
    """The sheets as plain dicts without pyxform: used only when pyxform refuses the form, so
    that our own checks still run and every fault is reported in one list."""
    settings = (_sheet(workbook, "settings") or [{}])[0]
    head = {"id": settings.get("form_id") or _default_stem(name), "version": settings.get("version") or "auto",
            "title": settings.get("form_title", ""), "framework": settings.get("framework", ""),
            "description": settings.get("description", "")}
    choices: dict[str, list[dict]] = {}
    for row in _sheet(workbook, "choices"):
        if row.get("list_name"):
            choices.setdefault(row["list_name"], []).append({"code": row.get("name", ""), "_row": row["_row"],
                                                             "label": row.get("label", "")})
    sections: list[dict] = [{"id": "general", "title": "General", "guidance": ""}]
    questions: list[dict] = []
    placed: list[tuple[tuple[str, ...], dict, str, str | None]] = []
    groups: list[str] = []
    for row in survey_rows:
        kind, set_name = _base_type(row.get("type", ""))
        if kind in ("begin group", "begin repeat"):
            groups.append(str(row.get("name", "")))
        elif kind in ("end group", "end repeat"):
            groups = groups[:-1]
        elif kind not in ("note", ""):
            placed.append(((*groups, str(row.get("name", ""))), row, kind, set_name))
    names = Names([path for path, *_ in placed])
    for path, row, kind, set_name in placed:
        def refs(column: str) -> str:  # a name two questions share is pyxform's to say here: its message is kept
            text, faults = names.resolve(row.get(column, ""), path)
            return "" if faults else text
        questions.append({"_row": row["_row"], "name": names.key(path), "type": kind, "choices": set_name,
                          "label": row.get("label", "") or row.get("name", ""), "relevant": refs("relevant"),
                          "constraint": _self_reference(refs("constraint"), names.key(path)),
                          "calculation": refs("calculation"),
                          "criteria": row.get("criteria", ""), "section": "general", "findings": {}})
    return {"questionnaire": head, "choices": choices, "sections": sections, "questions": questions,
            "indicators": []}


def read_xlsform(source: Source, *, name: str = "questionnaire.xlsx", folder: Path | None = None,
                 also_check=None, allow_repeats: bool = False) -> dict:
    """Workbook -> the plain dicts ``build_questionnaire`` takes, or ProblemError with every
    fault found here (the loader adds its own). ``folder`` holds files a form names
    (``select_one_from_file``); by default the folder of the form itself."""
    if isinstance(source, (str, Path)):
        folder = folder or Path(source).parent
        data = Path(source).read_bytes()
    elif isinstance(source, bytes):
        data = source
    else:
        data = source.read()
    workbook = open_workbook(data, name=name)  # refuses what is unsafe before pyxform opens it
    survey_sheet = "survey"
    if "survey" not in {n.strip().lower() for n in workbook.sheetnames}:
        if len(workbook.sheetnames) != 1:
            raise ProblemError([Problem(MISSING_SHEET, "an XLSForm needs a 'survey' sheet", source=name)],
                               f"{name} was refused")
        survey_sheet = workbook.sheetnames[0].strip().lower()  # a lone sheet is the survey, as pyxform reads it
    survey_rows = _sheet(workbook, survey_sheet)
    problems: list[Problem] = []
    for row in survey_rows:  # refused whatever pyxform says: the next issue brings repeats
        kind = str(row.get("type", "")).strip().lower().replace("_", " ")
        if kind == "begin repeat" and not allow_repeats:
            problems.append(Problem(REPEAT_NOT_SUPPORTED, f"'{row.get('type')}' ({row.get('name', '')}): repeat groups "
                                    "are not supported yet; the form can be imported once repeat groups are (an entry "
                                    "per incident or hearing). Until then, ask for a fixed number of entries in an "
                                    "ordinary group", source=f"{name} survey", row=row["_row"], field="type",
                                    item=row.get("name")))
    try:
        form = _pyxform(data, name)
    except ProblemError as exc:
        # pyxform stops at its first fault: run our checks over the sheets as written too, and
        # keep pyxform's message only where ours say nothing about that row
        ours = [p for p in (also_check(raw_form(workbook, survey_rows, name)) if also_check else [])
                if p.code != "unknown_type" or not problems]
        rows_named = {p.row for p in ours if p.row is not None}
        names = {row["_row"]: row.get("name") for row in survey_rows}
        # a row of the survey sheet names its question; a settings or choices row does not (walk 24,
        # W19: settings row 2's instance_name was said of question 'start', survey row 2)
        theirs = [dataclasses.replace(p, item=p.item or (names.get(p.row) if str(p.source).endswith(" survey")
                                                         else None))
                  for p in exc.problems if p.row is None or p.row not in rows_named]
        raise ProblemError(problems + ours + theirs, exc.summary) from None
    if problems:
        raise ProblemError(problems, f"{name} was refused")
    # begin loop over LIST: one group per choice, as pyxform builds it (xlsform_loops)
    form["children"] = xlsform_loops.expand(form.get("children") or [], survey_rows)
    return _convert(form, workbook, survey_rows, name=name, folder=folder)


class _Rows:
    """The spreadsheet row of each element pyxform gives, found by position: the next row
    (after the last one found) with that name. Looking rows up by name alone would give two
    questions of the same name (in different groups) one row."""

    def __init__(self, survey_rows: list[dict]):
        self.rows, self.at = survey_rows, 0

    def next(self, name) -> dict | None:
        for i in range(self.at, len(self.rows)):
            if self.rows[i].get("name") == name and not str(self.rows[i].get("type", "")).lower().replace(
                    "_", " ").startswith("end"):
                self.at = i + 1
                return self.rows[i]
        return None  # one pyxform made itself (or_other's "Specify other")


def _convert(form: dict, workbook, survey_rows: list[dict], *, name: str, folder: Path | None) -> dict:
    problems: list[Problem] = []
    language = form.get("default_language") or "default"
    finder = _Rows(survey_rows)
    names = Names(question_paths(form.get("children") or []))
    raw_choices = {(row.get("list_name"), row.get("name")): row for row in _sheet(workbook, "choices")}
    settings = (_sheet(workbook, "settings") or [{}])[0]
    version = str(form.get("version") or "").strip()
    # pyxform takes any form_id ("Flat test"); ours is typed on command lines: spaces become _
    form_id = re.sub(r"[^A-Za-z0-9_.\-]", "_", str(form.get("id_string") or "").strip())
    if form_id and not re.match(r"[A-Za-z_]", form_id):
        form_id = "_" + form_id
    head = {"id": form_id, "version": version,
            "allow_choice_duplicates": str(settings.get("allow_choice_duplicates", "")),
            "title": _text(form.get("title"), language, settings) if settings.get("form_title") else "",
            "framework": str(form.get("framework") or "").strip(),
            "description": _text(form.get("description"), language, settings)}
    if head["title"] == head["id"]:
        head["title"] = ""
    choices: dict[str, list[dict]] = {}
    for list_name, items in (form.get("choices") or {}).items():
        choices[list_name] = [{"code": _cell(c.get("name", "")),
                               "label": _text(c.get("label"), language,
                                              raw_choices.get((list_name, _cell(c.get("name", ""))))),
                               "_row": (raw_choices.get((list_name, _cell(c.get("name", "")))) or {}).get("_row"),
                               "columns": {str(k): _cell(v) for k, v in c.items()
                                           if k not in ("name", "label", "media") and not isinstance(v, dict)}}
                              for c in items]
    for list_name, items in external_choices(workbook).items():  # select_one_external's lists
        choices.setdefault(list_name, items)

    sections: list[dict] = []
    questions: list[dict] = []
    used: set[str] = set()
    titles: set[str] = set()

    repeats: list[dict] = []

    def refs(text, here: tuple[str, ...], row, field: str, item) -> str:
        resolved, faults = names.resolve(text, here)
        for fault in faults:
            problems.append(Problem(UNKNOWN_VARIABLE, f"{field}: {fault}", source=f"{name} survey", row=row,
                                    field=field, item=item))
        return resolved

    def new_section(sid: str, title: str, relevant: str, repeat: str = "", row=None) -> dict:
        base, n = sid, 1
        while sid in used:
            n += 1
            sid = f"{base}_{n}"
        used.add(sid)
        shown, n = title, 1
        while shown in titles:  # a section picker cannot tell two "General"s apart
            n += 1
            shown = f"{title} (continued)" if n == 2 else f"{title} (continued {n - 1})"
        titles.add(shown)
        section = {"id": sid, "title": shown, "guidance": "", "relevant": relevant, "repeat": repeat, "_row": row}
        sections.append(section)
        return section

    def both(a: str, b: str) -> str:
        return f"({a}) and ({b})" if a and b else (a or b)

    def walk(children: list[dict], group: dict | None, rule: str, title: str, repeat: str = "",
             at: tuple[str, ...] = ()) -> None:
        current = group
        for child in children:
            kind = child.get("type", "")
            bind = child.get("bind") or {}
            here = at + (str(child.get("name", "")),)
            if kind == "group" and (child.get("control") or {}).get("bodyless"):  # pyxform's own meta/instanceID
                continue
            # a loop's copies carry their template's row (xlsform_loops); others are looked up in order
            raw = child[xlsform_loops.RAW] if xlsform_loops.RAW in child else finder.next(child.get("name"))
            row = raw.get("_row") if raw else None
            if kind == "repeat":
                # an entry's questions are asked where the repeat's own rule holds; the rules
                # around it decide whether there are entries at all, and stay on its sections
                label = _text(child.get("label"), language, raw) or child.get("name", "")
                own = refs(bind.get("relevant", ""), here, row, "relevant", child.get("name"))
                count = refs(str((child.get("control") or {}).get("jr:count", "") or ""), here, row, "repeat_count",
                             child.get("name"))
                limits = _parameters(child.get("parameters"))  # min=N max=N: the fewest and most entries
                repeats.append({"name": child.get("name", ""), "label": label, "parent": repeat, "count": count,
                                "relevant": own, "_row": row,
                                "min_entries": limits.get("min", ""), "max_entries": limits.get("max", "")})
                inner = both(rule, own)
                section = new_section(child.get("name", ""), label, inner, child.get("name", ""), row)
                walk(child.get("children") or [], section, inner, label, child.get("name", ""), here)
                current = None
                continue
            if kind == "group":
                inner = both(rule, refs(bind.get("relevant", ""), here, row, "relevant", child.get("name")))
                label = _text(child.get("label"), language, raw) or child.get("name", "")
                section = new_section(child.get("name", ""), label, inner, repeat, row)
                walk(child.get("children") or [], section, inner, label, repeat, here)
                if xlsform_loops.AFTER in child:  # the rows after a loop are read on from its end loop
                    finder.at = max(finder.at, child[xlsform_loops.AFTER])
                current = None  # what follows the group continues the outer one in a new section
                continue
            if kind == "note":
                text = _text(child.get("label"), language, raw) or _text(child.get("hint"), language, raw)
                if current is None:
                    current = new_section(group["id"] if group else "general", title, rule, repeat)
                current["guidance"] = (current["guidance"] + "\n\n" + text).strip()
                continue
            if current is None:
                current = new_section(group["id"] if group else "general", title, rule, repeat)
            question = _question(child, language, current["id"], row, name, choices, folder, problems, raw,
                                 key=names.key(here), refs=lambda text, field: refs(text, here, row, field,
                                                                                    names.key(here)))
            if question:
                questions.append(question)

    walk(form.get("children") or [], None, "", "General")
    problems += instance_clashes(survey_rows, form.get("choices") or {}, name)
    # the sections that ended up with neither questions nor guidance say nothing
    sections = [s for s in sections if s["guidance"] or any(q["section"] == s["id"] for q in questions)]

    by_name = {q["name"]: q for q in questions}
    for row in _sheet(workbook, "findings"):
        q = by_name.get(row.get("name"))
        if q is None:
            problems.append(Problem(UNKNOWN_VARIABLE, f"a finding is written for {row.get('name')!r}, which is not "
                                    "a question", source=f"{name} findings", row=row["_row"], field="name"))
            continue
        q["findings"][row.get("answer", "")] = row.get("text", "")
    indicators = [{**{k: row.get(k, "") for k in INDICATOR_COLUMNS}, "_row": row["_row"]}
                  for row in _sheet(workbook, "indicators")]
    if problems:
        raise ProblemError(problems, f"{name} was refused")
    return {"questionnaire": head, "choices": choices, "sections": sections, "questions": questions,
            "indicators": indicators, "repeats": repeats}


_PRELOADS = {"start": "start", "end": "end", "today": "today", "deviceid": "deviceid", "uri:deviceid": "deviceid",
             "username": "username", "uri:username": "username", "email": "email", "uri:email": "email",
             "phonenumber": "phonenumber", "uri:phonenumber": "phonenumber", "simserial": "simserial",
             "uri:simserial": "simserial", "subscriberid": "subscriberid", "uri:subscriberid": "subscriberid"}
_BIND_TYPES = {"string": "text", "int": "integer", "decimal": "decimal", "date": "date", "time": "time",
               "dateTime": "datetime", "geopoint": "geopoint", "geotrace": "geotrace", "geoshape": "geoshape",
               "barcode": "barcode"}


def _resolve(kind: str) -> str:
    """Our type for one of pyxform's older names ('phone number', 'osm', 'q picture', …), from
    what pyxform's own type dictionary says the name means."""
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    if kind in QUESTION_TYPES:
        return kind
    spec = QUESTION_TYPE_DICT.get(kind) or {}
    bind, control = spec.get("bind") or {}, spec.get("control") or {}
    if bind.get("jr:preload"):
        return _PRELOADS.get(str(bind.get("jr:preloadParams", "")), "hidden")
    if control.get("tag") == "upload":
        media = str(control.get("mediatype", ""))
        return {"image": "image", "audio": "audio", "video": "video"}.get(media.split("/")[0], "file")
    if control.get("tag") == "trigger":
        return "acknowledge"
    if bind.get("calculate") is not None or kind.endswith("calculate prompt"):
        return "calculate"
    return _BIND_TYPES.get(str(bind.get("type", "")), kind)


def _parameters(raw) -> dict[str, str]:
    """A question's ``parameters`` cell: pyxform parses it for the types it knows (a range's
    start/end/step) and leaves the text as written for others (an image's ``max-pixels=1024``,
    which ODK tells authors to set on nearly every photo): ``key=value`` pairs, separated by
    spaces or semicolons, either way."""
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    pairs = (part.split("=", 1) for part in re.split(r"[\s;]+", str(raw or "")) if "=" in part)
    return {k.strip(): v.strip() for k, v in pairs}

def _question(child: dict, language: str, section: str, row, name: str, choices: dict,
              folder: Path | None, problems: list[Problem], raw: dict | None = None, *, key: str,
              refs) -> dict | None:
    kind = _resolve(TYPES.get(child.get("type", ""), child.get("type", "")))
    qname = key  # the name, or its group path when two questions share it (xlsform_paths)
    bind = child.get("bind") or {}
    control = child.get("control") or {}
    if kind == "calculate" and bind.get("jr:preload"):
        kind = "hidden"
    if kind not in QUESTION_TYPES:
        problems.append(Problem(UNKNOWN_TYPE, f"type {child.get('type')!r} is not an XLSForm question type this "
                                "tool knows", source=f"{name} survey", row=row, field="type", item=qname))
        return None
    set_name = None
    if kind in ("select_one", "select_multiple", "rank"):
        set_name = child.get("list_name") or child.get("itemset")
        itemset = str(child.get("itemset") or "")
        if re.search(r"\.(csv|xml|geojson)$", itemset, re.I):
            set_name = re.sub(r"\W", "_", Path(itemset).stem)
            if set_name not in choices:
                loaded = _choices_from_file(itemset, folder, qname, row, name, problems)
                if loaded is not None:
                    choices[set_name] = loaded
                else:  # not beside the form (or not a CSV): the code is typed, the list kept by its file name
                    set_name = itemset
                    choices.setdefault(set_name, [])
    parameters = _parameters(child.get("parameters"))
    # XLSForm lets a question go unlabelled (pyxform warns; its field-list label rows have none):
    # the name stands in
    label = _text(child.get("label"), language, raw) or qname
    return {
        "_row": row, "name": qname, "type": kind, "choices": set_name,
        "label": label, "guidance": _text(child.get("hint"), language, raw),
        "required": str(bind.get("required", "")), "required_message": _text(bind.get("jr:requiredMsg"), language, raw),
        "relevant": refs(bind.get("relevant", ""), "relevant"),
        "constraint": _self_reference(refs(bind.get("constraint", ""), "constraint"), qname),
        "constraint_message": _text(bind.get("jr:constraintMsg"), language, raw),
        "calculation": refs(bind.get("calculate", ""), "calculation"),
        "read_only": str(bind.get("readonly", "")), "default": str(child.get("default") or ""),
        "choice_filter": refs(child.get("choice_filter", ""), "choice_filter"), "appearance": str(control.get("appearance") or ""),
        "parameters": parameters if kind in ("range", "image") or parameters else {},
        "criteria": child.get("criteria", ""), "section": section,
        "footnotes": {k: _text(child[f"footnote_{k}"], language, raw) for k in ("not_known", "not_applicable")
                      if child.get(f"footnote_{k}")},
        "findings": {},
    }


_PULLDATA = re.compile(r"""pulldata\s*\(\s*['"]([^'"]+)['"]""")


def instance_clashes(survey_rows: list[dict], choice_lists, name: str) -> list[Problem]:
    """Two external instances of one name (pyxform refuses the form): the device looks data up
    by the instance's name, which comes from a ``_from_file`` file (without its extension), a
    ``pulldata()``'s file, an ``xml-external``/``csv-external`` row, or a choices list."""
    seen: dict[str, tuple[str | None, int | None, str]] = {}
    problems: list[Problem] = []

    def add(instance: str, src: str | None, row, what: str) -> None:
        prior = seen.setdefault(instance, (src, row, what))
        if prior[0] != src:
            problems.append(Problem(PYXFORM_REFUSED, f"not a valid XLSForm: {what} and {prior[2]} would both be "
                                    f"the instance named {instance!r}; rename one of them", source=f"{name} survey",
                                    row=prior[1] if row is None else row, field="type"))

    for row in survey_rows:
        words = str(row.get("type", "")).split()
        kind = words[0].lower() if words else ""
        if kind in ("select_one_from_file", "select_multiple_from_file") and len(words) > 1:
            file = words[1]
            src = ("jr://file-csv/" if file.lower().endswith(".csv") else "jr://file/") + file
            add(Path(file).stem, src, row["_row"], f"the file {file!r}")
        elif kind in ("xml-external", "csv-external") and row.get("name"):
            ext = "xml" if kind == "xml-external" else "csv"
            add(row["name"], f"jr://file{'-csv' if ext == 'csv' else ''}/{row['name']}.{ext}", row["_row"],
                f"the {kind} {row['name']!r}")
        for file in _PULLDATA.findall(str(row.get("calculation", ""))):
            add(file, f"jr://file-csv/{file}.csv", row["_row"], f"pulldata's file {file!r}")
    for list_name in choice_lists:  # pyxform adds the lists last: a clash names the file's row
        add(str(list_name), None, None, f"the choices list {list_name!r}")
    return problems


def external_choices(workbook) -> dict[str, list[dict]]:
    """The lists of ``select_one_external`` (the ``external_choices`` sheet, which pyxform
    writes out as itemsets.csv for the device rather than into the form)."""
    lists: dict[str, list[dict]] = {}
    for row in _sheet(workbook, "external_choices"):
        if row.get("list_name") and row.get("name"):
            lists.setdefault(row["list_name"], []).append(
                {"code": row["name"], "label": row.get("label") or row["name"], "_row": row["_row"],
                 "columns": {k: v for k, v in row.items() if k not in ("list_name", "name", "label", "_row")}})
    return lists


def _choices_from_file(file_name: str, folder: Path | None, question: str, row, name: str,
                       problems: list[Problem]) -> list[dict] | None:
    """The choices of ``select_one_from_file``: a CSV beside the form with ``name`` and ``label``."""
    path = (folder / Path(file_name).name) if folder else None
    where = dict(source=f"{name} survey", row=row, field="type", item=question)
    if path is None or not path.is_file() or path.suffix.lower() != ".csv":
        return None  # as pyxform, which never opens the file: the question takes a typed code
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    headers = {h.strip().lower(): h for h in reader.fieldnames or []}
    label_key = next((headers[h] for h in headers if h == "label" or h.startswith("label::")), None)
    if "name" not in headers:
        problems.append(Problem(MISSING_FILE, f"{file_name!r} has no 'name' column", **where))
        return None
    return [{"code": str(r[headers["name"]]).strip(), "label": str(r.get(label_key) or r[headers["name"]]).strip()}
            for r in reader if str(r.get(headers["name"]) or "").strip()]
