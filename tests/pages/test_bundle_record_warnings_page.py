"""The Bundles page names an evidence item's or a judgement's time ahead of this clock as a
warning (kept, merged), and refuses an evidence note holding U+202E naming the record and field
(stop 23: every record a bundle carries is checked as the cases and assessments are)."""

from __future__ import annotations

from fieldwork.ui import session
from tests.apptest import page
from tests.db_snapshot import snapshot
from tests.laptops import databases, team_accounts  # noqa: F401 (fixture)
from tests.pages.test_bundle_warnings_page import BUNDLES, _table
from tests.test_bundle_record_checks import AHEAD, _ahead, _item, laptop_bundle  # noqa: F401 (fixture)
from tests.test_bundles import rewrite

__all__ = ["databases", "laptop_bundle"]


def _upload(db_url, monkeypatch, content: bytes, engine=None):
    """The page with the bundle uploaded; with ``engine``, also the database's snapshot taken once
    the page had signed in (the sign-in writes its own rows), before the upload."""
    at = page(BUNDLES, db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    before = snapshot(engine) if engine is not None else None
    at.file_uploader(key="bundle_upload").upload("laptop1.fwbundle.zip", content, "application/zip").run()
    assert not at.exception
    return (at, before) if engine is not None else at


def test_times_ahead_are_warned_of_before_and_after_the_merge(engine, db_url, monkeypatch, laptop_bundle):
    team_accounts(engine)
    content, _ = laptop_bundle
    at = _upload(db_url, monkeypatch, rewrite(content, _ahead, fix_checksum=True))
    assert any("4 warning(s): these do not stop the merge" in w.value for w in at.warning)
    rows = {(r["record"], r["field"]): r["warning"] for r in _table(at, "bundle_warnings")}
    assert set(rows) == {("evidence EV-0001", "created_at"), ("evidence EV-0001", "updated_at"),
                         ("evidence EV-0001", "held_on"), ("judgement durham 3.1", "judged_at")}, rows
    assert rows[("judgement durham 3.1", "judged_at")].startswith(
        f"the judgements' judged_at {AHEAD.isoformat()} lies more than a day ahead of this computer's clock")
    next(b for b in at.button if b.label == "Merge into this database").click().run()
    assert not at.exception
    assert any("were merged" in s.value for s in at.success)
    assert len(_table(at, "bundle_merged_warnings")) == 4


def test_a_note_holding_an_override_is_refused_naming_the_record_and_field(engine, db_url, monkeypatch,
                                                                            laptop_bundle):
    team_accounts(engine)
    content, _ = laptop_bundle
    at, before = _upload(db_url, monkeypatch, rewrite(content, lambda p: _item(p).update(summary="notes \u202eseton"),
                                                      fix_checksum=True), engine)
    problems = [d.value for d in at.dataframe if "problem" in d.value.columns]
    assert len(problems) == 1
    said = list(problems[0]["problem"])
    assert any(p.startswith("Evidence EV-0001: its summary holds U+202E RIGHT-TO-LEFT OVERRIDE") for p in said), said
    assert not [b for b in at.button if b.label == "Merge into this database"]
    assert snapshot(engine) == before
