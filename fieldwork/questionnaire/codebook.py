"""The codebook: the codes inspectors tag passages of interview, focus group and document notes
with (``criteria/codebooks/FRAMEWORK.toml``), checked on load like every criteria file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fieldwork.problem_codes import BAD_CODE, MISSING_CODE, UNKNOWN_FRAMEWORK
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire.framework import Framework, read_toml

CODE_LEANINGS = ("favourable", "mixed", "unfavourable", "neutral")
# The codes issue 14 names: every codebook must offer at least these.
REQUIRED_CODES = ("strength", "area_for_improvement", "good_practice", "risk")


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    leaning: str
    description: str = ""


@dataclass(frozen=True)
class Codebook:
    framework: str
    title: str
    codes: tuple[Code, ...]

    def code(self, code: str) -> Code | None:
        return next((c for c in self.codes if c.code == code), None)

    @property
    def code_ids(self) -> list[str]:
        return [c.code for c in self.codes]


def load_codebook(path: Path, frameworks: dict[str, Framework]) -> Codebook:
    data = read_toml(path)
    head = data.get("codebook", {}) if isinstance(data.get("codebook"), dict) else {}
    framework = str(head.get("framework", "")).strip()
    problems: list[Problem] = []
    if framework not in frameworks:
        problems.append(Problem(UNKNOWN_FRAMEWORK, f"framework {framework!r} is not in criteria/frameworks",
                                source=path.name, field="framework"))
    codes, seen = [], set()
    entries = data.get("codes", [])
    for entry in entries if isinstance(entries, list) else []:
        entry = entry if isinstance(entry, dict) else {}
        code, label = str(entry.get("code", "")).strip(), str(entry.get("label", "")).strip()
        leaning = str(entry.get("leaning", "neutral")).strip()
        if not code or code in seen or not label:
            problems.append(Problem(BAD_CODE, "every code needs a unique code and a label", source=path.name,
                                    field="codes", item=code or None, item_kind="code"))
        elif not code.replace("_", "").isalnum() or not code.islower():
            problems.append(Problem(BAD_CODE, "a code is lower-case letters, digits and _", source=path.name,
                                    field="code", item=code, item_kind="code"))
        if leaning not in CODE_LEANINGS:
            problems.append(Problem(BAD_CODE, f"leaning {leaning!r} is not one of {', '.join(CODE_LEANINGS)}",
                                    source=path.name, field="leaning", item=code or None, item_kind="code"))
        seen.add(code)
        codes.append(Code(code, label, leaning, str(entry.get("description", "")).strip()))
    for required in REQUIRED_CODES:
        if required not in seen:
            problems.append(Problem(MISSING_CODE, f"the codebook must offer the code {required!r}",
                                    source=path.name, field="codes", item=required, item_kind="code"))
    if problems:
        raise ProblemError(problems, f"codebook {path.name} was refused")
    return Codebook(framework, str(head.get("title", "")), tuple(codes))
