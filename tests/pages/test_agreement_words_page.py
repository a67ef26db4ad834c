"""The Second marking page and the draft report say the same of agreement (walk 25, V2): the
page's too-few-pairs note and its reason for a blank kappa are the sentences the report prints
(tests/test_report_agreement_words.py reads them from the .docx)."""

from __future__ import annotations

from fieldwork import db
from fieldwork.services import agreement, agreement_words
from tests.pages.test_quality_pages import lead_page, texts
from tests.test_report_agreement_words import _walk


def test_the_page_says_what_the_report_says(engine, db_url, monkeypatch):
    _walk(engine)
    with db.session_scope(engine) as s:
        report = agreement.report(s, "case_review")
    too_few, blank = agreement_words.too_few_sentence(report), agreement_words.blank_sentence(report)
    assert too_few.startswith(f"{len(report.too_few)} question(s): too few pairs to judge") and blank
    at = lead_page("pages/second_marking.py", db_url, monkeypatch).run()
    assert not at.exception, at.exception
    assert too_few in texts(at.info)
    assert blank in texts(at.caption)
    assert "2 to moderate" in texts(at.caption) and "1 awaiting second marking" in texts(at.caption)
