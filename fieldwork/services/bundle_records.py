"""Every record a bundle carries, read field by field by one rule (issue 17's trust boundary).

A bundle's cases, assessments and answers, its evidence items, their excerpts, judgements,
their links and past grades, and the lineage rows are each a *record kind* (``Kind``): the
table the record is stored in, which of its fields are notes (several lines of free text) or
one-line free text (every other field is a name or identifier), and the lengths the app keeps
for texts whose column has none. ``read`` takes one record and, for each field its table holds:

* makes it the column's value (``coerce``): a date and time in ISO 8601 from 2000, a date, a
  whole number within 64 bits (from the kind's lowest), true or false, a text no longer than
  its column (or than the app keeps, for a note);
* holds it to the character rule of its kind (``fieldwork.services.characters``): names and
  identifiers refuse control, invisible and reordering characters; one-line text and notes
  refuse control and reordering characters and keep any script and emoji;
* notes a time (or date) more than a day ahead of this computer's clock (``Ahead``): kept as
  the laptop recorded it, with one warning per kind of time, since no decision of the merge
  reads these times (it decides by revisions, as ODK Central keeps a device's times).

Every fault is named by the record (its case, evidence reference or judgement's cell), the field
in words and the reason; nothing is merged while any is refused (the caller raises them all).
There is one copy of these rules: a field kind added here holds for every record kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

from sqlalchemy import Boolean, Date, DateTime, Integer, String, TypeDecorator

from fieldwork.problem_codes import BAD_CHARACTER, BUNDLE_INVALID as INVALID, BUNDLE_TIME_AHEAD as TIME_AHEAD
from fieldwork.problems import Problem
from fieldwork.services import characters
from models import utcnow

INT64 = 2 ** 63
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
# Later than this a time cannot be shown in every time zone (9999-12-31 plus an hour overflows).
LATEST = datetime(9998, 12, 31, tzinfo=timezone.utc)
CLOCK_SLACK = timedelta(days=1)  # a laptop's clock may be hours out; further ahead draws a warning

# fault(code, field, message): how ``read`` reports, the caller adding the file and the record
Fault = Callable[[str, str, str], None]


@dataclass(frozen=True)
class Kind:
    """How one kind of record is read: its table and what each of its fields is."""

    model: Any  # the SQLModel table the record is stored in
    whose: str  # the kind in a warning's words: "the cases'" (… created_at lies ahead …)
    skip: frozenset = frozenset({"id"})  # the database's own columns (ids, foreign keys), rebuilt on import
    notes: frozenset = frozenset()  # several lines of free text (tab and line breaks too)
    texts: frozenset = frozenset()  # one line of free text; every other field is a name or identifier
    longest: dict = field(default_factory=dict)  # text columns without a length: how much the app keeps
    lowest: dict = field(default_factory=dict)  # whole numbers' lowest value (else the lowest of 64 bits)
    required: frozenset = frozenset()  # fields that must be present and not empty
    blank: frozenset = frozenset()  # fields a bundle may leave null although the column is not (a default)
    extra: tuple = ()  # names the record carries that are not columns (case_ref, ...), in the order named
    words: dict = field(default_factory=dict)  # a field's name in words where "its <field>" would not do
    label: str = "its"  # how a field is introduced: "its source", "the assessment's version"

    @cached_property  # read once per kind: a bundle reads it for every answer
    def columns(self) -> dict:
        return {c.name: c for c in self.model.__table__.columns if c.name not in self.skip}

    def characters(self, name: str) -> str:
        return characters.NOTE if name in self.notes else characters.TEXT if name in self.texts else characters.NAME

    def named(self, name: str) -> str:
        return self.words.get(name) or f"{self.label} {name}"


def coerce(column, value, *, longest: int | None = None, lowest: int | None = None) -> tuple[Any, str | None]:
    """A JSON value as the column's Python value, or why it cannot be one."""
    if value is None:
        return None, None if column.nullable or column.primary_key else "must not be empty"
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(kind, DateTime):
        if not isinstance(value, str):
            return None, "must be a date and time (ISO 8601)"
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None, f"{value[:40]!r} is not a date and time (ISO 8601)"
        moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # stored times are UTC
        if not EARLIEST <= moment <= LATEST:
            return None, (f"{value[:40]!r} is not a time the laptop could have recorded (before 2000, or after 9998, "
                          "which cannot be shown in every time zone)")
        return moment, None  # a time ahead of this clock is kept, with a warning (Ahead)
    if isinstance(kind, Date):
        if not isinstance(value, str):
            return None, "must be a date (YYYY-MM-DD)"
        try:
            return date.fromisoformat(value), None
        except ValueError:
            return None, f"{value[:20]!r} is not a date (YYYY-MM-DD)"
    if isinstance(kind, Boolean):
        return (value, None) if isinstance(value, bool) else (None, "must be true or false")
    if isinstance(kind, Integer):
        if not isinstance(value, int) or isinstance(value, bool):
            return None, "must be a whole number"
        low = -INT64 if lowest is None else lowest
        if not low <= value < INT64:  # beyond 64 bits the database cannot hold it
            return None, f"must be a whole number from {low:,} to {INT64 - 1:,}"
        return value, None
    if isinstance(kind, String):
        if not isinstance(value, str):
            return None, "must be text"
        most = kind.length or longest
        if most and len(value) > most:
            return None, f"is {len(value):,} characters long; at most {most:,} are kept"
        return value, None
    return value, None


def read(kind: Kind, raw: dict, fault: Fault, ahead: "Ahead", ref: str | None = None, *,
         item_kind: str = "case", named: Callable[[str], str] | None = None) -> dict:
    """The fields of ``raw`` that ``kind``'s table holds, each as its column's value; every
    fault reported through ``fault`` (the field in words and the reason), every time ahead
    noted. ``named`` words a field where the kind's own words do not do (an answer's question)."""
    named = named or kind.named
    row: dict = {}
    missing = {name for name in kind.required if raw.get(name) in (None, "")} if kind.required else ()
    for name in sorted(missing):
        fault(INVALID, name, f"{named(name)} is missing")
    for name, column in kind.columns.items():
        if name not in raw or name in missing or (raw[name] is None and name in kind.blank):
            continue  # missing: named above if required; a null where the column has a default
        row[name], why = coerce(column, raw[name], longest=kind.longest.get(name), lowest=kind.lowest.get(name))
        if why:
            fault(INVALID, name, f"{named(name)} {why}")
            continue
        if isinstance(row[name], str):
            _characters(kind, name, row[name], fault, named)
        else:
            ahead.note(kind.whose, name, row[name], ref, item_kind)
    for name in kind.extra:
        _characters(kind, name, raw.get(name), fault, named)
    return row


def _characters(kind: Kind, name: str, value, fault: Fault, named: Callable[[str], str]) -> None:
    why = characters.problem(value, kind=kind.characters(name))
    if why:
        fault(BAD_CHARACTER, name, f"{named(name)} {why}")


# a bundle cannot be edited, and "blank for yourself" would give the case to the lead: the fix is
# the account, made on this database (walk 23, F8)
ADVICE = "ask an administrator to add the account {name} on this database (Users page), then upload the bundle again"


def quotable(ref) -> str | None:
    """A record's reference fit to quote in a message (one that breaks the character rule is not)."""
    return ref[:64] if isinstance(ref, str) and ref and characters.problem(ref) is None else None


class Ahead:
    """Times more than a day ahead of this computer's clock, one warning per kind of time (a
    laptop whose clock is a week fast would otherwise warn once per answer). Kept, not refused:
    no decision of the merge reads them — it replaces, keeps both or skips by revisions
    (merge._decide, bundle_evidence._decide) — so the work is taken as the laptop recorded it,
    and the lead is told."""

    def __init__(self, file_name: str):
        self.file_name, self.now = file_name, utcnow()
        self.found: dict[tuple[str, str], list] = {}

    def note(self, whose: str, name: str, moment, ref, item_kind: str = "case") -> None:
        if not isinstance(moment, date):  # a datetime is a date too
            return
        if isinstance(moment, datetime):
            late = moment > self.now + CLOCK_SLACK
        else:  # a date the laptop took as today or earlier
            late = moment > (self.now + CLOCK_SLACK).date()
        if late:
            self.found.setdefault((whose, name), []).append((moment, ref, item_kind))

    def note_text(self, whose: str, name: str, value, ref) -> None:
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return
        self.note(whose, name, moment and (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)), ref)

    def warnings(self) -> list[Problem]:
        out = []
        for (whose, name), found in self.found.items():
            latest, ref, item_kind = max(found, key=lambda f: f[0])
            what = (f"{whose} {name} {latest.isoformat()} lies" if len(found) == 1 else
                    f"{len(found):,} of {whose} {name} times lie (the latest {latest.isoformat()})")
            out.append(Problem(TIME_AHEAD, (
                f"{what} more than a day ahead of this computer's clock ({self.now.isoformat(timespec='minutes')}): "
                "kept as the laptop recorded it, since the merge decides by revisions, never by these times; check "
                "the clock of the laptop that exported the bundle (and this computer's)"),
                source=self.file_name, field=name, item=quotable(ref), item_kind=item_kind))
        return out
