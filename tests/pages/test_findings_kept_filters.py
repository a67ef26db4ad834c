"""A lead's filters and breakdown on the Findings page outlive a visit to another page (the
draft report, a tab of that page, follows them: coming back to an unfiltered page unnoticed
would write the draft for every case)."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from fieldwork import db
from fieldwork.ui import session
from tests.apptest import ROOT, _account


def test_filters_and_breakdown_are_kept_across_another_page(demo_engine, db_url, monkeypatch):
    monkeypatch.setenv(db.ENV_URL, db_url)
    _account(db_url, "lead1", session.LEAD, ())
    at = AppTest.from_file(str(ROOT / "fieldwork_app.py"), default_timeout=60)
    at.session_state[session.USER_KEY] = {"name": "lead1", "role": session.LEAD, "forces": []}
    at.session_state[session.SEEN_KEY] = time.time()
    at.run()
    at.switch_page("pages/findings.py").run()
    at.multiselect(key="findings_filter_case_review_force").set_value(["durham"]).run()
    at.selectbox(key="findings_by_case_review").set_value("domestic_abuse").run()
    filtered = " ".join(i.value for i in at.info)
    assert not at.exception and "**112**" not in filtered

    at.switch_page("pages/cases.py").run()
    assert at.title[0].value == "Cases"
    at.switch_page("pages/findings.py").run()

    assert not at.exception
    assert at.multiselect(key="findings_filter_case_review_force").value == ["durham"]
    assert at.selectbox(key="findings_by_case_review").value == "domestic_abuse"
    assert " ".join(i.value for i in at.info) == filtered  # the same cases counted as before the visit
