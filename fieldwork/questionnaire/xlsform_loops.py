"""XLSForm's ``begin loop over LIST`` … ``end loop``, expanded as pyxform expands it.

pyxform (``builder.SurveyElementBuilder._create_loop_from_dict``) makes a loop a *group*
named after the loop, holding one group per choice of the list (named and labelled as the
choice, in the list's order; an option named ``none`` is left out), each holding a copy of the
loop's questions with ``%(name)s`` and ``%(label)s`` in their texts replaced by the choice's
name and label. A loop is not a repeat: its "entries" are fixed groups, one per choice, and
the form's XML holds ``/data/loop/choice/question``.

So a loop reads here as those groups. The copies of a question share its name, so each is keyed
by its group path (``contacts/police/made``, ``contacts/cps/made``), as any name used twice in
a form is (``xlsform_paths``): the column KoboToolbox writes for it, and ODK Central's
``contacts-police-made`` is matched to it on import.
"""

from __future__ import annotations

import copy
from typing import Any, Mapping

LOOP = "loop"
# the survey rows a loop's copies were made from, for the reader's row numbers and labels
RAW = "__raw"
AFTER = "__after"  # on a loop's group: the index of the survey row after its ``end loop``


def _substitute(text: str, name: str, label: str) -> str:
    # pyxform applies ``text % {"name": ..., "label": ...}``; only its two keys are replaced here,
    # so a label holding a plain "%" is kept rather than refused
    return text.replace("%(name)s", name).replace("%(label)s", label)


def _copy(element: dict, choice: dict) -> dict:
    """One question (or group) of the loop for one choice: its texts and those one level down
    (a label by language, the bind's rules) with the choice's name and label put in."""
    name = str(choice.get("name", ""))
    label = choice.get("label", name)
    out = copy.deepcopy(element)
    for key, value in list(out.items()):
        if isinstance(value, str):
            out[key] = _substitute(value, name, _in(label, None, name))
        elif isinstance(value, Mapping):
            out[key] = {k: _substitute(v, name, _in(label, k, name)) if isinstance(v, str) else v
                        for k, v in value.items()}
    return out


def _in(label: Any, language: str | None, default: str) -> str:
    if isinstance(label, Mapping):
        return str(label.get(language) or label.get("default") or next(iter(label.values()), default))
    return str(label if label is not None else default)


def _rows_of(survey_rows: list[dict], loop: dict, start: int) -> tuple[dict, int]:
    """The loop's template rows by name, and the index of the row after its ``end loop``,
    from the ``begin loop`` row at or after ``start`` named as the loop."""
    kinds = [str(r.get("type", "")).strip().lower().replace("_", " ") for r in survey_rows]
    begin = next((i for i in range(start, len(survey_rows))
                  if kinds[i].startswith("begin loop") and survey_rows[i].get("name") == loop.get("name")), None)
    if begin is None:
        return {}, start
    depth, rows = 0, {}
    for i in range(begin + 1, len(survey_rows)):
        if kinds[i].startswith("begin"):
            depth += 1
        elif kinds[i].startswith("end"):
            if depth == 0:
                return rows, i + 1
            depth -= 1
        elif depth == 0 and survey_rows[i].get("name"):
            rows.setdefault(survey_rows[i]["name"], survey_rows[i])
    return rows, len(survey_rows)


def _mark(element: dict) -> None:
    """Elements nested in a loop's copy take no row of their own (the reader would otherwise look
    the next one up by name and lose its place among the rows after the loop)."""
    for child in element.get("children") or ():
        child.setdefault(RAW, {})
        _mark(child)


def expand(children: list[dict], survey_rows: list[dict], start: int = 0) -> list[dict]:
    """pyxform's survey children with every loop made its groups (nested loops too)."""
    out = []
    for child in children:
        if child.get("type") == LOOP:
            rows, after = _rows_of(survey_rows, child, start)
            group = {k: v for k, v in child.items() if k not in ("columns", "children", "type")}
            group.update(type="group", children=[], **{AFTER: after})
            for choice in child.get("columns") or ():
                if str(choice.get("name", "")) == "none":  # as pyxform: no group for a "none" option
                    continue
                inner = []
                for element in child.get("children") or ():
                    made = _copy(element, choice)
                    raw = rows.get(element.get("name"))
                    made[RAW] = _copy({k: v for k, v in raw.items() if k != "_row"}, choice) | {"_row": raw["_row"]} \
                        if raw else {}
                    _mark(made)
                    inner.append(made)
                group["children"].append({"type": "group", "name": str(choice.get("name", "")),
                                          "label": choice.get("label", choice.get("name", "")),
                                          "children": expand(inner, survey_rows, start), RAW: {}})
            out.append(group)
        elif child.get("type") in ("group", "repeat") and child.get("children"):
            out.append({**child, "children": expand(child["children"], survey_rows, start)})
        else:
            out.append(child)
    return out
