"""Entries of repeat groups in files: one table per repeat group beside the cases' table.

The layouts read (and, for our own, written by ``exports/repeat_tables.py``):

* **KoboToolbox xlsx**: the submissions on the first sheet, then one sheet per repeat group,
  named after it (cut to Excel's 31 characters). A repeat sheet holds the repeat's fields
  (``outer/repeat/field`` with groups in headers), then ``_index`` (the row's number in its
  sheet), ``_parent_table_name`` (the sheet of the row it belongs to) and ``_parent_index``
  (that row's ``_index``), then the submission's system columns (``_submission__id`` ...),
  which are left aside. (KoboToolbox's CSV export holds no repeats.)
* **ODK Central's zip** ("Download all"): ``FORM.csv``, and ``FORM-REPEAT.csv`` per repeat
  group (``FORM-REPEAT~2.csv`` where two repeats share a name). A repeat file holds the
  repeat's fields (``group-field`` for groups inside it), then ``PARENT_KEY`` and ``KEY``.
  ``KEY`` is ``uuid:ID/…/repeat[n]``: group names plain, each repeat with its 1-based position;
  ``PARENT_KEY`` is the ``KEY`` of the entry it sits in, or the submission's instance id.
* **Ours** (the workbook's sheets and the CSV export's zip): KoboToolbox's columns with
  ``case_ref`` first, ``_parent_table_name`` naming ``responses`` for an entry of a case.

Every entry becomes answers with an instance path (``incident[2]/pin[1]``,
``fieldwork.questionnaire.repeat_levels``): the position is KEY's where the file has one,
else the entry's place among its parent's entries in the file's order. Each entry is checked as
a case's row is (codes, values, its own skip logic and required answers, constraints), with the
case's answers and those of the entries around it in view; every problem names the sheet or zip
member, the row and the column, and any problem refuses the whole file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from fieldwork import expr
from fieldwork.problem_codes import (DUPLICATE_ENTRY, DUPLICATE_REPEAT, MISSING_LINK, NO_ENTRIES, NO_PARENT,
                                     OUTSIDE_FILTER, UNKNOWN_REPEAT)
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire import answers as answer_types
from fieldwork.questionnaire import filter_checks, repeat_levels
from fieldwork.questionnaire.model import Question, Questionnaire, Repeat
from fieldwork.services import odk_kobo, wide_table

# Problem codes.

CASE_REF = wide_table.CASE_REF
INDEX, PARENT_INDEX, PARENT_TABLE = "_index", "_parent_index", "_parent_table_name"
KEY, PARENT_KEY = "KEY", "PARENT_KEY"
LINKS = (CASE_REF, INDEX, PARENT_INDEX, PARENT_TABLE, KEY, PARENT_KEY)
SHEET_CHARS = 31  # Excel's limit on a sheet's name
_NUMBERED = re.compile(r"~\d+$")  # ODK Central's FORM-REPEAT~2.csv


# --- linking rows to the case ----------------------------------------------------------


def _norm_key(text: str) -> str:
    return text.strip().casefold().removeprefix("uuid:")


@dataclass
class MainLinks:
    """How rows of the cases' table can be named by entries: by _index, KEY or case_ref."""

    by_index: dict[str, int] = field(default_factory=dict)  # _index -> row number
    by_key: dict[str, int] = field(default_factory=dict)  # KEY (without uuid:) -> row number
    by_ref: dict[str, int] = field(default_factory=dict)  # case_ref (case-folded) -> row number
    order: list[int] = field(default_factory=list)  # row numbers in file order
    sheet: str = ""  # the cases' sheet or file name, as _parent_table_name gives it


def main_links(table, sheet: str = "") -> MainLinks:
    """Read before the KoboToolbox/ODK columns are mapped (which sets the system columns aside)."""
    links = MainLinks(sheet=sheet)
    columns = {h.strip().casefold(): i for i, h in enumerate(table.header)}
    for number, cells in table.rows:
        links.order.append(number)
        for col, target, norm in ((INDEX, links.by_index, _plain), (KEY.casefold(), links.by_key, _norm_key),
                                  ("meta-instanceid", links.by_key, _norm_key), ("_uuid", links.by_key, _norm_key),
                                  (CASE_REF, links.by_ref, lambda v: _plain(v).casefold())):
            i = columns.get(col)
            if i is not None and i < len(cells) and _plain(cells[i]):
                target.setdefault(norm(_plain(cells[i])), number)
    return links


def _plain(value) -> str:
    return odk_kobo._plain(value)


# --- checking the entries --------------------------------------------------------------


@dataclass
class _Entry:
    case_row: int  # the cases' table row it belongs to
    instance: str
    answers: dict[str, str]


@dataclass
class EntriesRead:
    """What the repeat tables held, for the import's summary."""

    tables: dict[str, str] = field(default_factory=dict)  # repeat -> sheet or member it came from
    entries: dict[str, int] = field(default_factory=dict)  # repeat -> entries read
    ignored: dict[str, list[str]] = field(default_factory=dict)  # repeat -> system columns left aside

    def summary(self) -> list[str]:
        lines = [f"{repeat}: {self.entries.get(repeat, 0)} entr{'y' if self.entries.get(repeat, 0) == 1 else 'ies'} "
                 f"from {where}" for repeat, where in self.tables.items()]
        for repeat, names in self.ignored.items():
            if names:
                lines.append(f"{repeat}: ignored {len(names)} system column(s): {', '.join(names)}.")
        return lines


def _which_repeat(q: Questionnaire, label: str, header: Sequence[str]) -> Repeat | None:
    """The repeat group a sheet or zip member holds: by its name (``FORM-REPEAT.csv``, a sheet
    named after the repeat), else by the columns it has."""
    stem = _NUMBERED.sub("", label.rsplit(".", 1)[0] if label.lower().endswith(".csv") else label).strip()
    folded = stem.casefold()
    named = [r for r in q.repeats if folded in (r.name.casefold(), r.name[:SHEET_CHARS].casefold())
             or folded.endswith("-" + r.name.casefold())]
    if named:
        return max(named, key=lambda r: len(r.name))
    scores = {}
    for r in q.repeats:
        names = {x.name.casefold(): x.name for x in repeat_levels.questions_of(q, r.name)}
        scores[r.name] = sum(1 for h in header if odk_kobo._tail_match(str(h).strip(), names))
    best = max(scores, key=scores.get, default=None)
    return repeat_levels.repeat_named(q, best) if best and scores[best] else None


def _within(key: str, repeat: str) -> str:
    """A question's key from inside its repeat: ``incident/name`` -> ``name``,
    ``hh/adult/age`` in repeat ``hh`` -> ``adult/age``; a plain name as it is."""
    steps = key.split("/")
    inside = [k for k, step in enumerate(steps[:-1]) if step == repeat]
    return "/".join(steps[inside[-1] + 1:]) if inside else key


class _TableChecker:
    def __init__(self, q: Questionnaire, repeat: Repeat, table, problems: list[Problem]):
        self.q, self.repeat, self.table, self.problems = q, repeat, table, problems
        self.questions = repeat_levels.questions_of(q, repeat.name)
        self.rules = {x.name: expr.parse(q.rule(x)) for x in self.questions if q.rule(x)}  # parsed once
        # ODK Central names a repeat file's columns from the repeat down (``name``, ``sub-age``),
        # so a name used twice (keyed ``incident/name``, xlsform_paths) is matched by its path
        # inside the repeat first, then by its key
        names = {_within(x.name, repeat.name).casefold(): x.name for x in self.questions}
        for x in self.questions:
            names.setdefault(x.name.casefold(), x.name)
        others = {x.name.casefold(): x.name for x in q.questions if q.repeat_of(x.name) != repeat.name}
        self.columns: dict[int, Question] = {}
        self.options: dict[int, tuple[str, str]] = {}  # column -> (question, code)
        self.geo: dict[str, dict[int, int]] = {}  # question -> part -> column
        self.links: dict[str, int] = {}
        self.ignored: list[str] = []
        seen: dict[str, str] = {}
        for i, raw in enumerate(table.header):
            written = str(raw or "").strip()
            folded = written.casefold()
            if not written:
                continue
            link = next((x for x in LINKS if x.casefold() == folded), None)
            if link:
                self.links[link] = i
                continue
            if folded in odk_kobo._SYSTEM or folded.startswith("_submission_"):
                self.ignored.append(written)
                continue
            geo = odk_kobo._KOBO_GEO.match(written) or odk_kobo._ODK_GEO.match(written)
            if geo:
                name = odk_kobo._tail_match(geo["path"], names)
                if name and q.question(name).type == "geopoint":
                    self.geo.setdefault(name, {})[odk_kobo._GEO_ORDER[geo["part"].casefold()]] = i
                    continue
            path, _, code = written.rpartition("/")
            name = odk_kobo._tail_match(path, names) if path else None
            if name and q.question(name).is_multiple_choice and code in q.codes(name):
                self.options[i] = (name, code)
                continue
            name = odk_kobo._tail_match(written, names)
            if name:
                if name in seen:
                    self._add("duplicate_column", f"the columns {seen[name]!r} and {written!r} are both {name}: "
                              "keep one", 1, written)
                    continue
                seen[name] = written
                self.columns[i] = q.question(name)
                continue
            elsewhere = odk_kobo._tail_match(written, others)
            where = (f"; {elsewhere} is asked " + (f"in repeat group {q.repeat_of(elsewhere)}"
                                                   if q.repeat_of(elsewhere) else "once per case")
                     if elsewhere else "")
            self._add("unknown_column", f"{answer_types.clip(written)!r} is not a question of repeat group "
                      f"{repeat.name}{where}", 1, written)
        self.present = {x.name for x in self.columns.values()} | {n for n, _ in self.options.values()} | set(self.geo)

    def _add(self, code: str, message: str, row: int | None, column: str | None) -> None:
        self.problems.append(Problem(code, message, source=self.table.source, row=row, field=column,
                                     item=self.repeat.name, item_kind="repeat group"))

    def cell(self, cells: Sequence, name: str):
        i = self.links.get(name)
        return _plain(cells[i]) if i is not None and i < len(cells) else ""

    def values(self, number: int, cells: Sequence, bad: set[str]) -> dict[str, str]:
        """The entry's answers, converted as a case's are; faults added with their column."""
        out: dict[str, str] = {}
        header = self.table.header
        for i, question in self.columns.items():
            value = cells[i] if i < len(cells) else None
            if type(value).__name__ == "Uncalculated":
                self._add("uncalculated_formula", f"holds a formula ({value}) with no calculated value: open the "
                          "file in Excel and save it, or type the value", number, header[i])
                bad.add(question.name)
                continue
            stored, fault = answer_types.convert(self.q, question, value)
            if fault:
                self._add(fault[0], fault[1], number, header[i])
                bad.add(question.name)
            elif stored is not None:
                out[question.name] = stored
        ticks: dict[str, list[str]] = {}
        filled: set[str] = set()
        for i, (name, code) in self.options.items():
            text = _plain(cells[i] if i < len(cells) else None).casefold()
            if text:
                filled.add(name)
            if text in ("1", "true", "yes", "x"):
                ticks.setdefault(name, []).append(code)
            elif text not in ("0", "false", "no", ""):
                self._add("bad_value", f"{answer_types.clip(text)!r}: a ticked option is 1, an unticked one 0",
                          number, header[i])
                bad.add(name)
        for name in filled - bad:
            stored, _ = answer_types.convert(self.q, self.q.question(name), ticks.get(name, []))
            if name in out and out[name] != (stored or ""):
                self._add("bad_value", f"the {name} column says {out[name]!r} but its option columns say "
                          f"{stored or 'none'!r}", number, name)
                bad.add(name)
            elif stored and name not in out:
                out[name] = stored
        for name, parts in self.geo.items():
            if name in out or name in bad:
                continue
            texts = [_plain(cells[parts[p]]) if p in parts and parts[p] < len(cells) else "" for p in range(4)]
            if texts[0] and texts[1]:
                stored, fault = answer_types.convert(self.q, self.q.question(name), " ".join(t for t in texts if t))
                if fault:
                    self._add(fault[0], fault[1], number, header[parts[0]])
                    bad.add(name)
                elif stored:
                    out[name] = stored
        return out

    def skip_logic(self, number: int, context: dict[str, str], own: dict[str, str], bad: set[str],
                   entries: dict[str, dict[str, str]], instance: str) -> dict[str, str]:
        """The entry's answers that are asked; answers not asked, required ones missing and
        constraints failed are problems of the row. Rules see the case's answers, those of the
        entries around this one and its own, and reach the case's other entries (count(),
        position(), ...): an answer to a question not asked counts as blank after it."""
        q = self.q
        values = repeat_levels.expression_values(q, context, entries, instance)  # with the entries around it
        values.update(own)
        for question in self.questions:  # calculations worked out again, position(..) included
            if question.is_computed and question.calculation and not expr.uses_clock(expr.parse(question.calculation)):
                value = expr.calculate(question.calculation, values, choice_label=q.label_of)
                values[question.name] = value
                if value:
                    own[question.name] = value
                else:
                    own.pop(question.name, None)
        asked = set()
        for question in self.questions:
            rule = self.rules.get(question.name)
            try:
                holds = rule is None or expr.evaluate(rule, values, self_value=own.get(question.name),
                                                      choice_label=q.label_of)
            except (ValueError, TypeError, ZeroDivisionError):
                holds = True  # a rule that cannot be worked out here is not held against the file
            if holds:
                asked.add(question.name)
            else:
                values[question.name] = None
        for question in self.questions:
            name = question.name
            if name in bad:
                continue
            column = next((h for i, h in enumerate(self.table.header) if self.columns.get(i) is question), name)
            if name in own and name not in asked and not question.is_computed:
                self._add("irrelevant_answer", f"is answered although it is not asked for this entry (asked when "
                          f"{q.rule(question)}): leave it blank", number, column)
            elif question.required and name in asked and name not in own and name in self.present:
                self._add("missing_required", "is required but blank" + (
                    f": {question.required_message}" if question.required_message else ""), number, column)
        kept = {k: v for k, v in own.items() if k in asked}
        for name in q.constraint_failures({**values, **kept}):
            if name in kept:
                question = q.question(name)
                self._add("constraint_failed", question.constraint_message or
                          f"does not meet its rule ({question.constraint})", number, name)
        for name in kept:  # a choice_filter's list, worked out in the entry as the form works it out
            if filter_checks.leaves_out(q, name, kept[name], {**values, **kept}):
                self._add(OUTSIDE_FILTER, filter_checks.refusal(q, {**values, **kept}, name), number, name)
        return kept


def check_entries(q: Questionnaire, tables: list[tuple[str, object]], links: MainLinks, records: dict,
                  problems: list[Problem]) -> EntriesRead:
    """Check every repeat table and put each entry's answers on its case's record
    (``records``: cases' table row number -> CaseRecord; rows refused have none)."""
    read = EntriesRead()
    if not tables:
        return read
    placed: dict[str, tuple[str, object]] = {}
    for label, table in tables:
        repeat = _which_repeat(q, label, table.header)
        if repeat is None:
            known = ", ".join(r.name for r in q.repeats) or "none"
            problems.append(Problem(UNKNOWN_REPEAT, f"{label!r} holds entries of a repeat group that {q.id} does "
                                    f"not have (its repeat groups: {known})", source=table.source, row=1))
            continue
        if repeat.name in placed:
            problems.append(Problem(DUPLICATE_REPEAT, f"{label!r} and {placed[repeat.name][0]!r} both hold the "
                                    f"entries of repeat group {repeat.name}: keep one", source=table.source, row=1))
            continue
        placed[repeat.name] = (label, table)
    # parents before the repeats inside them: an entry's path starts with its parent's
    entries_by: dict[str, dict[str, _Entry]] = {}  # repeat -> KEY or _index -> entry
    by_case: dict[int, dict[str, dict[str, str]]] = {}  # cases' row -> instance path -> answers, as read
    for repeat in sorted((repeat_levels.repeat_named(q, n) for n in placed), key=lambda r: repeat_levels.depth(q, r.name)):
        label, table = placed[repeat.name]
        read.tables[repeat.name] = label
        entries_by[repeat.name] = _check_table(q, repeat, table, links, records, entries_by, by_case, problems, read)
    for repeat in q.repeats:
        for entry in entries_by.get(repeat.name, {}).values():
            record = records.get(entry.case_row)
            own = repeat_levels.questions_of(q, repeat.name)
            if record is not None and (entry.answers or own):
                # an entry with no answer is kept as a blank row, as the app keeps one
                record.entries[entry.instance] = entry.answers or {own[0].name: None}
    _recalculate(q, records.values())
    return read


def _recalculate(q: Questionnaire, records) -> None:
    """Case-level calculations reading the entries (``count(${hearing})``), worked out again
    once the entries are in, as every calculation is from the answers it reads."""
    inside = {x.name for x in q.questions if q.repeat_of(x.name)} | {r.name for r in q.repeats}
    reading = [x for x in q.questions if x.is_computed and x.calculation and not q.repeat_of(x.name)
               and set(expr.variables(expr.parse(x.calculation))) & inside
               and not expr.uses_clock(expr.parse(x.calculation))]
    if not reading:
        return
    for record in records:
        values = repeat_levels.expression_values(q, record.answers, record.entries)
        for question in reading:
            value = expr.calculate(question.calculation, values, choice_label=q.label_of)
            values[question.name] = value
            if value:
                record.answers[question.name] = value
            else:
                record.answers.pop(question.name, None)


def _check_table(q, repeat: Repeat, table, links: MainLinks, records: dict, entries_by: dict, by_case: dict,
                 problems: list, read: EntriesRead) -> dict[str, _Entry]:
    checker = _TableChecker(q, repeat, table, problems)
    read.ignored[repeat.name] = checker.ignored
    parent = repeat.parent
    has = checker.links
    if not ({PARENT_KEY, PARENT_INDEX} & has.keys() or (not parent and CASE_REF in has)):
        checker._add(MISSING_LINK, f"the {'sheet' if '[' in table.source else 'file'} has no column linking each "
                     f"entry to its {'entry of ' + parent if parent else 'case'} ({PARENT_KEY}, {PARENT_INDEX}"
                     + ("" if parent else f" or {CASE_REF}") + ")", 1, None)
        return {}
    mine: dict[str, _Entry] = {}
    counts: dict[tuple[int, str], int] = {}
    taken: set[tuple[int, str]] = set()
    parent_entries = entries_by.get(parent, {})
    for number, cells in table.rows:
        where = _parent_of(checker, cells, parent, links, parent_entries)
        if isinstance(where, str):
            checker._add(NO_PARENT, where, number, next((h for h in (PARENT_KEY, PARENT_INDEX, CASE_REF)
                                                         if h in has), None))
            continue
        case_row, parent_path = where
        position = _key_position(checker.cell(cells, KEY), repeat.name)
        if position is None:
            position = counts.get((case_row, parent_path), 0) + 1
        counts[(case_row, parent_path)] = max(position, counts.get((case_row, parent_path), 0))
        instance = repeat_levels.instance_path(parent_path, repeat.name, position)
        if (case_row, instance) in taken:
            checker._add(DUPLICATE_ENTRY, f"entry {instance} of the case in row {case_row} is given twice", number,
                         KEY if KEY in has else None)
            continue
        taken.add((case_row, instance))
        bad: set[str] = set()
        own = checker.values(number, cells, bad)
        record = records.get(case_row)
        seen = by_case.setdefault(case_row, {})
        if record is not None:
            own = checker.skip_logic(number, record.answers, own, bad, seen, instance)
        entry = _Entry(case_row, instance, own)
        seen[instance] = own
        for name in (KEY, INDEX):
            value = checker.cell(cells, name)
            if value:
                mine.setdefault(f"{name}:{_norm_key(value) if name == KEY else value}", entry)
        mine.setdefault(f"row:{number}", entry)
    read.entries[repeat.name] = sum(1 for k in mine if k.startswith("row:"))
    return mine


def _key_position(key: str, repeat: str) -> int | None:
    """ODK Central's KEY ``uuid:…/group/repeat[3]``: 3."""
    last = key.rsplit("/", 1)[-1] if "/" in key else ""
    steps = repeat_levels.parse_path(last) if last else None
    return steps[0][1] if steps and steps[0][0] == repeat else None


def _parent_of(checker: _TableChecker, cells, parent: str, links: MainLinks,
               parent_entries: dict[str, _Entry]) -> tuple[int, str] | str:
    """(cases' row, the parent entry's instance path) of a row, or why it has none."""
    has = checker.links
    if PARENT_KEY in has:
        value = checker.cell(cells, PARENT_KEY)
        if not parent:
            row = links.by_key.get(_norm_key(value))
            return (row, "") if row else f"{PARENT_KEY} {answer_types.clip(value)!r} is not the KEY of a submission " \
                                         "in the cases' file"
        entry = parent_entries.get(f"{KEY}:{_norm_key(value)}")
        return (entry.case_row, entry.instance) if entry else (
            f"{PARENT_KEY} {answer_types.clip(value)!r} is not the KEY of an entry of {parent}")
    if not parent and CASE_REF in has and checker.cell(cells, CASE_REF):
        value = checker.cell(cells, CASE_REF)
        row = links.by_ref.get(value.casefold())
        return (row, "") if row else f"case {answer_types.clip(value)} is not in the cases' table"
    if PARENT_INDEX in has:
        value = checker.cell(cells, PARENT_INDEX)
        if not parent:
            if links.by_index:
                row = links.by_index.get(value)
            else:  # no _index column among the cases: the n-th case
                n = int(value) if value.isdigit() else 0
                row = links.order[n - 1] if 0 < n <= len(links.order) else None
            return (row, "") if row else f"{PARENT_INDEX} {answer_types.clip(value)!r} is not the _index of a case"
        entry = parent_entries.get(f"{INDEX}:{value}")
        return (entry.case_row, entry.instance) if entry else (
            f"{PARENT_INDEX} {answer_types.clip(value)!r} is not the _index of an entry of {parent}")
    return f"the row names no {'entry of ' + parent if parent else 'case'} it belongs to"


def reads_entries(q: Questionnaire) -> set[str]:
    """Case-level questions whose skip logic reads the entries of a repeat group (a repeat's
    name, or a question asked per entry): the cases' rows are checked before the entries are
    read, so the import leaves those rules to the app."""
    inside = {x.name for x in q.questions if q.repeat_of(x.name)} | {r.name for r in q.repeats}
    return {x.name for x in q.questions if not q.repeat_of(x.name) and q.rule(x)
            and set(expr.variables(expr.parse(q.rule(x)))) & inside}


def missing_tables(q: Questionnaire, tables: list, source: str) -> list[Problem]:
    """A form with repeat groups imported from a file without their tables (a single CSV: what
    KoboToolbox's CSV export gives) loses no case, but holds no entries: said, not refused."""
    if not q.repeats or tables:
        return []
    names = ", ".join(r.name for r in q.repeats)
    return [Problem(NO_ENTRIES, f"the form has repeat groups ({names}) but the file holds no entries of them: "
                    "import ODK Central's zip (with its FORM-REPEAT.csv files) or KoboToolbox's xlsx (a sheet per "
                    "repeat; its CSV export leaves them out) to have them", source=source)]
