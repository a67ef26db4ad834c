"""Benchmark: how long the Findings page's PNG and SVG downloads take to prepare.

    .venv/bin/python bench/chart_downloads.py              # N = 470 (and the demonstration data's charts)
    .venv/bin/python bench/chart_downloads.py -n 10000

For each N (``bench/findings.py``'s filler, reused when it holds N): the page's three default
charts (headline bars, the dot plot by force, fully / partially / not met) built as the page
builds them (``fieldwork.ui.findings_cache.chart_spec``), then each rendered to PNG and to
SVG with vl-convert, the way the download buttons do when clicked. Reported: the first
rendering in the process before the engine is warm (what a download costs if it is the
server's first), then after the page's background warm-up, the median of ``--repeat`` renders
per chart and format (each the chart's first download: the drawing the PNG and SVG share is
dropped before each; and a PNG after its SVG), as wall seconds and as the process's CPU seconds (vl-convert renders in
one thread: on a machine shared with other work the CPU time is what the rendering itself
costs, the wall time what the load made of it). Target (issue 13): each download ready in
under 2 s.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, action="append", help="complete assessments (default: 470)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", default="/tmp")
    args = parser.parse_args()
    from fieldwork import charts, db, startup
    from fieldwork.services import inspections
    from fieldwork.ui import findings_cache

    for n in args.n or [470]:
        url = f"sqlite:///{args.dir}/fieldwork-page-{n}.db"
        fill(url, n)
        os.environ[db.ENV_URL] = url
        with db.session_scope(startup.open_engine(url)) as s:
            inspection = inspections.inspection_by_code(s)
            q = inspections.load_questionnaire(s, "case_review")
        key = findings_cache.request_key(inspection, "case_review", "force", {})
        rows = findings_cache.rows(key, ())
        headline = tuple(charts.headline(rows))
        labels = tuple(sorted((c.code, c.label) for c in q.options("force")))
        specs = {"headline bars": findings_cache.chart_spec(key, "bars", headline, "Findings", group_labels=labels),
                 "dot plot by force": findings_cache.chart_spec(key, "dots", headline[:3], "By force",
                                                                group_labels=labels, by_label="Force"),
                 "fully / partially / not met": findings_cache.chart_spec(key, "met", (), "Met", group_labels=labels)}
        start, used = time.perf_counter(), time.process_time()
        findings_cache.png(specs["headline bars"])
        print(f"N = {n}: first PNG of the process (engine cold): wall {time.perf_counter() - start:.2f} s, "
              f"CPU {time.process_time() - used:.2f} s", flush=True)
        for name, spec in specs.items():
            # each the chart's first download (nothing of it kept), then a PNG after its SVG:
            # the two downloads share one drawing (findings_cache._svg)
            for fmt, render, first in (("PNG", findings_cache.png, None), ("SVG", findings_cache.svg, None),
                                       ("PNG after its SVG", findings_cache.png, findings_cache.svg)):
                times, cpu = [], []
                for _ in range(args.repeat):
                    findings_cache.drop_drawings()
                    if first:
                        first(spec)
                    start, used = time.perf_counter(), time.process_time()
                    render(spec)
                    times.append(time.perf_counter() - start)
                    cpu.append(time.process_time() - used)
                print(f"  {name} {fmt}: wall {statistics.median(times):.2f} s median ({min(times):.2f}-"
                      f"{max(times):.2f}); CPU {statistics.median(cpu):.2f} s median ({min(cpu):.2f}-{max(cpu):.2f})",
                      flush=True)
        print(f"  load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
