"""Benchmark: the Findings page's first draw and a filter change, server side (AppTest).

    .venv/bin/python bench/findings_page.py              # N = 470 and 10,000
    .venv/bin/python bench/findings_page.py -n 470 --repeat 5

For each N: a SQLite database of N synthetic complete ``case_review`` assessments
(``bench/findings.py``'s filler; reused when it holds N), then the page run through
Streamlit's AppTest as a signed-in lead: one warm-up session (imports, bytecode), then per
repeat a new session's first draw (default view: the Charts tab, breakdown by force) and a
filter change (force = Durham) in that session, as wall seconds and as the script thread's CPU
seconds (what the draw costs without the other work on a shared machine) — once with the page's cache emptied ("cold":
the first draw after the data changed) and once more in a new session ("warm": the figures
and chart specs kept, fieldwork/ui/findings_cache.py). Wall time of ``AppTest.run``: the server's
whole script run, not the browser's drawing. Never run in the tests: figures go in docs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.findings import fill  # noqa: E402


def session_for(url: str):
    from streamlit.testing.v1 import AppTest

    from fieldwork.ui import session

    os.environ["FIELDWORK_DATABASE_URL"] = url
    at = AppTest.from_file(str(ROOT / "pages" / "findings.py"), default_timeout=300)
    at.session_state[session.USER_KEY] = {"name": "lead1", "role": "lead", "forces": []}
    at.session_state[session.SEEN_KEY] = time.time()
    return at


SCRIPT_TIMES: list[tuple[float, float]] = []


def time_the_script() -> None:
    """Also time the page's own script run: AppTest.run adds, on a session's first run, a scan
    of every installed package for Streamlit components (about 0.3 s quiet, over 1 s loaded)
    that a real server makes once at its start, not per session."""
    from streamlit.runtime.scriptrunner import script_runner

    run = script_runner.ScriptRunner._run_script

    def timed_run(self, rerun_data):
        start, used = time.perf_counter(), time.thread_time()
        try:
            return run(self, rerun_data)
        finally:  # the script's thread runs the page and its SQLite queries: its CPU time is theirs
            SCRIPT_TIMES.append((time.perf_counter() - start, time.thread_time() - used))

    script_runner.ScriptRunner._run_script = timed_run


def timed(at) -> tuple[float, float, float]:
    """(AppTest.run's wall seconds, the script's own wall seconds, the script thread's CPU seconds)."""
    SCRIPT_TIMES.clear()
    start = time.perf_counter()
    at.run()
    took = time.perf_counter() - start
    assert not at.exception, at.exception
    return took, sum(t[0] for t in SCRIPT_TIMES), sum(t[1] for t in SCRIPT_TIMES)


def main() -> int:
    from fieldwork.ui import findings_cache

    time_the_script()

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, action="append", help="complete assessments (default: 470 and 10,000)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", default="/tmp")
    args = parser.parse_args()
    for n in args.n or [470, 10_000]:
        url = f"sqlite:///{args.dir}/fieldwork-page-{n}.db"
        fill(url, n)
        session_for(url).run()  # warm-up: imports, bytecode, the engine
        times: dict[str, list[tuple[float, float, float]]] = {k: [] for k in ("cold first draw", "cold filter change",
                                                                       "first draw", "filter change")}
        for _ in range(args.repeat):
            # cold: nothing kept (as the first draw after any change to the data), then warm: a
            # new session over the same data (the figures and charts kept by the page's cache)
            findings_cache.clear()
            for prefix in ("cold ", ""):
                at = session_for(url)
                times[prefix + "first draw"].append(timed(at))
                at.multiselect(key="findings_filter_case_review_force").select("durham")
                times[prefix + "filter change"].append(timed(at))
        print(f"N = {n} (AppTest.run wall | the script's wall | the script's CPU; median (min-max) of "
              f"{args.repeat}):", flush=True)
        for k, v in times.items():
            cells = []
            for i in range(3):
                xs = [t[i] for t in v]
                cells.append(f"{statistics.median(xs):.2f} s ({min(xs):.2f}-{max(xs):.2f})")
            print(f"  {k}: " + " | ".join(cells), flush=True)
        print(f"  load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
