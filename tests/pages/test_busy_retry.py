"""A save while another writer holds the database (a large import): it waits the busy timeout,
and if the database is still busy the inspector reads a message and a "Try again" button — never
SQLite's raw "database is locked" — nothing is saved, and the retry saves the same change once
the writer is done. The lock is a real one: another connection holding SQLite's write lock."""

from __future__ import annotations

import sqlite3
import time

from fieldwork import db, startup
from fieldwork.services import assessments
from fieldwork.ui import questionnaire_form
from tests.apptest import page
from tests.assess_helpers import INSPECTOR1, add
from tests.db_snapshot import snapshot

ASSESS = "pages/assess.py"


def test_a_save_during_a_long_write_shows_a_message_with_a_retry(db_url, monkeypatch):
    if not db_url.startswith("sqlite"):
        return  # the lock held here is SQLite's; PostgreSQL's lock timeout is the same message (test_faults)
    monkeypatch.setattr(db, "BUSY_SECONDS", 1)  # the wait, shortened for the test (120 s in use)
    engine = startup.open_engine(db_url)
    with db.session_scope(engine) as s:
        case = add(s, ref="HS-0042", charged_by="cps")
    uid = case.assessment_uid
    at = page(ASSESS, db_url, monkeypatch)
    at.query_params["case"] = str(case.case_id)
    at.run()
    assert not at.exception

    writer = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=0)
    writer.execute("BEGIN IMMEDIATE")  # as an import holds it while it writes its rows
    try:
        before = snapshot(engine)
        started = time.monotonic()
        at.radio(key=questionnaire_form.widget_key(uid, "a", "initial_risk_assessment")).set_value("yes").run()
        waited = time.monotonic() - started
        shown = " ".join([*(e.value for e in [*at.error, *at.warning, *at.markdown, *at.toast]),
                          *(" ".join(map(str, d.value["problem"])) for d in at.dataframe if "problem" in d.value)])
        assert "database is busy" in shown and "Nothing was saved" in shown
        assert "locked" not in shown.lower() and not at.exception
        retry = at.button(key=questionnaire_form.widget_key(uid, "retry"))
        assert "Try again" in retry.label
        assert waited >= 1  # it waited for the writer before giving up
    finally:
        writer.rollback()
        writer.close()
    assert snapshot(engine) == before  # nothing was saved

    retry.click().run()
    assert not at.exception and not at.error
    with db.session_scope(engine) as s:
        assert assessments.load(s, INSPECTOR1, uid).answers["initial_risk_assessment"] == "yes"
    assert at.radio(key=questionnaire_form.widget_key(uid, "a", "initial_risk_assessment")).value == "yes"
    assert not [b for b in at.button if b.key == questionnaire_form.widget_key(uid, "retry")]
