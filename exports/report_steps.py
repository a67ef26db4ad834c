"""The draft report's steps, said in words to a progress callback as they start.

Writing a draft takes seconds (counting, rendering each chart, building the document: see
docs/waits.md), so a caller may pass ``progress(done, total, words)`` — a plain callable, the
core knows nothing of Streamlit — and is told, before each step, how many steps are done, how
many there are in all and what is being done now ("Drawing the charts (2 of 3)…"). ``total``
is known only once the findings are counted (it depends on how many charts there are), so it
may grow after the first call; ``done / total`` never goes down. The last call is
``(total, total, DONE)``."""

from __future__ import annotations

from typing import Callable

Progress = Callable[[int, int, str], None]  # (steps done, steps in all, the step starting now, in words)

COUNTING = "Counting the findings…"
READING = "Reading the sample, agreement, case examples and judgements…"
DONE = "The draft report is written."


def drawing(n: int, of: int) -> str:
    return f"Drawing the charts ({n} of {of})…"


class Steps:
    """Counts the steps of one draft report and tells ``progress`` (if any) of each."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.done = 0
        self.total = 1  # counting; the rest is planned once the findings are known

    def plan(self, more: int) -> None:
        """``more`` steps follow the ones started so far."""
        self.total = self.done + more

    def start(self, words: str) -> None:
        """The next step starts; ``words`` "" counts it without a word (a section with nothing to write)."""
        if self.progress and words:
            self.progress(self.done, max(self.total, self.done + 1), words)
        self.done += 1

    def finish(self) -> None:
        self.total = self.done
        if self.progress:
            self.progress(self.done, self.total, DONE)
