"""One rule for the characters a stored value may hold, for the app, imports and bundles alike.

Refused everywhere: NUL and the other C0 control characters, DEL and the C1 controls
(U+0080-U+009F), lone surrogates and the non-characters U+FFFE/U+FFFF. None is typed by a
person; each is the mark of a binary file or a paste gone wrong, and each breaks something
downstream: PostgreSQL refuses NUL in text, an .xlsx cannot hold C0 controls (openpyxl's
IllegalCharacterError), XML 1.0 has no surrogates or U+FFFE/U+FFFF. Evidence notes alone
may hold tab and newline (a Windows line end, CR LF, is read as a newline); every other value
is one line. So nothing stored can make an export fail.

Three kinds of value (docs/trust-boundaries.md, "Characters that hide or reorder text"):

- ``NAME``: identifiers and names (a case reference, an inspector's or an account's name, who
  exported a bundle, codes, entry paths). They are shown, compared and audited, so they also
  refuse every invisible character: Unicode format characters (category Cf: the bidi
  embeddings, overrides, isolates and marks, the zero-width space and joiners, the word joiner,
  U+FEFF, the soft hyphen, tag characters ...), every space but the ordinary one (no-break and
  the typographic spaces, line and paragraph separators), private-use characters, and the
  blank letters and marks that draw nothing (Hangul fillers, the combining grapheme joiner,
  variation selectors, the braille blank). "inspector1" and "inspector1" + U+200B are two
  accounts that read the same.
- ``TEXT`` (a one-line free-text answer) and ``NOTE`` (an evidence note: tab and newline too):
  written by a person in any script, so joiners stay (Persian and Indic writing need U+200C and
  U+200D, and emoji ZWJ sequences such as 👩‍💻 and flag tag sequences are kept), but the bidi
  embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the interlinear
  annotation marks (U+FFF9-U+FFFB) are refused: they make text display in another order than
  it is stored ("Trojan Source", CVE-2021-42574), which a reader of a note or the audit trail
  cannot see. Right-to-left text itself needs none of them (the marks U+200E/U+200F stay).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable, Sequence

from fieldwork.problem_codes import BAD_CHARACTER
from fieldwork.problems import Problem

NAME, TEXT, NOTE = "name", "text", "note"

_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
_REORDERING = "\u202a-\u202e\u2066-\u2069\ufff9-\ufffb"
_RULES = {
    NAME: re.compile(f"[\t\n{_CONTROLS}{_REORDERING}]"),
    TEXT: re.compile(f"[\t\n{_CONTROLS}{_REORDERING}]"),
    NOTE: re.compile(f"[{_CONTROLS}{_REORDERING}]"),  # tab and newline allowed
}
# Letters and marks (not Cf, Zs or Co) that draw nothing: Hangul fillers, the combining grapheme
# joiner, Khmer's inherent vowels, Mongolian free variation selectors, the braille blank.
_BLANK = set("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0")


def _invisible(char: str) -> bool:
    """A character that a name may not hold although it is no control: see the module's doc."""
    if char == " ":
        return False
    category = unicodedata.category(char)
    return (category in ("Cf", "Zs", "Zl", "Zp", "Co") or char in _BLANK
            or "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef")


def note_text(text: str) -> str:
    """A note as stored: Windows and old Mac line ends become newlines."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _name(char: str) -> str:
    names = {"\x00": "a NUL byte", "\t": "a tab", "\n": "a line break", "\r": "a carriage return",
             "\x7f": "a DEL character"}
    if char in names:
        return names[char]
    if unicodedata.category(char) == "Cc":
        return f"the control character U+{ord(char):04X}"
    return f"U+{ord(char):04X} {unicodedata.name(char, 'an unnamed character')}"


def _why(char: str, kind: str) -> str:
    if char in "\t\n":
        return ", which cannot be stored (only evidence notes may hold tabs and line breaks)"
    if re.fullmatch(f"[{_REORDERING}]", char):
        return (", which makes text display in another order than it is stored (a reader could not see what it "
                "says)")
    if kind == NAME and _invisible(char):
        return ", which cannot be seen: a name or reference holding it reads the same as one without it"
    return ", which cannot be stored"


def problem(value, *, multiline: bool = False, kind: str | None = None) -> str | None:
    """Why this value may not be stored, in words, or None. Non-text values pass. ``kind``:
    NAME (the default), TEXT or NOTE; ``multiline=True`` means NOTE."""
    if not isinstance(value, str):
        return None
    kind = NOTE if multiline else (kind or NAME)
    if kind == NOTE:
        value = note_text(value)
    found = _RULES[kind].search(value)
    where, char = (found.start(), found.group()) if found else (None, None)
    if kind == NAME and not value.isascii():  # names are short; only non-ASCII ones are read character by character
        hidden = next((i for i, c in enumerate(value[:where]) if _invisible(c)), None)
        if hidden is not None:
            where, char = hidden, value[hidden]
    if char is None:
        return None
    return f"holds {_name(char)} at character {where + 1:,}{_why(char, kind)}: remove it"


def problems(values: dict[str, object], *, notes: Sequence[str] = (), texts: Sequence[str] = (),
             **where) -> list[Problem]:
    """A Problem per field whose value breaks the rule; ``notes`` names the multi-line fields,
    ``texts`` the one-line free-text ones; every other field is a name."""
    out = []
    for name, value in values.items():
        why = problem(value, kind=NOTE if name in notes else TEXT if name in texts else NAME)
        if why:
            out.append(Problem(BAD_CHARACTER, why, field=name, **where))
    return out


def row_problems(header: Sequence[str], cells: Sequence, number: int, source: str, *,
                 is_note: Callable[[str], bool] = lambda column: False,
                 is_text: Callable[[str], bool] = lambda column: False, item: str | None = None) -> list[Problem]:
    """The rule over one row of a file: every cell, named by its row and column."""
    out = []
    for i, value in enumerate(cells):
        column = header[i] if i < len(header) and header[i] else f"column {i + 1}"
        why = problem(value, kind=NOTE if is_note(column) else TEXT if is_text(column) else NAME)
        if why:
            out.append(Problem(BAD_CHARACTER, why, source=source, row=number, field=column,
                               item=item if problem(item) is None else None, item_kind="case"))
    return out


def answer_problems(answers: dict[str, object], notes: dict[str, str]) -> list[Problem]:
    """The rule over an assessment's change in the app: answers by question, notes beside them."""
    out = [Problem(BAD_CHARACTER, why, field=name, item=name) for name, value in answers.items()
           if (why := problem(value, kind=TEXT))]
    out += [Problem(BAD_CHARACTER, "the evidence note " + why, field="note", item=name) for name, text in notes.items()
            if (why := problem(text, multiline=True))]
    return out
