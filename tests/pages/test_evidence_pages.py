"""The Evidence page (inspectors add and see evidence for their forces) and the Judgements page
(the grid, a cell's evidence, judging by leads, one criterion across forces, bearings)."""

from __future__ import annotations

from datetime import date

from fieldwork import db, startup
from fieldwork.services import evidence, judgements
from fieldwork.ui import session
from tests.apptest import page
from tests.evidence_helpers import LEAD1, add_cases, add_interview
from tests.laptops import databases

__all__ = ["databases"]  # the fixture, imported for pytest


def test_an_inspector_records_an_interview_with_two_coded_excerpts(engine, db_url, monkeypatch):
    at = page("pages/evidence.py", db_url, monkeypatch, forces=("durham",)).run()
    assert not at.exception
    assert at.selectbox(key="ev_force_0").options == ["County Durham Constabulary"] or \
        len(at.selectbox(key="ev_force_0").options) == 1  # only the forces the inspector may see
    at.selectbox(key="ev_kind_0").select("interview")
    at.selectbox(key="ev_force_0").select("durham")
    at.date_input(key="ev_date_0").set_value(date(2016, 11, 8))  # the box opens empty (W10)
    at.text_input(key="ev_source_0").input("force stalking SPOC")
    at.text_area(key="ev_summary_0").input("Interview with the SPOC.")
    at.selectbox(key="ev_ex_crit_0_0").select("1.5")
    at.selectbox(key="ev_ex_code_0_0").select("strength")
    at.text_area(key="ev_ex_text_0_0").input("Reviews every stalking report daily.")
    at.button(key="ev_more").click().run()
    at.selectbox(key="ev_ex_crit_0_1").select("3.1")
    at.selectbox(key="ev_ex_code_0_1").select("area_for_improvement")
    at.text_area(key="ev_ex_text_0_1").input("Risk assessments often not done at first contact.")
    at.button(key="ev_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "with 2 excerpt(s)" in at.success[0].value
    with db.session_scope(engine) as s:
        [item] = evidence.list_evidence(s, LEAD1)
    assert item.force == "durham" and [e.criterion for e in item.excerpts] == ["1.5", "3.1"]
    assert item.created_by == "inspector1"
    assert any(item.ref in e.label for e in at.expander)


def test_a_named_source_is_refused_on_the_page(engine, db_url, monkeypatch):
    at = page("pages/evidence.py", db_url, monkeypatch).run()
    at.selectbox(key="ev_force_0").select("durham")
    at.text_input(key="ev_source_0").input("Mrs Smith")
    at.button(key="ev_save").click().run()
    assert at.error and "not saved" in at.error[0].value


def test_the_lead_judges_a_cell_and_the_grid_shows_it(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        item = add_interview(s)
        add_cases(s, "durham", ["yes"] * 12 + ["no"] * 4)
        ex = next(e.uid for v in evidence.list_evidence(s, LEAD1) for e in v.excerpts if e.criterion == "3.1")
    at = page("pages/judgements.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    assert not at.exception
    at.selectbox(key="jd_unit").select("durham")
    at.selectbox(key="jd_criterion").select("3.1").run()
    assert "Not judged yet. 1 evidence item(s)" in at.info[0].value
    key = "force_durham_3.1_0"
    at.radio(key=f"jd_grade_{key}").set_value("partially_met")
    at.text_area(key=f"jd_rationale_{key}").input("Risk assessed in most cases; officers unsure of DASH.")
    at.multiselect(key=f"jd_ex_{key}").select(ex)
    at.multiselect(key=f"jd_f_{key}").select("case_review:initial_risk_assessment:yes")
    at.button(key=f"FormSubmitter:jd_form_{key}-Save judgement").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Judged 3.1 for County Durham" in at.success[0].value or "Judged 3.1" in at.success[0].value
    text = " ".join(m.value for m in at.markdown)
    assert "Partially met" in text and "12 of 16 (75 percent) (95% CI 50.5–89.8)" in text
    assert "Risk assessments" not in text
    grid = at.dataframe(key="jd_grid").value
    assert grid.loc["3.1", "Durham"].startswith("Partially met · 2 kinds")
    at.selectbox(key="jd_across").select("3.1").run()
    table = at.dataframe[-1].value  # the criterion across all forces (AppTest keeps keys of selectable tables only)
    assert list(table.loc[table["Force"].str.contains("Durham"), "grade"]) == ["Partially met"]
    del item


def test_an_admin_sees_the_grid_but_does_not_judge(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        item = add_interview(s)
        judgements.judge(s, LEAD1, unit_type="force", unit="durham", criterion="1.5", grade="met", rationale="r",
                         evidence=[item.uid])
    at = page("pages/judgements.py", db_url, monkeypatch, user="admin1", role=session.ADMIN).run()
    at.selectbox(key="jd_unit").select("durham")
    at.selectbox(key="jd_criterion").select("1.5").run()
    assert not at.exception
    assert any("Only lead inspectors judge" in c.value for c in at.caption)
    assert not [f for f in at.get("form")]


def test_inspectors_are_refused_the_judgements_page(engine, db_url, monkeypatch):
    at = page("pages/judgements.py", db_url, monkeypatch).run()
    assert not at.dataframe


def test_the_lead_resolves_a_merge_conflict_on_the_judgements_page(engine, db_url, monkeypatch):
    import json

    from models import EvidenceConflict

    with db.session_scope(engine) as s:
        j, _ = judgements.judge(s, LEAD1, unit_type="force", unit="durham", criterion="3.1", grade="met",
                                rationale="here")
        incoming = {"uid": "b" * 32, "unit_type": "force", "unit": "durham", "criterion": "3.1",
                    "grade": "not_met", "rationale": "laptop", "judged_by": "lead2",
                    "judged_at": "2016-11-10T10:00:00+00:00", "version": 1, "revision": "c" * 32,
                    "parent_revision": None, "links": [], "history": []}
        s.add(EvidenceConflict(inspection_id=j.inspection_id, kind="judgement", uid="b" * 32, local_uid=j.uid,
                               revision="c" * 32, content=json.dumps(incoming)))
    at = page("pages/judgements.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    assert "1 kept for you to resolve" in at.expander[0].label
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("jd_conflict_take_"))).click().run()
    assert not at.exception and not any("kept for you" in e.label for e in at.expander)
    grid = at.dataframe(key="jd_grid").value
    assert grid.loc["3.1", "Durham"].startswith("Not met")


def test_the_author_changes_an_item_on_the_page(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        item = add_interview(s)
        [view] = evidence.list_evidence(s, LEAD1)
    at = page("pages/evidence.py", db_url, monkeypatch).run()
    at.toggle(key=f"ev_edit_{item.uid}").set_value(True).run()
    k = f"{item.uid}_{view.revision}"
    at.text_area(key=f"ev_e_summary_{k}").input("A second visit.")
    at.checkbox(key=f"ev_e_rm_{k}_0").check()
    at.button(key=f"FormSubmitter:ev_edit_form_{k}-Save changes").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with db.session_scope(engine) as s:
        [after] = evidence.list_evidence(s, LEAD1)
    assert after.summary == "A second visit." and [e.criterion for e in after.excerpts] == ["3.1"]
    other = page("pages/evidence.py", db_url, monkeypatch, user="inspector3").run()
    assert not [t for t in other.toggle if t.key == f"ev_edit_{item.uid}"]


def test_clicking_a_grid_cell_opens_its_evidence(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        add_interview(s)
    at = page("pages/judgements.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    grid = at.dataframe(key="jd_grid").value
    row = list(grid.index).index("3.1")
    at.session_state["jd_grid"] = {"selection": {"rows": [], "columns": [], "cells": [[row, "Durham"]]}}
    at.run()
    assert not at.exception
    assert at.selectbox(key="jd_unit").value == "durham" and at.selectbox(key="jd_criterion").value == "3.1"
    assert "Not judged yet. 1 evidence item(s)" in at.info[0].value


def test_an_inspector_with_evidence_only_exports_it_and_the_lead_merges_it_on_the_bundles_page(
        engine, db_url, monkeypatch, databases):
    from sqlalchemy import func, select

    from fieldwork.services import bundles
    from models import EvidenceItem
    from tests.evidence_helpers import INSPECTOR1

    with db.session_scope(engine) as s:
        add_interview(s)
    at = page("pages/bundles.py", db_url, monkeypatch).run()
    assert any("1 evidence item(s) and 0 judgement(s)" in c.value for c in at.caption)
    assert [b.label for b in at.get("download_button")] == ["Download bundle"]
    with db.session_scope(engine) as s:
        content = bundles.export_bundle(s, INSPECTOR1).content
    lead_url = databases("lead").url.render_as_string(hide_password=False)
    at = page("pages/bundles.py", lead_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.file_uploader(key="bundle_upload").upload("laptop.fwbundle.zip", content, "application/zip").run()
    assert not at.exception
    infos = " | ".join(i.value for i in at.info)
    assert "Evidence: 1 added" in infos and "Nothing to change" not in infos
    next(b for b in at.button if b.label == "Merge into this database").click().run()
    assert not at.exception and "Evidence: 1 added" in at.success[0].value
    with db.session_scope(startup.open_engine(lead_url)) as s:
        assert s.scalar(select(func.count()).select_from(EvidenceItem)) == 1
