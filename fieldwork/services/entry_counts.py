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


def check(q: Questionnaire, records: Mapping[int, object], tables: Iterable[str], source: str) -> list[Problem]:
    """Problems of every case (``records``: cases' row -> CaseRecord) whose entries of a repeat group
    in ``tables`` are not as many as the form sets."""
    read = set(tables)
    limited = [r for r in q.repeats if r.name in read and (r.count or r.min_entries or r.max_entries)
               and not (r.count and expr.uses_clock(expr.parse(r.count)))]
    problems: list[Problem] = []
    if not limited:
        return problems
    for row, record in records.items():
        answers = q.with_calculations(record.answers)
        found: dict[tuple[str, str], int] = {}  # (repeat, parent entry) -> entries
        for instance in record.entries:
            name = entry_paths.steps(instance)[-1][0]
            key = (name, entry_paths.parent_of(instance))
            found[key] = found.get(key, 0) + 1
        for repeat in limited:
            parents = [""] if not repeat.parent else sorted(
                (i for i in record.entries if entry_paths.steps(i)[-1][0] == repeat.parent), key=entry_paths.steps)
            for parent in parents:
                values = repeat_levels.expression_values(q, answers, record.entries, parent)
                if repeat.relevant and not expr.evaluate(repeat.relevant, values, choice_label=q.label_of):
                    continue
                where = f" in {entry_paths.title(q, parent)}" if parent else ""
                message = _fault(q, repeat, values, found.get((repeat.name, parent), 0), where)
                if message:
                    problems.append(Problem(message[0], f"case {record.case_ref}: {message[1]}",
                                            source=source, row=row, field=repeat.name, item=record.case_ref,
                                            item_kind="case"))
    return problems


def _fault(q: Questionnaire, repeat: Repeat, values: Mapping, n: int, where: str) -> tuple[str, str] | None:
    group = f"repeat group {repeat.name} (“{repeat.label}”)"
    if repeat.count:
        expected, worked = expected_count(q, repeat, values)
        if n != expected:
            how = repeat.count if repeat.count.strip() == worked else f"{repeat.count} = {worked or 'blank'}"
            return WRONG_ENTRY_COUNT, (f"{_entries(n)} of {group}{where}, but its repeat_count ({how}) fixes "
                                       f"{_entries(expected)}: ODK makes exactly that many")
        return None
    if repeat.min_entries and n < repeat.min_entries:
        return TOO_FEW_ENTRIES, (f"{_entries(n)} of {group}{where}, but the form asks for at least "
                                 f"{repeat.min_entries} (min={repeat.min_entries})")
    if repeat.max_entries and n > repeat.max_entries:
        return TOO_MANY_ENTRIES, (f"{_entries(n)} of {group}{where}, but the form allows at most "
                                  f"{repeat.max_entries} (max={repeat.max_entries})")
    return None
