"""Reading the exports of KoboToolbox and ODK Central as they come.

Both tools export one row per submission with the form's field names as headers, as our wide
files do, but with more around them:

* system and metadata columns (KoboToolbox: ``_id``, ``_uuid``, ``_submission_time``, ...,
  ``__version__``; ODK Central: ``SubmissionDate`` first, ``meta-instanceID``, ``KEY``,
  ``SubmitterID``, ..., ``FormVersion``). The submitter, submission time and instance id are
  kept with the case; every other one is named in the import's summary as ignored.
* group paths in headers: ``group/question`` (KoboToolbox), ``group-question`` (ODK Central),
  nested as deep as the form's groups. A field name is unique in an XLSForm, so the longest
  tail of the path that is one of our variables is the variable.
* a ``select_multiple`` as per-option 0/1 columns (``path/question/code``) beside, or instead
  of, the space-separated column: mapped to our ``QUESTION/CODE`` columns, which the importer
  already reads and checks against the codes column.
* a geopoint split into its parts: KoboToolbox adds ``_question_latitude`` ...
  ``_question_precision`` beside the whole value; ODK Central writes only
  ``question-Latitude`` ... ``question-Accuracy``. The parts are joined into the value when the
  file lacks it, and are otherwise recognised and left aside.
* no ``case_ref``: the submission's instance id (``_uuid``, ``KEY``, ``meta/instanceID``) is
  used, without its ``uuid:`` prefix, and the summary says so. It is then checked like any
  case reference.

``adapt`` does only this renaming, before the importer's own checks, so every rule of the
import (all or nothing, each problem with its row, column and reason) holds unchanged; problems
are then told with the file's own column names (``restore_names``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fieldwork.files.cells import unquote
from fieldwork.problem_codes import LABELS_EXPORT
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.services import wide_table

KOBO = "KoboToolbox"
ODK = "ODK Central"

# What each tool adds around the form's own fields (compared case-insensitively).
KOBO_SYSTEM = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
               "__version__", "_tags", "_index", "_parent_table_name", "_parent_index", "_submission__id",
               "_submission__uuid", "_submission__submission_time", "_submission__validation_status",
               "_submission__notes", "_submission__status", "_submission__submitted_by", "_submission___version__",
               "_submission__tags", "_attachments", "_geolocation", "_xform_id_string", "_bamboo_dataset_id",
               "formhub/uuid", "meta/rootUuid", "meta/deprecatedID", "meta/instanceName", "meta/instanceID"]
ODK_SYSTEM = ["SubmissionDate", "KEY", "PARENT_KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
              "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion", "meta-instanceID",
              "meta-instanceName", "meta-deprecatedID", "meta-rootUuid", "instanceID"]
# XLSForm metadata fields a form may carry; when our questionnaire lacks them they are metadata.
FORM_METADATA = ["start", "end", "today", "deviceid", "phonenumber", "username", "email", "simserial",
                 "subscriberid", "audit", "instanceName", "start-geopoint"]
# System columns kept with the case: column -> what it is.
KEPT = {"_uuid": "instance_id", "key": "instance_id", "meta/instanceid": "instance_id",
        "meta-instanceid": "instance_id", "instanceid": "instance_id",
        "_submitted_by": "submitted_by", "submittername": "submitted_by",
        "_submission_time": "submitted_at", "submissiondate": "submitted_at", "reviewstate": "review_state"}
KEPT_WORDS = {"instance_id": "instance id", "submitted_by": "submitter", "submitted_at": "submission time",
              "review_state": "review state"}
# Preference among several instance-id columns for the case reference.
_INSTANCE_ORDER = ["_uuid", "key", "meta/instanceid", "meta-instanceid", "instanceid"]
_ODK_EXACT = set(ODK_SYSTEM)
_SYSTEM = {name.casefold(): KOBO for name in KOBO_SYSTEM} | {name.casefold(): ODK for name in ODK_SYSTEM}
_KOBO_GEO = re.compile(r"^_(?P<path>.+)_(?P<part>latitude|longitude|altitude|precision)$", re.IGNORECASE)
_ODK_GEO = re.compile(r"^(?P<path>.+)-(?P<part>Latitude|Longitude|Altitude|Accuracy)$")
_GEO_ORDER = {"latitude": 0, "longitude": 1, "altitude": 2, "precision": 3, "accuracy": 3}
_SEPARATORS = ("/", "-")


@dataclass
class ForeignLayout:
    """What ``adapt`` made of a KoboToolbox or ODK Central file, for the import's summary."""

    tool: str
    renamed: dict[str, str] = field(default_factory=dict)  # our column -> the file's header
    ignored: list[str] = field(default_factory=list)  # headers read and left aside
    kept: dict[str, str] = field(default_factory=dict)  # "submitted_by" ... -> the file's header
    case_ref_from: str | None = None  # the header case references were taken from
    geopoints: dict[str, list[str]] = field(default_factory=dict)  # question -> its split columns
    source: dict[int, dict[str, str]] = field(default_factory=dict)  # row number -> kept values

    def summary(self) -> list[str]:
        lines = [f"Read as {'an' if self.tool == ODK else 'a'} {self.tool} export."]
        if self.case_ref_from:
            lines.append(f"The file has no case_ref column: case references are the submissions' instance ids "
                         f"from {self.case_ref_from} (without 'uuid:').")
        if self.kept:
            lines.append("Kept with each case: " + ", ".join(f"{KEPT_WORDS[k]} ({v})" for k, v in self.kept.items())
                         + ".")
        paths = [f"{theirs} as {ours}" for ours, theirs in self.renamed.items() if ours != theirs]
        if paths:
            lines.append(f"{len(paths)} column(s) matched by their group path, e.g. " + "; ".join(paths[:3]) + ".")
        for question, parts in self.geopoints.items():
            lines.append(f"{question}: the location's parts ({', '.join(parts)}) recognised.")
        if self.ignored:
            lines.append(f"Ignored ({len(self.ignored)} system or metadata column(s)): " + ", ".join(self.ignored)
                         + ".")
        return lines


def _tail_match(header: str, names: dict[str, str]) -> str | None:
    """The variable a group path ends in: the longest tail (after ``/`` or ``-``) that is one."""
    for sep in _SEPARATORS:
        parts = header.split(sep)
        for k in range(len(parts)):
            # ODK Central's group-question also names a question keyed by its path (group/question:
            # a name used twice, or a loop's copy, xlsform_paths)
            found = names.get(sep.join(parts[k:]).casefold()) or names.get("/".join(parts[k:]).casefold())
            if found:
                return found
    return None


def _label_match(header: str, labels: dict[str, str]) -> str | None:
    return labels.get(header.strip().casefold()) or labels.get(header.rsplit("/", 1)[-1].strip().casefold())


def adapt(table, q: Questionnaire):
    """The table with a KoboToolbox or ODK Central header mapped onto ours, and what was done
    (None, and the table unchanged, when it is not such a file)."""
    header = table.header
    names = {v.casefold(): v for v in wide_table.variables(q)}
    own = {*names, wide_table.INSPECTOR_COLUMN.casefold(), *(m.casefold() for m in wide_table.INFORMATIONAL_META)}
    own |= {wide_table.note_column(v).casefold() for v in wide_table.variables(q)}
    tools = [_SYSTEM[h.strip().casefold()] for h in header if h.strip().casefold() in _SYSTEM]
    if not tools:
        return table, None
    layout = ForeignLayout(tool=max(set(tools), key=tools.count))
    multiple = {qq.name for qq in q.questions if qq.is_multiple_choice}
    geopoints = {qq.name for qq in q.questions if qq.type == "geopoint"}
    labels = {qq.label.strip().casefold(): qq.name for qq in q.questions
              if qq.label and qq.label.strip().casefold() not in names}
    columns: list[tuple[str, int]] = []  # (our name, file column index)
    geo_parts: dict[str, dict[int, int]] = {}  # question -> part position -> column index
    instance: dict[str, int] = {}
    kept: dict[str, int] = {}
    by_label: list[str] = []
    metadata = {m.casefold() for m in FORM_METADATA} - names.keys()
    exact = set(wide_table.variables(q))
    for i, raw in enumerate(header):
        written = raw.strip()
        folded = written.casefold()
        # ODK Central spells its own columns exactly so (``DeviceID`` is always there): a form's
        # ``deviceid`` question beside it is another column
        system = layout.tool == ODK and written in _ODK_EXACT and written not in exact
        if not system and (not written or folded in own):
            columns.append((written, i))
            continue
        role = KEPT.get(folded)
        if system or folded in _SYSTEM or folded in metadata or _tail_match(written, {m: m for m in metadata}):
            if role:
                kept.setdefault(role, i)
                layout.kept.setdefault(role, written)
                if role == "instance_id":
                    instance[folded] = i
            else:
                layout.ignored.append(written)
            continue
        geo = _KOBO_GEO.match(written) or _ODK_GEO.match(written)
        if geo:
            question = _tail_match(geo["path"], names)
            if question in geopoints:
                geo_parts.setdefault(question, {})[_GEO_ORDER[geo["part"].casefold()]] = i
                layout.geopoints.setdefault(question, []).append(written)
                continue
        path, _, code = written.rpartition("/")
        question = _tail_match(path, names) if path else None
        if question in multiple and code in q.codes(question):
            ours = f"{question}/{code}"
            columns.append((ours, i))
            layout.renamed[ours] = written
            continue
        variable = _tail_match(written, names)
        if variable:
            columns.append((variable, i))
            layout.renamed[variable] = written
            continue
        if _label_match(written, labels):
            by_label.append(written)
        columns.append((written, i))  # unknown: the importer refuses it, naming it
    if by_label and len(by_label) >= sum(1 for ours, _ in columns if ours.casefold() in names) / 2:
        raise ProblemError([Problem(
            LABELS_EXPORT, f"the columns are question labels ({', '.join(repr(h[:40]) for h in by_label[:3])}"
            f"{', ...' if len(by_label) > 3 else ''}), not names: this is a labels export. Export again from "
            f"{layout.tool} with values and headers as names ('XML values and headers'), and import that",
            source=table.source, row=1)], f"{table.source} was refused: nothing was imported")
    _refuse_label_values(table, q, columns, layout.tool)
    have = {ours for ours, _ in columns}
    joined = {question: parts for question, parts in geo_parts.items() if question not in have}
    ref_column = None
    if wide_table.CASE_REF not in have and instance:
        ref_column = next(instance[k] for k in _INSTANCE_ORDER if k in instance)
        layout.case_ref_from = header[ref_column].strip()
    width = len(header)
    new_header = [ours for ours, _ in columns] + list(joined)
    if layout.case_ref_from:
        new_header.append(wide_table.CASE_REF)
    rows = []
    for number, cells in table.rows:
        def cell(i):
            return cells[i] if i < len(cells) else None
        out = [cell(i) for _, i in columns]
        for question, parts in joined.items():
            values = [cell(parts[p]) if p in parts else None for p in range(4)]
            text = [_plain(v) for v in values]
            out.append(" ".join(t for t in text if t) if text[0] and text[1] else None)
        if layout.case_ref_from:
            out.append(_instance_ref(cell(ref_column)))
        out += list(cells[width:])  # values beyond the header: the importer names them
        rows.append((number, out))
        values = {role: _plain(cell(i)) for role, i in kept.items()}
        if any(values.values()):
            layout.source[number] = {k: v for k, v in values.items() if v}
    adapted = type(table)(table.source, new_header, rows, table.encoding, list(table.warnings))
    adapted.file_columns = ([(i, header[i].strip()) for _, i in columns]
                            + [(min(parts.values()), header[min(parts.values())].strip()) for parts in joined.values()]
                            + ([(ref_column, header[ref_column].strip())] if layout.case_ref_from else []))
    return adapted, layout


def _refuse_label_values(table, q: Questionnaire, columns: list[tuple[str, int]], tool: str) -> None:
    """Names as headers but answers as their labels ("XML headers, labels values"): most choice
    cells are a label and not a code. Refused once, not as one unknown code per cell."""
    singles = [(name, i) for name, i in columns if name in {qq.name for qq in q.questions if qq.is_single_choice}]
    filled = labelled = 0
    for _, cells in table.rows[:200]:
        for name, i in singles:
            text = _plain(cells[i] if i < len(cells) else None).casefold()
            if not text:
                continue
            filled += 1
            options = q.options(name)
            if all(c.code.casefold() != text for c in options) and any(c.label.casefold() == text for c in options):
                labelled += 1
    if labelled and labelled * 2 >= filled:
        raise ProblemError([Problem(
            LABELS_EXPORT, f"the answers are labels, not codes ({labelled} of {filled} choice answers in the first "
            f"rows): this is a labels export. Export again from {tool} with values as codes ('XML values and "
            "headers'), and import that", source=table.source, row=1)],
            f"{table.source} was refused: nothing was imported")


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unquote(str(value).strip())  # text our own exports neutralised against formulas


def _instance_ref(value) -> str | None:
    """``uuid:3f2a...`` -> ``3f2a...``: the reference rules allow no colon."""
    text = _plain(value)
    return text[5:] if text.casefold().startswith("uuid:") else text or None


def restore_names(problems: list[Problem], layout: ForeignLayout | None) -> list[Problem]:
    """Problems told with the file's own column names."""
    if layout is None:
        return problems
    theirs = dict(layout.renamed)
    if layout.case_ref_from:
        theirs[wide_table.CASE_REF] = layout.case_ref_from
    out = []
    for p in problems:
        if p.field in theirs:
            p = Problem(p.code, p.message, source=p.source, row=p.row, field=theirs[p.field], item=p.item,
                        item_kind=p.item_kind)
        out.append(p)
    return out
