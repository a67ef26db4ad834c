"""The Findings page at any window width (issue 13, item 4), as AppTest sees it: the pickers
name each variable in words, never its code in brackets; the "All findings" grids are
configured to fit the narrowest main column (564 px: a 1,024 px window with the sidebar open)
and wrap their sentences; each group's figure sits in a grid of its own.
tests/browser/test_findings_downloads_e2e.py measures the same in Chromium."""

from __future__ import annotations

import json
import re

from fieldwork.ui import findings_grid
from tests.apptest import page

PAGE = "pages/findings.py"
NARROWEST = 564  # px: the main column of a 1,024 px window with the sidebar open, measured in Chromium


def lead_page(db_url, monkeypatch):
    return page(PAGE, db_url, monkeypatch, user="lead1", role="lead", timeout=60)


def test_the_pickers_name_each_variable_in_words(demo_engine, db_url, monkeypatch):
    at = lead_page(db_url, monkeypatch).run()
    assert not at.exception
    by = at.selectbox(key="findings_by_case_review")
    assert by.options[:5] == ["No breakdown", "Force", "CPS Area", "Domestic abuse", "Offence charged"]
    assert by.value == "force"  # the breakdown a lead starts from
    codes = {"force", "cps_area", "domestic_abuse", "offence_charged", "initial_risk_assessment"}
    for option in by.options:
        assert not re.search(r"\([a-z_]+\)$", option), option  # no code in brackets
        assert option not in codes
    filters = {m.key: m.label for m in at.multiselect if m.key.startswith("findings_filter_")}
    assert filters == {"findings_filter_case_review_force": "Force", "findings_filter_case_review_cps_area": "CPS Area",
                       "findings_filter_case_review_domestic_abuse": "Domestic abuse",
                       "findings_filter_case_review_offence_charged": "Offence charged"}
    # the whole question stays a hover away
    assert at.multiselect(key="findings_filter_case_review_force").help == "Which police force investigated the case?"

    at.session_state["findings_view"] = "Cases behind a figure"
    at.run()
    assert at.selectbox(key="findings_cases_group_case_review_force").label == "Force"


def _widths(table) -> dict[str, int]:
    """Each column shown and its width (the hidden index left out)."""
    return {name: c["width"] for name, c in json.loads(table.proto.columns).items() if not c.get("hidden")}


def test_the_all_findings_grids_fit_the_narrowest_column(demo_engine, db_url, monkeypatch):
    at = lead_page(db_url, monkeypatch)
    at.session_state["findings_view"] = "All findings"
    at.run()
    assert not at.exception
    overall, none_hold, groups = at.dataframe  # the answers no case holds: in a folded box between
    for table in (overall, none_hold, groups):
        widths = _widths(table)
        # every column a width in pixels, together under the narrowest column: Streamlit shares
        # a wider column's spare width among them, so the grid never runs past the column
        assert all(isinstance(w, int) for w in widths.values()), widths
        assert sum(widths.values()) <= findings_grid.NARROWEST_COLUMN < NARROWEST, widths
        if table is not none_hold:  # two short columns of words and figures: nothing to wrap
            assert table.proto.row_height == findings_grid.ROW_HEIGHT > 64  # text wraps only in rows over 64 px

    # every finding over all cases, with its sentence; no group column
    assert list(overall.value.columns) == ["finding", "count", "percent", "95% interval", "as the report writes it"]
    row = overall.value.set_index("finding").loc["Initial risk assessment – Yes"]
    assert (row["count"], row["percent"], row["95% interval"]) == ("60 of 112", 54, "44.4–62.5")
    assert "we found evidence that an initial risk assessment had taken place" in row["as the report writes it"]

    # each force's figure in a grid of its own, its group column headed in words
    assert list(groups.value.columns) == ["finding", "group", "count", "percent", "95% interval", "against the rest"]
    assert json.loads(groups.proto.columns)["group"]["label"] == "Force"
    assert not groups.value["finding"].str.startswith("Force – ").any()  # each force's own share: 100 or 0 percent
    durham = groups.value[(groups.value["finding"] == "Initial risk assessment – Yes")
                          & (groups.value["group"] == "Durham Constabulary")].iloc[0]
    assert durham["count"].endswith(" of 16")
    assert re.fullmatch(r"(no clear difference|higher than the rest|lower than the rest) "
                        r"\([+-]\d+\.\d to [+-]\d+\.\d points\)", durham["against the rest"])
    # a small number's caution travels with its interval
    small = groups.value[groups.value["95% interval"].str.contains("fewer than 10 cases")]
    assert len(small) and all(int(c.split(" of ")[1]) < 10 for c in small["count"])


def test_only_the_groups_that_differ(demo_engine, db_url, monkeypatch):
    at = lead_page(db_url, monkeypatch)
    at.session_state["findings_view"] = "All findings"
    at.run()
    every = len(at.dataframe[-1].value)
    at.toggle(key="findings_all_differ_force").set_value(True).run()
    assert not at.exception
    differing = at.dataframe[-1].value
    assert 0 < len(differing) < every
    assert differing["against the rest"].str.match(r"(higher|lower) than the rest").all()


def test_without_a_breakdown_one_grid(demo_engine, db_url, monkeypatch):
    at = lead_page(db_url, monkeypatch)
    at.session_state["findings_view"] = "All findings"
    at.run()
    at.selectbox(key="findings_by_case_review").select_index(0).run()
    assert at.selectbox(key="findings_by_case_review").value is None
    assert not at.exception
    overall, none_hold = at.dataframe  # no grid of groups
    assert "group" not in overall.value.columns and "group" not in none_hold.value.columns
