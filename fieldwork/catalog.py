"""The criteria folder, read once: codes, frameworks, questionnaires and inspections.

The folder is ``criteria/`` beside the package (or ``FIELDWORK_CRITERIA_DIR``). Every file is
checked on load; one bad file refuses the whole catalog with the file and fault named.
"""

from __future__ import annotations

import re

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fieldwork.problem_codes import BAD_CASE_REF_PATTERN, UNKNOWN_FRAMEWORK, UNKNOWN_QUESTIONNAIRE
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire.codebook import Codebook, load_codebook
from fieldwork.questionnaire.framework import Codes, Framework, load_codes, load_framework, read_toml
from fieldwork.questionnaire.loader import load_questionnaire
from fieldwork.questionnaire.model import Questionnaire

ROOT = Path(__file__).resolve().parent.parent


def criteria_dir() -> Path:
    return Path(os.environ.get("FIELDWORK_CRITERIA_DIR") or ROOT / "criteria")


@dataclass(frozen=True)
class SamplePlan:
    questionnaire: str
    default_target: int
    targets: dict[str, int]  # force code -> cases to review

    def target(self, force: str) -> int:
        return self.targets.get(force, self.default_target)


@dataclass(frozen=True)
class InspectionSpec:
    id: str
    name: str
    title: str
    framework: str
    questionnaires: tuple[str, ...]
    samples: tuple[SamplePlan, ...] = field(default=())
    case_ref_pattern: str | None = None  # the form of its case references (fieldwork.services.case_refs)

    def sample(self, questionnaire: str) -> SamplePlan | None:
        return next((s for s in self.samples if s.questionnaire == questionnaire), None)


@dataclass(frozen=True)
class Catalog:
    codes: Codes
    frameworks: dict[str, Framework]
    questionnaires: dict[str, Questionnaire]
    inspections: dict[str, InspectionSpec]
    codebooks: dict[str, Codebook] = field(default_factory=dict)  # framework id -> its codebook


def _inspection(path: Path, known: dict[str, Questionnaire], frameworks: dict[str, Framework]) -> InspectionSpec:
    data = read_toml(path)
    head = data.get("inspection", {})
    spec = InspectionSpec(
        id=str(head.get("id", "")), name=str(head.get("name", "")), title=str(head.get("title", "")),
        framework=str(head.get("framework", "")), questionnaires=tuple(head.get("questionnaires", [])),
        samples=tuple(SamplePlan(str(s["questionnaire"]), int(s.get("default_target", 0)),
                                 {str(k): int(v) for k, v in s.get("targets", {}).items()})
                      for s in data.get("samples", [])),
        case_ref_pattern=str(head["case_ref_pattern"]) if head.get("case_ref_pattern") else None,
    )
    problems = [Problem(UNKNOWN_QUESTIONNAIRE, f"questionnaire {q!r} is not in criteria/questionnaires", source=path.name, item=q)
                for q in spec.questionnaires if q not in known]
    if spec.framework not in frameworks:
        problems.append(Problem(UNKNOWN_FRAMEWORK, f"framework {spec.framework!r} is not known", source=path.name))
    if spec.case_ref_pattern:
        try:
            re.compile(spec.case_ref_pattern)
        except re.error as exc:
            problems.append(Problem(BAD_CASE_REF_PATTERN, f"case_ref_pattern is not a regular expression ({exc})",
                                    source=path.name, field="case_ref_pattern"))
    if problems:
        raise ProblemError(problems, f"inspection {path.name} was refused")
    return spec


@lru_cache(maxsize=4)
def load_catalog(directory: str | None = None) -> Catalog:
    root = Path(directory) if directory else criteria_dir()
    codes = load_codes(root / "codes.toml")
    frameworks = {f.id: f for f in (load_framework(p) for p in sorted((root / "frameworks").glob("*.toml")))}
    questionnaires = {}
    for p in sorted((root / "questionnaires").glob("*.toml")):
        q = load_questionnaire(p, frameworks, codes.as_choice_lists())
        questionnaires[q.id] = q
    inspections = {i.id: i for i in (_inspection(p, questionnaires, frameworks)
                                     for p in sorted((root / "inspections").glob("*.toml")))}
    codebooks = {c.framework: c for c in (load_codebook(p, frameworks)
                                          for p in sorted((root / "codebooks").glob("*.toml")))}
    return Catalog(codes, frameworks, questionnaires, inspections, codebooks)
