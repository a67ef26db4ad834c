"""Second marking page, the "Second markings" table (walk 23, F6/F19; session 24 item 4): every
column shown has a width in pixels, together under the narrowest main column (a 1,024 px window
with the sidebar open), so "Assigned" is no longer cut; short headings keep the whole name as
help; the sample's rule, too long for that width, is said under the table with its cases and
kept (hidden) in the table's data. tests/browser/test_moderation_e2e.py measures it in Chromium."""

from __future__ import annotations

import json

from fieldwork.ui import findings_grid, marking_table
from fieldwork.ui.components import tables
from tests.pages.test_quality_pages import _moderation_ready, lead_page, texts


def test_the_markings_table_fits_the_narrowest_column(engine, db_url, monkeypatch):
    _moderation_ready(engine)
    at = lead_page("pages/second_marking.py", db_url, monkeypatch).run()
    assert not at.exception
    shown = next(d for d in at.dataframe if "State" in d.value.columns)
    columns = json.loads(shown.proto.columns)
    widths = {name: c["width"] for name, c in columns.items() if not c.get("hidden") and name != "_index"}
    assert list(widths) == ["Case", "First marker", "Second marker", "State", "Answers differing", "Agreed so far",
                            "Assigned"]
    assert all(isinstance(w, int) for w in widths.values()), widths
    assert sum(widths.values()) <= findings_grid.NARROWEST_COLUMN, widths
    assert columns["Sample"]["hidden"] is True and list(shown.value["Sample"]) == [""]
    assert columns["Answers differing"]["label"] == "Differing" and "Answers differing" in columns[
        "Answers differing"]["help"]
    assert shown.proto.placeholder == tables.EMPTY
    row = shown.value.iloc[0]
    assert (row["Case"], row["State"], row["Answers differing"]) == ("HS-0300", "to moderate", 2)
    # "to moderate" wraps at the State column's width: rows over 64 px, where Streamlit wraps
    assert shown.proto.row_height > tables.WRAPS_ABOVE
    assert "No sampling rule recorded: HS-0300." in texts(at.caption)


def test_states_wrap_in_rows_tall_enough():
    assert marking_table.row_height(["moderated"]) is None
    assert marking_table.row_height(["awaiting second marking"]) == 3 * tables.LINE_PX + 8
