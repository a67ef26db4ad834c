"""Add a case on a questionnaire written as KoboToolbox and ODK users write them, through
AppTest (walk 24): the force asked though its group is not named context (W1), the CPS Area
list filtered by the force (W4), a date asked as a date and only once a suspect was charged,
never a calculation (W5)."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from fieldwork import db
from fieldwork.questionnaire import case_facts
from fieldwork.services import inspections
from models import Answer, Assessment, CaseFile
from tests.apptest import page
from tests.forms import xlsform_bytes
from tests.xlsform_case_forms import CHOICES, QID, SETTINGS, add_kobo_form

CASES = "pages/cases.py"
# the same case facts in a section named context, with more of them (victim_contact_review2.xlsx)
CONTEXT_FORM = """
| type                  | name           | label::English (en)                | required | relevant             | calculation                          | choice_filter    |
| begin_group           | context        | Case details                       |          |                      |                                      |                  |
| text                  | case_ref       | Case reference                     | true     |                      |                                      |                  |
| select_one force_list | force          | Which force investigated the case? | true     |                      |                                      |                  |
| select_one area_list  | cps_area       | CPS Area                           | true     |                      |                                      | force=${force}   |
| date                  | report_date    | Date first reported                | true     |                      |                                      |                  |
| select_one yes_no     | charged        | Was a suspect charged?             | true     |                      |                                      |                  |
| date                  | charge_date    | Date of charge                     |          | ${charged} = 'yes'   |                                      |                  |
| calculate             | days_to_charge |                                    |          |                      | ${charge_date} - ${report_date}      |                  |
| end_group             |                |                                    |          |                      |                                      |                  |
"""


def _open(db_url, monkeypatch):
    at = page(CASES, db_url, monkeypatch).run()
    at.selectbox(key="cases_questionnaire").set_value(QID).run()
    assert not at.exception
    return at


def _stored(engine, ref) -> dict:
    with db.session_scope(engine) as s:
        return dict(s.exec(select(Answer.question, Answer.value).join(Assessment, Assessment.id == Answer.assessment_id)
                           .join(CaseFile, CaseFile.id == Assessment.case_id).where(CaseFile.case_ref == ref)).all())


def _submit(at):
    return at.button(key="cases_add_case_submit").click().run()


def test_a_kobo_forms_force_is_asked_and_the_case_added(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        add_kobo_form(s)
    at = _open(db_url, monkeypatch)
    assert at.selectbox(key="add_case_force_0").label == "Which force investigated the case?"
    at.text_input(key="add_case_ref_0").input("HS-0501")
    at.selectbox(key="add_case_force_0").set_value("durham").run()
    assert at.selectbox(key="add_case_cps_area_0").options == ["CPS North East"]  # filtered by the force
    _submit(at)
    assert not at.exception
    assert "Added HS-0501" in at.success[0].value
    stored = _stored(engine, "HS-0501")
    assert (stored["force"], stored["cps_area"]) == ("durham", "north_east")


def test_the_area_list_follows_the_force_and_a_calculation_is_never_offered(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        inspection = inspections.inspection_by_code(s, None)
        inspections.add_xlsform(s, xlsform_bytes(CONTEXT_FORM, CHOICES, settings=SETTINGS), inspection,
                                actor="test", name="vcr2.xlsx")
    at = _open(db_url, monkeypatch)
    keys = [w.key for w in [*at.selectbox, *at.text_input, *at.date_input] if (w.key or "").startswith("add_case_")]
    assert "add_case_days_to_charge_0" not in keys  # worked out, never typed
    assert "add_case_charge_date_0" not in keys  # hidden until a suspect was charged
    at.selectbox(key="add_case_force_0").set_value("sussex").run()
    at.selectbox(key="add_case_cps_area_0").set_value("south_east").run()
    at.selectbox(key="add_case_force_0").set_value("durham").run()
    area = at.selectbox(key="add_case_cps_area_0")
    assert area.options == ["CPS North East"] and area.value is None  # a South East answer is not kept
    at.text_input(key="add_case_ref_0").input("HS-0502")
    at.date_input(key="add_case_report_date_0").set_value(date(2016, 3, 4))
    at.selectbox(key="add_case_charged_0").set_value("yes").run()
    at.date_input(key="add_case_charge_date_0").set_value(date(2016, 3, 14))
    at.selectbox(key="add_case_cps_area_0").set_value("north_east")
    _submit(at)
    assert not at.exception
    stored = _stored(engine, "HS-0502")
    assert stored["report_date"] == "2016-03-04" and stored["charge_date"] == "2016-03-14"
    assert stored["days_to_charge"] == "10"
    assert stored["cps_area"] == "north_east"


def test_an_answer_hidden_again_is_not_sent(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        inspection = inspections.inspection_by_code(s, None)
        q = inspections.add_xlsform(s, xlsform_bytes(CONTEXT_FORM, CHOICES, settings=SETTINGS), inspection,
                                    actor="test", name="vcr2.xlsx")
    assert [x.name for x in case_facts.asked_at_add(q)] == ["force", "cps_area", "report_date", "charged",
                                                           "charge_date"]
    at = _open(db_url, monkeypatch)
    at.text_input(key="add_case_ref_0").input("HS-0503")
    at.selectbox(key="add_case_force_0").set_value("gwent")
    at.selectbox(key="add_case_charged_0").set_value("yes").run()
    at.date_input(key="add_case_charge_date_0").set_value(date(2016, 3, 14))
    at.selectbox(key="add_case_charged_0").set_value("no").run()
    _submit(at)
    assert not at.exception
    assert "Added HS-0503" in at.success[0].value
    stored = _stored(engine, "HS-0503")
    assert stored["charged"] == "no" and "charge_date" not in stored


def test_assess_does_not_count_an_area_outside_the_filter_as_answered(engine, db_url, monkeypatch):
    from fieldwork.services import cases
    from tests.assess_helpers import INSPECTOR1
    from tests.test_repeat_entries import Scorer

    with db.session_scope(engine) as s:
        add_kobo_form(s)
        new = cases.add_case(s, INSPECTOR1, inspection=None, questionnaire_id=QID, case_ref="HS-0504",
                             context={"force": "durham"})
    tab = Scorer(engine, new.assessment_uid)
    tab.save(report_date="2016-03-04", charged="no")
    tab.save(force="sussex")  # the area stored (CPS North East) is no longer in the force's list
    at = page("pages/assess.py", db_url, monkeypatch)
    at.query_params["case"] = str(new.case_id)
    at.run()
    assert not at.exception
    bars = [p.proto.text for p in at.get("progress")]
    assert "Case details 4/5 ·" in bars[0]  # the empty CPS Area box is not counted as answered
    # and the box says why it is empty, in words
    assert any("“CPS Area” holds CPS North East, which its list does not offer for this case" in w.value
               for w in at.warning)
