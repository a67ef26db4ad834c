"""Data protection across the capabilities: a case reference that looks like a name or an
email is refused wherever cases come in (Cases page service, import, bundles); a note that
looks like personal data draws a warning; exports leave evidence notes out unless asked,
and the cover sheet says which."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import cases, importing, privacy
from exports import exporting
from fieldwork.services.permissions import INSPECTOR, LEAD, Actor
from tests.wide_helpers import case_review_rows, csv_bytes

LEAD1 = Actor("lead1", LEAD)
CONTEXT = {"force": "durham", "domestic_abuse": "yes", "offence_charged": "stalking_s4a", "plea": "guilty",
           "charged_by": "cps", "digital_element": "no"}
NOTE = "Victim Jane Doe, DOB 04/05/1980, phone 07700 900123, jane.doe@example.com"


@pytest.mark.parametrize("ref", ["Jane Smith", "jane.smith@example.com", "Smith", "JSmith"])
def test_a_case_reference_that_may_be_a_name_is_refused_on_the_cases_page(session, ref):
    with pytest.raises(ProblemError) as refused:
        cases.add_case(session, Actor("inspector1", INSPECTOR), inspection=None, questionnaire_id="case_review",
                       case_ref=ref, context=CONTEXT)
    assert refused.value.problems[0].field == "case_ref"


def test_an_import_refuses_such_references_and_warns_about_notes(engine):
    with db.session_scope(engine) as s:
        rows = case_review_rows(s, 3)
    rows[1]["case_ref"] = "jane.smith@example.com"
    rows[2]["case_ref"] = "Jane Smith"
    with pytest.raises(ProblemError) as refused:
        with db.session_scope(engine) as s:
            importing.import_file(s, LEAD1, "case_review", csv_bytes(rows), "phase2.csv")
    assert sorted(p.row for p in refused.value.problems if p.field == "case_ref") == [3, 4]

    rows = _rows(engine)
    rows[0]["note:initial_risk_assessment"] = NOTE
    with db.session_scope(engine) as s:
        checked = importing.check_file(s, LEAD1, "case_review", csv_bytes(rows), "phase2.csv")
    (warning,) = [w for w in checked.warnings if w.field and w.field.startswith("note:")]
    for kind in ("a person's name", "a phone number", "an email address", "a date of birth"):
        assert kind in warning.message


def _rows(engine):
    with db.session_scope(engine) as s:
        return case_review_rows(s, 2)


def test_note_warnings_name_each_kind_of_personal_data():
    assert privacy.note_warnings("MG3 p2: DASH done on the day, risk high") == []
    assert set(privacy.note_warnings(NOTE)) >= {"a person's name", "a phone number", "an email address",
                                                "a date of birth"}


@pytest.mark.slow
def test_exports_are_de_identified_by_default_and_say_so(engine):
    rows = _rows(engine)
    rows[0]["note:initial_risk_assessment"] = "Crime report p4"
    with db.session_scope(engine) as s:
        importing.import_file(s, LEAD1, "case_review", csv_bytes(rows), "phase2.csv")
        plain_csv = exporting.export_csv(s, LEAD1, "case_review").decode("utf-8-sig")
        plain = exporting.export_workbook(s, LEAD1, "case_review")
        with_notes = exporting.export_workbook(s, LEAD1, "case_review", with_notes=True)
    assert "Crime report" not in plain_csv and "note:" not in plain_csv

    def cover_and_text(data: bytes) -> tuple[str, str]:
        wb = load_workbook(io.BytesIO(data), read_only=True)
        text = " ".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
        cover = " ".join(str(v) for row in wb.worksheets[0].iter_rows(values_only=True) for v in row if v)
        return cover, text

    cover, text = cover_and_text(plain)
    assert "Evidence notes" in cover and "not included (the default" in cover
    assert "Crime report" not in text
    cover, text = cover_and_text(with_notes)
    assert "INCLUDED" in cover and "Crime report p4" in text


def test_the_assess_page_warns_when_a_note_looks_like_personal_data(engine, db_url, monkeypatch):
    from fieldwork.ui import questionnaire_form
    from tests.apptest import page
    from tests.assess_helpers import add

    with db.session_scope(engine) as s:
        new = add(s, ref="HS-0042")
    at = page("pages/assess.py", db_url, monkeypatch, user="inspector1")
    at.query_params["case"] = str(new.case_id)
    at.run()
    note = questionnaire_form.widget_key(new.assessment_uid, "n", "initial_risk_assessment")
    at.text_area(key=note).input("MG3 p2: DASH done on the day").run()
    assert not [w for w in at.warning if "personal details" in w.value]
    at.text_area(key=note).input(NOTE).run()
    (warning,) = [w.value for w in at.warning if "personal details" in w.value]
    assert "a phone number" in warning and "an email address" in warning
