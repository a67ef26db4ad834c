"""How many entries an imported case holds of each repeat group, against what the form sets.

* ``repeat_count`` (``jr:count``): a number, or an expression over the case's answers (and those
  of the entry around it, for a nested repeat). ODK Collect then makes exactly that many entries
  (the inspector cannot add or remove one), so a submission holds exactly that many: a case with
  another number is refused, with the number found and the number the form fixes. A count that
  cannot be worked out (blank) is 0, as in ODK and the app (``entries.Entries.count``).
* ``min`` / ``max`` (our convention, ``parameters: min=N max=N`` on the ``begin repeat`` row; ODK
  Collect ignores them, the app keeps to them): fewer than ``min`` or more than ``max`` entries are
  refused.

Only where the repeat group is asked (its own ``relevant`` holds in that case or entry: a repeat
not asked has no entries to count) and only for repeat groups whose table the file holds (a single
CSV from KoboToolbox has none: the import says so and keeps the cases). Problems name the cases'
table, the case's row, the case reference, the repeat group (as the column) and both numbers;
like every import fault they refuse the whole file.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from fieldwork import expr
from fieldwork.problem_codes import TOO_FEW_ENTRIES, TOO_MANY_ENTRIES, WRONG_ENTRY_COUNT
from fieldwork.problems import Problem
from fieldwork.questionnaire import entries as entry_paths
from fieldwork.questionnaire import repeat_levels
from fieldwork.questionnaire.model import Questionnaire, Repeat


def _entries(n: int) -> str:
    return f"{n} entr{'y' if n == 1 else 'ies'}"


def expected_count(q: Questionnaire, repeat: Repeat, values: Mapping) -> tuple[int, str]:
    """(entries the form fixes, the worked-out value as text) for a repeat with a repeat_count."""
    worked = expr.calculate(repeat.count, values, choice_label=q.label_of)
    try:
        return max(0, min(int(float(worked)), entry_paths.MAX_ENTRIES)), worked
    except (TypeError, ValueError):
        return 0, worked


def limited_repeats(q: Questionnaire, tables: Iterable[str] | None = None) -> list[Repeat]:
    """The repeat groups (of those in ``tables``; None: all) whose number of entries the form sets."""
    read = None if tables is None else set(tables)
    return [r for r in q.repeats if (read is None or r.name in read) and (r.count or r.min_entries or r.max_entries)
            and not (r.count and expr.uses_clock(expr.parse(r.count)))]


def check(q: Questionnaire, records: Mapping[int, object], tables: Iterable[str], source: str) -> list[Problem]:
    """Problems of every case (``records``: cases' row -> CaseRecord) whose entries of a repeat group
    in ``tables`` are not as many as the form sets."""
    limited = limited_repeats(q, tables)
    problems: list[Problem] = []
    if not limited:
        return problems
    for row, record in records.items():
        problems += [Problem(p.code, p.message, source=source, row=row, field=p.field, item=p.item,
                             item_kind=p.item_kind) for p in case_problems(q, limited, record.case_ref,
                                                                         record.answers, record.entries)]
    return problems


def case_problems(q: Questionnaire, limited: list[Repeat], case_ref: str, answers: Mapping,
                  entries: Mapping[str, dict], *, blank_entries_held: bool = False) -> list[Problem]:
    """One case's problems (no source or row: the caller's). ``entries``: instance path -> the
    entry's answers, every entry there is. ``blank_entries_held``: the entries come from the app's
    store (a laptop's bundle), where an entry the form fixes (repeat_count) or asks for at least
    (min) exists before a row is written for it (``entries.Entries.count``), so only too many
    entries can be wrong there."""
    answers = q.with_calculations(answers)
    found: dict[tuple[str, str], int] = {}  # (repeat, parent entry) -> entries
    for instance in entries:
        name = entry_paths.steps(instance)[-1][0]
        key = (name, entry_paths.parent_of(instance))
        found[key] = found.get(key, 0) + 1
    problems: list[Problem] = []
    for repeat in limited:
        parents = [""] if not repeat.parent else sorted(
            (i for i in entries if entry_paths.steps(i)[-1][0] == repeat.parent), key=entry_paths.steps)
        for parent in parents:
            values = repeat_levels.expression_values(q, answers, dict(entries), parent)
            if repeat.relevant and not expr.evaluate(repeat.relevant, values, choice_label=q.label_of):
                continue
            where = f" in {entry_paths.title(q, parent)}" if parent else ""
            message = _fault(q, repeat, values, found.get((repeat.name, parent), 0), where, blank_entries_held)
            if message:
                problems.append(Problem(message[0], f"case {case_ref}: {message[1]}", field=repeat.name,
                                        item=case_ref, item_kind="case"))
    return problems


def _fault(q: Questionnaire, repeat: Repeat, values: Mapping, n: int, where: str,
           blank_entries_held: bool = False) -> tuple[str, str] | None:
    group = f"repeat group {repeat.name} (“{repeat.label}”)"
    if repeat.count:
        expected, worked = expected_count(q, repeat, values)
        if n != expected and not (blank_entries_held and n < expected):
            how = repeat.count if repeat.count.strip() == worked else f"{repeat.count} = {worked or 'blank'}"
            return WRONG_ENTRY_COUNT, (f"{_entries(n)} of {group}{where}, but its repeat_count ({how}) fixes "
                                       f"{_entries(expected)}: ODK makes exactly that many")
        return None
    if repeat.min_entries and n < repeat.min_entries and not blank_entries_held:
        return TOO_FEW_ENTRIES, (f"{_entries(n)} of {group}{where}, but the form asks for at least "
                                 f"{repeat.min_entries} (min={repeat.min_entries})")
    if repeat.max_entries and n > repeat.max_entries:
        return TOO_MANY_ENTRIES, (f"{_entries(n)} of {group}{where}, but the form allows at most "
                                  f"{repeat.max_entries} (max={repeat.max_entries})")
    return None


def held_entries(q: Questionnaire, rows: Iterable[Mapping]) -> dict[str, dict]:
    """The entries an assessment's stored rows (``instance``, ``question``, ``value``: a bundle's
    answers) hold, as the app counts them (``entries.Entries``): every entry before a stored one
    too (no gaps); but an entry of a repeat with a ``repeat_count`` only where it, or an entry
    inside it, holds an answer, because the app keeps the blank rows of entries it cleared when
    the count fell."""
    rows = [r for r in rows if r.get("instance") and entry_paths.is_path(r["instance"])]
    counted = {r.name for r in q.repeats if r.count}
    valued = {r["instance"] for r in rows if r.get("value") not in (None, "")}

    def holds(instance: str) -> bool:
        return any(v == instance or v.startswith(instance + "/") for v in valued)

    held: dict[str, dict] = {}
    for r in rows:
        parent = ""
        for name, index in entry_paths.steps(r["instance"]):
            here = entry_paths.path(parent, name, index)
            if name in counted and not holds(here):
                break
            for k in range(1, index + 1):
                held.setdefault(entry_paths.path(parent, name, k), {})
            parent = here
    for r in rows:
        if r["instance"] in held and r.get("value") not in (None, ""):
            held[r["instance"]][r["question"]] = r["value"]
    return held
