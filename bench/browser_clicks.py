"""Benchmark: the same slow clicks as bench/clicks.py, in Debian's Chromium against the real app
(``streamlit run fieldwork_app.py``): from Playwright's click to the click's outcome on screen
with Streamlit's run finished — what a person waits for (router, reruns, websocket, drawing),
beside the server's share that bench/clicks.py times.

    .venv/bin/python bench/browser_clicks.py [--repeat 3] [--root /tmp/s24-waits-old]

Uses bench/clicks.py's database (the demonstration data and its accounts). Prints the median
seconds per click with the 1-minute load average. Never run in the tests: figures go in
docs/waits.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import clicks  # noqa: E402  (its --root, if given, is put first on sys.path)


def _timed(page, action, outcome: str) -> float:
    from tests.browser import live

    start = time.perf_counter()
    action()
    page.get_by_text(outcome).first.wait_for(timeout=120_000)
    live.settle(page)
    return time.perf_counter() - start


def run(url: str, repeat: int) -> dict[str, list[tuple[float, float]]]:
    from tests.browser import live

    live.ROOT = clicks.ROOT  # serve the tree being timed
    out: dict[str, list[tuple[float, float]]] = {}

    def note(name: str, seconds: float) -> None:
        out.setdefault(name, []).append((seconds, os.getloadavg()[0]))

    with tempfile.TemporaryDirectory() as data, live.running_app(url, Path(data)) as base, live.chromium() as chrome:
        for i in range(repeat + 1):  # the first round warms the server (imports) and is not kept
            keep = i > 0
            page = chrome.new_page(viewport={"width": 1440, "height": 900})
            page.goto(base)
            live.settle(page)
            page.get_by_role("textbox", name="Name").fill("admin1")
            page.get_by_role("textbox", name="Password").fill(clicks.PASSWORD)
            seconds = _timed(page, lambda: page.get_by_role("button", name="Sign in").click(), "Signed in as")
            keep and note("sign_in", seconds)
            page.get_by_role("button", name="Add account").wait_for()  # an admin's home: Users
            live.settle(page)
            page.get_by_role("tab", name="Change an account").click()
            live.settle(page)
            page.get_by_label("Account", exact=True).click()
            page.get_by_role("option", name="inspector1", exact=True).click()
            live.settle(page)
            role = "lead" if i % 2 == 0 else "inspector"
            page.get_by_label("Role", exact=True).last.click()
            page.get_by_role("option", name=role, exact=True).click()
            seconds = _timed(page, lambda: page.get_by_role("button", name="Change role").click(),
                             f"inspector1 is now {role}.")
            keep and note("change_role", seconds)
            page.get_by_label("New password").fill(clicks.PASSWORD)
            page.get_by_label("Same password again").last.fill(clicks.PASSWORD)
            seconds = _timed(page, lambda: page.get_by_role("button", name="Reset password").click(),
                             "Password of inspector1 reset.")
            keep and note("reset_password", seconds)
            page.close()

            page = chrome.new_page(viewport={"width": 1440, "height": 900})
            page.goto(base)
            live.settle(page)
            page.get_by_role("textbox", name="Name").fill("lead1")
            page.get_by_role("textbox", name="Password").fill(clicks.PASSWORD)
            _timed(page, lambda: page.get_by_role("button", name="Sign in").click(), "Signed in as")
            page.get_by_role("link", name="Evidence").click()
            page.get_by_role("button", name="Another excerpt").wait_for()
            live.settle(page)
            seconds = _timed(page, lambda: page.get_by_role("button", name="Another excerpt").click(),
                             "Excerpt 2: passage")
            keep and note("another_excerpt", seconds)
            page.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", type=Path, default=Path("/tmp/fieldwork-bench-clicks/demo.db"))
    parser.add_argument("--root", help="serve this tree (an old worktree)")
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{args.db.resolve()}"
    clicks.prepare(url)
    print(f"{'click':24} {'median s':>8} {'load':>5}   ({clicks.ROOT})")
    for name, times in run(url, args.repeat).items():
        print(f"{name:24} {statistics.median(t for t, _ in times):8.2f} {statistics.median(l for _, l in times):5.1f}"
              f"   {' '.join(f'{t:.2f}' for t, _ in times)}")


if __name__ == "__main__":
    main()
