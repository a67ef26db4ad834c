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


@lru_cache(maxsize=None)
def answer_short_labels(questionnaire_id: str) -> dict[str, dict[str, str]]:
    """Question name -> {answer code: its short label}, from ``short_label`` beside a choice in
    the criteria file's ``[choices]`` ("DASH" for "DASH (domestic abuse, stalking and harassment
    and honour-based violence risk assessment)"): a chart's bar is named by question and answer,
    and a long answer cut it short (walk 23, F19). Like the questions' own, read from the file,
    never part of the stored definition (the loader keeps only a choice's code and label)."""
    from fieldwork.catalog import criteria_dir

    path = criteria_dir() / "questionnaires" / f"{questionnaire_id}.toml"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    lists = {str(name): {str(c.get("code")): str(c.get("short_label")).strip()
                         for c in items or [] if isinstance(c, dict) and str(c.get("short_label") or "").strip()}
             for name, items in (data.get("choices") or {}).items()}
    return {str(x["name"]): lists[x["choices"]] for x in data.get("questions") or []
            if x.get("name") and lists.get(str(x.get("choices") or ""))}


def short_answer(questionnaire_id: str, name: str, code: str | None, label: str) -> str:
    """An answer's short label where the criteria give one, else its label."""
    return answer_short_labels(questionnaire_id).get(name, {}).get(code or "") or label


def filters_in_words(q, filters) -> str:
    """Filters as a reader reads them, for a chart's subtitle ("Force: Durham Constabulary;
    Domestic abuse: No"): each variable by its short label, each code by its label. The page
    and the draft report word them the same way, so their charts are the same charts."""
    return "; ".join(f"{short(q.id, name, q.question(name).label)}: {', '.join(q.label_of(name, c) for c in codes)}"
                     for name, codes in filters.items())


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def variable_names(q, names) -> dict[str, str]:
    """Each variable as a picker offers it, in words only (never its code): its short label
    ("Force"); two that share one are told apart by their whole question, then by the section
    asking it ("Date – in Incident"), then by their order ("Date – the second of these")."""
    out = {n: short(q.id, n, q.question(n).label) for n in names}
    for widen in (lambda n, now: q.question(n).label,
                  lambda n, now: f"{now} – in {_section_title(q, n)}" if _section_title(q, n) else now):
        for shared in _shared(out):
            out.update({n: widen(n, out[n]) for n in shared})
    for shared in _shared(out):
        out.update({n: f"{out[n]} – the {ORDINALS[i] if i < len(ORDINALS) else f'number {i + 1}'} of these"
                    for i, n in enumerate(shared)})
    return out


def _section_title(q, name: str) -> str:
    section = q.section(q.question(name).section)
    return section.title if section else ""


def _shared(names: dict[str, str]) -> list[list[str]]:
    """The variables that read the same, in lists of two or more."""
    by_words: dict[str, list[str]] = {}
    for name, words in names.items():
        by_words.setdefault(words.casefold(), []).append(name)
    return [same for same in by_words.values() if len(same) > 1]
