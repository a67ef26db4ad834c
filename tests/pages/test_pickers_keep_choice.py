"""Pickers whose labels held a status or a count keep the chosen item when someone else's save
changes those words (stop 25, item 2). A browser keeps a select box's (or radio's, or
multiselect's) choice by its label: a label that changes between two runs of the page lost the
choice and the box fell back to its first item (found on Moderation at stop 24,
fieldwork/ui/moderation_clash.py). AppTest keeps the choice by value, so it cannot show the
loss itself; these tests hold the cause: each label stays the same across another person's
save, and the changing words are said beside the picker."""

from __future__ import annotations

from fieldwork import db
from fieldwork.services import assessments
from tests.apptest import page
from tests.assess_helpers import INSPECTOR1, add


def test_the_cases_picker_labels_stay_when_a_status_changes_elsewhere(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        add(s, ref="HS-0001")
        second = add(s, ref="HS-0002")
    at = page("pages/cases.py", db_url, monkeypatch).run()
    at.selectbox(key="cases_open_pick").set_value(second.case_id).run()
    before = list(at.selectbox(key="cases_open_pick").options)
    assert "HS-0002: not started" in [c.value for c in at.caption]
    # the same inspector on their laptop (or another tab) saves an answer: "not started" becomes "draft"
    with db.session_scope(engine) as s:
        assessments.save(s, INSPECTOR1, second.assessment_uid, 1, {"plea": ("not_guilty", None)})
    at.run()  # any press on the page runs it again
    assert not at.exception
    assert list(at.selectbox(key="cases_open_pick").options) == before == ["HS-0001", "HS-0002"]
    assert at.selectbox(key="cases_open_pick").value == second.case_id
    assert "HS-0002: draft" in [c.value for c in at.caption]  # the status said beside it, as it is now

