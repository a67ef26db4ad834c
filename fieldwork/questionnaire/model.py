"""The questionnaire as plain objects: what an assessment asks, and how its answers count.

Built only by ``loader.build_questionnaire`` (from a TOML file or an XLSForm), which checks
it; the objects themselves trust their contents.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Mapping

from fieldwork import expr

if TYPE_CHECKING:
    from fieldwork.problems import Problem

NOT_KNOWN = "not_known"
NOT_APPLICABLE = "na"
SINGLE_CHOICE = "select_one"
MULTIPLE_CHOICE = "select_multiple"
# Every XLSForm question type (names as xlsform.org writes them), by how the tool treats it.
CHOICE_TYPES = ("select_one", "select_multiple", "rank")
NUMBER_TYPES = ("integer", "decimal", "range")
DATE_TYPES = ("date", "time", "datetime")
TEXT_TYPES = ("text", "barcode", "geopoint", "geotrace", "geoshape")
METADATA_TYPES = ("start", "end", "today", "deviceid", "username", "audit", "email", "phonenumber", "simserial",
                  "subscriberid", "start-geopoint", "background-geopoint", "hidden", "xml-external",
                  "csv-external")
MEDIA_TYPES = ("image", "audio", "video", "file", "background-audio")
QUESTION_TYPES = (*CHOICE_TYPES, *NUMBER_TYPES, *DATE_TYPES, *TEXT_TYPES, "acknowledge", "calculate",
                  *METADATA_TYPES, *MEDIA_TYPES)


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    columns: Mapping[str, str] = field(default_factory=dict)  # other choices-sheet columns (choice_filter)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    guidance: str = ""
    relevant: str = ""  # a group's skip logic: applies to every question in the section
    repeat: str = ""  # the innermost repeat group holding the section: its questions are asked once per entry


@dataclass(frozen=True)
class Repeat:
    """A repeat group (``begin repeat``): its sections' questions are answered once per entry
    (every incident, every PIN). Stored answers carry the entry's instance path
    (``incident[2]/pin[1]``)."""

    name: str
    label: str
    parent: str = ""  # the repeat group it sits in ("" at the top level)
    count: str = ""  # repeat_count / jr:count: a number or an expression fixing how many entries
    relevant: str = ""  # the group's own skip logic (entries are asked only where it holds)
    min_entries: int = 0  # fewest entries (0: none required); "parameters" min=N on the begin repeat row
    max_entries: int = 0  # most entries (0: no limit); max=N


@dataclass(frozen=True)
class Question:
    name: str
    section: str
    type: str
    label: str
    guidance: str = ""
    choices: str | None = None  # name of the answer set, select_one only
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    constraint_message: str = ""
    criteria: tuple[str, ...] = ()
    findings: Mapping[str, str] = field(default_factory=dict)  # answer code -> sentence template
    footnotes: Mapping[str, str] = field(default_factory=dict)  # "not_known"/"not_applicable" -> template
    # XLSForm columns beyond the first questionnaires' (left out of to_dict while unset, so
    # the stored definitions and content hashes of existing questionnaires do not change)
    calculation: str = ""
    choice_filter: str = ""
    default: str = ""
    read_only: bool = False
    required_message: str = ""
    appearance: str = ""
    parameters: Mapping[str, str] = field(default_factory=dict)  # range start/end/step, ...

    @property
    def is_single_choice(self) -> bool:
        return self.type == SINGLE_CHOICE

    @property
    def is_multiple_choice(self) -> bool:
        return self.type in (MULTIPLE_CHOICE, "rank")

    @property
    def is_number(self) -> bool:
        return self.type in NUMBER_TYPES

    @property
    def is_computed(self) -> bool:
        return self.type == "calculate"


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    population: str  # expression; "" means every case
    condition: str
    criteria: tuple[str, ...] = ()
    text: str = ""
    footnote: str = ""


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: str
    title: str
    framework: str
    description: str
    choices: Mapping[str, tuple[Choice, ...]]
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    indicators: tuple[Indicator, ...] = ()
    repeats: tuple[Repeat, ...] = ()
    # what the import says but does not refuse (a rule comparing with a code not in its list);
    # not part of the questionnaire itself, so not compared, stored or hashed
    warnings: tuple[Problem, ...] = field(default=(), compare=False, repr=False)

    # --- look-ups -------------------------------------------------------------------

    @cached_property
    def _by_name(self) -> dict[str, Question]:
        return {q.name: q for q in self.questions}

    def question(self, name: str) -> Question:
        return self._by_name[name]

    def has_question(self, name: str) -> bool:
        return name in self._by_name

    def repeat_of(self, name: str) -> str:
        """The innermost repeat group a question is in ("" for none)."""
        section = self._sections.get(self._by_name[name].section)
        return section.repeat if section else ""

    def repeat(self, name: str) -> Repeat:
        return next(r for r in self.repeats if r.name == name)

    def repeat_chain(self, repeat: str) -> list[str]:
        """The repeat groups from the outermost to ``repeat`` itself."""
        by_name = {r.name: r for r in self.repeats}
        chain = []
        while repeat:
            chain.insert(0, repeat)
            repeat = by_name[repeat].parent
        return chain

    @cached_property
    def _sections(self) -> dict[str, Section]:
        return {s.id: s for s in self.sections}

    def indicator(self, id: str) -> Indicator:
        return next(i for i in self.indicators if i.id == id)

    def options(self, name: str) -> tuple[Choice, ...]:
        """The answer set of a choice question (empty for other types)."""
        q = self._by_name[name]
        if not q.choices:
            return ()
        items = self.choices[q.choices]
        if len({c.code for c in items}) == len(items):
            return items
        seen: set[str] = set()  # a list with allow_choice_duplicates: each code once, first label
        return tuple(c for c in items if not (c.code in seen or seen.add(c.code)))

    def codes(self, name: str) -> list[str]:
        return [c.code for c in self.options(name)]

    def label_of(self, name: str, code: str | None) -> str:
        for c in self.options(name):
            if c.code == code:
                return c.label
        return "" if code is None else str(code)

    def questions_in(self, section_id: str) -> list[Question]:
        return [q for q in self.questions if q.section == section_id]

    @property
    def single_choice_questions(self) -> list[Question]:
        return [q for q in self.questions if q.is_single_choice]

    @property
    def multiple_choice_questions(self) -> list[Question]:
        return [q for q in self.questions if q.is_multiple_choice]

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def rule(self, question: Question) -> str:
        """The question's whole skip logic: its group's relevant and its own."""
        section = self.section(question.section)
        parts = [r for r in ((section.relevant if section else ""), question.relevant) if r]
        return " and ".join(f"({p})" for p in parts) if len(parts) > 1 else (parts[0] if parts else "")

    @cached_property
    def _parsed(self) -> dict[str, expr.Node]:
        return {q.name: expr.parse(self.rule(q)) for q in self.questions if self.rule(q)}

    @cached_property
    def _calculations(self) -> dict[str, expr.Node]:
        return {q.name: expr.parse(q.calculation) for q in self.questions if q.calculation}

    @cached_property
    def _order(self) -> tuple[Question, ...]:
        """The questions in the order their values can be worked out: each after those its
        calculation and skip logic name (XLSForm lets them name a later question), else in
        the form's order. The loader refuses a circle, so every question finds its place."""
        needs: dict[str, set[str]] = {}
        for q in self.questions:
            names: set[str] = set()
            for node in (self._calculations.get(q.name), self._parsed.get(q.name)):
                names |= set(expr.variables(node)) if node is not None else set()
            needs[q.name] = {n for n in names if n != q.name and self.has_question(n)}
        done: dict[str, Question] = {}
        while len(done) < len(self.questions):
            ready = [q for q in self.questions if q.name not in done and needs[q.name] <= done.keys()]
            for q in ready or [q for q in self.questions if q.name not in done][:1]:
                done[q.name] = q
        return tuple(done.values())

    def with_calculations(self, answers: Mapping[str, object]) -> dict[str, object]:
        """The answers with every ``calculate`` worked out again, each after the ones it uses
        (``_order``). A calculation that cannot be worked out is blank; one using
        ``now()``/``today()`` keeps the value given (a device's, fixed when it was filled in)."""
        out = dict(answers)
        for q in self._order:
            node = self._calculations.get(q.name)
            if node is None or not q.is_computed:
                continue
            if expr.uses_clock(node) and out.get(q.name) not in (None, ""):
                continue
            out[q.name] = expr.calculate(node, out, choice_label=self.label_of)
        return out

    # --- skip logic -----------------------------------------------------------------

    def relevant_names(self, answers: Mapping[str, object]) -> set[str]:
        """Questions asked, given these answers. Each rule is worked out after the questions it
        names (``_order``), so one pass is enough; an answer to a question that is not asked
        counts as blank for the rules that name it."""
        asked: set[str] = set()
        seen: dict[str, object] = {}
        for q in self._order:
            rule = self._parsed.get(q.name)
            # a group's rule may name a question inside it (CHT's ./source): that one sees its own answer
            if rule is None or expr.evaluate(rule, {**seen, q.name: answers.get(q.name)},
                                             self_value=answers.get(q.name)):
                asked.add(q.name)
                seen[q.name] = answers.get(q.name)
        return asked

    def irrelevant_answers(self, answers: Mapping[str, object]) -> list[str]:
        """Names of questions that hold an answer although skip logic hides them."""
        asked = self.relevant_names(answers)
        return [q.name for q in self.questions if q.name not in asked and answers.get(q.name) not in (None, "")]

    def missing_required(self, answers: Mapping[str, object]) -> list[str]:
        """Required questions that are asked but not answered, in questionnaire order."""
        asked = self.relevant_names(answers)
        return [
            q.name for q in self.questions
            if q.required and q.name in asked and answers.get(q.name) in (None, "")
        ]

    def constraint_failures(self, answers: Mapping[str, object]) -> list[str]:
        """Answered questions whose constraint does not hold (``.`` is not used: the rule names
        the variable itself)."""
        failures = []
        for q in self.questions:
            if q.constraint and answers.get(q.name) not in (None, ""):
                if not expr.evaluate(q.constraint, answers, self_value=answers.get(q.name)):
                    failures.append(q.name)
        return failures

    # --- identity -------------------------------------------------------------------

    def to_dict(self) -> dict:
        """Plain, canonical form: what is stored with each version and compared on round trips."""
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "framework": self.framework,
            "description": self.description,
            "choices": {k: [_without_defaults(asdict(c), Choice) for c in v] for k, v in self.choices.items()},
            "sections": [_without_defaults(asdict(s), Section) for s in self.sections],
            "questions": [
                _without_defaults({**asdict(q), "criteria": list(q.criteria), "findings": dict(q.findings),
                                   "footnotes": dict(q.footnotes), "parameters": dict(q.parameters)}, Question)
                for q in self.questions
            ],
            "indicators": [{**asdict(i), "criteria": list(i.criteria)} for i in self.indicators],
            # only where there are some: the stored forms and hashes of the others do not change
            **({"repeats": [_without_defaults(asdict(r), Repeat) for r in self.repeats]} if self.repeats else {}),
        }

    @cached_property
    def content_hash(self) -> str:
        text = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


_LATER_FIELDS = {
    Choice: {"columns": {}},
    Section: {"relevant": "", "repeat": ""},
    Repeat: {"min_entries": 0, "max_entries": 0},
    Question: {"calculation": "", "choice_filter": "", "default": "", "read_only": False, "required_message": "",
               "appearance": "", "parameters": {}},
}


def _without_defaults(d: dict, cls) -> dict:
    return {k: v for k, v in d.items() if not (k in _LATER_FIELDS[cls] and v == _LATER_FIELDS[cls][k])}


def questionnaire_from_dict(d: Mapping) -> Questionnaire:
    """Rebuild from ``Questionnaire.to_dict()`` (a stored version, already checked when added)."""
    return Questionnaire(
        id=d["id"], version=d["version"], title=d.get("title", ""), framework=d.get("framework", ""),
        description=d.get("description", ""),
        choices={k: tuple(Choice(**c) for c in v) for k, v in d.get("choices", {}).items()},
        sections=tuple(Section(**s) for s in d.get("sections", [])),
        questions=tuple(Question(**{**q, "criteria": tuple(q.get("criteria", ()))}) for q in d.get("questions", [])),
        indicators=tuple(Indicator(**{**i, "criteria": tuple(i.get("criteria", ()))}) for i in d.get("indicators", [])),
        repeats=tuple(Repeat(**r) for r in d.get("repeats", [])),
    )
