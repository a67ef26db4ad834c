"""A lead's journey in a real browser: on the Findings page, broken down by force, the charts
and the "All findings" grids fit the main column at windows of 1,024 and 1,440 px with the
sidebar open and closed, and no picker shows a variable's code; then, with a filter set, every
chart fits the page's column, and the default chart is downloaded as PNG and as SVG. Each file is
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
BY = ".st-key-findings_by_case_review"
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


# Whether every chart (on the Charts tab) or grid (on All findings) lies within the main
# column: a chart's drawing no wider than its element, a grid's columns no wider than the grid
# (scrollWidth <= clientWidth of its scroller: no sideways scrolling), and each element's right
# edge within the column's. Returns what runs past, so a failure names it.
OVERFLOWS = """(what) => {
    const column = document.querySelector('[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"]');
    const right = column.getBoundingClientRect().right;
    const past = [];
    // what is shown: a grid in a closed box (the answers no case holds) takes no room
    const found = [...document.querySelectorAll(what === 'charts' ? '[data-testid="stVegaLiteChart"]'
                                                                  : '[data-testid="stDataFrame"]')]
        .filter(el => !el.closest('details:not([open])'));
    found.forEach((el, i) => {
        const box = el.getBoundingClientRect();
        if (box.right > right + 1) past.push(`${what} ${i}: right edge ${box.right} past the column's ${right}`);
        if (what === 'charts') {
            const drawn = el.querySelector('canvas, svg.marks');
            if (!drawn || drawn.getBoundingClientRect().width === 0) past.push(`chart ${i}: not drawn`);
            else if (drawn.getBoundingClientRect().width > box.width + 1)
                past.push(`chart ${i}: drawn ${drawn.getBoundingClientRect().width} px wide in ${box.width}`);
        } else {
            const scroller = el.querySelector('.dvn-scroller');
            if (!scroller) past.push(`grid ${i}: not drawn`);
            else if (scroller.scrollWidth > scroller.clientWidth)
                past.push(`grid ${i}: ${scroller.scrollWidth} px of columns in ${scroller.clientWidth}`);
        }
    });
    const inner = el => el.querySelector('canvas, svg.marks, .dvn-scroller') || el;
    const shape = [right, ...found.map(el => [el.getBoundingClientRect().right, inner(el).scrollWidth])];
    return {count: found.length, column: column.getBoundingClientRect().width, past, shape: JSON.stringify(shape)};
}"""
WINDOWS = (1024, 1440)

# The "Findings to chart" box: every chip whole inside it (walk 23, F19: Streamlit's box stops at
# four and a half rows and cut the chips of the fifth in half at its lower edge), nothing to
# scroll to. Returns the chips counted, those cut, and whether the box scrolls.
CHIPS = """() => {
    const tags = document.querySelector('.st-key-findings_chart_case_review [data-testid="stMultiSelectTagsContainer"]');
    const outer = tags.parentElement.getBoundingClientRect();
    const chips = [...tags.querySelectorAll('[data-tag]')];
    const cut = chips.filter(c => { const r = c.getBoundingClientRect();
        return r.bottom > outer.bottom + 1 || r.top < outer.top - 1 || r.right > outer.right + 1; })
        .map(c => c.getAttribute('aria-label'));
    return {chips: chips.length, cut, scrolls: tags.scrollHeight > tags.clientHeight + 1};
}"""
CHARTED = 32  # the findings the report writes a sentence for, less the met answers: charted by default


def fits_at_every_window(page, what: str, count: int, sidebar_first: bool) -> set[tuple[int, bool, int]]:
    """At each window width, with the sidebar open then closed (or closed then open), wait
    until the ``count`` charts or grids lie within the column; return (width, sidebar open,
    column width) of each. The wait is on the drawing itself, which follows a resize."""
    seen = set()
    for sidebar in (sidebar_first, not sidebar_first):
        if sidebar != (page.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "false"):
            if not sidebar:  # the sidebar shows its collapse button only under the pointer
                page.locator('[data-testid="stSidebar"]').hover()
            page.locator('[data-testid="stExpandSidebarButton"]' if sidebar
                         else '[data-testid="stSidebarCollapseButton"] button').click()
        for width in (WINDOWS if sidebar == sidebar_first else WINDOWS[::-1]):
            page.set_viewport_size({"width": width, "height": 900})
            # settled: the same layout over 10 animation frames running (the sidebar slides,
            # then each chart and grid follows its new width); then within the column or not
            page.evaluate("() => { window.__shape = ''; window.__same = 0; }")
            page.wait_for_function(f"""() => {{ const r = ({OVERFLOWS})('{what}');
                window.__same = r.shape === window.__shape ? window.__same + 1 : 0;
                window.__shape = r.shape;
                const side = document.querySelector('[data-testid="stSidebar"]');
                return window.__same >= 10 && r.count === {count} && window.innerWidth === {width}
                    && side.getAttribute('data-collapsed') === '{str(not sidebar).lower()}'; }}""", polling="raf")
            result = page.evaluate(f"what => ({OVERFLOWS})(what)", what)
            assert result["count"] == count and not result["past"], (width, sidebar, result)
            if what == "charts":
                chips = page.evaluate(CHIPS)
                assert chips == {"chips": CHARTED, "cut": [], "scrolls": False}, (width, sidebar, chips)
            seen.add((width, sidebar, round(result["column"])))
    return seen


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

        # every variable in words on the pickers, never its code in brackets ("Force (force)")
        page.locator(BY).click()
        options = page.get_by_role("option").all_inner_texts()
        page.keyboard.press("Escape")
        assert options[:3] == ["No breakdown", "Force", "CPS Area"], options
        assert not [o for o in options if re.search(r"\([a-z_]+\)\s*$", o)], options
        assert page.locator(FILTER).get_by_text("Force", exact=True).count() == 1  # the filter's label

        # broken down by force (the default): the charts, the dot plot of each force among them,
        # then both "All findings" grids, within the column at each window, sidebar open or not
        page.wait_for_function(DRAWN)
        charts_seen = fits_at_every_window(page, "charts", 3, sidebar_first=True)
        page.get_by_role("tab", name="All findings").click()
        live.settle(page)
        grids_seen = fits_at_every_window(page, "grids", 2, sidebar_first=False)
        # the narrowest column (1,024 px, sidebar open) and the widest (1,440, closed) were met
        assert {c for w, side, c in charts_seen} == {c for w, side, c in grids_seen}
        assert min(c for w, side, c in grids_seen) < 600 and max(c for w, side, c in grids_seen) > 1200
        page.set_viewport_size({"width": 1280, "height": 900})
        page.get_by_role("tab", name="Charts").click()
        live.settle(page)

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
