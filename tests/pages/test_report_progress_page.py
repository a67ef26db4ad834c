"""The Findings page's "Write the draft report" says each step as it goes (exports/report_steps.py)
and leaves them listed under a finished status; the draft is the one the core writes."""

from __future__ import annotations

import pytest
from streamlit.testing.v1.element_tree import Status

from exports import report_docx, report_steps, reporting
from fieldwork import db
from fieldwork.services.permissions import Actor
from fieldwork.ui.draft_report import KEY
from tests.apptest import page
from tests.pages.test_findings_page import PAGE
from tests.report_reader import read

pytestmark = pytest.mark.slow  # the page writes a whole draft report


def _content(data: bytes):
    """What a reader sees: paragraphs (less the minute it was written), tables, footnotes, pictures."""
    doc = read(data)
    return ([(p.text, p.style, p.footnotes) for p in doc.paragraphs if not p.text.startswith("Written:")],
            doc.tables, doc.footnotes, doc.images)


def test_the_steps_appear_and_the_draft_is_the_cores(demo_engine, db_url, monkeypatch):
    at = page(PAGE, db_url, monkeypatch, user="lead1", role="lead", timeout=120)
    at.session_state["findings_view"] = "Draft report"  # only the open tab runs
    at.run()
    at.button(key="findings_report_write").click().run()
    assert not at.exception
    (status,) = [e for e in at.main if isinstance(e, Status)]
    assert (status.label, status.state) == (report_steps.DONE, "complete")
    said = [c.value for c in status.caption]
    assert said[:4] == [report_steps.COUNTING, *(report_steps.drawing(n, 3) for n in (1, 2, 3))]  # the page's charts
    assert said[-2:] == [report_docx.SECTION_WORDS[report_docx.figures_annex], report_docx.SAVING]
    assert report_docx.SECTION_WORDS[report_docx.notes_annex] not in said  # notes not asked for
    assert [b for b in at.get("download_button") if b.label == "Download the draft report (.docx)"]

    with db.session_scope(demo_engine) as s:  # the page's choices: breakdown by force, no filter
        core = reporting.draft_report(s, Actor("lead1", "lead"), "case_review", by="force")
    assert _content(at.session_state[KEY][2]) == _content(core)
