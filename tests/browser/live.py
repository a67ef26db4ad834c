"""The real app on localhost for browser tests and benchmarks: ``streamlit run fieldwork_app.py``
on a free port against a database of the caller's choosing, plus Debian's Chromium through
Playwright (never a downloaded browser).

Readiness is read, never slept for: the server is up when it prints its URL, and a page is
settled when Streamlit's root element says its script is not running
(``data-test-script-state="notRunning"`` on ``[data-testid="stApp"]``, checked against the
running app's DOM).
"""

from __future__ import annotations

import io
import os
import queue
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SERVER_OPTIONS = ["--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
                  "--server.fileWatcherType", "none"]
# The journeys' servers skip Streamlit's full garbage collection after every run of the app's
# script (runner.postScriptGC, on by default to keep a long-lived server's memory down; `fieldwork
# serve` keeps it): with pandas and SQLAlchemy loaded each collection takes about 0.1 s, and the
# same clicks (two sign-ins, three pages each) cost the server 5.6 s of CPU with it and 4.0 s
# without (three paired rounds, 2026-12-06). Python's own collector still runs as usual.
NO_GC_AFTER_RUNS = ["--runner.postScriptGC", "false"]
SETTLED = '[data-testid="stApp"][data-test-script-state="notRunning"]'
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fieldwork(db_url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run the ``fieldwork`` command's ``main`` with these arguments, in this process (a new
    Python per call cost 2-4 s of CPU per journey for the same code): its stdin, stdout and
    stderr are the given text and captured text, a non-zero exit raises as ``check=True``
    would, and the engine it opened is closed so the server alone holds the database."""
    from fieldwork import cli, db

    argv = ["--db", db_url, *args]
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err), _stdin(io.StringIO(stdin or "")):
        code = cli.main(argv)
    db.dispose_all()
    result = subprocess.CompletedProcess(["fieldwork", *argv], code, out.getvalue(), err.getvalue())
    result.check_returncode()
    return result


@contextmanager
def _stdin(stream) -> Iterator[None]:
    before, sys.stdin = sys.stdin, stream
    try:
        yield
    finally:
        sys.stdin = before


@contextmanager
def running_app(db_url: str, data_dir: Path, env: dict[str, str] | None = None, *,
                post_run_gc: bool = True) -> Iterator[str]:
    """Serve fieldwork_app.py (with these environment variables added); yield its base URL;
    stop it (this process only) afterwards. ``post_run_gc=False``: see NO_GC_AFTER_RUNS."""
    port = free_port()
    env = {**os.environ, **(env or {}), "FIELDWORK_DATABASE_URL": db_url, "FIELDWORK_DATA_DIR": str(data_dir),
           "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "fieldwork_app.py", *SERVER_OPTIONS,
         *([] if post_run_gc else NO_GC_AFTER_RUNS), "--server.port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:  # keep reading, so a chatty server never blocks on a full pipe
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen = []
    try:
        while True:
            try:
                line = lines.get(timeout=START_TIMEOUT)
            except queue.Empty:
                raise RuntimeError("streamlit did not start in time:\n" + "".join(seen)) from None
            if line is None:
                raise RuntimeError("streamlit exited:\n" + "".join(seen))
            seen.append(line)
            if "URL:" in line:
                break
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Debian Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def settle(page) -> None:
    """Wait until Streamlit has finished the run the last action started."""
    page.wait_for_selector(SETTLED, state="attached")


def sign_in(page, name: str, password: str) -> None:
    """Sign in through the sign-in page."""
    settle(page)
    before = page.evaluate("() => document.cookie")
    page.get_by_role("textbox", name="Name").wait_for()
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()
    # "Signed in as" shows only once the browser reports that it holds the cookie (issue 17,
    # fault b); the journey checks that it does, and that it is a new one.
    page.wait_for_function("old => document.cookie.includes('fieldwork_session=') && document.cookie !== old",
                           arg=before)
    settle(page)
