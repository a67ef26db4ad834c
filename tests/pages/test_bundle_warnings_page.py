"""The Bundles page shows the import's warnings for a bundle's rows, in the preview and after the
merge (issue 17, stop 22): a note that looks as if it holds a phone number is named by its case
and field, and the merge still goes through."""

from __future__ import annotations

from fieldwork.ui import session
from tests.apptest import page
from tests.laptops import databases, export, inspector, random_answers, score, team_accounts

__all__ = ["databases"]
BUNDLES = "pages/bundles.py"
WORDS = "the note looks as if it holds a phone number: check it holds no personal details"


def _table(at, key: str) -> list[dict]:
    """The warnings' table (AppTest finds dataframes by position; this one has the warning column)."""
    frames = [d.value for d in at.dataframe if "warning" in d.value.columns]
    assert len(frames) == 1, [list(d.value.columns) for d in at.dataframe]
    return frames[0].to_dict("records")


def test_the_page_warns_before_and_after_the_merge(engine, db_url, monkeypatch, databases):
    laptop = databases("laptop")
    team_accounts(engine)
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, seed=1),
          notes={"vps_taken": "VPS taken; mobile 07700 900123"})
    content = export(laptop, inspector("inspector1"))
    at = page(BUNDLES, db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.file_uploader(key="bundle_upload").upload("laptop1.fwbundle.zip", content, "application/zip").run()
    assert not at.exception
    assert any("1 warning(s): these do not stop the merge" in w.value for w in at.warning)
    assert _table(at, "bundle_warnings") == [{"record": "case HS-0001", "field": "note:vps_taken", "warning": WORDS}]
    next(b for b in at.button if b.label == "Merge into this database").click().run()
    assert not at.exception
    assert any("were merged" in s.value for s in at.success)
    assert _table(at, "bundle_merged_warnings") == [{"record": "case HS-0001", "field": "note:vps_taken",
                                                      "warning": WORDS}]
