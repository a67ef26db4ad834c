"""Fixtures for the browser journeys: the app served on localhost over a temporary SQLite
file, with an inspector account made on the command line, and a Chromium page.

The journeys of one file share one database and one Streamlit server (``file_app``): starting a
server and running the app's first page (its imports) cost about 3 s of CPU, paid once per
file instead of once per journey. So a journey makes its own cases and accounts, with names
no other journey of its file uses, and never counts on what another left behind; each still
starts from a new browser context. A journey that fails (in its setup or its run) may leave
the database in a state no other journey should see (an account left disabled, half a case):
the next journey of the file, or the failed journey run again (``--reruns``), starts over on
a new database and a new server.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.browser import live

PASSWORD = "scoring case files 2017"
FAILED = pytest.StashKey[bool]()


class FileApp:
    """The database and the Streamlit server(s) one test file's journeys share: one server per
    environment asked for (the notes' long typing pause is a server of its own over the same
    database), each started when a journey first asks for it."""

    def __init__(self, root: Path):
        self.root = root
        self.generation = 0
        self.spoiled = True  # nothing made yet
        self.stack = ExitStack()
        self.servers: dict[tuple, str] = {}

    def database(self) -> str:
        if self.spoiled:
            self.close()
            self.generation += 1
            folder = self.root / f"run{self.generation}"
            folder.mkdir()
            self.db_url = f"sqlite:///{folder / 'browser.db'}"
            self.has_inspector = False
            self.spoiled = False
        return self.db_url

    def url(self, **env: str) -> str:
        """The running app over the file's database, with inspector1 (password PASSWORD)."""
        db_url = self.database()
        if not self.has_inspector:
            live.fieldwork(db_url, "user", "add", "inspector1", "--role", "inspector", "--password-stdin",
                           stdin=PASSWORD + "\n")
            self.has_inspector = True
        key = tuple(sorted(env.items()))
        if key not in self.servers:
            data = Path(db_url.removeprefix("sqlite:///")).parent / f"data{len(self.servers)}"
            self.servers[key] = self.stack.enter_context(live.running_app(db_url, data, env=env, post_run_gc=False))
        return self.servers[key]

    def close(self) -> None:
        self.stack.close()
        self.stack = ExitStack()
        self.servers = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        item.stash[FAILED] = True
    return report


@pytest.fixture(scope="module")
def file_app(tmp_path_factory):
    app = FileApp(tmp_path_factory.mktemp("browser"))
    yield app
    app.close()


@pytest.fixture
def app_db(file_app, request) -> str:
    """The file's database (a new one if the journey before failed)."""
    request.node.stash[FAILED] = False  # a rerun starts clean
    yield file_app.database()
    if request.node.stash.get(FAILED, False):
        file_app.spoiled = True


@pytest.fixture
def app_url(file_app, app_db) -> str:
    """The running app over ``app_db``, with inspector1 (password PASSWORD) able to sign in."""
    return file_app.url()


@pytest.fixture(scope="session")
def chromium_browser():
    """One Chromium for the test run (each xdist worker its own): a journey gets a new browser
    context, which shares no cookie, storage or cache with another, so starting Chromium
    afresh for each journey bought no isolation and cost a second or two of CPU."""
    if not os.path.exists(live.CHROMIUM):
        pytest.fail(f"{live.CHROMIUM} is missing: scripts/test installs Debian's chromium (apt-get install chromium)")
    with live.chromium() as browser:
        yield browser


@pytest.fixture
def browser_page(chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})  # a new page may join it
    context.set_default_timeout(20_000)
    yield context.new_page()
    for other in chromium_browser.contexts:  # the journey's own, and any it opened (a second user)
        other.close()
