"""Findings written as the report writes them, from the templates in criteria/.

``{field}`` is replaced by a value; ``{field|filter}`` by a value passed through a filter:
``words`` (five; zero is "none"), ``Words`` (Five, None), ``s`` ("s" unless the number is
one), ``was`` ("was" for one or none, else "were"). An unknown field or filter is left as
written, so a typo shows in the text instead of failing a whole export.
"""

from __future__ import annotations

import re
from typing import Mapping

_WORDS = ["none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
_FIELD = re.compile(r"\{([a-z_]+)(?:\|([A-Za-z_]+))?\}")


def number_words(n) -> str:
    return _WORDS[n] if isinstance(n, int) and 0 <= n < len(_WORDS) else str(n)


FILTERS = {
    "words": number_words,
    "Words": lambda n: number_words(n)[:1].upper() + number_words(n)[1:],
    "s": lambda n: "" if n == 1 else "s",
    "was": lambda n: "was" if n in (0, 1) else "were",
}


def render(template: str, values: Mapping[str, object]) -> str:
    def one(m: re.Match) -> str:
        name, flt = m.group(1), m.group(2)
        if name not in values:
            return m.group(0)
        value = values[name]
        if flt:
            fn = FILTERS.get(flt)
            return fn(value) if fn else m.group(0)
        return "null" if value is None else str(value)

    return _FIELD.sub(one, template)
