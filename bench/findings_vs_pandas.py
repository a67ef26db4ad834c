"""Benchmark: ``fieldwork findings case_review`` against pandas on the same cases, side by side.

    .venv/bin/python bench/findings_vs_pandas.py                  # N = 20,000 and 100,000
    .venv/bin/python bench/findings_vs_pandas.py -n 20000 --repeat 5
    .venv/bin/python bench/findings_vs_pandas.py --before /tmp/before   # also an older tree, A B C A B C

For each N: fills a SQLite database with N synthetic complete ``case_review`` assessments
(reused when it already holds N; ``bench/findings.py``'s filler), writes the same cases' wide
CSV with ``fieldwork export`` (not timed), then times, alternately and each as a whole
process started the way a user starts it (interpreter start-up and imports included):

* ``fieldwork findings case_review --db URL`` (JSON to a pipe), and
* pandas: ``read_csv`` of the wide CSV (codes as text) and ``value_counts`` of every column
  (the counting a script would do; it knows nothing of skip logic, ``na`` or indicators).

With ``--before TREE`` (a source tree of an earlier commit, e.g. from ``git archive``) the same
command run from that tree is timed in the same rounds, so a change is measured before and
after under the same load. Prints the median wall and CPU (user + system) time of each, the
median of the round-by-round ratios to pandas (target: under 1) and the load average. Never run in the tests: figures go in docs/findings-uncertainty.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.findings import CHILD_ENV, fill  # noqa: E402

PANDAS = """
import sys
import pandas as pd
frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, na_values=[""])
counts = {c: frame[c].value_counts().to_dict() for c in frame.columns if not c.startswith(("meta:", "note:"))}
sys.stdout.write(str(len(counts)) + chr(10))
"""


def wall(cmd: list[str], cwd: str | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system) of one whole process. On a shared machine the
    CPU time is what the command itself costs; the wall time adds the wait for a core."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, env=CHILD_ENV, cwd=cwd or ROOT)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return took, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def print_ratios(n: int, rounds: list[dict], names: list[str]) -> None:
    """Medians of wall and CPU time of each command, and each one's ratio to pandas: the median
    of the round-by-round ratios, as the load drifts between rounds."""
    for i, what in ((0, "wall"), (1, "CPU")):
        b = [r["pandas"][i] for r in rounds]
        parts = []
        for name in names:
            if name == "pandas":
                continue
            a = [r[name][i] for r in rounds]
            ratio = statistics.median(x / y for x, y in zip(a, b))
            parts.append(f"{name} {statistics.median(a):.2f} s median ({min(a):.2f}-{max(a):.2f}), ratio {ratio:.2f}")
        print(f"N = {n} {what}: {'; '.join(parts)}; pandas {statistics.median(b):.2f} s median "
              f"({min(b):.2f}-{max(b):.2f}); load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}",
              flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, action="append", help="complete assessments (default: 20,000 and 100,000)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", default="/tmp", help="where the databases and CSVs go")
    parser.add_argument("--before", metavar="TREE", help="also time the command from this source tree")
    args = parser.parse_args()
    script = Path(sys.executable).with_name("fieldwork")
    fieldwork = [str(script)] if script.exists() else [sys.executable, "-m", "fieldwork.cli"]
    for n in args.n or [20_000, 100_000]:
        url = f"sqlite:///{args.dir}/fieldwork-vs-pandas-{n}.db"
        csv_path = Path(args.dir) / f"fieldwork-vs-pandas-{n}.csv"
        fill(url, n)
        if not csv_path.exists():
            subprocess.run([*fieldwork, "--db", url, "export", "case_review", str(csv_path)], check=True,
                           stdout=subprocess.DEVNULL)
        commands = {"fieldwork findings": (None, [*fieldwork, "--db", url, "findings", "case_review"])}
        if args.before:  # the earlier tree's package first on the path: python -m from inside it
            commands["before"] = (args.before, [sys.executable, "-m", "fieldwork.cli", "--db", url, "findings",
                                                "case_review"])
        commands["pandas"] = (None, [sys.executable, "-c", PANDAS, str(csv_path)])
        for cwd, cmd in commands.values():
            wall(cmd, cwd)  # warm-up: bytecode caches, the files in the page cache
        rounds = []
        for _ in range(args.repeat):  # in turn, so each sees the same load
            rounds.append({name: wall(cmd, cwd) for name, (cwd, cmd) in commands.items()})
        print_ratios(n, rounds, list(commands))
    return 0


if __name__ == "__main__":
    sys.exit(main())
