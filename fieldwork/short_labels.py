"""Short labels ("Avoidable delay") beside each question and indicator in
``criteria/questionnaires/*.toml`` (``short_label = "..."``), for charts and tables where the
full question would be cut off.

They are read here, from the criteria files, rather than stored with the questionnaire's
version: the stored definition is hashed, and a display label must not make an existing
database refuse its own version 2017.1. A questionnaire without them (an XLSForm, say)
falls back to the full label.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache


@lru_cache(maxsize=None)
def short_labels(questionnaire_id: str) -> dict[str, str]:
    """Question name or indicator id -> its short label (empty when the criteria give none)."""
    from fieldwork.catalog import criteria_dir

    path = criteria_dir() / "questionnaires" / f"{questionnaire_id}.toml"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    out = {}
    for item in [*(data.get("questions") or []), *(data.get("indicators") or [])]:
        key, short = item.get("name") or item.get("id"), str(item.get("short_label") or "").strip()
        if key and short:
            out[str(key)] = short
    return out


def short(questionnaire_id: str, name: str, label: str) -> str:
    return short_labels(questionnaire_id).get(name) or label


def filters_in_words(q, filters) -> str:
    """Filters as a reader reads them, for a chart's subtitle ("Force: Durham Constabulary;
    Domestic abuse: No"): each variable by its short label, each code by its label. The page
    and the draft report word them the same way, so their charts are the same charts."""
    return "; ".join(f"{short(q.id, name, q.question(name).label)}: {', '.join(q.label_of(name, c) for c in codes)}"
                     for name, codes in filters.items())
