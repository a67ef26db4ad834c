"""SQL that reads an answer's text as ``fieldwork.expr`` reads it in Python, the same on SQLite
and PostgreSQL: a number, an ISO date or date-time as days since 1970-01-01 (``_moment``), the
whitespace ``str.strip()`` knows, the codes of a space-separated list, text tests without LIKE's wildcards and
SQLite's case-blind LIKE, and text ordered by code point.

Every figure is built from ``substr``, ``CAST`` and integer arithmetic, never a database's own
date parser: SQLite's ``julianday('2023-02-29')`` is 1 March and PostgreSQL's ``CAST`` of it is
an error, where Python's answer is "not a date". The costly parts stand behind the cheapest test
(``case`` takes its first branch that holds), so an answer that is a plain number costs one
pattern match, as before.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, String, and_, case, cast, func, literal, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Boolean

# Python's patterns (fieldwork.expr) end with ``$``, which also matches before one final "\n";
# PostgreSQL's ``$`` does not, so the database's patterns say it outright (``\n?\Z``).
NUMBER = r"^-?[0-9]+(\.[0-9]+)?\n?\Z"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"  # fromisoformat refuses the final "\n" the pattern allows
_DATETIME_START = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
DATETIME = _DATETIME_START + r"(Z|[+-][0-9]{2}:?[0-9]{2})?\Z"
TIME = r"^[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?\n?\Z"
# what str.strip() takes for whitespace
# (written out: working it out from every code point costs a third of a second at each start;
# tests/test_expr_sql_agrees.py checks it against str.isspace)
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_DAY_US = 86_400_000_000  # microseconds in a day


class _Found(FunctionElement):
    """``needle`` occurs in ``hay`` (exactly: no wildcards, case kept)."""
    type = Boolean()
    name = "found"
    inherit_cache = True


@compiles(_Found)
def _found_sqlite(element, compiler, **kw):
    hay, needle = (compiler.process(c, **kw) for c in element.clauses)
    return f"(instr({hay}, {needle}) > 0)"


@compiles(_Found, "postgresql")
def _found_postgresql(element, compiler, **kw):
    hay, needle = (compiler.process(c, **kw) for c in element.clauses)
    return f"(strpos({hay}, {needle}) > 0)"


class _ByCodePoint(FunctionElement):
    """Text to be ordered by code point, as Python orders str (PostgreSQL: the "C" collation)."""
    type = String()
    name = "by_code_point"
    inherit_cache = True


@compiles(_ByCodePoint)
def _by_code_point_sqlite(element, compiler, **kw):
    (text,) = element.clauses
    return compiler.process(text, **kw)  # BINARY, SQLite's own: UTF-8 bytes, in code point order


@compiles(_ByCodePoint, "postgresql")
def _by_code_point_postgresql(element, compiler, **kw):
    (text,) = element.clauses
    return f'({compiler.process(text, **kw)} COLLATE "C")'


def found(hay, needle):
    return _Found(hay, needle)


def by_code_point(text):
    return _ByCodePoint(text)


def strip(text):
    """Python's ``str.strip()``."""
    return func.trim(text, literal(WHITESPACE))


def word_count(text):
    """``len(expr._items(text))``, the codes of a space-separated list: the runs of spaces are
    counted by marking each space ``\\x01\\x02`` and removing the ``\\x02\\x01`` between two of a run
    (a marker already in the text is made a letter first: it changes no code)."""
    plain = func.replace(func.replace(text, literal("\x01"), literal("a")), literal("\x02"), literal("a"))
    runs = func.replace(func.replace(plain, literal(" "), literal("\x01\x02")), literal("\x02\x01"), literal(""))
    n_runs = func.length(runs) - func.length(func.replace(runs, literal("\x01"), literal("")))
    edges = (case((func.substr(plain, 1, 1) == " ", 1), else_=0)
             + case((func.substr(plain, func.length(plain), 1) == " ", 1), else_=0))
    return case((plain == "", 0), else_=n_runs + 1 - edges)


def strict_number(text):
    """``expr._number`` of an answer: a number written plainly, else NULL (NaN)."""
    return case((text.regexp_match(NUMBER), cast(text, Float)), else_=None)


def xpath_number(text):
    """``expr._to_number`` of an answer: a number, or an ISO date or date-time as days since
    1970-01-01 (space around either allowed), else NULL (NaN). A plain number is the first test,
    a blank the second; one flat ``CASE`` (SQLite's parser allows little nesting)."""
    stripped = strip(text)
    return case((text.regexp_match(NUMBER), cast(text, Float)),
                (text == "", None),
                (stripped.regexp_match(NUMBER), cast(stripped, Float)),
                *_day_branches(stripped), else_=None)


def days(text):
    """``expr._moment``: days since 1970-01-01 of an ISO date or date-time, else NULL."""
    return case(*_day_branches(text), else_=None)


def _int(text, start, length):
    return cast(func.substr(text, start, length), BigInteger)


def _day_branches(text):
    """The ``CASE`` branches of ``expr._moment``: a real date (as ``date.fromisoformat``: year 1
    on, the month's own days) is its days since 1970-01-01, by integer arithmetic from the civil
    date; a date-time its microseconds since then in UTC (the offset taken off, fractions past six
    digits dropped, as ``datetime.fromisoformat``) over a day's, where fromisoformat takes it (no
    hour 24, second 60 or offset of a day)."""
    y, m, d = _int(text, 1, 4), _int(text, 6, 2), _int(text, 9, 2)
    leap = or_(and_(y % 4 == 0, y % 100 != 0), y % 400 == 0)
    month_days = case((m == 2, case((leap, 29), else_=28)), (m.in_([4, 6, 9, 11]), 30), else_=31)
    real_date = and_(y >= 1, m >= 1, m <= 12, d >= 1, d <= month_days)
    # days before 1970-01-01 of the year's first day: 365 a year and the leap days before it
    # (477 of them before 1970); then the month's first day and the day
    before = y - 1
    day = _sum(365 * (y - 1970), before // 4, -(before // 100), before // 400, literal(-478),
               case(_MONTH_STARTS, value=m, else_=0), case((and_(m > 2, leap), 1), else_=0), d)
    hours, minutes = _int(text, 12, 2), _int(text, 15, 2)
    seconds = case((func.substr(text, 17, 1) == ":", _int(text, 18, 2)), else_=0)
    valid_time = and_(real_date, hours <= 23, minutes <= 59, seconds <= 59)
    n = func.length(text)
    branches = [(and_(text.regexp_match(DATE), real_date), cast(day, Float))]
    # one branch per way of writing the zone, each with its length and offset fixed: nothing
    # worked out twice, and little nesting
    for zone, width, sign in (("", 0, 0), ("Z", 1, 0), (r"\+[0-9]{2}:[0-9]{2}", 6, 1), ("-[0-9]{2}:[0-9]{2}", 6, -1),
                              (r"\+[0-9]{4}", 5, 1), ("-[0-9]{4}", 5, -1)):
        offset = (_int(text, n - width + 2, 2) * 60 + _int(text, n - 1, 2)) if sign else literal(0)
        digits = func.substr(text, 21, n - (20 + width), type_=String) + literal("000000", String)
        fraction = case((func.substr(text, 20, 1) == ".", cast(func.substr(digits, 1, 6), BigInteger)), else_=0)
        micro = _sum(day * _DAY_US, hours * 3_600_000_000, minutes * 60_000_000, seconds * 1_000_000,
                     offset * (-60_000_000 * sign), fraction)
        branches.append((and_(text.regexp_match(_DATETIME_START + zone + r"\Z"), valid_time, offset < 1440),
                         cast(micro, Float) / float(_DAY_US)))
    return branches


def _sum(*terms):
    """``a + b + ...`` as a balanced tree: SQLAlchemy writes a chain as nested brackets, and
    SQLite's parser takes only so many (its stack holds 100 entries)."""
    if len(terms) == 1:
        return terms[0]
    half = len(terms) // 2
    return _sum(*terms[:half]) + _sum(*terms[half:])


_MONTH_STARTS = {1: 0, 2: 31, 3: 59, 4: 90, 5: 120, 6: 151, 7: 181, 8: 212, 9: 243, 10: 273, 11: 304, 12: 334}


def is_moment_shaped(text):
    return or_(text.regexp_match(DATE), text.regexp_match(DATETIME))
