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
