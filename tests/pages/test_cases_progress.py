"""The Cases page after a sample draw (walk 23, F19): the progress table counts complete cases
of the drawn sample against its target, never over 100 %, the force's other complete cases
said apart; the Continue line names a case in the register's words ("not started" is never
"your latest draft")."""

from __future__ import annotations

import pytest

from fieldwork import db
from fieldwork.services import assessments, cases, inspections, sampling, sampling_frames, store
from fieldwork.services.permissions import LEAD, Actor
from tests.apptest import page
from tests.assess_helpers import full_answers
from tests.sampling_helpers import frame_csv, frame_rows

CASES = "pages/cases.py"
LEAD1 = Actor("lead1", LEAD)


@pytest.fixture
def drawn(engine, db_url, monkeypatch):
    """17 complete Durham cases outside any sample (as the demo's), then 16 drawn for lead1."""
    at = page(CASES, db_url, monkeypatch, user="lead1", role=LEAD)  # lead1's account
    with db.session_scope(engine) as s:
        version = inspections.current_version(s, "case_review")
        questionnaire = inspections.questionnaire_of(version)
        records = [store.CaseRecord(f"DEMO-{i:04d}", full_answers(questionnaire, {"force": "durham"}),
                                    inspector="lead1") for i in range(1, 18)]
        store.add_complete_assessments(s, inspection_id=inspections.inspection_by_code(s).id, version=version,
                                       records=records, created_by="lead1")
    with db.session_scope(engine) as s:
        sampling_frames.import_frame(s, LEAD1, "case_review", frame_csv(frame_rows({"durham": 40}, prefix="DUR")),
                                     "frame.csv")
    with db.session_scope(engine) as s:
        sampling.draw(s, LEAD1, "case_review", seed=2016, targets={"durham": 16}, inspector="lead1")
    return at


def durham(at):
    return at.dataframe[0].value.set_index("Force").loc["Durham Constabulary"]


def register(at):
    return at.dataframe[1].value.set_index("Case")


def test_the_drawn_sample_is_counted_against_its_target_and_the_rest_said_apart(drawn):
    at = drawn.run()
    assert not at.exception, at.exception
    row = durham(at)
    assert row["Sample target"] == 16
    assert row["Complete in the sample"] == 0 and row["Progress"] == 0.0  # the 16 drawn are not started
    assert row["Complete outside the sample"] == 17 and row["Cases in the register"] == 33
    caption = " ".join(c.value for c in at.caption)
    assert "complete outside the sample" in caption and "only its drawn cases" in caption
    assert "17 of 16" not in caption


def test_progress_never_passes_100_percent(drawn, engine):
    at = drawn.run()
    for row in at.dataframe[0].value.itertuples():
        assert row.Progress is None or row.Progress <= 1.0


def test_the_continue_line_says_what_the_register_says(drawn, engine):
    at = drawn.run()
    button = at.button(key="cases_continue")
    ref = button.label.split()[1].rstrip(",")
    assert button.label == f"Start {ref}, not started yet"
    assert register(at).loc[ref, "Status"] == "not started"

    with db.session_scope(engine) as s:  # lead1 starts one of the drawn cases
        case_id = not_started(s)[-1].case_id
        uid = assessments.own_assessment(s, LEAD1, case_id)
        view = assessments.load(s, LEAD1, uid)
        assessments.save(s, LEAD1, uid, view.version, {"plea": ("not_guilty", None)})
        started = view.case_ref
    at = drawn.run()
    assert at.button(key="cases_continue").label == f"Continue {started}, your latest draft"
    assert register(at).loc[started, "Status"] == "draft"


def not_started(s):
    return [r for r in cases.register(s, LEAD1, questionnaire="case_review").rows if r.status == "not_started"]
