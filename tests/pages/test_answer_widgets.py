"""The Assess form's widgets for every other XLSForm type, through AppTest: each gives the
stored text an import would give, calculations are shown read-only and recomputed, a group's
skip logic hides its questions, and metadata is filled in, not asked."""

from __future__ import annotations

from datetime import date, time

import pytest

from fieldwork import db
from fieldwork.services import assessments, inspections
from fieldwork.ui import questionnaire_form
from tests.apptest import page
from tests.assess_helpers import INSPECTOR1, add
from tests.test_every_type import FORM, load_form
from tests.xlsform_collection import xlsx

ASSESS = "pages/assess.py"
WIDGET_FORM = FORM.replace(
    "|        | acknowledge                | checked         | File checked               |",
    "|        | start                      | start           |                            |                     |"
    "                     |                                  |                     |          |\n"
    "|        | image                      | photo           | Photo of the exhibit       |                     |"
    "                     |                                  |                     |          |\n"
    "|        | acknowledge                | checked         | File checked               |")


@pytest.fixture
def case(engine):
    load_form(engine, WIDGET_FORM)
    with db.session_scope(engine) as s:
        return add(s, ref="HS-0042", questionnaire="timeliness", force="durham")


def key(case, name):
    return questionnaire_form.widget_key(case.assessment_uid, "a", name)


def go(at, case, section):
    """Show a section (None: just the section picker)."""
    picker = at.radio(key=questionnaire_form.widget_key(case.assessment_uid, "section"))
    if section is None:
        return picker
    picker.set_value(section).run()
    return picker


def stored(engine, case) -> dict:
    with db.session_scope(engine) as s:
        return dict(assessments.load(s, INSPECTOR1, case.assessment_uid).answers)


def test_each_type_is_entered_and_stored_as_an_import_would_store_it(engine, db_url, monkeypatch, case):
    at = page(ASSESS, db_url, monkeypatch)
    at.query_params["case"] = str(case.case_id)
    at.run()
    assert not at.exception
    go(at, case, "general")
    at.radio(key=questionnaire_form.widget_key(case.assessment_uid, "a", "charged")).set_value("yes").run()
    at.text_input(key=key(case, "reported_on")).input("2016-02-01").run()
    assert "The charge" in go(at, case, None).options  # the group is asked once charged = yes
    go(at, case, "charge")
    at.text_input(key=key(case, "charged_on")).input("11/02/2016").run()  # as the import reads it
    assert at.text_input(key=key(case, "charged_on")).value == "2016-02-11"  # shown back as it is stored
    calc = [t for t in at.text_input if t.label.startswith("Days to charge (worked out:")]  # named in words (walk 24)
    assert calc and calc[0].value == "10" and calc[0].disabled  # worked out, read-only
    go(at, case, "general_2")
    at.number_input(key=key(case, "prior_incidents")).set_value(4).run()
    at.text_input(key=key(case, "hours_to_visit")).input("4.20").run()
    at.select_slider(key=key(case, "severity")).set_value("3").run()
    at.time_input(key=key(case, "report_time")).set_value(time(9, 5)).run()
    at.text_input(key=key(case, "first_contact")).input("2016-02-01T14:30").run()
    at.multiselect(key=key(case, "behaviours")).select("social").select("following").run()
    at.text_input(key=key(case, "location")).input("51.5 -0.12").run()
    at.checkbox(key=key(case, "checked")).check().run()
    assert not at.exception
    assert "stores no photos" in " ".join(c.value for c in at.caption)
    got = stored(engine, case)
    assert got["reported_on"] == "2016-02-01" and got["charged_on"] == "2016-02-11"
    assert got["days_to_charge"] == "10"
    assert got["prior_incidents"] == "4" and got["hours_to_visit"] == "4.2" and got["severity"] == "3"
    assert got["report_time"] == "09:05:00" and got["first_contact"] == "2016-02-01T14:30:00"
    assert got["behaviours"] == "following social" and got["location"] == "51.5 -0.12" and got["checked"] == "OK"
    assert got["start"].startswith(str(date.today().year)) or got["start"]  # filled in, never asked
    assert not [w for w in at.text_input if w.label == "start"]


def test_a_bad_value_is_refused_with_the_reason_and_nothing_stored(engine, db_url, monkeypatch, case):
    at = page(ASSESS, db_url, monkeypatch)
    at.query_params["case"] = str(case.case_id)
    at.run()
    go(at, case, "general_2")
    at.text_input(key=key(case, "hours_to_visit")).input("four").run()
    assert "not saved" in " ".join(str(e.value) for e in at.error)
    shown = " ".join(at.dataframe[0].value["problem"])
    assert "'four' is not a number" in shown
    assert "hours_to_visit" not in stored(engine, case)


def test_a_date_is_typed_with_its_format_in_words_and_a_wrong_one_refused(engine, db_url, monkeypatch, case):
    """A date is a box that is sent as it is left (Tab, a click, Enter), not Streamlit's date
    field, which sent a typed date only once focus left its calendar button too (walk W6)."""
    at = page(ASSESS, db_url, monkeypatch)
    at.query_params["case"] = str(case.case_id)
    at.run()
    go(at, case, "general")
    box = at.text_input(key=key(case, "reported_on"))
    assert box.placeholder == "YYYY-MM-DD, e.g. 2016-04-11 (or DD/MM/YYYY)"  # the format in words
    box.input("2016-02-30").run()
    assert "not saved" in " ".join(str(e.value) for e in at.error)
    shown = " ".join(at.dataframe[0].value["problem"])
    assert "'2016-02-30' is not a date: write it as YYYY-MM-DD (or DD/MM/YYYY)" in shown
    assert "reported_on" not in stored(engine, case)
    assert at.text_input(key=key(case, "reported_on")).value == ""  # back to what is stored
    at.text_input(key=key(case, "reported_on")).input("2016 02 01").run()  # as typed into the old date field
    assert not at.error and stored(engine, case)["reported_on"] == "2016-02-01"
    assert at.text_input(key=key(case, "reported_on")).value == "2016-02-01"
    at.text_input(key=key(case, "reported_on")).input("2016 02 31").run()  # refused as typed
    assert "'2016 02 31' is not a date" in " ".join(at.dataframe[0].value["problem"])
    assert stored(engine, case)["reported_on"] == "2016-02-01"
    assert at.text_input(key=key(case, "reported_on")).value == "2016-02-01"  # back to what is stored
