"""The Findings page keeps its figures and charts between draws (issue 13, deliver 5) — and
never shows a kept figure once the data it was counted from has changed; the All findings
table wraps the report's sentences."""

from __future__ import annotations

import json

from sqlalchemy import select, update

from fieldwork import db
from fieldwork.services import demo
from fieldwork.ui import findings_grid
from models import Answer, Assessment, CaseFile
from tests.apptest import page

PAGE = "pages/findings.py"


def lead_page(db_url, monkeypatch):
    return page(PAGE, db_url, monkeypatch, user="lead1", role="lead", timeout=60)


def counted(at) -> int:
    return int(" ".join(i.value for i in at.info).split("**")[1])


def test_a_new_session_draws_from_the_kept_figures_and_a_change_to_the_data_is_counted(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        demo.load(s, actor="lead1")
    first = lead_page(db_url, monkeypatch).run()
    assert not first.exception and counted(first) == 112
    second = lead_page(db_url, monkeypatch).run()  # same data: kept figures, same page
    assert counted(second) == 112
    assert [c.proto.spec for c in second.get("vega_lite_chart")] == [c.proto.spec for c in first.get("vega_lite_chart")]

    # a moderation-style change: one case no longer counted (no version raised, no row added)
    with db.session_scope(engine) as s:
        aid = s.scalar(select(Assessment.id).join(CaseFile, CaseFile.id == Assessment.case_id)
                       .where(CaseFile.questionnaire == "case_review").order_by(Assessment.id))
        s.execute(update(Assessment).where(Assessment.id == aid).values(counted=False))
    assert counted(lead_page(db_url, monkeypatch).run()) == 111

    # an answer changed the way the Assess form saves it: the row updated, the version raised
    at = lead_page(db_url, monkeypatch)
    at.session_state["findings_view"] = "All findings"
    at.run()
    before = next(r for r in at.dataframe[0].value.to_dict("records")
                  if r["finding"].startswith("Initial risk assessment – Yes"))
    with db.session_scope(engine) as s:
        row = s.execute(select(Answer.id, Answer.assessment_id).join(Assessment, Assessment.id == Answer.assessment_id)
                        .where(Answer.question == "initial_risk_assessment", Answer.value == "no",
                               Assessment.counted.is_(True))).first()
        s.execute(update(Answer).where(Answer.id == row.id).values(value="yes"))
        s.execute(update(Assessment).where(Assessment.id == row.assessment_id).values(version=Assessment.version + 1))
    at = lead_page(db_url, monkeypatch)
    at.session_state["findings_view"] = "All findings"
    at.run()
    after = next(r for r in at.dataframe[0].value.to_dict("records")
                 if r["finding"].startswith("Initial risk assessment – Yes"))
    count = lambda r: int(r["count"].split(" of ")[0])  # noqa: E731 ("60 of 112")
    assert count(after) == count(before) + 1


def test_the_all_findings_table_wraps_its_sentences(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        demo.load(s, actor="lead1")
    at = lead_page(db_url, monkeypatch)
    at.session_state["findings_view"] = "All findings"
    at.run()
    assert not at.exception
    table = at.dataframe[0]  # every finding over all cases (then, by force, each group's figure)
    # the grid wraps a cell's text only in rows taller than 4rem (64 px)
    assert table.proto.row_height == findings_grid.ROW_HEIGHT > 64
    config = json.loads(table.proto.columns)
    assert config["as the report writes it"]["width"] == findings_grid.OVERALL_WIDTHS["as the report writes it"]
    assert "we found evidence that an initial risk assessment had taken place" in " ".join(
        table.value["as the report writes it"])
