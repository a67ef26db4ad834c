"""The wide table in KoboToolbox's or ODK Central's export layout, so that analysis scripts
written for those tools' exports run on ours unchanged (and our importer reads both back).

* ``kobo``: as KoboToolbox's "XML values and headers" CSV with "include groups in headers":
  ``;`` separated, every cell quoted; each field as ``group/field`` (the group is the
  question's section, as ``fieldwork questionnaire export`` writes it as a group); a
  ``select_multiple`` as its space-separated codes followed by one 0/1 column per option
  (``group/field/option``, blank where it was not asked); a geopoint as its value followed by
  ``_group/field_latitude``, ``_longitude``, ``_altitude``, ``_precision``; then Kobo's system
  columns ``_id`` … ``_index``.
* ``odk``: as ODK Central's CSV: ``SubmissionDate`` first, fields as ``group-field``, a geopoint
  as ``group-field-Latitude`` … ``-Accuracy`` only, then ``meta-instanceID``, ``KEY`` …
  ``FormVersion``.

The instance id is the one the case came with from ODK Central or KoboToolbox where it did,
else the assessment's own identifier written as a UUID; the submitter is the inspector.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Mapping

from fieldwork.files.cells import safe
from fieldwork.files.csv_out import csv_bytes
from fieldwork.questionnaire.model import Question
from fieldwork.services.wide_table import CASE_REF, Responses

KOBO = "kobo"
ODK = "odk"
LAYOUTS = (KOBO, ODK)
_GEO_KOBO = ("latitude", "longitude", "altitude", "precision")
_GEO_ODK = ("Latitude", "Longitude", "Altitude", "Accuracy")
KOBO_SYSTEM = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
               "__version__", "_tags", "_index"]
ODK_SYSTEM = ["meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
              "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"]


# the sections the XLSForm reader makes of fields outside any group ("general", "general_2", ...)
_UNGROUPED = re.compile(r"general(_\d+)?")
_METADATA = {"start", "end", "today", "deviceid", "phonenumber", "username", "email", "simserial", "subscriberid",
             "audit"}
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _cell(text: str) -> str:
    """A number as it is (a negative longitude is no formula); other text neutralised."""
    return text if _NUMBER.fullmatch(text) else safe(text)


@dataclass(frozen=True)
class Submission:
    """What the tools record around a submission, for one assessment."""

    instance_id: str  # a UUID, without "uuid:"
    submitted_at: str  # ISO 8601


def instance_id(uid: str, kept: str = "") -> str:
    if kept:
        return kept[5:] if kept.casefold().startswith("uuid:") else kept
    try:
        return str(uuid.UUID(hex=uid))
    except ValueError:
        return uid


def _fields(resp: Responses) -> list[tuple[Question | None, str, list[str]]]:
    """(question, name, group path) in questionnaire order, case_ref first."""
    q = resp.questionnaire
    out: list[tuple[Question | None, str, list[str]]] = []
    if not q.has_question(CASE_REF):
        out.append((None, CASE_REF, []))
    for question in q.questions:
        if q.repeat_of(question.name):
            continue  # asked once per entry: in the repeat group's own file (exports/repeat_tables.py)
        grouped = question.section and not _UNGROUPED.fullmatch(question.section) and question.type not in _METADATA
        out.append((question, question.name, [question.section] if grouped else []))
    return out


def _point(value: str) -> list[str]:
    parts = value.split() if value else []
    return (parts + ["", "", "", ""])[:4] if parts else ["", "", "", ""]


def write(resp: Responses, layout: str, submissions: Mapping[str, Submission]) -> bytes:
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}")
    sep = "/" if layout == KOBO else "-"
    q = resp.questionnaire
    header: list[str] = ["SubmissionDate"] if layout == ODK else []
    for question, name, path in _fields(resp):
        # a question stored under its group path (a name used twice in the form) is that path
        full = sep.join(name.split("/")) if "/" in name else sep.join([*path, name])
        if question is not None and question.type == "geopoint":
            if layout == KOBO:
                header += [full] + [f"_{full}_{p}" for p in _GEO_KOBO]
            else:
                header += [f"{full}-{p}" for p in _GEO_ODK]
            continue
        header.append(full)
        if layout == KOBO and question is not None and question.is_multiple_choice:
            header += [f"{full}/{code}" for code in q.codes(name)]
    header += KOBO_SYSTEM if layout == KOBO else ODK_SYSTEM
    body = []
    for index, row in enumerate(resp.rows, start=1):
        sub = submissions.get(row.uid) or Submission(instance_id(row.uid), "")
        cells: list[str] = [sub.submitted_at] if layout == ODK else []
        for question, name, _ in _fields(resp):
            value = row.case_ref if name == CASE_REF else row.answers.get(name, "")
            if question is not None and question.type == "geopoint":
                cells += ([value] + _point(value)) if layout == KOBO else _point(value)
                continue
            cells.append(value)
            if layout == KOBO and question is not None and question.is_multiple_choice:
                ticked = value.split()
                cells += [("1" if code in ticked else "0") if value else "" for code in q.codes(name)]
        if layout == KOBO:
            cells += [str(index), sub.instance_id, sub.submitted_at[:19], "", "[]", "submitted_via_web", row.inspector,
                      resp.version.version, "[]", str(index)]
        else:
            key = f"uuid:{sub.instance_id}"
            cells += [key, key, "", row.inspector, "0", "0", "", "", "", "0", resp.version.version]
        body.append([_cell(c) for c in cells])
    # cells made safe by _cell (numbers as the tools write them stay numbers)
    return csv_bytes(None, [header, *body], delimiter=";" if layout == KOBO else ",", line_end="\r\n",
                     quote_all=layout == KOBO, escaped=True)
