"""Every finding a chart can show is named in full on its bar (walk 23, F19: at 1,440 px the
first bar read "Enhanced risk assessment – DASH (domestic abuse, stalking and harassment and
…"). A bar is named by the question's and the answer's short labels (criteria/, read by
fieldwork.short_labels); drawn by Vega (vl-convert) as the page and the report draw it, no
label is cut to fit ``charts.LABEL_LIMIT``: the page's default charts, and every finding of
both questionnaires charted at once."""

from __future__ import annotations

import json
import re

import pytest

from fieldwork import charts, db
from fieldwork.services import findings
from fieldwork.short_labels import answer_short_labels

CUT = "\u2026"  # Vega ends a label cut at its labelLimit with an ellipsis


def drawn_texts(spec: dict) -> list[str]:
    svg = charts.spec_svg(json.dumps(spec))
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)]


@pytest.mark.parametrize("questionnaire", ["case_review", "pin_review"])
def test_no_bar_label_is_cut(demo_engine, questionnaire):
    with db.session_scope(demo_engine) as s:
        report = findings.compute(s, questionnaire, by="force")
    rows = charts.frame(report)
    overall = rows[rows["group"].isna()]
    every = charts.percentage_bars(report, overall, title="every finding")
    texts = drawn_texts(every)
    cut = [t for t in texts if CUT in t]
    assert not cut, cut
    assert set(overall["bar"]) <= set(texts)  # each bar's whole label is drawn
    for name, spec in charts.default_charts(report, "Findings", by_label="Force"):
        cut = [t for t in drawn_texts(spec) if CUT in t]
        assert not cut, (name, cut)


def test_long_answers_are_charted_by_their_short_labels(demo_engine):
    with db.session_scope(demo_engine) as s:
        report = findings.compute(s, "case_review")
    bars = set(charts.frame(report)["bar"])
    assert {"Enhanced risk assessment – DASH", "Enhanced risk assessment – S-DASH only",
            "Enhanced risk assessment – Another tool", "Enhanced risk assessment – None", "Charged by – CPS"} <= bars
    # the answers keep their whole labels everywhere else: the tooltip and the sentences
    dash = report.get("enhanced_risk_assessment", "dash")
    assert dash.answer_label.startswith("DASH (domestic abuse, stalking and harassment")


def test_short_answer_labels_leave_the_stored_definition_alone():
    """A short label is read from the criteria file for display only: the loaded questionnaire
    (whose definition is hashed and stored under its version) carries no trace of it."""
    from fieldwork.catalog import load_catalog

    assert answer_short_labels("case_review")["enhanced_risk_assessment"]["dash"] == "DASH"
    definition = json.dumps(load_catalog().questionnaires["case_review"].to_dict())
    assert "short_label" not in definition and "S-DASH only" not in definition
