"""Time a sign-in and reading a long audit trail. Run by hand:

    /tmp/venv/bin/python bench/audit_sign_in.py [--n 200000] [--db URL]

* a sign-in (one Argon2id verification at argon2-cffi's default parameters, plus the
  account update and audit row), right and wrong password, and an unknown name: the three
  should take about the same time;
* on a trail of N events spread over a year (inserted in bulk, not timed): the Audit page's
  count and first page unfiltered, filtered by person and 30 days, and by case reference;
  the CSV export of 30 days.

Record the figures in README.md's Benchmarks section.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from fieldwork import audit, db, startup  # noqa: E402
from fieldwork.services import accounts, audit_log  # noqa: E402
from fieldwork.services.permissions import LEAD, Actor, command_line_actor  # noqa: E402
from models import AuditEvent  # noqa: E402

PASSWORD = "bench password for sign-in"


def timed(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sign_in(engine, name, password):
    try:
        with db.session_scope(engine) as s:
            accounts.authenticate(s, name, password)
    except accounts.SignInRefused:
        pass


def fill(engine, n: int) -> None:
    rnd = random.Random(1)
    start = datetime.now(timezone.utc) - timedelta(days=365)
    actions = [audit.ANSWER_CHANGED] * 8 + [audit.STATUS_CHANGED, audit.SIGN_IN, audit.CASE_CREATED]
    rows = [dict(at=start + timedelta(seconds=365 * 86400 * i / n), actor=f"inspector{rnd.randint(1, 12)}",
                 action=rnd.choice(actions), case_ref=f"HS-{rnd.randint(1, 2000):04d}", question="vps_taken",
                 old_value="no", new_value="yes", detail="") for i in range(n)]
    with engine.begin() as conn:
        for i in range(0, n, 10_000):
            conn.execute(insert(AuditEvent), rows[i:i + 10_000])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    engine = startup.open_engine(url)
    with db.session_scope(engine) as s:
        accounts.add_user(s, command_line_actor(), "inspector1", "inspector", PASSWORD)
    print(f"database: {db.describe(url)}")
    print(f"sign-in, right password:  {timed(lambda: sign_in(engine, 'inspector1', PASSWORD)) * 1000:.0f} ms")
    print(f"sign-in, wrong password:  {timed(lambda: sign_in(engine, 'inspector1', 'wrong'), 4) * 1000:.0f} ms")
    print(f"sign-in, unknown name:    {timed(lambda: sign_in(engine, 'nobody9', 'wrong')) * 1000:.0f} ms")

    fill(engine, args.n)
    lead = Actor("lead1", LEAD)
    today = date.today()
    month = audit_log.AuditFilter(actor="inspector3", since=today - timedelta(days=30), until=today)
    by_case = audit_log.AuditFilter(case_ref="HS-0042")
    for label, f in [("everything", audit_log.AuditFilter()), ("one person, 30 days", month),
                     ("one case", by_case)]:
        def page(f=f):
            with db.session_scope(engine) as s:
                audit_log.count(s, lead, f)
                audit_log.events(s, lead, f)
        print(f"audit page, {label}: {timed(page) * 1000:.0f} ms  (trail of {args.n} events)")
    last_month = audit_log.AuditFilter(since=today - timedelta(days=30), until=today)

    def export():
        with db.session_scope(engine) as s:
            return audit_log.export_csv(s, lead, last_month)
    with db.session_scope(engine) as s:
        rows = audit_log.count(s, lead, last_month)
    print(f"CSV export of 30 days ({rows} rows): {timed(export, 3) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
