"""Inspection frameworks (Annex A, Table 1) and the shared codes (forces, CPS Areas)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from fieldwork.problem_codes import (
    BAD_CRITERION, BAD_SCALE, MALFORMED_FILE, MISSING_FIELD, UNKNOWN_CODE, UNREADABLE_FILE,
)
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire.model import Choice


@dataclass(frozen=True)
class SpecificCriterion:
    id: str
    text: str


@dataclass(frozen=True)
class GeneralCriterion:
    id: str
    text: str
    specific: tuple[SpecificCriterion, ...]


LEANINGS = ("favourable", "mixed", "unfavourable")


@dataclass(frozen=True)
class Grade:
    """One step of the scale criteria are judged on (e.g. met / partially met / not met)."""

    code: str
    label: str
    leaning: str  # favourable | mixed | unfavourable: which way the grade points


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    source: str
    general: tuple[GeneralCriterion, ...]
    scale: tuple[Grade, ...] = ()  # best grade first; empty: the framework's criteria are not judged

    def grade(self, code: str) -> Grade | None:
        return next((g for g in self.scale if g.code == code), None)

    @property
    def specific_ids(self) -> list[str]:
        return [s.id for g in self.general for s in g.specific]

    def specific(self, id: str) -> SpecificCriterion:
        return next(s for g in self.general for s in g.specific if s.id == id)


@dataclass(frozen=True)
class Codes:
    forces: tuple[Choice, ...]
    cps_areas: tuple[Choice, ...]
    force_area: dict[str, str]  # force code -> CPS Area code

    def as_choice_lists(self) -> dict[str, tuple[Choice, ...]]:
        return {"forces": self.forces, "cps_areas": self.cps_areas}


def read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ProblemError([Problem(MALFORMED_FILE, f"not valid TOML: {exc}", source=path.name)]) from None
    except OSError as exc:
        raise ProblemError([Problem(UNREADABLE_FILE, f"cannot be read: {exc.strerror}", source=str(path))]) from None


def load_framework(path: Path) -> Framework:
    data = read_toml(path)
    problems: list[Problem] = []
    head = data.get("framework", {})
    general = []
    seen: set[str] = set()
    for g in data.get("general", []):
        specific = []
        for s in g.get("specific", []):
            sid = str(s.get("id", ""))
            if not sid or sid in seen or not str(s.get("text", "")).strip():
                problems.append(Problem(BAD_CRITERION, "specific criterion needs a unique id and text", source=path.name, item=sid or None))
            seen.add(sid)
            specific.append(SpecificCriterion(sid, str(s.get("text", "")).strip()))
        general.append(GeneralCriterion(str(g.get("id", "")), str(g.get("text", "")).strip(), tuple(specific)))
    if not head.get("id"):
        problems.append(Problem(MISSING_FIELD, "[framework] needs an id", source=path.name, field="id"))
    scale = _scale(data.get("scale", []), path.name, problems)
    if problems:
        raise ProblemError(problems, f"framework {path.name} was refused")
    return Framework(str(head["id"]), str(head.get("title", "")), str(head.get("source", "")), tuple(general),
                     scale)


def _scale(entries, source: str, problems: list[Problem]) -> tuple[Grade, ...]:
    """The judgement scale (``[[scale]]``): unique codes, a label each, a known leaning, and at
    least two grades (one grade judges nothing)."""
    if not isinstance(entries, list):
        problems.append(Problem(BAD_SCALE, "[[scale]] must be a list of grades", source=source, field="scale"))
        return ()
    grades, seen = [], set()
    for entry in entries:
        code = str(entry.get("code", "")).strip() if isinstance(entry, dict) else ""
        label = str(entry.get("label", "")).strip() if isinstance(entry, dict) else ""
        leaning = str(entry.get("leaning", "")).strip() if isinstance(entry, dict) else ""
        if not code or code in seen or not label:
            problems.append(Problem(BAD_SCALE, "every grade needs a unique code and a label", source=source,
                                    field="scale", item=code or None, item_kind="grade"))
        if leaning not in LEANINGS:
            problems.append(Problem(BAD_SCALE, f"leaning {leaning!r} is not one of {', '.join(LEANINGS)}",
                                    source=source, field="leaning", item=code or None, item_kind="grade"))
        seen.add(code)
        grades.append(Grade(code, label, leaning))
    if len(grades) == 1:
        problems.append(Problem(BAD_SCALE, "a scale needs at least two grades", source=source, field="scale"))
    return tuple(grades)


def load_codes(path: Path) -> Codes:
    data = read_toml(path)
    forces = tuple(Choice(str(f["code"]), str(f["label"])) for f in data.get("forces", []))
    areas = tuple(Choice(str(a["code"]), str(a["label"])) for a in data.get("cps_areas", []))
    mapping = {str(f["code"]): str(f.get("cps_area", "")) for f in data.get("forces", [])}
    area_codes = {a.code for a in areas}
    bad = [Problem(UNKNOWN_CODE, f"force {f!r} names CPS Area {a!r}, which is not listed", source=path.name, item=f)
           for f, a in mapping.items() if a not in area_codes]
    if bad:
        raise ProblemError(bad, f"{path.name} was refused")
    return Codes(forces, areas, mapping)
