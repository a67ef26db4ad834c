"""Time the personal-data check on evidence notes (``privacy.note_warnings``). Run by hand:

    .venv/bin/python bench/privacy_check.py [--runs 9]

For each shape of note that made the old patterns rescan from every position (and a line of
prose): the CPU time of the fastest of ``--runs`` checks of a 10,000-character note, and of the
same note eight times over, with the cache emptied before each check. Targets (set when the
check was made linear): a 10,000-character note of any shape in under 10 ms, and eight times the text in
about eight times as long (linear; the old quadratic check took 2 s for 10,000 characters and
15 s for 40,000). CPU time, not wall time: on the shared machine other processes' load would
otherwise be measured too. What the check finds on these notes is tested in
tests/test_privacy_long_notes.py. Record the figures in README.md's Benchmarks section.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fieldwork.services import privacy  # noqa: E402
from tests.test_privacy_long_notes import SHAPES  # noqa: E402  (the same notes the test checks)

TARGET_MS = 10.0


def fastest(text: str, runs: int) -> float:
    """CPU seconds of the fastest of ``runs`` checks, each without the cache."""
    best = float("inf")
    for _ in range(runs):
        privacy._warnings.cache_clear()
        start = time.process_time()
        privacy.note_warnings(text)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    print(f"load average before the run: {', '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")
    print(f"{'shape':14} {'10,000 chars':>13} {'x 8':>10} {'ratio':>7}")
    worst, worst_ratio = 0.0, 0.0
    for shape, text in SHAPES.items():
        short, long = fastest(text, args.runs), fastest(text * 8, args.runs)
        ratio = long / max(short, 1e-6)
        worst, worst_ratio = max(worst, short), max(worst_ratio, ratio)
        print(f"{shape:14} {short * 1000:10.2f} ms {long * 1000:7.2f} ms {ratio:7.1f}")
    verdict = "met" if worst * 1000 < TARGET_MS else "NOT met"
    print(f"slowest 10,000-character note {worst * 1000:.2f} ms (target under {TARGET_MS:.0f} ms: {verdict}); "
          f"largest ratio for eight times the text {worst_ratio:.1f} (linear: about 8; quadratic: 64)")


if __name__ == "__main__":
    main()
