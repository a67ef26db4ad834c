"""Benchmark: the clicks a walk of the app found slow (over 2 s: docs/waits.md), server side.

    .venv/bin/python bench/clicks.py                        # every click, 3 repeats, this tree
    .venv/bin/python bench/clicks.py --only draft_report export --repeat 5
    .venv/bin/python bench/clicks.py --alternate /tmp/s24-waits-old --rounds 3
                                   # A B A B: the old tree (git worktree add --detach DIR main)
                                   # and this one, in turn, each click in a fresh process

Each click runs a page through Streamlit's AppTest on a SQLite database of the demonstration
data (112 case_review and 270 pin_review cases; made once in ``--db``'s folder and reused) with
the accounts admin1, lead1 and inspector1. One click first warms the process (imports,
bytecode: a server that has run a while has them), then each repeat is timed: wall seconds of
the script run (``AppTest.run``: the server's whole rerun, not the browser's drawing) and the
process's CPU seconds (what the run costs without the other engineers' work on the machine),
with the 1-minute load average beside it. The load drifts, so compare alternately
(``--alternate``) and read the CPU figures first. Never run in the tests: figures go in
docs/waits.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-not-real-1"  # the bench's own accounts, on its own database


def _root() -> Path:
    """The tree whose pages and code are timed: ``--root`` (an old worktree) or this one."""
    if "--root" in sys.argv:
        return Path(sys.argv[sys.argv.index("--root") + 1]).resolve()
    return HERE


ROOT = _root()
sys.path.insert(0, str(ROOT))


def prepare(url: str) -> None:
    """The demonstration data and three accounts with a password, once per database."""
    from fieldwork import db, startup
    from fieldwork.services import accounts, demo
    from fieldwork.services.permissions import command_line_actor

    engine = startup.open_engine(url)
    with db.session_scope(engine) as s:
        if demo.can_load(s):
            demo.load(s, actor="bench")
        for name, role in (("admin1", "admin"), ("lead1", "lead"), ("inspector1", "inspector")):
            if not accounts.exists(s, name):
                accounts.add_user(s, command_line_actor(), name, role, PASSWORD)


def app(path: str, url: str, user: str | None, role: str = ""):
    import logging

    from streamlit.testing.v1 import AppTest

    from fieldwork import db
    from fieldwork.ui import session

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest's "missing ScriptRunContext" lines

    os.environ[db.ENV_URL] = url
    at = AppTest.from_file(str(ROOT / path), default_timeout=600)
    if user:
        at.session_state[session.USER_KEY] = {"name": user, "role": role, "forces": []}
        at.session_state[session.SEEN_KEY] = time.time()
    return at


def _first_uid(url: str) -> tuple[str, int]:
    from sqlalchemy import select

    from fieldwork import db, startup
    from models import Assessment

    with db.session_scope(startup.open_engine(url)) as s:
        uid, case_id = s.execute(select(Assessment.uid, Assessment.case_id)
                                 .where(Assessment.inspector == "inspector1").order_by(Assessment.id)).first()
    return uid, case_id


def _button(at, label: str):
    """A form's submit button, found by its label (Streamlit gives it no key of ours)."""
    return next(b for b in at.button if b.label == label)


# Each click: (prepare the page up to the click, then return the call that does the click).
def draft_report(url):
    at = app("pages/findings.py", url, "lead1", "lead")
    at.session_state["findings_view"] = "Draft report"
    at.run()
    return lambda: at.button(key="findings_report_write").click().run()


def export(url):
    at = app("pages/export.py", url, "lead1", "lead")
    at.run()
    return lambda: at.button(key="export_prepare").click().run()


def case_view(url):  # "Open HS-0017 read-only": a new tab, so a new session's first run
    uid, _ = _first_uid(url)
    at = app("pages/case_view.py", url, "lead1", "lead")
    at.query_params["assessment"] = uid
    return at.run


def findings_questionnaire(url):
    at = app("pages/findings.py", url, "lead1", "lead")
    at.run()
    picker = next(s for s in at.selectbox if s.label == "Questionnaire")
    return lambda: picker.set_value("pin_review").run()


def findings_questionnaire_cold(url):  # the first switch after the data changed: nothing kept
    from fieldwork.ui import findings_cache

    at = app("pages/findings.py", url, "lead1", "lead")
    at.run()
    findings_cache.clear()
    picker = next(s for s in at.selectbox if s.label == "Questionnaire")
    return lambda: picker.set_value("pin_review").run()


def another_excerpt(url):
    at = app("pages/evidence.py", url, "lead1", "lead")
    at.run()
    return lambda: at.button(key="ev_more").click().run()


def change_role(url):
    at = app("pages/users.py", url, "admin1", "admin")
    at.run()
    at.selectbox(key="users_chosen").set_value("inspector1").run()
    role = at.selectbox(key="users_new_role_inspector1")
    role.set_value("lead" if role.value == "inspector" else "inspector")
    return lambda: _button(at, "Change role").click().run()


def reset_password(url):
    at = app("pages/users.py", url, "admin1", "admin")
    at.run()
    at.selectbox(key="users_chosen").set_value("inspector1").run()
    at.text_input(key="users_reset_password").input(PASSWORD)
    at.text_input(key="users_reset_password2").input(PASSWORD)
    return lambda: _button(at, "Reset password").click().run()


def assess_open(url):  # "Open in Assess" and a reload of Assess: a first run on ?case=
    _, case_id = _first_uid(url)
    at = app("pages/assess.py", url, "inspector1", "inspector")
    at.query_params["case"] = str(case_id)
    return at.run


def sign_in(url):
    at = app("pages/sign_in.py", url, None)
    at.run()
    at.text_input(key="sign_in_name").input("lead1")
    at.text_input(key="sign_in_password").input(PASSWORD)
    return lambda: _button(at, "Sign in").click().run()


CLICKS = {f.__name__: f for f in (draft_report, export, case_view, findings_questionnaire,
                                  findings_questionnaire_cold, another_excerpt,
                                  change_role, reset_password, assess_open, sign_in)}


def time_click(name: str, url: str, repeat: int) -> dict:
    CLICKS[name](url)()  # warm-up: imports and first-use caches, as on a server that has run a while
    walls, cpus, loads = [], [], []
    for _ in range(repeat):
        click = CLICKS[name](url)
        loads.append(os.getloadavg()[0])
        wall, cpu = time.perf_counter(), time.process_time()
        at = click()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        if at is not None and at.exception:
            raise SystemExit(f"{name}: the page failed: {at.exception[0].message}")
    return {"click": name, "root": str(ROOT), "wall": statistics.median(walls), "cpu": statistics.median(cpus),
            "load": statistics.median(loads), "walls": walls, "cpus": cpus}


def alternate(old: Path, clicks: list[str], rounds: int, repeat: int, db_path: Path) -> None:
    """A B A B: each round runs every click in a fresh process on the old tree, then on this one."""
    results: dict[tuple[str, str], list[dict]] = {}
    for _ in range(rounds):
        for name in clicks:
            for label, root in (("old", old), ("new", HERE)):
                env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
                env["PYTHONPATH"] = str(root)
                out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--root", str(root), "--only", name,
                                      "--repeat", str(repeat), "--db", str(db_path), "--json"],
                                     cwd=root, env=env, capture_output=True, text=True)
                if out.returncode:
                    raise SystemExit(out.stderr[-2000:])
                results.setdefault((name, label), []).append(json.loads(out.stdout.strip().splitlines()[-1])[0])
    print(f"{'click':24} {'old wall':>9} {'old cpu':>8} {'load':>5}   {'new wall':>9} {'new cpu':>8} {'load':>5}")
    for name in clicks:
        cells = []
        for label in ("old", "new"):
            rs = results[(name, label)]
            cells.append(f"{statistics.median(r['wall'] for r in rs):9.2f} {statistics.median(r['cpu'] for r in rs):8.2f} "
                         f"{statistics.median(r['load'] for r in rs):5.1f}")
        print(f"{name:24} {cells[0]}   {cells[1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=list(CLICKS), default=list(CLICKS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", type=Path, default=Path("/tmp/fieldwork-bench-clicks/demo.db"))
    parser.add_argument("--root", help="time this tree's pages and code (an old worktree)")
    parser.add_argument("--alternate", type=Path, metavar="OLD_TREE", help="A B A B against an old worktree")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{args.db.resolve()}"
    prepare(url)
    if args.alternate:
        alternate(args.alternate.resolve(), args.only, args.rounds, args.repeat, args.db.resolve())
        return
    if args.json:
        print(json.dumps([time_click(name, url, args.repeat) for name in args.only]))
        return
    print(f"{'click':24} {'wall s':>7} {'cpu s':>6} {'load':>5}   ({ROOT})")
    for name in args.only:
        r = time_click(name, url, args.repeat)
        print(f"{r['click']:24} {r['wall']:7.2f} {r['cpu']:6.2f} {r['load']:5.1f}", flush=True)


if __name__ == "__main__":
    main()
