"""The Findings page's "Draft report": written with the page's filters and breakdown, offered
for download, read back with python-docx; evidence notes only when a lead ticks for them."""

from __future__ import annotations

import pytest

from fieldwork.ui.draft_report import KEY
from tests.apptest import page
from tests.pages.test_findings_page import PAGE
from tests.report_reader import read

pytestmark = pytest.mark.slow  # the page writes a whole draft report: 7-8 s of CPU each


def test_a_lead_writes_and_downloads_the_draft_with_the_pages_choices(demo_engine, db_url, monkeypatch):
    at = page(PAGE, db_url, monkeypatch, user="lead1", role="lead", timeout=120)
    at.session_state["findings_view"] = "Draft report"  # only the open tab runs
    at.run()
    assert not at.exception
    assert not [b for b in at.get("download_button") if b.label.startswith("Download the draft report")]
    at.multiselect(key="findings_filter_case_review_domestic_abuse").select("yes").run()
    at.button(key="findings_report_write").click().run()
    assert not at.exception
    (download,) = [b for b in at.get("download_button") if b.label == "Download the draft report (.docx)"]
    request, file_name, data = at.session_state[KEY]
    assert file_name == "case_review-draft-report.docx"
    doc = read(data)
    text = " ".join(doc.texts())
    # as a report prints them: short labels, answers in words, no code in brackets (walk 23, F19)
    assert "Filters: Domestic abuse: Yes" in doc.texts()
    assert "Breakdown: by force" in doc.texts()  # the page's default
    assert "Cases counted: 82 complete cases" in text and "Evidence notes: not included" in text
    assert any(p.text.startswith("3.1 ") and p.style == "Heading 2" for p in doc.paragraphs)
    assert any(t[0][0] == "Force" for t in doc.tables)  # by force
    # a changed choice hides the old draft until it is written again
    at.multiselect(key="findings_filter_case_review_domestic_abuse").unselect("yes").run()
    assert not [b for b in at.get("download_button") if b.label.startswith("Download the draft report")]


def test_notes_only_when_a_lead_asks(demo_engine, db_url, monkeypatch):
    at = page(PAGE, db_url, monkeypatch, user="lead1", role="lead", timeout=120)
    at.session_state["findings_view"] = "Draft report"
    at.run()
    at.checkbox(key="findings_report_notes").check().run()
    at.button(key="findings_report_write").click().run()
    assert not at.exception
    doc = read(at.session_state[KEY][2])
    assert "Evidence notes: included (annex C), at a lead's request" in " ".join(doc.texts())
    assert any(p.text == "Annex C – Evidence notes" for p in doc.paragraphs)

    admin = page(PAGE, db_url, monkeypatch, user="admin1", role="admin", timeout=120)
    admin.session_state["findings_view"] = "Draft report"
    admin.run()
    assert not admin.exception
    assert not [c for c in admin.checkbox if c.key == "findings_report_notes"]
