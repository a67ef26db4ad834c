"""The Bundles page through AppTest: an inspector exports their own work; a lead previews and
merges a bundle, and a tampered one is refused with the reason."""

from __future__ import annotations

from sqlalchemy import func, select

from fieldwork import db
from fieldwork.ui import session
from models import Assessment
from tests.apptest import page
from tests.laptops import databases, export, inspector, random_answers, score, team_accounts
from tests.test_bundles import rewrite

__all__ = ["databases"]
BUNDLES = "pages/bundles.py"


def texts(elements) -> str:
    return " | ".join(e.value for e in elements)


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_an_inspector_exports_their_own_work_and_is_told_it_is_sensitive(engine, db_url, monkeypatch):
    score(engine, "inspector1", "HS-0001", random_answers(engine, seed=1))
    score(engine, "inspector2", "HS-0002", random_answers(engine, seed=2))
    at = page(BUNDLES, db_url, monkeypatch).run()
    assert not at.exception
    assert "sensitive" in at.warning[0].value and "victims" in at.warning[0].value
    assert "1 assessment(s) (1 complete, 0 draft) of 1 case(s)" in " ".join(c.value for c in at.caption)
    assert [b.label for b in at.get("download_button")] == ["Download bundle"]
    assert "Take in your assignments" in texts(at.subheader)  # merging others' work is for the lead


def test_an_inspector_cannot_take_in_another_inspectors_work(engine, db_url, monkeypatch, databases):
    laptop = databases("laptop")
    score(laptop, "inspector2", "HS-0001", random_answers(laptop, seed=1))
    at = page(BUNDLES, db_url, monkeypatch).run()
    at.file_uploader(key="bundle_upload").upload("x.fwbundle.zip", export(laptop, inspector("inspector2")),
                                                "application/zip").run()
    assert not at.exception
    assert "merge inspector2's work" in texts(at.error)


def test_an_inspector_with_nothing_scored_is_told_so(engine, db_url, monkeypatch):
    at = page(BUNDLES, db_url, monkeypatch).run()
    assert "no assessments to export" in texts(at.info)


def test_a_lead_previews_then_merges_a_laptops_bundle(engine, db_url, monkeypatch, databases):
    laptop = databases("laptop")
    team_accounts(engine)  # a bundle merges only an account's work
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, seed=1))
    score(laptop, "inspector1", "HS-0002", random_answers(laptop, seed=2), complete=False)
    content = export(laptop, inspector("inspector1"))

    at = page(BUNDLES, db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.file_uploader(key="bundle_upload").upload("laptop1.fwbundle.zip", content, "application/zip").run()
    assert not at.exception
    preview = next(i.value for i in at.info if "would be merged" in i.value)
    assert "2 assessment(s) added" in preview
    with db.session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Assessment)) == 0  # a preview changes nothing

    button(at, "Merge into this database").click().run()
    assert not at.exception
    assert "2 assessment(s) added" in texts(at.success) and "were merged" in texts(at.success)
    with db.session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Assessment)) == 2


def test_a_tampered_bundle_is_refused_on_the_page(engine, db_url, monkeypatch, databases):
    laptop = databases("laptop")
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, seed=1))
    content = rewrite(export(laptop, inspector("inspector1")), lambda p: p["cases"][0].update(created_by="x"),
                      fix_checksum=False)
    at = page(BUNDLES, db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.file_uploader(key="bundle_upload").upload("laptop1.fwbundle.zip", content, "application/zip").run()
    assert not at.exception
    assert "changed after export" in texts(at.error)
    assert not [b for b in at.button if b.label == "Merge into this database"]


def test_a_lead_can_export_one_inspectors_work(engine, db_url, monkeypatch):
    score(engine, "inspector1", "HS-0001", random_answers(engine, seed=1))
    score(engine, "inspector2", "HS-0002", random_answers(engine, seed=2))
    from tests.apptest import _account

    for name in ("inspector1", "inspector2"):  # the inspectors have accounts, as the lead's has
        _account(db_url, name, session.INSPECTOR, ())
    at = page(BUNDLES, db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    assert "2 assessment(s)" in " ".join(c.value for c in at.caption)
    at.radio(key="bundle_scope").set_value("One inspector's").run()
    assert "Choose the inspector" in texts(at.info)
    at.selectbox(key="bundle_inspector").set_value("inspector2").run()
    assert "1 assessment(s) (1 complete, 0 draft) of 1 case(s)" in " ".join(c.value for c in at.caption)
