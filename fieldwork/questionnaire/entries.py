"""Entries of repeat groups: which entries an assessment has, and what each one asks.

An answer inside a repeat belongs to an entry, named by its instance path: the repeat's name
and the entry's number, 1-based as XPath and ODK count, one step per repeat from the
outermost (``incident[2]``, ``incident[2]/pin[1]``). A question outside any repeat has the
instance path "". Answers are held in one flat mapping keyed by *slot*: the question's name
alone outside a repeat, else ``instance/question`` (``incident[2]/when``); XLSForm names never
hold ``/`` or ``[``, so a slot reads back unambiguously.

Which entries exist: those with any stored row (an answer, a note, or the blank row that adding
an entry writes), every entry before them (removing an entry renumbers the later ones, as ODK
does, so there are no gaps), and at least the form's minimum; a repeat with a ``repeat_count``
(``jr:count``) has exactly that many, worked out from the answers. Skip logic, calculations and
constraints inside an entry see the entry's own answers, those of the entries around it and
the case's: ``${when}`` in an incident means that incident's date, as in ODK.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Mapping

from fieldwork import expr
from fieldwork.questionnaire.model import Question, Questionnaire, Repeat

MAX_ENTRIES = 500  # a worked-out count above this is a mistake in the form, not 500 incidents to draw
_STEP = re.compile(r"([^\W\d][\w.\-]*)\[([1-9][0-9]*)\]")  # an XML name (letters of any script), then [n]


def slot(instance: str, question: str) -> str:
    """The key of one answer in an assessment's answers."""
    return f"{instance}/{question}" if instance else question


def split(key: str) -> tuple[str, str]:
    """(instance path, question name) of a slot: the leading ``name[n]`` steps are the instance,
    the rest the question's key, which may itself be a group path (``victim/age``, a loop's
    ``contacts/police/made``: a name used twice is keyed so, xlsform_paths)."""
    parts = key.split("/")
    k = 0
    while k < len(parts) - 1 and _STEP.fullmatch(parts[k]):
        k += 1
    return "/".join(parts[:k]), "/".join(parts[k:])


def steps(instance: str) -> list[tuple[str, int]]:
    """``incident[2]/pin[1]`` -> [("incident", 2), ("pin", 1)]; ValueError if malformed."""
    if not instance:
        return []
    out = []
    for part in instance.split("/"):
        m = _STEP.fullmatch(part)
        if not m:
            raise ValueError(f"{instance!r} is not an instance path like incident[2]/pin[1]")
        out.append((m.group(1), int(m.group(2))))
    return out


def is_path(instance: str) -> bool:
    """Whether ``instance`` reads as an instance path ("" included: the case itself)."""
    try:
        steps(instance)
    except ValueError:
        return False
    return True


def path(parent: str, repeat: str, index: int) -> str:
    return f"{parent}/{repeat}[{index}]" if parent else f"{repeat}[{index}]"


def parent_of(instance: str) -> str:
    return instance.rpartition("/")[0]


def index_of(instance: str) -> int:
    return steps(instance)[-1][1]


def renumbered(instance: str, removed: str) -> str:
    """The new path of ``instance`` once the entry ``removed`` is gone and the later entries of
    its repeat have moved down one (unchanged if unaffected; the removed entry's own paths are
    returned as they are: they go)."""
    parent, (repeat, index) = parent_of(removed), steps(removed)[-1]
    prefix = f"{parent}/" if parent else ""
    if not instance or not instance.startswith(prefix):
        return instance
    head, _, rest = instance[len(prefix):].partition("/")
    name, at = steps(head)[0]
    if name != repeat or at <= index:
        return instance
    return prefix + f"{repeat}[{at - 1}]" + (f"/{rest}" if rest else "")


def touched_by_removal(instance: str, removed: str) -> bool:
    """Whether removing ``removed`` deleted or renumbered ``instance``."""
    return instance == removed or instance.startswith(removed + "/") or renumbered(instance, removed) != instance


def instance_problem(questionnaire: Questionnaire, key: str) -> str | None:
    """Why a slot cannot hold an answer (its path does not match the question's repeats), or None."""
    instance, name = split(key)
    repeat = questionnaire.repeat_of(name)
    try:
        names = [n for n, _ in steps(instance)]
    except ValueError as exc:
        return str(exc)
    chain = questionnaire.repeat_chain(repeat) if repeat else []
    if names != chain:
        if not chain:
            return "is asked once per case, not per entry of a repeat group"
        return f"is asked in each entry of {'/'.join(chain)}: give the entry, e.g. {path('', chain[0], 1)}"
    return None


def title(questionnaire: Questionnaire, instance: str) -> str:
    """How a person names an entry: "Incident 2", "Incident 2 › PIN issued 1"."""
    labels = {r.name: r.label or r.name for r in questionnaire.repeats}
    return " › ".join(f"{labels.get(n, n)} {i}" for n, i in steps(instance))


@dataclass(frozen=True)
class Entry:
    repeat: str
    path: str
    index: int
    parent: str  # the path of the entry it sits in ("" at the top level)


@dataclass
class Entries:
    """What a set of answers makes of the questionnaire's repeats.

    ``answers``: slot -> value (blank answers may be left out); ``instances``: the instance
    paths of every stored row (blank rows included: an entry just added has no answer yet)."""

    questionnaire: Questionnaire
    answers: Mapping[str, object]
    instances: Iterable[str] = ()
    entries: list[Entry] = field(default_factory=list, init=False)
    asked: set[str] = field(default_factory=set, init=False)  # slots asked
    values: dict[str, object] = field(default_factory=dict, init=False)  # answers with entries' calculations
    _seen: dict[str, dict] = field(default_factory=dict, init=False)  # path -> asked answers in reach
    _full: dict[str, dict] = field(default_factory=dict, init=False)  # path -> every answer in reach
    _open: set[tuple[str, str]] = field(default_factory=set, init=False)  # (repeat, parent) asked
    # every entry's answers, for expressions reading the entries of a repeat from outside it (below)
    _entry_values: dict[str, dict] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        q = self.questionnaire
        # the case's calculations worked out (a fixed repeat_count is one: pyxform's ${x_count})
        self.values = q.with_calculations(self.answers) if q.repeats else dict(self.answers)
        self._stored_max: dict[tuple[str, str], int] = {}
        for instance in {*self.instances, *(split(k)[0] for k in self.answers)}:
            if not instance:
                continue
            try:
                parts = steps(instance)
            except ValueError:
                continue
            parent = ""
            for name, index in parts:
                key = (name, parent)
                self._stored_max[key] = max(self._stored_max.get(key, 0), index)
                parent = path(parent, name, index)
        top = {k: v for k, v in self.values.items() if "[" not in k}
        self._scope("", "", {}, top)
        if self._reaching:
            self._with_entries(top)

    # --- expressions reading entries from outside them -------------------------------------
    #
    # A rule of the case (or of an entry around a repeat) may read the entries of a repeat:
    # count(${pin}), sum(${days}), ${served} = 'in_person' (true when any entry makes it so:
    # fieldwork.expr, as the indicators count it in SQL). The entries' answers are known only
    # once the case's questions are asked, so the scopes are worked out again with every
    # entry's answers in view, until they settle (a rule opened by the entries may change what an
    # entry asks; three rounds at most: a form going round in circles is not worked out further).

    @cached_property
    def _reaching(self) -> bool:
        """Whether any rule reads a question asked per entry, or a repeat, from outside it."""
        q = self.questionnaire
        if not q.repeats:
            return False
        repeat_of = {r.name: r.name for r in q.repeats}
        repeat_of.update({x.name: q.repeat_of(x.name) for x in q.questions if q.repeat_of(x.name)})
        rules = [(r.parent, expr.parse(r.relevant)) for r in q.repeats if r.relevant]
        for x in q.questions:
            where = q.repeat_of(x.name)
            rules += [(where, node) for node in (q._parsed.get(x.name), q._calculations.get(x.name)) if node]
            rules += [(where, expr.parse(x.constraint))] if x.constraint else []
        for where, rule in rules:
            around = set(q.repeat_chain(where)) if where else set()
            if any(isinstance(n, expr.Var) and repeat_of.get(n.name, "") not in ("", *around) for n in expr.walk(rule)):
                return True
        return False

    @cached_property
    def _repeat_of(self) -> dict[str, str]:
        q = self.questionnaire
        out = {x.name: q.repeat_of(x.name) for x in q.questions}
        out.update({f"#{r.name}": r.name for r in q.repeats})  # every repeat named, even one with no question
        return out

    def _in_view(self, values: Mapping, instance: str) -> Mapping:
        """What an expression in ``instance`` is evaluated with: ``values`` and, once known, the entries."""
        if self._entry_values is None:
            return values
        return expr.with_entries(values, self._entry_values, self._repeat_of, instance)

    def _answers_by_entry(self) -> dict[str, dict]:
        out = {}
        for e in self.entries:
            out[e.path] = {x.name: self.values.get(slot(e.path, x.name)) for x in self._own.get(e.repeat, [])
                           if slot(e.path, x.name) in self.asked}
        return out

    def _with_entries(self, top: dict) -> None:
        q = self.questionnaire
        for _ in range(3):
            found = self._answers_by_entry()
            if found == self._entry_values:
                return
            self._entry_values = found
            self.entries, self.asked, self._seen, self._full, self._open = [], set(), {}, {}, set()
            self.values = q.with_calculations(self.answers)
            self._scope("", "", {}, top)

    # --- working it out ---------------------------------------------------------------

    @cached_property
    def _own(self) -> dict[str, list[Question]]:
        out: dict[str, list[Question]] = {}
        for question in self.questionnaire.questions:
            out.setdefault(self.questionnaire.repeat_of(question.name), []).append(question)
        return out

    def _scope(self, repeat: str, instance: str, seen: dict, full: dict) -> None:
        """Ask the questions of one entry (or of the case, repeat ""), then its repeats' entries."""
        q = self.questionnaire
        seen, full = dict(seen), dict(full)
        for question in self._own.get(repeat, []):
            key = slot(instance, question.name)
            if question.is_computed and question.calculation and (repeat or self._entry_values is not None):
                node = q._calculations[question.name]
                if not (expr.uses_clock(node) and self.values.get(key) not in (None, "")):
                    worked = expr.calculate(node, self._in_view({**full, **seen}, instance), choice_label=q.label_of)
                    self.values[key] = worked
                    if not repeat:
                        full[question.name] = worked
            value = self.values.get(key)
            if repeat:
                full[question.name] = value
            rule = q._parsed.get(question.name)
            if rule is None or expr.evaluate(rule, self._in_view(seen, instance), self_value=value):
                self.asked.add(key)
                seen[question.name] = value
        self._seen[instance], self._full[instance] = seen, full
        for child in (r for r in q.repeats if r.parent == repeat):
            self._entries_of(child, instance, seen, full)

    def _entries_of(self, repeat: Repeat, parent: str, seen: dict, full: dict) -> None:
        if not repeat.relevant or expr.evaluate(repeat.relevant, self._in_view(seen, parent)):
            self._open.add((repeat.name, parent))
        for index in range(1, self.count(repeat, parent, seen) + 1):
            entry = Entry(repeat.name, path(parent, repeat.name, index), index, parent)
            self.entries.append(entry)
            self._scope(repeat.name, entry.path, seen, full)

    def count(self, repeat: Repeat, parent: str, seen: Mapping | None = None) -> int:
        """How many entries the repeat has in its parent entry."""
        if repeat.count:
            context = self._seen.get(parent, {}) if seen is None else seen
            worked = expr.calculate(repeat.count, context, choice_label=self.questionnaire.label_of)
            try:
                return max(0, min(int(float(worked)), MAX_ENTRIES))
            except (TypeError, ValueError):
                return 0
        return max(self._stored_max.get((repeat.name, parent), 0), repeat.min_entries)

    # --- reading it -------------------------------------------------------------------

    def under(self, repeat: str, parent: str | None = None) -> list[Entry]:
        """The repeat's entries (in one parent entry, or in all of them)."""
        return [e for e in self.entries if e.repeat == repeat and (parent is None or e.parent == parent)]

    def parents(self, repeat: str) -> list[str]:
        """The entries a repeat's entries can sit in ("" for a top-level repeat)."""
        parent = self.questionnaire.repeat(repeat).parent
        return [e.path for e in self.under(parent)] if parent else [""]

    def is_open(self, repeat: str, parent: str) -> bool:
        """The repeat's own skip logic holds in that parent entry (entries may be added)."""
        return (repeat, parent) in self._open

    def context(self, instance: str) -> dict:
        """The answers an expression inside this entry sees, by bare question name."""
        return dict(self._full.get(instance, {}))

    def add_refusal(self, repeat: str, parent: str) -> str | None:
        """Why an entry cannot be added there now, or None."""
        r = self.questionnaire.repeat(repeat)
        if r.count:
            return f"the form sets how many entries of “{r.label}” there are ({r.count})"
        if parent and parent not in {e.path for e in self.entries}:
            return f"{title(self.questionnaire, parent) or parent} does not exist"
        if not self.is_open(repeat, parent):
            return f"“{r.label}” is not asked here ({r.relevant})"
        if r.max_entries and len(self.under(repeat, parent)) >= r.max_entries:
            return f"“{r.label}” takes at most {r.max_entries} entries"
        return None

    def remove_refusal(self, instance: str) -> str | None:
        entry = next((e for e in self.entries if e.path == instance), None)
        if entry is None:
            return f"{title(self.questionnaire, instance)} does not exist (removed elsewhere?)"
        r = self.questionnaire.repeat(entry.repeat)
        if r.count:
            return f"the form sets how many entries of “{r.label}” there are ({r.count})"
        if r.min_entries and len(self.under(entry.repeat, entry.parent)) <= r.min_entries:
            return f"“{r.label}” needs at least {r.min_entries} entries"
        return None

    def exists(self, instance: str) -> bool:
        return not instance or any(e.path == instance for e in self.entries)

    def irrelevant(self) -> list[str]:
        """Slots holding an answer that is not asked (skip logic, or an entry beyond the count)."""
        return [k for k, v in self.answers.items() if v not in (None, "") and k not in self.asked]

    def missing_required(self) -> list[str]:
        """Required slots asked and not answered: the case's, then entry by entry."""
        order = [""] + [e.path for e in self.entries]
        out = []
        for instance in order:
            repeat = steps(instance)[-1][0] if instance else ""
            for question in self._own.get(repeat, []):
                key = slot(instance, question.name)
                if question.required and key in self.asked and self.values.get(key) in (None, ""):
                    out.append(key)
        return out

    def constraint_failures(self) -> list[str]:
        """Answered slots whose constraint does not hold (evaluated in the slot's entry)."""
        out = []
        for key, value in self.answers.items():
            instance, name = split(key)
            if not self.questionnaire.has_question(name) or value in (None, ""):
                continue
            question = self.questionnaire.question(name)
            if question.constraint:
                context = {**self._full.get(instance, {}), name: value} if instance else self.answers
                if not expr.evaluate(question.constraint, self._in_view(context, instance), self_value=value):
                    out.append(key)
        return out

    def too_many(self) -> list[tuple[str, str, int]]:
        """(repeat, parent, entries) where there are more entries than the form allows."""
        out = []
        for r in self.questionnaire.repeats:
            if r.max_entries:
                for parent in self.parents(r.name):
                    n = len(self.under(r.name, parent))
                    if n > r.max_entries:
                        out.append((r.name, parent, n))
        return out
