"""Errors as data: a Problem names what is wrong, where (file, row, field, item) and why.

Every refusal in the toolkit (a questionnaire that does not load, an import row that does
not pass, a bundle that does not verify) is a list of Problems wrapped in one exception, so
the command line can print them and a page can show them as a table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


# What a problem may name whose fields are a form's, never a file's columns: "account '@evil':
# name: use 2 to 32 …", not "question '@evil': column 'name'" (walk 25, V7)
ACCOUNT = "account"
FORM_KINDS = frozenset({ACCOUNT})


@dataclass(frozen=True)
class Problem:
    code: str  # a stable name, e.g. "unknown_code": tests and other tools match on it
    message: str  # the reason, in words an inspector understands
    source: str | None = None  # file name
    row: int | None = None  # 1-based row in the file (header is row 1 in a spreadsheet)
    field: str | None = None  # column or field name
    item: str | None = None  # the question, case_ref, indicator or account concerned
    item_kind: str = "question"  # what ``item`` names, for the printed form ("case" for a case_ref)

    def __str__(self) -> str:
        where = [p for p in (
            self.source,
            f"row {self.row}" if self.row is not None else None,
            f"{self.item_kind} {self.item!r}" if self.item else None,
            (self.field if self.item_kind in FORM_KINDS else f"column {self.field!r}") if self.field else None,
        ) if p]
        return (": ".join(where) + ": " if where else "") + self.message

    def as_dict(self) -> dict:
        return asdict(self)


class ProblemError(Exception):
    """Raised with every problem found, never only the first."""

    def __init__(self, problems: list[Problem], summary: str | None = None):
        self.problems = list(problems)
        self.summary = summary or f"{len(self.problems)} problem(s)"
        super().__init__(self.summary + "\n" + "\n".join(f"  - {p}" for p in self.problems))
