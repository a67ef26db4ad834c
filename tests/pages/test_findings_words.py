"""The Findings page read as a new lead reads it (issue 13's walk): every chart's title and
subtitle in words, never a variable's or an answer's code, with filters set."""

from __future__ import annotations

import json
import re

from tests.apptest import page

PAGE = "pages/findings.py"


def test_every_chart_names_the_filters_in_words(demo_engine, db_url, monkeypatch):
    at = page(PAGE, db_url, monkeypatch, user="lead1", role="lead", timeout=60).run()
    at.multiselect(key="findings_filter_case_review_force").select("durham").run()
    at.multiselect(key="findings_filter_case_review_domestic_abuse").select("no").run()
    assert not at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert len(specs) == 3  # headline bars, the dots by force, fully / partially / not met
    for spec in specs:
        words = " ".join([spec["title"]["text"], *spec["title"]["subtitle"]])
        # each variable by its short label, each answer by its label (fieldwork.short_labels)
        assert "Only Force: Durham Constabulary; Domestic abuse: No" in words, words
        assert "Filters:" not in words and not re.search(r"\b(durham|domestic_abuse|force =)", words), words
    assert specs[1]["title"]["text"] == "Joint case file review: findings by Force"


def test_a_footnote_reads_as_a_note_after_the_sentence(demo_engine, db_url, monkeypatch):
    at = page(PAGE, db_url, monkeypatch, user="lead1", role="lead", timeout=60).run()
    at.session_state["findings_view"] = "By inspection criterion"
    at.run()
    assert not at.exception
    rows = [t.value.loc["Most appropriate charge – Yes"] for t in at.table
            if "Most appropriate charge – Yes" in t.value.index]
    assert rows
    # the sentence is a fragment without a full stop; its footnote follows as a note of its own
    assert rows[0]["as the report writes it"] == (
        "the most appropriate charges were advised at the pre-charge stage in 70 of 88 applicable cases "
        "(80 percent). Note: Cases were not applicable if the cases were charged by police or discontinued "
        "due to insufficient evidence.")
