"""Benchmark: ``fieldwork findings case_review`` and ``--by force`` over N complete assessments.

    /tmp/venv/bin/python bench/findings.py                 # N = 100,000 on SQLite (file in /tmp)
    /tmp/venv/bin/python bench/findings.py -n 10000 --db postgresql+psycopg://...

Fills the database once with N synthetic complete ``case_review`` assessments
(``fieldwork.services.synthetic`` + ``store.add_complete_assessments``; a database that already
holds N is reused), then runs each command in a fresh subprocess, as a user would, and
reports wall time and the child's peak memory (``resource.getrusage(RUSAGE_CHILDREN)``).
Target (issue 4): each under 5 s and 1 GB with N = 100,000 on the 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fieldwork import db, startup  # noqa: E402
from fieldwork.services import inspections, synthetic  # noqa: E402
from fieldwork.services.store import add_complete_assessments  # noqa: E402
from models import Assessment, CaseFile  # noqa: E402

BATCH = 10_000  # cases generated and written per transaction: bounded memory while filling
# As an installed package runs: modules loaded from cached bytecode (kept outside the source
# tree), not compiled from source on every start as PYTHONDONTWRITEBYTECODE=1 would make them.
CHILD_ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
             "PYTHONPYCACHEPREFIX": "/tmp/fieldwork-bench-pycache"}


def fill(url: str, n: int) -> None:
    engine = startup.open_engine(url)
    with db.session_scope(engine) as s:
        have = s.scalar(select(func.count()).select_from(Assessment).join(CaseFile, CaseFile.id == Assessment.case_id)
                        .where(CaseFile.questionnaire == "case_review")) or 0
    if have == n:
        print(f"reusing {db.describe(url)}: {have} assessments")
        return
    if have:
        sys.exit(f"{db.describe(url)} holds {have} case_review assessments, not {n}: use an empty database")
    start = time.perf_counter()
    for first in range(0, n, BATCH):
        size = min(BATCH, n - first)
        with db.session_scope(engine) as s:
            inspection = inspections.inspection_by_code(s)
            version = inspections.current_version(s, "case_review")
            q = inspections.questionnaire_of(version)
            records = synthetic.records(q, size, seed=first + 1, prefix=f"B{first // BATCH:03d}")
            add_complete_assessments(s, inspection_id=inspection.id, version=version, records=records,
                                     created_by="bench")
        print(f"  filled {first + size}/{n} ({time.perf_counter() - start:.0f} s)", flush=True)
    # fresh planner statistics, as after any large import (PostgreSQL's VACUUM needs autocommit)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")


def measure(cmd: list[str]) -> None:
    """Run ``cmd`` as this process's only child; print its wall seconds, peak RSS (KiB) and
    output size. A helper process per run, because RUSAGE_CHILDREN is the maximum over every
    child a process has waited for."""
    with subprocess.Popen(cmd, stdout=subprocess.PIPE) as child:
        start = time.perf_counter()
        size = 0
        while chunk := child.stdout.read(1 << 16):
            size += len(chunk)
        child.wait()
        wall = time.perf_counter() - start
    if child.returncode:
        sys.exit(child.returncode)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(wall, usage.ru_maxrss, size, usage.ru_utime + usage.ru_stime)


def run(url: str, extra: list[str]) -> tuple[float, float, int, float]:
    """Wall seconds, peak RSS in MB, the size of the JSON printed and the CPU seconds of one
    command (CPU time shows what the command costs when other work shares the machine)."""
    cmd = [sys.executable, "-m", "fieldwork.cli", "findings", "case_review", "--db", url, *extra]
    out = subprocess.run([sys.executable, __file__, "--measure", *cmd], capture_output=True, text=True, check=True,
                         env=CHILD_ENV)
    wall, peak_kib, size, cpu = out.stdout.split()
    return float(wall), int(peak_kib) / 1024, int(size), float(cpu)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        measure(sys.argv[2:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000, help="complete assessments (default 100,000)")
    parser.add_argument("--db", default=None, help="database URL (default: a SQLite file in /tmp named for N)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command (default 3)")
    args = parser.parse_args()
    url = args.db or f"sqlite:////tmp/fieldwork-bench-findings-{args.n}.db"
    fill(url, args.n)
    db.dispose_all()
    print(f"N = {args.n} complete case_review assessments, {db.describe(url)}, {os.cpu_count()} CPUs")
    for label, extra in (("fieldwork findings case_review", []),
                         ("fieldwork findings case_review --by force", ["--by", "force"])):
        run(url, extra)  # warm-up: bytecode cache, the file in the page cache
        runs = [run(url, extra) for _ in range(args.repeat)]
        walls = sorted(r[0] for r in runs)
        cpus = sorted(r[3] for r in runs)
        print(f"{label}: wall {walls[0]:.2f} s best, {walls[len(walls) // 2]:.2f} s median, "
              f"{walls[-1]:.2f} s worst; CPU {cpus[len(cpus) // 2]:.2f} s median; "
              f"peak RSS {max(r[1] for r in runs):.0f} MB; {runs[0][2] / 1024:.0f} KiB of JSON")
    print(f"load average after the runs: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores, shared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
