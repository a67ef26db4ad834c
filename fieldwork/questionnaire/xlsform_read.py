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

FINDINGS_COLUMNS = ["name", "answer", "text"]
INDICATOR_COLUMNS = ["id", "label", "population", "condition", "criteria", "text", "footnote"]


# pyxform's name of a type (after its aliases) -> ours, where they differ
TYPES = {
    "select one": "select_one", "select all that apply": "select_multiple", "select one external": "select_one",
    "dateTime": "datetime", "photo": "image", "trigger": "acknowledge", "location": "geopoint", "gps": "geopoint",
    "int": "integer", "string": "text", "imei": "deviceid", "background-geopoint": "background-geopoint",
}
_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")
_SHEET = re.compile(r"\b(survey|choices|settings|external_choices|entities)\b", re.I)
# pyxform writes references it generates (or_other's "Specify other") as XPath paths
_PATH_REF = re.compile(r"(?:\.\./)+([A-Za-z_][A-Za-z0-9_.\-]*)")


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


def _refs(text) -> str:
    return _PATH_REF.sub(lambda m: "${" + m.group(1) + "}", str(text or "")).strip()


def _pyxform(data: bytes, name: str) -> dict:
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    stem = _default_stem(name)
    try:
        workbook = get_xlsform(data, file_type=".xlsx")
        return workbook_to_json(workbook_dict=workbook, form_name=stem, fallback_form_name=stem,
                                default_language="default", warnings=[])
    except PyXFormError as exc:
        message = str(exc).strip()
        row = _ROW.search(message)
        sheet = _SHEET.search(message)
        reason = _ROW.sub("", message).strip(" :")
        raise ProblemError([Problem(PYXFORM_REFUSED, f"not a valid XLSForm: {reason}",
                                    source=f"{name} {sheet.group(1).lower() if sheet else 'survey'}",
                                    row=int(row.group(1)) if row else None)], f"{name} was refused") from None


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
        return first, (words[1] if len(words) > 1 else None)
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
            choices.setdefault(row["list_name"], []).append({"code": row.get("name", ""),
                                                             "label": row.get("label", "")})
    sections: list[dict] = [{"id": "general", "title": "General", "guidance": ""}]
    questions: list[dict] = []
    for row in survey_rows:
        kind, set_name = _base_type(row.get("type", ""))
        if kind in ("begin group", "end group", "begin repeat", "end repeat", "note", ""):
            continue
        questions.append({"_row": row["_row"], "name": row.get("name", ""), "type": kind, "choices": set_name,
                          "label": row.get("label", "") or row.get("name", ""), "relevant": row.get("relevant", ""),
                          "constraint": row.get("constraint", ""), "calculation": row.get("calculation", ""),
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
        if kind.startswith("begin loop"):  # a repeat over a choice list: its entries have no path of ours
            problems.append(Problem(REPEAT_NOT_SUPPORTED, f"'{row.get('type')}' ({row.get('name', '')}): a loop over "
                                    "a choice list is not supported: write it as a repeat group (begin repeat), one "
                                    "entry per option, or as ordinary questions", source=f"{name} survey",
                                    row=row["_row"], field="type", item=row.get("name")))
        elif kind == "begin repeat" and not allow_repeats:
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
        theirs = [dataclasses.replace(p, item=p.item or names.get(p.row)) for p in exc.problems
                  if p.row is None or p.row not in rows_named]
        raise ProblemError(problems + ours + theirs, exc.summary) from None
    if problems:
        raise ProblemError(problems, f"{name} was refused")
    return _convert(form, workbook, survey_rows, name=name, folder=folder)


def _convert(form: dict, workbook, survey_rows: list[dict], *, name: str, folder: Path | None) -> dict:
    problems: list[Problem] = []
    language = form.get("default_language") or "default"
    rows = {row.get("name"): row["_row"] for row in survey_rows if row.get("name")}
    raw = {row.get("name"): row for row in survey_rows if row.get("name")}
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
                               "columns": {str(k): _cell(v) for k, v in c.items()
                                           if k not in ("name", "label", "media") and not isinstance(v, dict)}}
                              for c in items]

    sections: list[dict] = []
    questions: list[dict] = []
    used: set[str] = set()
    titles: set[str] = set()

    repeats: list[dict] = []

    def new_section(sid: str, title: str, relevant: str, repeat: str = "") -> dict:
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
        section = {"id": sid, "title": shown, "guidance": "", "relevant": relevant, "repeat": repeat}
        sections.append(section)
        return section

    def both(a: str, b: str) -> str:
        return f"({a}) and ({b})" if a and b else (a or b)

    def walk(children: list[dict], group: dict | None, rule: str, title: str, repeat: str = "") -> None:
        current = group
        for child in children:
            kind = child.get("type", "")
            bind = child.get("bind") or {}
            if kind == "repeat":
                # an entry's questions are asked where the repeat's own rule holds; the rules
                # around it decide whether there are entries at all, and stay on its sections
                label = _text(child.get("label"), language, raw.get(child.get("name"))) or child.get("name", "")
                own = _refs(bind.get("relevant", ""))
                count = _refs(str((child.get("control") or {}).get("jr:count", "") or ""))
                limits = _parameters(child.get("parameters"))  # min=N max=N: the fewest and most entries
                repeats.append({"name": child.get("name", ""), "label": label, "parent": repeat, "count": count,
                                "relevant": own, "_row": rows.get(child.get("name")),
                                "min_entries": limits.get("min", ""), "max_entries": limits.get("max", "")})
                inner = both(rule, own)
                section = new_section(child.get("name", ""), label, inner, child.get("name", ""))
                walk(child.get("children") or [], section, inner, label, child.get("name", ""))
                current = None
                continue
            if kind == "group":
                if (child.get("control") or {}).get("bodyless"):  # pyxform's own meta/instanceID
                    continue
                inner = both(rule, _refs(bind.get("relevant", "")))
                label = _text(child.get("label"), language, raw.get(child.get("name"))) or child.get("name", "")
                section = new_section(child.get("name", ""), label, inner, repeat)
                walk(child.get("children") or [], section, inner, label, repeat)
                current = None  # what follows the group continues the outer one in a new section
                continue
            if kind == "note":
                row = raw.get(child.get("name"))
                text = _text(child.get("label"), language, row) or _text(child.get("hint"), language, row)
                if current is None:
                    current = new_section(group["id"] if group else "general", title, rule, repeat)
                current["guidance"] = (current["guidance"] + "\n\n" + text).strip()
                continue
            if current is None:
                current = new_section(group["id"] if group else "general", title, rule, repeat)
            question = _question(child, language, current["id"], rows, name, choices, folder, problems,
                                 raw.get(child.get("name")))
            if question:
                questions.append(question)

    walk(form.get("children") or [], None, "", "General")
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

def _question(child: dict, language: str, section: str, rows: dict, name: str, choices: dict,
              folder: Path | None, problems: list[Problem], raw: dict | None = None) -> dict | None:
    kind = _resolve(TYPES.get(child.get("type", ""), child.get("type", "")))
    qname = str(child.get("name", ""))
    row = rows.get(qname)
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
    parameters = _parameters(child.get("parameters"))
    # XLSForm lets a question go unlabelled (pyxform warns; its field-list label rows have none):
    # the name stands in
    label = _text(child.get("label"), language, raw) or qname
    return {
        "_row": row, "name": qname, "type": kind, "choices": set_name,
        "label": label, "guidance": _text(child.get("hint"), language, raw),
        "required": str(bind.get("required", "")), "required_message": _text(bind.get("jr:requiredMsg"), language, raw),
        "relevant": _refs(bind.get("relevant", "")),
        "constraint": _self_reference(_refs(bind.get("constraint", "")), qname),
        "constraint_message": _text(bind.get("jr:constraintMsg"), language, raw),
        "calculation": _refs(bind.get("calculate", "")),
        "read_only": str(bind.get("readonly", "")), "default": str(child.get("default") or ""),
        "choice_filter": _refs(child.get("choice_filter", "")), "appearance": str(control.get("appearance") or ""),
        "parameters": parameters if kind in ("range", "image") or parameters else {},
        "criteria": child.get("criteria", ""), "section": section,
        "footnotes": {k: _text(child[f"footnote_{k}"], language, raw) for k in ("not_known", "not_applicable")
                      if child.get(f"footnote_{k}")},
        "findings": {},
    }


def _choices_from_file(file_name: str, folder: Path | None, question: str, row, name: str,
                       problems: list[Problem]) -> list[dict] | None:
    """The choices of ``select_one_from_file``: a CSV beside the form with ``name`` and ``label``."""
    path = (folder / Path(file_name).name) if folder else None
    where = dict(source=f"{name} survey", row=row, field="type", item=question)
    if path is None or not path.is_file():
        problems.append(Problem(MISSING_FILE, f"the choices come from {file_name!r}, which must be in the same "
                                "folder as the form", **where))
        return None
    if path.suffix.lower() != ".csv":
        problems.append(Problem(MISSING_FILE, f"{file_name!r}: choices are read from a CSV file (name, label)",
                                **where))
        return None
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    headers = {h.strip().lower(): h for h in reader.fieldnames or []}
    label_key = next((headers[h] for h in headers if h == "label" or h.startswith("label::")), None)
    if "name" not in headers:
        problems.append(Problem(MISSING_FILE, f"{file_name!r} has no 'name' column", **where))
        return None
    return [{"code": str(r[headers["name"]]).strip(), "label": str(r.get(label_key) or r[headers["name"]]).strip()}
            for r in reader if str(r.get(headers["name"]) or "").strip()]
