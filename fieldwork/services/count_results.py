"""What counting's statements return, read into counts: plain Python over rows, no database.

``fieldwork.services.counting`` builds and runs the counting statements through a Session;
``fieldwork.findings_prepared`` runs the same statements, compiled once and stored, through
the standard library's ``sqlite3`` (the findings command without SQLAlchemy's import). Both
read the rows here, so a row means one thing whichever way it came.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence


@dataclass
class IndicatorCount:
    population: int = 0
    count: int = 0


@dataclass
class Counts:
    cases: int = 0  # the whole population
    group_cases: dict[str, int] = field(default_factory=dict)  # group code -> cases (groups with cases only)
    # (question, value) -> {None: overall, group code: n}
    answers: dict[tuple[str, str], dict[str | None, int]] = field(default_factory=dict)
    # indicator id -> {None: overall, group code: IndicatorCount}
    indicators: dict[str, dict[str | None, IndicatorCount]] = field(default_factory=dict)


def read_answers(out: Counts, rows: Iterable[Sequence]) -> None:
    """Rows (question, value, group or None, n) of the counts joined to the population."""
    for question, value, grp, n in rows:
        cell = out.answers.setdefault((question, value), {})
        cell[None] = cell.get(None, 0) + int(n)
        if grp is not None:
            cell[grp] = int(n)


def read_complement(out: Counts, rows: Iterable[Sequence]) -> None:
    """Rows (question, value, n) of the overall counts taken by the complement (a code no case
    of the population holds gives 0 and no entry)."""
    for question, value, n in rows:
        if n:
            out.answers[(question, value)] = {None: int(n)}


@dataclass(frozen=True)
class PivotLayout:
    """Where a pivot row holds what: after the group (index 0) and the cases (1), two sums per
    indicator (its population, then the cases where its condition holds), then the packed sums
    of questions: (question, code, index of its sum, shift)."""
    indicators: tuple[str, ...]
    packed: tuple[tuple[str, str, int, int], ...] = ()
    bits: int = 1

    def to_json(self) -> dict:
        return {"indicators": list(self.indicators), "packed": [list(p) for p in self.packed], "bits": self.bits}

    @classmethod
    def from_json(cls, data: dict) -> "PivotLayout":
        return cls(tuple(data["indicators"]), tuple(tuple(p) for p in data["packed"]), int(data["bits"]))


def read_pivot(out: Counts, rows: Iterable[Sequence], layout: PivotLayout) -> None:
    """Rows of one pivot: one per group (or one, group None, overall)."""
    mask = (1 << layout.bits) - 1
    for row in rows:
        grp = row[0]
        for i, indicator_id in enumerate(layout.indicators):
            cells = out.indicators.setdefault(indicator_id, {})
            p, c = int(row[2 + 2 * i] or 0), int(row[3 + 2 * i] or 0)
            total = cells.setdefault(None, IndicatorCount())
            total.population += p
            total.count += c
            if grp is not None:
                cells[grp] = IndicatorCount(p, c)
        for name, code, index, shift in layout.packed:
            n = (int(row[index] or 0) >> shift) & mask
            cell = out.answers.setdefault((name, code), {})
            cell[None] = cell.get(None, 0) + n
            if grp is not None:
                cell[grp] = n


def by_complement(cases: int, assessments: int) -> bool:
    """Whether the overall counts are taken by the complement: while the assessments outside
    the population (drafts, not counted, other questionnaires and inspections, cases a filter
    leaves out) are fewer than half of it, seeking their few answers costs less than joining
    every answer row to the population."""
    return 2 * (assessments - cases) < cases
