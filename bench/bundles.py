"""Time a laptop's bundle: export, merge into an empty lead database, merge again (nothing
changes), and the agreement table over second-marked pairs. Run by hand:

    /tmp/venv/bin/python bench/bundles.py [--n 5000] [--pairs 1000]

Fills a laptop database with N synthetic complete case_review assessments with evidence
notes (not timed), then times each step in a process of its own (bench/io.py's ``run``), so
each peak memory is its own. A laptop holds tens to hundreds of cases; N = 5,000 is a whole
inspection arriving at once. Record the figures in README.md's Benchmarks section.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select, update  # noqa: E402

from bench.io import accounts, fill, inspectors, run  # noqa: E402
from fieldwork import db, startup  # noqa: E402
from fieldwork.services import agreement, bundles, inspections, store, synthetic  # noqa: E402
from fieldwork.services.permissions import LEAD, Actor  # noqa: E402
from models import SECOND, Assessment, SecondMarking  # noqa: E402

ACTOR = Actor("bench", LEAD)


def export(url: str, out: str) -> str:
    with db.session_scope(startup.open_engine(url)) as s:
        exported = bundles.export_bundle(s, ACTOR, file_name=Path(out).name)
    Path(out).write_bytes(exported.content)
    return f"{len(exported.content) / 1e6:.1f} MB, {exported.manifest['counts']['answers']:,} answers"


def merge(url: str, path: str) -> str:
    with db.session_scope(startup.open_engine(url)) as s:
        report = bundles.import_bundle(s, ACTOR, Path(path).read_bytes(), Path(path).name)
    return report.summary()[:80]


def second_marked(url: str, pairs: int) -> None:
    """``pairs`` primaries each with a second marking (random answers: agreement near chance)."""
    with db.session_scope(startup.open_engine(url)) as s:
        inspection = inspections.inspection_by_code(s)
        version = inspections.current_version(s, "case_review")
        q = inspections.questionnaire_of(version)
        first = synthetic.records(q, pairs, seed=7, prefix="SM")
        second = synthetic.records(q, pairs, seed=8, prefix="SM")
        for r in second:
            r.inspector, r.uid = "second", "s" + r.case_ref.replace("-", "").lower().rjust(31, "0")
        store.add_complete_assessments(s, inspection_id=inspection.id, version=version, records=first, created_by="b")
        store.add_complete_assessments(s, inspection_id=inspection.id, version=version, records=second, created_by="b")
        s.execute(update(Assessment).where(Assessment.inspector == "second").values(purpose=SECOND, counted=False))
        rows = s.execute(select(Assessment.case_id, Assessment.uid, Assessment.inspector, Assessment.purpose)).all()
        by_case: dict[int, dict] = {}
        for case_id, uid, who, purpose in rows:
            by_case.setdefault(case_id, {})[purpose] = (uid, who)
        s.add_all(SecondMarking(inspection_id=inspection.id, questionnaire="case_review", case_id=c,
                                primary_uid=p["primary"][0], second_uid=p["second"][0], first_inspector=p["primary"][1],
                                second_inspector="second", assigned_by="bench")
                  for c, p in by_case.items() if "second" in p)


def agreement_table(url: str) -> str:
    with db.session_scope(startup.open_engine(url)) as s:
        report = agreement.report(s, "case_review")
    return f"{report.pairs:,} pairs, {len(report.questions)} questions, pooled kappa {report.pooled_kappa:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=5_000)
    parser.add_argument("--pairs", type=int, default=1_000)
    args = parser.parse_args()
    print(f"load average before the run: {', '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")
    with tempfile.TemporaryDirectory() as tmp:
        laptop, lead = f"sqlite:///{tmp}/laptop.db", f"sqlite:///{tmp}/lead.db"
        t = time.perf_counter()
        fill(laptop, args.n, True)
        second_marked(lead, args.pairs)
        accounts(lead, inspectors(laptop))  # a bundle's inspectors must be accounts of the lead's database
        print(f"filled {args.n:,} assessments and {args.pairs:,} second-marked pairs in "
              f"{time.perf_counter() - t:.1f} s (not timed)")
        db.dispose_all()
        out = f"{tmp}/laptop{bundles.SUFFIX}"
        for name, fn, fn_args in (("export", export, (laptop, out)), ("merge", merge, (lead, out)),
                                  ("merge again", merge, (lead, out)), ("agreement", agreement_table, (lead,))):
            seconds, cpu, peak, detail = run(fn, *fn_args)
            print(f"{name:12} {seconds:6.2f} s wall  {cpu:6.2f} s CPU   peak {peak:6.0f} MB   ({detail})")


if __name__ == "__main__":
    main()
