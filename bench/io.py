"""Time import and export of N case_review assessments (default 10,000). Run by hand:

    /tmp/venv/bin/python bench/io.py [--n 10000] [--db URL] [--notes]

Fills a database with N synthetic complete assessments (not timed), then times, each in a
process of its own so its peak memory is its own:

* export of the Excel workbook and of the wide CSV (the service the CLI and page call);
* import of that workbook and of that CSV into an empty database (read, check every cell,
  write everything in one transaction).

Targets (issue 5): import under 10 s, export under 15 s, peak memory under 1 GB.
Record the figures in README.md's Benchmarks section.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fieldwork import db, startup  # noqa: E402
from fieldwork.services import importing, inspections, store, synthetic  # noqa: E402
from exports import exporting  # noqa: E402
from fieldwork.services.permissions import LEAD, Actor  # noqa: E402

ACTOR = Actor("bench", LEAD)
QUESTIONNAIRE = "case_review"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _measured(fn, queue, *args):
    start, cpu = time.perf_counter(), _cpu()
    try:
        detail = fn(*args)
    except BaseException as exc:  # said to the parent, which would otherwise wait for ever
        queue.put(("failed", f"{type(exc).__name__}: {str(exc)[:2000]}"))
        raise
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((seconds, cpu, peak_mb, detail))


def run(fn, *args):
    """Run fn in a fresh process; return (wall seconds, CPU seconds, peak MB of that process, what
    fn returned). CPU time is reported beside wall time because the machine is shared: when other
    work competes for the two cores, wall time grows and CPU time does not."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_measured, args=(fn, queue, *args))
    proc.start()
    result = queue.get()
    proc.join()
    if result[0] == "failed":
        raise SystemExit(f"{getattr(fn, '__name__', fn)} failed: {result[1]}")
    return result


def accounts(url: str, names) -> None:
    """The inspectors' accounts a database needs before it takes their work: an import's
    meta:inspector and a bundle's inspector must each name an account (issue 17). Made as the
    lead's server holds them (no password: they sign in nowhere in a bench)."""
    from sqlmodel import select

    from fieldwork.services.permissions import INSPECTOR
    from models import User

    with db.session_scope(startup.open_engine(url)) as s:
        held = set(s.exec(select(User.name)).all())
        s.add_all(User(name=n, role=INSPECTOR, password_hash="!") for n in sorted(set(names) - held))


def inspectors(url: str) -> list[str]:
    """Who scored the assessments a database holds."""
    from sqlalchemy import select

    from models import Assessment

    with db.session_scope(startup.open_engine(url)) as s:
        return list(s.execute(select(Assessment.inspector).distinct()).scalars())


def fill(url: str, n: int, notes: bool) -> None:
    engine = startup.open_engine(url)
    with db.session_scope(engine) as s:
        inspection = inspections.inspection_by_code(s)
        version = inspections.current_version(s, QUESTIONNAIRE)
        records = synthetic.records(inspections.questionnaire_of(version), n, notes=notes)
        store.add_complete_assessments(s, inspection_id=inspection.id, version=version, records=records,
                                       created_by="bench")


def export(url: str, out: str, fmt: str, notes: bool) -> str:
    engine = startup.open_engine(url)
    with db.session_scope(engine) as s:
        if fmt == "xlsx":
            data = exporting.export_workbook(s, ACTOR, QUESTIONNAIRE, with_notes=notes, file_name=out)
        else:
            data = exporting.export_csv(s, ACTOR, QUESTIONNAIRE, with_notes=notes, file_name=out)
    Path(out).write_bytes(data)
    return f"{len(data) / 1e6:.1f} MB"


def import_(url: str, path: str) -> str:
    engine = startup.open_engine(url)  # prepared before the clock started (see main)
    with db.session_scope(engine) as s:
        result = importing.import_file(s, ACTOR, QUESTIONNAIRE, Path(path).read_bytes(), Path(path).name)
    return f"{result.written} rows"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--db", help="a PostgreSQL URL for the source database (default: SQLite in a temp dir)")
    parser.add_argument("--notes", action="store_true", help="export and import evidence notes as well")
    args = parser.parse_args()
    print(f"load average before the run: {', '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")
    with tempfile.TemporaryDirectory() as tmp:
        source = args.db or f"sqlite:///{tmp}/source.db"
        t = time.perf_counter()
        fill(source, args.n, args.notes)
        print(f"filled {args.n:,} {QUESTIONNAIRE} assessments in {time.perf_counter() - t:.1f} s (not timed)")
        db.dispose_all()
        for fmt in ("xlsx", "csv"):
            out = f"{tmp}/export.{fmt}"
            seconds, cpu, peak, detail = run(export, source, out, fmt, args.notes)
            print(f"export {fmt:4}  {seconds:6.2f} s wall  {cpu:6.2f} s CPU   peak {peak:6.0f} MB   ({detail})")
            target = f"sqlite:///{tmp}/import_{fmt}.db"
            startup.open_engine(target)  # an empty, prepared database: the schema is not part of the timing
            accounts(target, inspectors(source))  # the workbook's meta:inspector names them
            db.dispose_all()
            seconds, cpu, peak, detail = run(import_, target, out)
            print(f"import {fmt:4}  {seconds:6.2f} s wall  {cpu:6.2f} s CPU   peak {peak:6.0f} MB   ({detail})")


if __name__ == "__main__":
    main()
