"""Fixtures for the browser journeys: the app served on localhost over a temporary SQLite
file, with an inspector account made on the command line, and a Chromium page."""

from __future__ import annotations

import os

import pytest

from tests.browser import live

PASSWORD = "scoring case files 2017"


@pytest.fixture
def app_db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'browser.db'}"


@pytest.fixture
def app_url(app_db, tmp_path):
    """The running app, with inspector1 (password PASSWORD) able to sign in."""
    live.fieldwork(app_db, "user", "add", "inspector1", "--role", "inspector", "--password-stdin",
                   stdin=PASSWORD + "\n")
    with live.running_app(app_db, tmp_path / "data") as url:
        yield url


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
