"""Data protection checks on what inspectors type.

A ``case_ref`` is a pseudonymous reference (HS-0001, GMP/2016/0456), never a name or an
email: it must hold a digit, only letters, digits and - _ / . characters, and at most 40
characters. An evidence note is free text, so it is never refused, but a note that looks as
if it holds a name, phone number, email address, date of birth or postcode draws a warning.
"""

from __future__ import annotations

import re
from functools import lru_cache

from fieldwork.services import case_refs, characters

CASE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_/.]{0,39}$")
_DIGIT = re.compile(r"\d")

# Every pattern here runs in time linear in the note (a 10,000-character note in well under
# 10 ms, bench/privacy_check.py): no unbounded repeat that a failed match would rescan from
# each position. An email is found from its "@" (the part before it is one character wide), not
# by scanning every run of word characters for an "@" that never comes.
_EMAIL = re.compile(r"(?<=[\w.+-])@[\w-]+\.\w")
_PHONE = re.compile(r"(?:\+44\s?|\b0)(?:\d[\s-]?){9,10}\b")
_DOB = re.compile(r"\b(?:dob|d\.o\.b\.?|date of birth|born)\b", re.IGNORECASE)
_DATE = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}\b")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s{0,2}\d[A-Z]{2}\b")
_TITLE_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s{1,3}[A-Z][a-z]")
# Two capitalised words in a row, not at a sentence start and not a known document or role name.
_NAME_PAIR = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]{2,})\s{1,3}([A-Z][a-z]{2,})\b")
_PAIR_HINT = re.compile(r"[A-Z][a-z]{2,}\s{1,3}[A-Z][a-z]{2}")  # the pair without its look-behinds: a quick "maybe"
_NOT_NAMES = {
    "Crown", "Prosecution", "Service", "Police", "Constabulary", "Victim", "Support", "Personal", "Statement",
    "Code", "Practice", "Victims", "Crime", "Greater", "Manchester", "West", "South", "North", "East", "Thames",
    "Valley", "Avon", "Somerset", "Durham", "Gwent", "Hampshire", "Sussex", "Wales", "Yorkshire", "Midlands",
    "London", "Metropolitan", "Information", "Notice", "Restraining", "Order", "Protection", "Harassment",
    "Stalking", "Domestic", "Abuse", "Special", "Measures", "Criminal", "Investigation", "Department", "Case",
    "Management", "System", "Action", "Plan", "Risk", "Assessment", "Magistrates", "Court", "Prosecutor",
    "Pledge", "Independent", "Advocate", "Adviser", "Officer", "Inspector", "Sergeant", "Superintendent",
    "Detective", "Constable", "Chief", "Reviewing", "Lawyer", "Direct", "Witness", "Care", "Unit", "Team",
}


def case_ref_problem(ref: str, pattern: str | None = None) -> str | None:
    """Why this case_ref is refused, or None if it is acceptable. ``pattern``: the inspection's
    (fieldwork.services.case_refs, which also refuses what looks like a person's details)."""
    ref = (ref or "").strip()
    if not ref:
        return "a case reference is required"
    hidden = characters.problem(ref)  # the one rule for names: no control, invisible or reordering character
    if hidden:
        return hidden
    if "@" in ref:
        return "looks like an email address: use the pseudonymous case reference, never personal details"
    if " " in ref:
        return "must not contain spaces (names are never used as case references)"
    if not CASE_REF.match(ref):
        return "use up to 40 letters, digits and - _ / . characters, e.g. HS-0001"
    if not _DIGIT.search(ref):
        return "must contain a number (e.g. HS-0001): a reference without one may be a name"
    return case_refs.problem(ref, pattern)


def note_warnings(text: str) -> list[str]:
    """What in an evidence note looks like personal data (warnings, not refusals)."""
    return list(_warnings(text)) if text else []


@lru_cache(maxsize=2048)  # the Assess form asks again for every note of the section on every redraw
def _warnings(text: str) -> tuple[str, ...]:
    # Cheap C-speed tests first (a character present, a lower-cased substring), the patterns
    # only where they can match: a long note without an "@" never runs the email pattern.
    found = []
    lower = text.lower()
    digits = _DIGIT.search(text) is not None
    if "@" in text and _EMAIL.search(text):
        found.append("an email address")
    if digits and _PHONE.search(text):
        found.append("a phone number")
    if (any(w in lower for w in ("dob", "d.o.b", "date of birth", "born")) and _DOB.search(text)) or (
            digits and any(w in lower for w in ("born", "birth", "age")) and _DATE.search(text)
            and re.search(r"\b(?:born|birth|aged?)\b", lower)):
        found.append("a date of birth")
    if digits and _POSTCODE.search(text):
        found.append("a postcode")
    if _TITLE_NAME.search(text) or (_PAIR_HINT.search(text) and any(
            a not in _NOT_NAMES and b not in _NOT_NAMES for a, b in _NAME_PAIR.findall(text))):
        found.append("a person's name")
    return tuple(found)
