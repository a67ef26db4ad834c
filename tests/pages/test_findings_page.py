"""The Findings page: the demonstration button on an empty database, the drafts left out,
filters and breakdowns, charts with PNG and SVG downloads, the findings under each criterion."""

from __future__ import annotations

import json

from sqlalchemy import select

from fieldwork import db
from fieldwork.services import inspections
from models import Assessment, CaseFile, QuestionnaireVersion
from tests.apptest import page

PAGE = "pages/findings.py"


def lead_page(db_url, monkeypatch):
    return page(PAGE, db_url, monkeypatch, user="lead1", role="lead", timeout=60)


def add_draft(engine, ref: str = "HS-9001") -> None:
    with db.session_scope(engine) as s:
        inspection = inspections.inspection_by_code(s)
        version = s.scalar(select(QuestionnaireVersion).where(QuestionnaireVersion.questionnaire == "case_review"))
        case = CaseFile(inspection_id=inspection.id, questionnaire="case_review", case_ref=ref)
        s.add(case)
        s.flush()
        s.add(Assessment(case_id=case.id, questionnaire_version_id=version.id, inspector="inspector1"))


def info_text(at) -> str:
    return " ".join(i.value for i in at.info)


def test_an_empty_database_offers_the_demonstration_data(engine, db_url, monkeypatch):
    at = lead_page(db_url, monkeypatch).run()
    assert not at.exception
    assert "holds no cases yet" in info_text(at)
    assert "**0** complete cases counted" in info_text(at)
    at.button(key="findings_load_demo").click().run()
    assert not at.exception
    assert "Demonstration data loaded: 112 case_review, 270 pin_review." in at.success[0].value
    assert "**112** complete cases counted" in info_text(at)
    assert not [b for b in at.button if b.key == "findings_load_demo"]  # offered only while there are no cases


def test_charts_render_with_png_and_svg_downloads_and_the_drafts_left_out(demo_engine, db_url, monkeypatch):
    engine = demo_engine
    add_draft(engine)
    at = lead_page(db_url, monkeypatch).run()
    assert not at.exception
    assert "**112** complete cases counted. **1** draft assessment left out" in info_text(at)
    charts = at.get("vega_lite_chart")
    assert len(charts) == 3  # headline bars, small multiples by force, fully/partially/not met
    specs = [json.loads(c.proto.spec) for c in charts]
    assert all("n = 112 complete cases" in " ".join(s["title"]["subtitle"]) for s in specs)
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("Download PNG") == 3 and labels.count("Download SVG") == 3
    at.session_state["findings_view"] = "All findings"  # only the open tab runs
    at.run()
    assert not at.exception and not at.get("vega_lite_chart")
    assert {"Findings JSON", "Findings CSV"} <= {b.label for b in at.get("download_button")}


def test_filters_narrow_the_population(demo_engine, db_url, monkeypatch):
    at = lead_page(db_url, monkeypatch).run()
    at.multiselect(key="findings_filter_case_review_force").select("durham").run()
    assert not at.exception
    assert "**16** complete cases counted" in info_text(at)
    at.multiselect(key="findings_filter_case_review_domestic_abuse").select("no").run()
    counted = int(info_text(at).split("**")[1])
    assert 0 < counted < 16
    at.multiselect(key="findings_filter_case_review_force").unselect("durham").run()
    assert "**30** complete cases counted" in info_text(at)  # the 30 non-domestic abuse cases


def test_breakdown_by_cps_area_and_the_table_by_criterion(demo_engine, db_url, monkeypatch):
    at = lead_page(db_url, monkeypatch).run()
    at.selectbox(key="findings_by_case_review").select("cps_area").run()
    assert not at.exception
    chart = at.get("vega_lite_chart")[1]
    dots = json.loads(chart.proto.spec)
    assert dots["title"]["text"].endswith("findings by CPS Area")
    # three findings one under another in one view: the page sizes it to the column
    assert "vconcat" not in dots and chart.proto.SerializeToString().count(b": whole inspection ") == 3
    assert b"CPS North West (n=32)" in chart.proto.SerializeToString()  # the data travel beside the spec
    at.session_state["findings_view"] = "By inspection criterion"
    at.run()
    criteria = " ".join(m.value for m in at.markdown)
    assert "**3.1** The police use risk assessment screening tools effectively" in criteria
    # the initial risk assessment evidences 3.1 only, so it appears in one criterion's table
    tables = [t.value for t in at.table]  # static tables: the sentences wrap
    rows = [t[t.index == "Initial risk assessment – Yes"] for t in tables]
    rows = [r for r in rows if len(r)]
    assert len(rows) == 1
    row = rows[0].iloc[0]
    assert (row["count"], row["denominator"], row["percent"]) == (60, 112, 54)
    assert row["95% interval"] == "44.4–62.5" and row["caution"] == ""
    assert "In one case it was not known" in row["as the report writes it"]


def test_the_pin_review_has_no_cps_area_filter(demo_engine, db_url, monkeypatch):
    at = lead_page(db_url, monkeypatch).run()
    at.selectbox(key="findings_questionnaire").select("pin_review").run()
    assert not at.exception
    assert "**270** complete cases counted" in info_text(at)
    keys = {m.key for m in at.multiselect}
    assert "findings_filter_pin_review_force" in keys and not any("cps_area" in k for k in keys)
