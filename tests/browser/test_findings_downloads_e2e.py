"""A lead's journey in a real browser: on the Findings page, with a filter set, every chart
fits the page's column, and the default chart is downloaded as PNG and as SVG. Each file is
the real thing (a PNG within the page's pixel budget; an SVG that parses and holds the
chart's title and filter in words), and neither download reruns the page (on_click="ignore")
or loses the filter set before it. Then the tables under each criterion: within the column."""

from __future__ import annotations

import re
import struct
from pathlib import Path
from xml.etree import ElementTree

import pytest

from fieldwork import charts
from tests.browser import live
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

FILTER = ".st-key-findings_filter_case_review_force"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TITLE = "Joint case file review: findings"  # the demonstration's case_review, as the page titles its chart

# Set on the page before a click: records every run of the page's script that starts after it
# (Streamlit marks its root "running" while the script runs), so a rerun is seen, not guessed.
WATCH_RUNS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    window.__runs = 0;
    window.__watch = new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.__runs += 1;
    });
    window.__watch.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


# Vega draws each chart into a canvas (or an SVG) once the page's run has ended: wait until
# all three are drawn, not a moment
DRAWN = """() => {
    const drawn = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
        .map(c => c.querySelector('canvas, svg.marks')).filter(e => e && e.getBoundingClientRect().width > 0);
    return drawn.length === 3;
}"""


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG's header chunk (IHDR, always first)."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG: its signature is missing"
    assert data[12:16] == b"IHDR", "not a PNG: its first chunk is not the header"
    return struct.unpack(">II", data[16:24])


def svg_words(text: str) -> str:
    root = ElementTree.fromstring(text)  # raises if the file does not parse
    assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
    return " ".join(t for t in root.itertext() if t.strip())


def download(page, name: str) -> tuple[str, bytes]:
    """Click the default chart's download button ``name``; the file's suggested name and bytes."""
    with page.expect_download() as got:
        page.get_by_role("button", name=name).first.click()
    return got.value.suggested_filename, Path(got.value.path()).read_bytes()


def test_download_the_default_chart_as_png_and_svg(app_db, tmp_path, browser_page):
    live.fieldwork(app_db, "user", "add", "lead1", "--role", "lead", "--password-stdin", stdin=PASSWORD + "\n")
    live.fieldwork(app_db, "demo")
    with live.running_app(app_db, tmp_path / "data", post_run_gc=False) as url:
        page = browser_page
        page.goto(url)
        live.sign_in(page, "lead1", PASSWORD)
        page.get_by_role("heading", name="Findings").wait_for()  # a lead lands on Findings
        live.settle(page)
        page.get_by_text("112 complete cases counted").wait_for()

        # a filter set before the downloads: Durham's 16 cases
        box = page.locator(FILTER).locator("input")
        box.click()
        box.fill("Durham")
        page.get_by_role("option", name="Durham Constabulary").click()
        box.press("Escape")
        live.settle(page)
        page.get_by_text("16 complete cases counted").wait_for()
        page.get_by_role("button", name="Download PNG").first.wait_for()
        # every chart drawn fits the page's column (issue 13: the by-force panels were 1,200 px
        # wide in a 940 px column); at this window the column is narrower still (820 px)
        page.wait_for_function(DRAWN)
        column = page.locator('[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"]').first
        right = column.bounding_box()["x"] + column.bounding_box()["width"]
        drawn = page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg.marks')
        assert drawn.count() == 3
        for i in range(3):
            box = drawn.nth(i).bounding_box()
            assert box["x"] + box["width"] <= right + 1, (i, box, right)

        page.evaluate(WATCH_RUNS)
        png_name, png = download(page, "Download PNG")
        svg_name, svg = download(page, "Download SVG")
        runs = page.evaluate("() => window.__runs")

        assert runs == 0, f"a chart download reran the page {runs} time(s)"
        assert page.locator(FILTER).get_by_text("Durham Constabulary").count() == 1  # the filter still set
        assert page.get_by_text("16 complete cases counted").count() == 1  # and still applied
        assert page.locator('[data-testid="stException"]').count() == 0

        # the report's sentences under each criterion: static tables that wrap, whole within the
        # column (issue 13: the "as the report writes it" column was cut off)
        page.get_by_role("tab", name="By inspection criterion").click()
        live.settle(page)
        tables = page.locator('[data-testid="stTable"]')
        tables.first.wait_for()
        assert page.get_by_role("columnheader", name="as the report writes it").count() == tables.count() > 0
        for i in range(tables.count()):
            box = tables.nth(i).bounding_box()
            assert box["x"] + box["width"] <= right + 1, (i, box, right)

    assert png_name == "case_review-findings.png"
    width, height = png_size(png)
    assert 0 < width * height <= charts.PNG_PIXELS, (width, height)
    assert len(png) > 10_000  # a drawn chart, not an empty image

    assert svg_name == "case_review-findings.svg"
    words = svg_words(svg.decode("utf-8"))
    assert TITLE in words
    assert "Durham Constabulary" in words  # the filtered chart, its filter in words
    assert "n = 16 complete cases" in words
    assert not re.search(r"\bdurham\b", words)  # no code where a reader expects words
