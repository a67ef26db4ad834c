"""``fieldwork serve`` stops when its own PID is sent SIGTERM (``kill PID``, ``timeout``, a
process manager that signals only the PID it started): the app is that process, not a child
left serving the port, so a new start after it finds the port free."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.live import free_port

FIELDWORK = [str(Path(sys.executable).with_name("fieldwork"))] if Path(sys.executable).with_name("fieldwork").exists() \
    else [sys.executable, "-m", "fieldwork.cli"]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def _wait(predicate, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)  # polling a port: there is no event to wait on
    return predicate()


@pytest.mark.slow
def test_sigterm_to_the_serve_pid_stops_the_app(tmp_path):
    port = free_port()
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    proc = subprocess.Popen([*FIELDWORK, "serve", "--db", url, "--port", str(port), "--address", "127.0.0.1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        assert _wait(lambda: _healthy(port), 60), "the app did not come up"
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        assert _wait(lambda: not _healthy(port), 10), "the app still answers on its port after SIGTERM"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
