"""A bundle's manifest.json, field by field: every field has a type and a bound, and any other
key is refused (issue 17, stop 22). The manifest is read before the content and shown on the
Bundles page and in the audit trail, so a re-sealed manifest with a list where a count belongs,
a 10 MB name or a key fieldwork never writes is refused in words naming the field, never a
traceback, before anything is written.

Required are the fields every fieldwork since bundles began has written; the rest (``scope``,
``counts``, ``inspectors``, ...) may be missing but, when present, must have their type.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from fieldwork.problems import Problem

HEX64 = re.compile(r"[0-9a-f]{64}")
MAX_INT = 2 ** 31 - 1  # a count: no bundle holds more rows than this
MAX_LIST = 100_000
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)


def _text(limit: int, pattern: re.Pattern | None = None, words: str = ""):
    def check(value) -> str | None:
        if not isinstance(value, str):
            return f"must be text, not {_kind(value)}"
        if not value or len(value) > limit:
            return f"must be 1 to {limit:,} characters long (it is {len(value):,})"
        if pattern is not None and not pattern.fullmatch(value):
            return f"must be {words}"
        return None
    return check


def _optional_text(limit: int):
    inner = _text(limit)
    return lambda value: None if value is None else inner(value)


def _count(value) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return f"must be a whole number, not {_kind(value)}"
    if not 0 <= value <= MAX_INT:
        return f"must be a whole number from 0 to {MAX_INT:,}"
    return None


def _time(value) -> str | None:
    """An ISO 8601 time from 2000 on (whether it may lie ahead of this clock: bundles.check_times)."""
    if not isinstance(value, str) or len(value) > 40:
        return "must be a date and time (ISO 8601), at most 40 characters"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not a date and time (ISO 8601)"
    if (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)) < EARLIEST:
        return f"{value!r} is before 2000, earlier than any fieldwork"
    utc = moment.astimezone(timezone.utc) if moment.tzinfo and moment.year < 9999 else moment
    if moment.year > 9998 or utc.year > 9998:  # as the bundle's other times: not shown in every time zone
        return f"{value!r} is after the year 9998"
    return None


def _format_version(value) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 1_000:
        shown = f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else _kind(value)
        return f"must be a whole number from 1 to 1,000 (it is {shown})"
    return None


def _object(fields: dict, *, required: tuple[str, ...] = ()):
    def check(value, path: str) -> list[tuple[str, str]]:
        if not isinstance(value, dict):
            return [(path, f"must be an object, not {_kind(value)}")]
        return _fields(value, fields, required, path)
    check.nested = True
    return check


def _list_of(item, limit: int = MAX_LIST):
    def check(value, path: str) -> list[tuple[str, str]]:
        if not isinstance(value, list):
            return [(path, f"must be a list, not {_kind(value)}")]
        if len(value) > limit:
            return [(path, f"must hold at most {limit:,} items (it holds {len(value):,})")]
        out = []
        for i, v in enumerate(value):
            out += _run(item, v, f"{path}[{i + 1}]")
            if len(out) >= 5:
                break
        return out
    check.nested = True
    return check


def _kind(value) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true or false", type(None): "null",
            float: "a decimal number", int: "a whole number"}.get(type(value), type(value).__name__)


def _run(check, value, path: str) -> list[tuple[str, str]]:
    if getattr(check, "nested", False):
        return check(value, path)
    why = check(value)
    return [(path, why)] if why else []


def _fields(value: dict, fields: dict, required: tuple[str, ...], path: str) -> list[tuple[str, str]]:
    prefix = f"{path}." if path else ""
    out = [(f"{prefix}{k}", "is missing") for k in required if k not in value]
    unknown = [k for k in value if k not in fields]
    out += [(f"{prefix}{str(k)[:40]}", "is not a field a bundle's manifest holds") for k in unknown[:5]]
    for key, check in fields.items():
        if key in value:
            out += _run(check, value[key], f"{prefix}{key}")
    return out


_NAME = _text(100)
_COUNTS = _object({k: _count for k in ("cases", "assessments", "complete", "draft", "answers", "evidence",
                                       "excerpts", "judgements")})
_VERSION = _object({"questionnaire": _NAME, "version": _text(40), "content_hash": _text(64, HEX64, "a SHA-256 (64 "
                                                                                                   "hex digits)")},
                   required=("questionnaire", "version", "content_hash"))
FIELDS = {
    "format": _text(40),
    "format_version": _format_version,
    "bundle_id": _text(32, re.compile(r"[0-9a-f]{1,32}"), "up to 32 hex digits, as fieldwork makes it"),
    "created_at": _time,
    "created_by": _NAME,
    "inspection": _NAME,
    "scope": _object({"inspector": _optional_text(100), "questionnaire": _optional_text(100)}),
    "counts": _COUNTS,
    "inspectors": _list_of(_NAME),
    "questionnaire_versions": _list_of(_VERSION, 1_000),
    "payload": _text(40),
    "sha256": _text(64, HEX64, "a SHA-256 (64 hex digits)"),
    "sensitive": _text(2_000),
    "manifest_sha256": _text(64, HEX64, "a SHA-256 (64 hex digits)"),
}
REQUIRED = ("format", "format_version", "bundle_id", "created_at", "created_by", "inspection", "sha256",
            "manifest_sha256")


def problems(manifest: dict, source: str, code: str) -> list[Problem]:
    """Every field of the manifest that has the wrong type, is out of bounds, missing or unknown,
    each named (``counts.cases``, ``questionnaire_versions[2].content_hash``)."""
    return [Problem(code, f"the manifest's {path} {why}", source=source, field=path)
            for path, why in _fields(manifest, FIELDS, REQUIRED, "")]
