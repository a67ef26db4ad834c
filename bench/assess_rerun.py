"""Benchmark: how long the Assess page takes to re-render after an answer change, with the
full ``case_review`` questionnaire (issue 3's target: under 300 ms on the 2-core machine).

    /tmp/venv/bin/python bench/assess_rerun.py             # N = 40 changes, both measures
    /tmp/venv/bin/python bench/assess_rerun.py -n 100 --no-browser

Two scenarios: flipping the enhanced risk assessment between DASH and none (skip logic
shows or hides a follow-up question every time), and flipping an answer in the largest
section, "Charging and prosecution decisions" (9 questions for a CPS-charged case; the form
shows one section at a time). Each is measured twice, as the median (and 90th percentile)
of N changes:

* **server**: Streamlit's AppTest runs the Assess page after the change — the callback's
  save (one transaction) and a *whole-page* rerun (the browser reruns only the form's
  fragment, so this is an upper bound on the server's share);
* **browser**: ``streamlit run fieldwork_app.py`` on localhost and Debian's Chromium: from
  the click event to the new version's caption in the page with Streamlit's script state
  back at ``notRunning``, timed inside the page (a MutationObserver) — what an inspector
  waits for, websocket and rendering included. For reference, the same seen from the test
  driver, from the start of Playwright's ``click()`` (which first scrolls to and checks the
  element) to the page's answer reaching Python.

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

from fieldwork import db, startup  # noqa: E402
from fieldwork.services import cases  # noqa: E402
from fieldwork.services.permissions import INSPECTOR, Actor  # noqa: E402
from fieldwork.ui import questionnaire_form, session  # noqa: E402

ACTOR = Actor("inspector1", INSPECTOR)
# (what is measured, section, question, the two codes it flips between, their labels)
SCENARIOS = [
    ("skip logic, Risk section", "risk", "enhanced_risk_assessment", ("dash", "none"),
     ("DASH (domestic abuse, stalking and harassment and honour-based violence risk assessment)",
      "None: no evidence of an enhanced risk assessment")),
    ("largest section (9 questions)", "cps_decisions", "mg3_case_analysis", ("fully_met", "not_met"),
     ("Fully met", "Not met")),
]
CONTEXT = {"force": "durham", "domestic_abuse": "yes", "offence_charged": "stalking_s2a", "plea": "guilty",
           "charged_by": "cps", "digital_element": "yes"}


TITLES = {"risk": "Risk assessment and risk management", "cps_decisions": "Charging and prosecution decisions"}


def summary(name: str, times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p90 = ms[min(len(ms) - 1, int(round(0.9 * (len(ms) - 1))))]
    return f"{name}: median {statistics.median(ms):.0f} ms, p90 {p90:.0f} ms, max {ms[-1]:.0f} ms (N = {len(ms)})"


def new_case(url: str) -> cases.NewCase:
    with db.session_scope(startup.open_engine(url)) as s:
        return cases.add_case(s, ACTOR, inspection=None, questionnaire_id="case_review", case_ref="HS-0001",
                              context=CONTEXT)


def server(n: int, workdir: Path, scenario) -> list[float]:
    import os

    from streamlit.testing.v1 import AppTest

    _, section, question, values, _ = scenario
    url = f"sqlite:///{workdir / f'apptest-{section}.db'}"
    os.environ[db.ENV_URL] = url
    new = new_case(url)
    from tests.apptest import _account

    _account(url, ACTOR.name, ACTOR.role, ())  # every write re-checks the account, as in the app
    at = AppTest.from_file(str(ROOT / "pages" / "assess.py"), default_timeout=60)
    at.session_state[session.USER_KEY] = {"name": ACTOR.name, "role": ACTOR.role, "forces": []}
    at.session_state[session.SEEN_KEY] = time.time()
    at.query_params["case"] = str(new.case_id)
    at.run()
    at.radio(key=questionnaire_form.widget_key(new.assessment_uid, "section")).set_value(section).run()
    key = questionnaire_form.widget_key(new.assessment_uid, "a", question)
    for i in range(3):  # warm-up: imports, caches, the first parse
        at.radio(key=key).set_value(values[i % 2]).run()
    times = []
    for i in range(n):
        widget = at.radio(key=key).set_value(values[(i + 1) % 2])
        start = time.perf_counter()
        widget.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return times


# Installed in the page before each click: resolves, in the browser's own clock, with the time
# from the click event to the form showing the new version with Streamlit's run finished.
WATCH = """([version, settled]) => {
  window.__rerender = new Promise(resolve => {
    let clicked = null;
    document.addEventListener("click", () => { clicked = clicked ?? performance.now(); }, {capture: true, once: true});
    const done = () => clicked !== null && document.querySelector(settled)
      && document.body.innerText.includes(`Saved as you go · version ${version} ·`);
    const observer = new MutationObserver(() => {
      if (done()) { observer.disconnect(); resolve(performance.now() - clicked); }
    });
    observer.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
  });
}"""


def browser(n: int, workdir: Path, scenario) -> tuple[list[float], list[float]]:
    """(click event to re-rendered, in the browser's clock; Playwright's click() call to
    re-rendered, as the test driver sees it) for each change."""
    from tests.browser import live

    _, section, question, _, labels = scenario
    url = f"sqlite:///{workdir / f'browser-{section}.db'}"
    password = "benchmarking the form 1"
    live.fieldwork(url, "user", "add", ACTOR.name, "--role", "inspector", "--password-stdin", stdin=password + "\n")
    new = new_case(url)
    in_page, driver = [], []
    with live.running_app(url, workdir / "data") as base, live.chromium() as chrome:
        page = chrome.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base)
        live.sign_in(page, ACTOR.name, password)
        page.get_by_role("link", name="Assess").click()
        def css(kind: str, name: str = "") -> str:
            return ".st-key-" + re.sub(r"[^\w-]", "-", questionnaire_form.widget_key(new.assessment_uid, kind, name))

        version = 1
        page.get_by_text(f"version {version} ·").wait_for()
        live.settle(page)
        page.locator(css("section")).get_by_text(TITLES[section], exact=True).click()
        page.locator(css("a", question)).wait_for()
        live.settle(page)
        for i in range(n + 3):
            option = page.locator(css("a", question)).get_by_text(labels[i % 2], exact=True)
            version += 1
            page.evaluate(WATCH, [version, live.SETTLED])
            start = time.perf_counter()
            option.click()
            took = page.evaluate("() => window.__rerender") / 1000
            end = time.perf_counter()
            live.settle(page)
            if i >= 3:  # the first three warm up
                in_page.append(took)
                driver.append(end - start)
    return in_page, driver


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=40, help="answer changes to time (default 40)")
    parser.add_argument("--no-browser", action="store_true", help="only the AppTest (server) measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fieldwork-bench-") as tmp:
        for scenario in SCENARIOS:
            name = scenario[0]
            print(summary(f"{name}: server, AppTest whole-page rerun", server(args.n, Path(tmp), scenario)), flush=True)
            if not args.no_browser:
                in_page, driver = browser(args.n, Path(tmp), scenario)
                print(summary(f"{name}: browser, click to re-rendered form", in_page), flush=True)
                print(summary(f"{name}: browser, as Playwright's click() sees it", driver), flush=True)


if __name__ == "__main__":
    main()
