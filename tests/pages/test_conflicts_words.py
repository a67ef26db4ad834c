"""The Conflicts page in words (walk 24, W11): the questionnaire named by its title, each entry of
a repeat group in full in a column wide enough for it, short column headings for the two sides,
and form metadata (when and on what device the form was filled in) not listed as a difference."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from fieldwork import db
from fieldwork.catalog import load_catalog
from fieldwork.questionnaire.xlsform import import_xlsform
from fieldwork.services import assessments, inspections
from fieldwork.services import merge as merge_service
from fieldwork.ui import conflict_table
from tests.forms import YES_NO, xlsform_bytes
from tests.laptops import LEAD_ACTOR, databases, export, inspector, merge, team_accounts  # noqa: F401 (databases: a fixture)
from tests.marking_repeat_helpers import QUESTIONNAIRE, SURVEY, score
from tests.pages.test_quality_pages import lead_page
from tests.test_second_marking_repeats import FIRST, SECOND

WITH_METADATA = SURVEY.replace("| select_one yes_no | charged ", "| start             | started  |                  |                     |\n"
                               "| end               | ended    |                  |                     |\n"
                               "| deviceid          | device   |                  |                     |\n"
                               "| select_one yes_no | charged ")


def add_form(session):
    inspection = inspections.inspection_by_code(session, None)
    questionnaire = import_xlsform(
        xlsform_bytes(WITH_METADATA, YES_NO, settings={"form_id": QUESTIONNAIRE, "version": "1",
                                                       "form_title": "PIN log"}),
        frameworks=load_catalog().frameworks, name="pin_log.xlsx", allow_repeats=True,
        inspection_framework=inspection.framework or None)
    inspections.add_questionnaire(session, questionnaire, inspection, actor="test")


def scored_on_two_laptops(engine, databases, monkeypatch):
    laptop_a, laptop_b = databases("a"), databases("b")
    team_accounts(engine)
    for e in (laptop_a, laptop_b, engine):
        with db.session_scope(e) as s:
            add_form(s)
    # the two laptops scored at different times: their start and end differ, as they always do
    now = assessments.utcnow
    monkeypatch.setattr(assessments, "utcnow", lambda: datetime(2016, 11, 8, 9, 0, tzinfo=timezone.utc))
    score(laptop_a, "inspector1", "HS-0001", FIRST)
    monkeypatch.setattr(assessments, "utcnow", lambda: datetime(2016, 11, 9, 15, 30, tzinfo=timezone.utc))
    score(laptop_b, "inspector2", "HS-0001", SECOND)
    monkeypatch.setattr(assessments, "utcnow", now)
    merge(engine, export(laptop_a, inspector("inspector1")), "a.fwbundle.zip")
    merge(engine, export(laptop_b, inspector("inspector2")), "b.fwbundle.zip")
    with db.session_scope(engine) as s:
        [found] = merge_service.open_conflicts(s, LEAD_ACTOR)
    assert {"started", "ended"} <= set(found.differing())  # the metadata does differ


def test_metadata_is_not_a_difference_and_entries_and_sides_are_named_in_full(engine, db_url, monkeypatch,
                                                                              databases):
    scored_on_two_laptops(engine, databases, monkeypatch)
    at = lead_page("pages/conflicts.py", db_url, monkeypatch).run()
    assert not at.exception
    heading = " ".join(m.value for m in at.markdown)
    assert "**HS-0001** · PIN log" in heading and "pin_log" not in heading  # the questionnaire in words
    shown = at.dataframe[0]
    table = shown.value
    assert not {"started", "ended", "device"} & set(table["variable"])  # when and on what, not answers
    assert sorted(zip(table["variable"], table["entry"])) == [
        ("attended", "Incident 3"), ("served", "Incident 1 › PIN 1"), ("when", "Incident 3")]
    assert [c for c in table.columns if c[0].isdigit()] == ["1. inspector1", "2. inspector2"]
    config = json.loads(shown.proto.columns)
    assert config["entry"]["width"] >= len("Incident 1 › PIN 1") * conflict_table.PX_PER_CHAR  # on one line
    assert sum(c["width"] for c in config.values() if "width" in c) <= conflict_table.NARROWEST_COLUMN
    # where each side came from and whether it counts, said in full beside the choice
    assert any("2. inspector2 · from b.fwbundle.zip" in o for o in at.radio[0].options)
    # the status and whether it counts beside the choice, not in its labels: a browser keeps the
    # choice by its label, and a save elsewhere changes those words (stop 25, docs/pickers.md)
    assert at.radio[0].options == ["1. inspector1 · here first", "2. inspector2 · from b.fwbundle.zip"]
    assert "1. inspector1 · here first · complete · counts now  \n2. inspector2 · from b.fwbundle.zip · complete · " \
           "not counted" in [c.value for c in at.caption]


def test_the_widths_fit_the_narrowest_main_column_and_long_answers_wrap():
    import pandas as pd

    frame = pd.DataFrame([{"question": "Why not?", "variable": "why", "entry": None,
                           "1. inspector1": "MG3 did not set out the course of conduct across the incidents",
                           "2. inspector2": "(not asked)"}])
    sized = conflict_table.widths(frame, 2)
    assert sum(sized.values()) <= conflict_table.NARROWEST_COLUMN and "variable" not in sized
    assert sized["entry"] == conflict_table.MIN_WIDTH  # no entry here: the answers get the room
    assert conflict_table.row_height(frame, sized) > conflict_table.WRAPS_ABOVE  # wraps, not cut
