"""One function turns a raw value (a spreadsheet cell, a CSV field, a widget's value) into
the text stored for an answer, or says why it cannot be: ``convert``. The import and the app
both use it, so an answer means the same whichever way it came in.

Stored answers are canonical text, so they sort, compare and count the same in SQLite and
PostgreSQL and never drift through floats:

- choices: the code; ``select_multiple`` the codes ticked, space separated, in the order of
  the answer set (``rank``: in the order given);
- ``integer``: ``-12``; ``decimal``/``range``: the decimal as written, normalised (``4.20`` ->
  ``4.2``, ``1e3`` -> ``1000``), never through a float;
- ``date`` ``YYYY-MM-DD``; ``time`` ``HH:MM:SS``; ``datetime`` ``YYYY-MM-DDTHH:MM:SS`` with
  its UTC offset when given (``Z`` for UTC);
- ``acknowledge``: ``OK``; ``geopoint``: ``lat lon [alt [accuracy]]`` checked in range; the
  traces and shapes: points separated by ``;``; everything else: the text.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Sequence

from fieldwork.questionnaire.model import MEDIA_TYPES, Question, Questionnaire
from fieldwork.problem_codes import BAD_VALUE, UNKNOWN_CODE

MAX_TEXT = 2_000  # characters in a text answer (the answer column's size)
QUOTED_CHARS = 60


_WHOLE = re.compile(r"^[-+]?\d+$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?$")
_POINT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)(?:\s+(-?\d+(?:\.\d+)?))?(?:\s+(-?\d+(?:\.\d+)?))?\s*$")

Fault = tuple[str, str]


def clip(value) -> str:
    text = str(value)
    return text if len(text) <= QUOTED_CHARS else text[:QUOTED_CHARS] + "…"


def display(value) -> str:
    """A cell as text: a whole float without ``.0``, a midnight date-time as its date. (Our own
    export's formula-injection quote is the reader's to take off, ``fieldwork.files.cells.unquote``: a
    value typed in the app never carries one.)"""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    return str(value)


def close_match(name: str, candidates: Sequence[str]) -> str | None:
    """The candidate most like ``name``, whatever the case of either (for "did you mean")."""
    by_fold = {c.casefold(): c for c in candidates}
    hint = difflib.get_close_matches(name.casefold(), list(by_fold), n=1)
    return by_fold[hint[0]] if hint else None


def allowed(question: Question, codes: list[str]) -> str:
    if len(codes) <= 15:
        return ", ".join(codes)
    return f"the {len(codes)} codes of the '{question.choices}' list ({', '.join(codes[:3])}, … {codes[-1]})"


def _code(question: Question, codes: list[str], text: str) -> tuple[str | None, Fault | None]:
    if text in codes:
        return text, None
    folded = [c for c in codes if c.casefold() == text.casefold()]
    if len(folded) == 1:
        return folded[0], None
    hint = close_match(text, codes)
    return None, (UNKNOWN_CODE, f"{clip(text)!r} is not an answer code of {question.name}; allowed: "
                  f"{allowed(question, codes)}" + (f" (did you mean {hint!r}?)" if hint else ""))


def _codes(question: Question, codes: list[str], value) -> tuple[str | None, Fault | None]:
    items = value if isinstance(value, (list, tuple, set, frozenset)) else display(value).replace(",", " ").split()
    found, bad = [], []
    for item in items:
        code, fault = _code(question, codes, str(item).strip())
        if fault:
            bad.append(str(item))
        elif code not in found:
            found.append(code)
    if bad:
        return None, (UNKNOWN_CODE, f"{clip(' '.join(bad))!r} {'is not an answer code' if len(bad) == 1 else 'are not answer codes'} "
                      f"of {question.name}; allowed: {allowed(question, codes)}")
    if question.type != "rank":  # ticked options in the answer set's order: the same ticks, the same text
        found.sort(key=codes.index)
    return " ".join(found) or None, None


def decimal_text(value) -> str | None:
    """A number as canonical decimal text, or None if it is not one."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "")) if not isinstance(value, float) else Decimal(repr(value))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    text = format(number.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _number(question: Question, value) -> tuple[str | None, Fault | None]:
    if question.type == "integer":
        if isinstance(value, bool):
            return None, (BAD_VALUE, f"{value!r} is not a whole number")
        if isinstance(value, int) or isinstance(value, float) and value.is_integer():
            return str(int(value)), None
        text = display(value).strip()
        if _WHOLE.match(text):
            return str(int(text)), None
        return None, (BAD_VALUE, f"{clip(text)!r} is not a whole number")
    text = decimal_text(value if not isinstance(value, str) else display(value))
    if text is None:
        return None, (BAD_VALUE, f"{clip(display(value))!r} is not a number")
    if question.type == "range":
        p = question.parameters
        start, end = Decimal(p.get("start", "0") or "0"), Decimal(p.get("end", "10") or "10")
        step = Decimal(p.get("step", "1") or "1")
        low, high = min(start, end), max(start, end)
        if not low <= Decimal(text) <= high:
            return None, (BAD_VALUE, f"{text} is outside the range {decimal_text(low)} to {decimal_text(high)}")
        if step and (Decimal(text) - start) % step != 0:
            return None, (BAD_VALUE, f"{text} is not a step of {decimal_text(step)} from {decimal_text(start)}")
    return text, None


def _date(value) -> tuple[str | None, Fault | None]:
    if isinstance(value, datetime):
        return value.date().isoformat(), None
    if isinstance(value, date):
        return value.isoformat(), None
    text = display(value).strip()
    try:
        return date.fromisoformat(text).isoformat(), None
    except ValueError:
        pass
    m = _UK_DATE.match(text)
    if m:
        try:
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat(), None
        except ValueError:
            pass
    return None, (BAD_VALUE, f"{clip(text)!r} is not a date: write it as YYYY-MM-DD (or DD/MM/YYYY)")


def _time(value) -> tuple[str | None, Fault | None]:
    if isinstance(value, datetime):
        value = value.time()
    if isinstance(value, time):
        return value.replace(microsecond=0).isoformat(), None
    if isinstance(value, float) and 0 <= value < 1:  # Excel keeps a time as a fraction of a day
        seconds = round(value * 86400)
        return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}", None
    text = display(value).strip()
    text = re.sub(r"(Z|[+-]\d{2}:?\d{2})$", "", text)  # ODK writes 14:30:00.000+01:00: the clock time is kept
    m = _TIME.match(text)
    if m and int(m[1]) < 24 and int(m[2]) < 60 and int(m[3] or 0) < 60:
        return f"{int(m[1]):02d}:{m[2]}:{m[3] or '00'}", None
    return None, (BAD_VALUE, f"{clip(text)!r} is not a time: write it as HH:MM or HH:MM:SS")


def _datetime(value) -> tuple[str | None, Fault | None]:
    if isinstance(value, datetime):
        moment = value
    else:
        text = display(value).strip().replace(" ", "T", 1)
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None, (BAD_VALUE, f"{clip(display(value))!r} is not a date and time: write it as "
                          "YYYY-MM-DDTHH:MM:SS (with its offset, such as Z or +01:00, if known)")
    text = moment.replace(microsecond=0).isoformat()
    return (text[:-6] + "Z" if text.endswith("+00:00") else text), None


def _point(text: str) -> str | None:
    m = _POINT.match(text)
    if not m or not (-90 <= float(m[1]) <= 90 and -180 <= float(m[2]) <= 180):
        return None
    return " ".join(p for p in m.groups() if p is not None)


def _geo(question: Question, value) -> tuple[str | None, Fault | None]:
    text = display(value).strip()
    points = [p for p in text.split(";") if p.strip()] if question.type != "geopoint" else [text]
    clean = [_point(p) for p in points]
    fewest = {"geopoint": 1, "geotrace": 2, "geoshape": 4}[question.type]
    if any(c is None for c in clean) or len(clean) < fewest:
        shape = "latitude longitude [altitude [accuracy]]"
        return None, (BAD_VALUE, f"{clip(text)!r} is not a {question.type}: write "
                      + (shape if question.type == "geopoint" else f"at least {fewest} points '{shape}' separated by ';'"))
    return "; ".join(clean), None


def convert(questionnaire: Questionnaire, question: Question, value) -> tuple[str | None, Fault | None]:
    """(the stored text, None), (None, None) for blank, or (None, (problem code, reason))."""
    if value is None or (isinstance(value, str) and not value.strip()) or (
            isinstance(value, (list, tuple, set)) and not value):
        return None, None
    kind = question.type
    # case_ref is checked as text even where the form has no such field (the importer's own question)
    codes = questionnaire.codes(question.name) if questionnaire.has_question(question.name) else []
    if kind == "select_one":
        return _code(question, codes, display(value).strip())
    if question.is_multiple_choice:
        return _codes(question, codes, value)
    if question.is_number:
        return _number(question, value)
    if kind == "date":
        return _date(value)
    if kind == "time":
        return _time(value)
    if kind == "datetime":
        return _datetime(value)
    if kind in ("geopoint", "geotrace", "geoshape"):
        return _geo(question, value)
    if kind == "acknowledge":
        text = display(value).strip()
        if text.casefold() in ("ok", "yes", "true", "1"):
            return "OK", None
        return None, (BAD_VALUE, f"{clip(text)!r}: an acknowledgement is OK (or blank)")
    text = display(value).strip()
    if len(text) > MAX_TEXT:
        return None, (BAD_VALUE, f"is {len(text):,} characters long; at most {MAX_TEXT:,} are accepted")
    if kind in MEDIA_TYPES and ("/" in text or "\\" in text):
        return None, (BAD_VALUE, "a media question keeps only the file's name, not a path or its content")
    return text, None
