"""Benchmark: how fast could ``fieldwork findings`` be without SQLAlchemy? The database's floor, beside pandas.

    .venv/bin/python bench/findings_floor.py                  # N = 20,000 and 100,000 (SQLite)
    .venv/bin/python bench/findings_floor.py -n 20000 --repeat 5

Issue 13 asks ``fieldwork findings`` to beat pandas counting the same cases' CSV
(``bench/findings_vs_pandas.py``). Before rewriting the read path, this measures what such a
rewrite could at best give. For each N (the databases and CSVs of ``findings_vs_pandas.py``,
made by it if missing):

1. one in-process run of ``findings.compute(session, "case_review")`` records every SQL
   statement SQLAlchemy sends to the driver (text and parameters, ``before_cursor_execute``);
2. then, alternately, each a whole process started as a user starts it:
   * ``fieldwork findings case_review`` (JSON to a pipe),
   * **the floor**: a Python process importing only ``sqlite3`` that runs the recorded
     statements in order and reads every row (no SQLAlchemy, no models, no arranging of rows
     into findings, no JSON: less than any real command could do), and
   * pandas, as in ``findings_vs_pandas.py``.

Prints medians of wall and CPU time and each one's ratio to pandas (median of the round-by-round
ratios) and the load average. If the floor's ratio is near or over 1, no read path without
SQLAlchemy alone can meet the target: the counting statements themselves must do less.
Never run in the tests: figures go in docs/findings-uncertainty.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.findings import fill  # noqa: E402
from bench.findings_vs_pandas import PANDAS, print_ratios, wall  # noqa: E402

REPLAY = """
import json, sqlite3, sys
con = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
rows = 0
for statement, parameters in json.load(open(sys.argv[2])):
    rows += len(con.execute(statement, parameters).fetchall())
sys.stdout.write(str(rows) + chr(10))
"""


def record(url: str, path: Path) -> int:
    """Every statement one ``findings.compute`` sends to the driver, written to ``path``."""
    from sqlalchemy import event

    from fieldwork import db, startup
    from fieldwork.services import findings

    engine = startup.open_engine(url, read_only=True)
    sent: list = []

    @event.listens_for(engine, "before_cursor_execute")
    def keep(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        sent.append((statement, list(parameters or ())))

    with db.session_scope(engine) as session:
        findings.compute(session, "case_review")
    engine.dispose()
    path.write_text(json.dumps(sent))
    return len(sent)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, action="append", help="complete assessments (default: 20,000 and 100,000)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", default="/tmp", help="where the databases and CSVs are (or go)")
    args = parser.parse_args()
    script = Path(sys.executable).with_name("fieldwork")
    fieldwork = [str(script)] if script.exists() else [sys.executable, "-m", "fieldwork.cli"]
    for n in args.n or [20_000, 100_000]:
        db_path = Path(args.dir) / f"fieldwork-vs-pandas-{n}.db"
        url = f"sqlite:///{db_path}"
        csv_path = Path(args.dir) / f"fieldwork-vs-pandas-{n}.csv"
        fill(url, n)
        if not csv_path.exists():
            subprocess.run([*fieldwork, "--db", url, "export", "case_review", str(csv_path)], check=True,
                           stdout=subprocess.DEVNULL)
        statements = Path(args.dir) / f"fieldwork-floor-{n}.json"
        print(f"N = {n}: {record(url, statements)} statements recorded", flush=True)
        commands = {"fieldwork findings": [*fieldwork, "--db", url, "findings", "case_review"],
                    "floor (sqlite3 only)": [sys.executable, "-c", REPLAY, str(db_path), str(statements)],
                    "pandas": [sys.executable, "-c", PANDAS, str(csv_path)]}
        for cmd in commands.values():
            wall(cmd)  # warm-up: bytecode caches, the files in the page cache
        rounds = [{name: wall(cmd) for name, cmd in commands.items()} for _ in range(args.repeat)]
        print_ratios(n, rounds, list(commands))
    return 0


if __name__ == "__main__":
    sys.exit(main())
