"""One rule for the characters a stored value may hold, for the app, imports and bundles alike.

Refused everywhere: NUL and the other C0 control characters, DEL and the C1 controls
(U+0080-U+009F), lone surrogates and the non-characters U+FFFE/U+FFFF. None is typed by a
person; each is the mark of a binary file or a paste gone wrong, and each breaks something
downstream: PostgreSQL refuses NUL in text, an .xlsx cannot hold C0 controls (openpyxl's
IllegalCharacterError), XML 1.0 has no surrogates or U+FFFE/U+FFFF. Evidence notes alone
may hold tab and newline (a Windows line end, CR LF, is read as a newline); every other value
is one line. So nothing stored can make an export fail.
"""

from __future__ import annotations

import re
from typing import Sequence

from fieldwork.problem_codes import BAD_CHARACTER
from fieldwork.problems import Problem


_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")  # tab and newline allowed


def note_text(text: str) -> str:
    """A note as stored: Windows and old Mac line ends become newlines."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _name(char: str) -> str:
    names = {"\x00": "a NUL byte", "\t": "a tab", "\n": "a line break", "\r": "a carriage return",
             "\x7f": "a DEL character"}
    return names.get(char) or f"the control character U+{ord(char):04X}"


def problem(value, *, multiline: bool = False) -> str | None:
    """Why this value may not be stored, in words, or None. Non-text values pass."""
    if not isinstance(value, str):
        return None
    if multiline:
        value = note_text(value)
    found = (_MULTILINE if multiline else _ONE_LINE).search(value)
    if found is None:
        return None
    where = found.start() + 1
    extra = "" if multiline else " (only evidence notes may hold tabs and line breaks)"
    return f"holds {_name(found.group())} at character {where:,}, which cannot be stored{extra}: remove it"


def problems(values: dict[str, object], *, notes: Sequence[str] = (), **where) -> list[Problem]:
    """A Problem per field whose value breaks the rule; ``notes`` names the multi-line fields."""
    out = []
    for name, value in values.items():
        why = problem(value, multiline=name in notes)
        if why:
            out.append(Problem(BAD_CHARACTER, why, field=name, **where))
    return out


def row_problems(header: Sequence[str], cells: Sequence, number: int, source: str, *,
                 is_note=lambda column: False, item: str | None = None) -> list[Problem]:
    """The rule over one row of a file: every cell, named by its row and column."""
    out = []
    for i, value in enumerate(cells):
        column = header[i] if i < len(header) and header[i] else f"column {i + 1}"
        why = problem(value, multiline=is_note(column))
        if why:
            out.append(Problem(BAD_CHARACTER, why, source=source, row=number, field=column,
                               item=item if problem(item) is None else None, item_kind="case"))
    return out


def answer_problems(answers: dict[str, object], notes: dict[str, str]) -> list[Problem]:
    """The rule over an assessment's change in the app: answers by question, notes beside them."""
    out = [Problem(BAD_CHARACTER, why, field=name, item=name) for name, value in answers.items()
           if (why := problem(value))]
    out += [Problem(BAD_CHARACTER, "the evidence note " + why, field="note", item=name) for name, text in notes.items()
            if (why := problem(text, multiline=True))]
    return out
