"""Findings written as the report writes them, from the templates in criteria/.

``{field}`` is replaced by a value; ``{field|filter}`` by a value passed through a filter:
``words`` (five; zero is "none", as in "none of the 16"), ``words_or_no`` (five; zero is
"no", as in "in no cases"), ``Words`` (Five, None), ``s`` ("s" unless the number is one),
``was`` ("was" for one or none, as in "none of them was"), ``were`` ("was" for one, else
"were", as in "0 cases were" or "1 case was"). A sentence with a count in it must read right
for every count a filter can give (0 and 1 as well as the whole inspection's), so a noun after
a count takes ``case{count|s}`` and its verb ``{count|were}``. The questionnaire loader refuses a
template that names an unknown field or filter (``template_faults``); ``render`` itself leaves
one as written, so a template from elsewhere shows its typo instead of failing an export.

Fields worked out from the others (``DERIVED``) carry the report's conditional wording: it
writes "in all 20 police-charged cases" where every case counted, "in 17 of the 20" otherwise.
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
    "were": lambda n: "was" if n == 1 else "were",
    "words_or_no": lambda n: "no" if n == 0 else number_words(n),
}


def _count_of_denominator(values: Mapping[str, object]) -> str:
    count, denominator = values["count"], values["denominator"]
    if count == denominator and isinstance(denominator, int) and denominator > 1:
        return f"all {denominator}"
    return f"{count} of the {denominator}"


DERIVED = {"count_of_denominator": (("count", "denominator"), _count_of_denominator)}
# What a finding's template may name: the values the findings engine passes, and DERIVED.
FIELDS = frozenset({"count", "denominator", "percent", "not_known", "not_applicable", "asked", "population",
                    "answer", "answer_label", "question", *DERIVED})


def template_faults(template: str) -> list[str]:
    """What is wrong with a template's fields, for the questionnaire loader to refuse (a
    typo would otherwise be printed in the report's sentence)."""
    faults = []
    for m in re.finditer(r"\{([^{}]*)\}", template):
        name, _, flt = m.group(1).partition("|")
        if name not in FIELDS:
            faults.append(f"{{{m.group(1)}}} names no field (fields: {', '.join(sorted(FIELDS))})")
        elif flt and flt not in FILTERS:
            faults.append(f"{{{m.group(1)}}} uses no known filter (filters: {', '.join(FILTERS)})")
    return faults


def render(template: str, values: Mapping[str, object]) -> str:
    def one(m: re.Match) -> str:
        name, flt = m.group(1), m.group(2)
        if name in DERIVED and all(k in values for k in DERIVED[name][0]):
            value = DERIVED[name][1](values)
        elif name in values:
            value = values[name]
        else:
            return m.group(0)
        if flt:
            fn = FILTERS.get(flt)
            return fn(value) if fn else m.group(0)
        return "null" if value is None else str(value)

    return _FIELD.sub(one, template)
