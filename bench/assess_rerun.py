"""Benchmark: how long the Assess page takes to re-render after an answer change, with the
full ``case_review`` questionnaire (issue 3's target: under 300 ms on the 2-core machine).

    /tmp/venv/bin/python bench/assess_rerun.py             # N = 40 changes, both measures
    /tmp/venv/bin/python bench/assess_rerun.py -n 100 --no-browser

Two measures, each the median (and 90th percentile) of N answer changes that flip the
enhanced risk assessment between DASH and none, so skip logic shows, hides and clears a
follow-up question every time (the heaviest ordinary change):

* **server**: Streamlit's AppTest runs the Assess page after the change — the callback's
  save (one transaction) and a *whole-page* rerun (the browser reruns only the form's
  fragment, so this is an upper bound on the server's share);
* **browser**: ``streamlit run fieldwork_app.py`` on localhost and Debian's Chromium: from
  the click to the new version's caption on screen with Streamlit's script state back at
  ``notRunning`` — what an inspector waits for, websocket and rendering included.

Databases are temporary SQLite files; nothing else is touched.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fieldwork import db  # noqa: E402
from fieldwork.services import cases  # noqa: E402
from fieldwork.services.permissions import INSPECTOR, Actor  # noqa: E402
from fieldwork.ui import questionnaire_form, session  # noqa: E402

ACTOR = Actor("inspector1", INSPECTOR)
QUESTION = "enhanced_risk_assessment"
VALUES = ("dash", "none")
LABELS = ("DASH (domestic abuse, stalking and harassment and honour-based violence risk assessment)",
          "None: no evidence of an enhanced risk assessment")
CONTEXT = {"force": "durham", "domestic_abuse": "yes", "offence_charged": "stalking_s2a", "plea": "guilty",
           "charged_by": "cps", "digital_element": "yes"}


def summary(name: str, times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p90 = ms[min(len(ms) - 1, int(round(0.9 * (len(ms) - 1))))]
    return f"{name}: median {statistics.median(ms):.0f} ms, p90 {p90:.0f} ms, max {ms[-1]:.0f} ms (N = {len(ms)})"


def new_case(url: str) -> cases.NewCase:
    with db.session_scope(db.get_engine(url)) as s:
        return cases.add_case(s, ACTOR, inspection=None, questionnaire_id="case_review", case_ref="HS-0001",
                              context=CONTEXT)


def server(n: int, workdir: Path) -> list[float]:
    import os

    from streamlit.testing.v1 import AppTest

    url = f"sqlite:///{workdir / 'apptest.db'}"
    os.environ[db.ENV_URL] = url
    new = new_case(url)
    at = AppTest.from_file(str(ROOT / "pages" / "assess.py"), default_timeout=60)
    at.session_state[session.USER_KEY] = {"name": ACTOR.name, "role": ACTOR.role, "forces": []}
    at.session_state[session.SEEN_KEY] = time.time()
    at.query_params["case"] = str(new.case_id)
    at.run()
    key = questionnaire_form.widget_key(new.assessment_uid, "a", QUESTION)
    for i in range(3):  # warm-up: imports, caches, the first parse
        at.radio(key=key).set_value(VALUES[i % 2]).run()
    times = []
    for i in range(n):
        widget = at.radio(key=key).set_value(VALUES[(i + 1) % 2])
        start = time.perf_counter()
        widget.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return times


def browser(n: int, workdir: Path) -> list[float]:
    from tests.browser import live

    url = f"sqlite:///{workdir / 'browser.db'}"
    password = "benchmarking the form 1"
    live.fieldwork(url, "user", "add", ACTOR.name, "--role", "inspector", "--password-stdin", stdin=password + "\n")
    new = new_case(url)
    times = []
    with live.running_app(url, workdir / "data") as base, live.chromium() as chrome:
        page = chrome.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base)
        live.sign_in(page, ACTOR.name, password)
        page.get_by_role("link", name="Assess").click()
        css = ".st-key-" + re.sub(r"[^\w-]", "-", questionnaire_form.widget_key(new.assessment_uid, "a", QUESTION))
        version = 1
        page.get_by_text(f"version {version} ·").wait_for()
        for i in range(n + 3):
            option = page.locator(css).get_by_text(LABELS[i % 2], exact=True)
            start = time.perf_counter()
            option.click()
            version += 1
            page.get_by_text(re.compile(rf"Saved as you go · version {version} ·")).wait_for()
            live.settle(page)
            if i >= 3:  # the first three warm up
                times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=40, help="answer changes to time (default 40)")
    parser.add_argument("--no-browser", action="store_true", help="only the AppTest (server) measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fieldwork-bench-") as tmp:
        print(summary("server, AppTest whole-page rerun after a change", server(args.n, Path(tmp))), flush=True)
        if not args.no_browser:
            print(summary("browser, click to re-rendered form in Chromium", browser(args.n, Path(tmp))), flush=True)


if __name__ == "__main__":
    main()
