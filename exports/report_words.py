"""The draft report's words for what it counts: the filters and the breakdown as a report
prints them ("Durham Constabulary only", "by force"), never a question's whole wording nor a
code in brackets (walk 23, F19: "Filters: Which police force investigated the case?: Durham
Constabulary", "Breakdown: by which police force investigated the case? (force)").

Each variable is named by its short label (``fieldwork.short_labels.variable_names``: in
words, two alike told apart), each code by its label. A force or a CPS Area is a place: a
filter on it reads as the place itself, "… only". The figures annex still names the codes:
that is where a figure is checked against the data.
"""

from __future__ import annotations

from typing import Mapping, Sequence

PLACES = ("force", "cps_area")  # the contract's variables whose answers name a place


def lower_first(text: str) -> str:
    """"Force" -> "force" inside a sentence; an acronym ("CPS Area", "VPS taken") stays as it is."""
    if not text or (len(text) > 1 and text[1].isupper()):
        return text
    return text[0].lower() + text[1:]


def either(words: Sequence[str], joiner: str) -> str:
    """"A", "A and B", "A, B and C" (``joiner`` "and" or "or")."""
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {joiner} {words[-1]}"


def filters_phrase(filters: Mapping[str, Sequence[str]], names: Mapping[str, str],
                   code_labels: Mapping[str, Mapping[str, str]]) -> str:
    """"Durham Constabulary only; Domestic abuse: No", or "" without a filter."""
    out = []
    for variable, codes in filters.items():
        labels = [code_labels.get(variable, {}).get(c, c) for c in codes]
        if variable in PLACES:
            out.append(f"{either(labels, 'and')} only")
        else:
            out.append(f"{names.get(variable, variable)}: {either(labels, 'or')}")
    return "; ".join(out)


def breakdown_phrase(by: str | None, names: Mapping[str, str]) -> str:
    """"by force", "by domestic abuse", "by CPS Area", or "" without a breakdown."""
    return f"by {lower_first(names.get(by, by))}" if by else ""
