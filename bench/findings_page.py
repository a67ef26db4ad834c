"""Benchmark: the Findings page's first draw and a filter change, server side (AppTest).

    .venv/bin/python bench/findings_page.py              # N = 470 and 10,000
    .venv/bin/python bench/findings_page.py -n 470 --repeat 5

For each N: a SQLite database of N synthetic complete ``case_review`` assessments
(``bench/findings.py``'s filler; reused when it holds N), then the page run through
Streamlit's AppTest as a signed-in lead: one warm-up session (imports, bytecode), then per
repeat a new session's first draw (default view: the Charts tab, breakdown by force) and a
filter change (force = Durham) in that session. Wall time of ``AppTest.run``: the server's
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, action="append", help="complete assessments (default: 470 and 10,000)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", default="/tmp")
    args = parser.parse_args()
    for n in args.n or [470, 10_000]:
        url = f"sqlite:///{args.dir}/fieldwork-page-{n}.db"
        fill(url, n)
        session_for(url).run()  # warm-up
        first, change = [], []
        for _ in range(args.repeat):
            at = session_for(url)
            start = time.perf_counter()
            at.run()
            first.append(time.perf_counter() - start)
            assert not at.exception, at.exception
            at.multiselect(key="findings_filter_case_review_force").select("durham")
            start = time.perf_counter()
            at.run()
            change.append(time.perf_counter() - start)
            assert not at.exception, at.exception
        print(f"N = {n}: first draw {statistics.median(first):.2f} s median ({min(first):.2f}-{max(first):.2f}); "
              f"filter change {statistics.median(change):.2f} s median ({min(change):.2f}-{max(change):.2f}); "
              f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
