"""Case references that cannot hold a person.

A ``case_ref`` is the pseudonymous reference an inspector copies from the file (HS-0001,
GMP/2016/0456), never a name, a date of birth, a postcode, a phone number, an email or a
National Insurance number. "Holds a digit and no space" let ``Jane.Smith.1984``,
``JSmith-12-03-1984``, ``SW1A1AA`` and ``07700900123`` through, so a reference must now also
fit its inspection's pattern (``case_ref_pattern`` in the inspection file; by default a short
letter prefix and numbers, the form the app suggests) and must not look like any of those.
The rule is applied wherever a reference enters: Add a case, imports, bundles.

Uniqueness, whatever the letter case, is the database's own (a unique index on
``lower(case_ref)`` per inspection and questionnaire, fieldwork.db), so two people adding
``RC-1`` and ``rc-1`` at the same moment cannot both succeed.
"""

from __future__ import annotations

import re
from datetime import date

from fieldwork.services import common_names

# A letter prefix of up to five letters, then one or more groups of digits, each after an
# optional - / _ . : HS-0001, PIN-0001, GMP/2016/0456, HS_0201.
DEFAULT_PATTERN = r"[A-Za-z]{1,5}(?:[-/_.]?[0-9]{1,8})+"
EXAMPLE = "HS-0001"

# A submission's instance id, as ODK Central and KoboToolbox make it (a random, version 4 UUID, optionally
# "uuid:" before it): the reference an import falls back on when a file has no case_ref
# (issue 12). Random by construction, it cannot hold a person, whatever the pattern.
INSTANCE_ID = re.compile(r"(?:uuid:)?[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", re.IGNORECASE)
_SEPARATORS = re.compile(r"[-/_.\s]")
# 07700900123, +447700900123, 00447700900123, and a mobile written without its 0 (7700900123)
_PHONE = re.compile(r"(?:(?:\+|00)?44|0)\d{9,10}|7\d{9}")
_PREFIX = re.compile(r"^[A-Za-z]+")
_MOBILE = re.compile(r"(?:07|447)\d{9}")  # a UK mobile, in a run of an instance id's all-digit blocks
_POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}", re.IGNORECASE)
_NI_NUMBER = re.compile(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]?", re.IGNORECASE)
# a capitalised word (Smith, Jane) or a long lower-case one (smith): a name, not a code's prefix
_WORD = re.compile(r"[A-Z][a-z]{2,}|[a-z]{5,}")
_DIGITS = re.compile(r"\d+")
_APP_SHAPE = re.compile(r"[A-Za-z]{1,5}-\d+")  # the form the app suggests: HS-0001


def _is_date(a: int, b: int, c: int) -> bool:
    for year, month, day in ((c, b, a), (a, b, c), (c, a, b)):  # d/m/y, y/m/d, m/d/y
        if 1900 <= year <= date.today().year and 1 <= month <= 12 and 1 <= day <= 31:
            return True
    return False


def _is_short_date(day_or_month: int, month_or_day: int) -> bool:
    """A date with a two-digit year (any year is one): d/m/yy or m/d/yy."""
    return (1 <= day_or_month <= 31 and 1 <= month_or_day <= 12) or (1 <= day_or_month <= 12 and 1 <= month_or_day <= 31)


def _compact_date(run: str) -> bool:
    """Digits written together as a date: 19840312, 12031984, 03121984 anywhere in a run of
    eight or more; 120384 (d m yy, or m d yy) as a run of exactly six. A zero-padded number
    (HS-000123, HS-0001) is none: no day or month is 00."""
    for i in range(len(run) - 7):
        w = run[i:i + 8]
        if _is_date(int(w[:2]), int(w[2:4]), int(w[4:])) or _is_date(int(w[:4]), int(w[4:6]), int(w[6:])):
            return True
    if len(run) == 6 and _is_short_date(int(run[:2]), int(run[2:4])):
        return True
    return len(run) in (5, 7) and _uneven_date(run)


def _uneven_date(run: str) -> bool:
    """A date written together with a one-digit day or month: 3121984 (3 12 1984), 1231984,
    1984312 (seven digits, a four-digit year); 31284, 12384 (five digits, d m yy or m d yy).
    Only a single run of five or seven digits: a sequence number has four (HS-0001) or is
    zero-padded, and no day or month is 0."""
    if len(run) == 7:
        for day_month, year in ((run[:3], run[3:]), (run[4:], run[:4])):
            for cut in (1, 2):
                a, b = int(day_month[:cut]), int(day_month[cut:])
                if day_month[0] != "0" and (_is_date(a, b, int(year)) or _is_date(b, a, int(year))):
                    return True
        return False
    day_month = run[:3]
    return run[0] != "0" and any(_is_short_date(int(day_month[:cut]), int(day_month[cut:])) for cut in (1, 2)
                                 if day_month[cut] != "0")


def _has_date(ref: str) -> bool:
    """A date of birth in any part of the reference, however it is split: HS-12-03-1984,
    HS-12-03-84, HS-19840312, HS-198403-12, HS-120384, HS-1203-84 ... Every run of one to three
    neighbouring groups of digits is read as a date, separated and run together."""
    groups = _DIGITS.findall(ref)
    for i in range(len(groups)):
        for j in range(i + 1, min(i + 3, len(groups)) + 1):
            part = groups[i:j]
            if len(part) == 3 and all(len(g) <= 4 for g in part):
                a, b, c = (int(g) for g in part)
                if _is_date(a, b, c) or (len(part[2]) == 2 and len(part[0]) <= 2 and len(part[1]) <= 2
                                         and _is_short_date(a, b)):
                    return True
            if _compact_date("".join(part)):
                return True
    return False


def _windows(groups: list[str], widest: int):
    """Each run of one to ``widest`` neighbouring groups of digits, joined."""
    for i in range(len(groups)):
        for j in range(i + 1, min(i + widest, len(groups)) + 1):
            yield "".join(groups[i:j])


def _phone_in_groups(ref: str) -> bool:
    """A phone number in one group among others, or split over any number of neighbouring groups:
    HS-0001-07700900123, HS-07700-900123-1, HS-1-077-009-001-23 (attacker re-tests of stop 22)."""
    groups = _DIGITS.findall(ref)
    return any(_PHONE.fullmatch(run) for run in _windows(groups, len(groups)))


def _date_spread(ref: str) -> bool:
    """A date written a digit or two a group, over four groups or more: HS-2-0-0-3-1-9-8-4,
    HS-20-03-19-84 (three groups or fewer are _has_date's)."""
    groups = _DIGITS.findall(ref)
    if len(groups) < 4:
        return False
    return any(6 <= len(run) <= 8 and _compact_date(run) for run in _windows(groups, 8))


def _instance_id_problem(ref: str) -> str | None:
    """An ODK/KoboToolbox instance id is random hex: a block of it that is all digits and reads as
    a date (the first, eight long) or a phone number (the last, twelve) was written by a person
    (19840312-0000-4000-8000-000000000001), as does a mobile number over neighbouring all-digit blocks
    (07700900-1230-...). By chance a random id does so about once in 6,000 (300,000 uuid4()
    drawn: 48); such a case needs a case_ref column."""
    blocks = ref.lower().removeprefix("uuid:").split("-")
    if blocks[0].isdigit() and _compact_date(blocks[0]):
        return "a date (of birth?)"
    if blocks[-1].isdigit() and _PHONE.fullmatch(blocks[-1]):
        return "a phone number"
    if blocks[-1].isdigit() and _compact_date(blocks[-1]):
        return "a date (of birth?)"
    # a mobile number written from the start of a block over its neighbours (07700900-1230-...)
    for i in range(len(blocks)):
        run = ""
        for block in blocks[i:]:
            if not block.isdigit():
                break
            run += block
        if _MOBILE.match(run):
            return "a phone number"
    return None


def looks_personal(ref: str, pattern: str | None = None) -> str | None:
    """What personal detail the reference looks like, or None. ``pattern``: the inspection's
    (the prefixes it spells are not names)."""
    squeezed = _SEPARATORS.sub("", ref)
    if "@" in ref:
        return "an email address"
    # a letter prefix must not hide a number behind it (HS-0700900123 is a phone number)
    number = _PREFIX.sub("", squeezed)
    if any(_PHONE.fullmatch(s) for s in (squeezed, squeezed.lstrip("+"), number, number.lstrip("+"))) or (
            _phone_in_groups(ref)):
        return "a phone number"
    if _POSTCODE.fullmatch(squeezed):
        return "a postcode"
    if _has_date(ref) or _date_spread(ref):  # before the NI number's shape, which HS-120384 also has: the date is the likelier
        return "a date (of birth?)"
    # An NI number is written QQ123456C or QQ 12 34 56 C, never with a dash: the app's own
    # PREFIX-digits (HS-000123) is a reference, however many digits it has
    if not _APP_SHAPE.fullmatch(ref) and _NI_NUMBER.fullmatch(squeezed):
        return "a National Insurance number"
    if _WORD.search(ref):
        return "a name or a word"
    name = common_names.name_in(ref, pattern)
    if name:
        return f"a name ({name!r} is a common given name or surname)"
    return None


def problem(ref: str, pattern: str | None = None) -> str | None:
    """Why this reference is refused, in words, or None."""
    ref = (ref or "").strip()
    if not ref:
        return "a case reference is required"
    # an instance id is taken as one only under the default rule: an inspection that sets its own
    # pattern (one taking no ODK or KoboToolbox data) has every reference fit it
    instance_id = pattern in (None, "", DEFAULT_PATTERN) and INSTANCE_ID.fullmatch(ref) is not None
    what = _instance_id_problem(ref) if instance_id else looks_personal(ref, pattern)
    if what is None and instance_id:
        return None
    if what:
        return (f"looks like {what}: use the pseudonymous case reference (e.g. {EXAMPLE}), never personal "
                "details")
    if not re.fullmatch(pattern or DEFAULT_PATTERN, ref):
        return (f"does not have the form of this inspection's case references (e.g. {EXAMPLE}: a few letters, "
                "then numbers)")
    return None
