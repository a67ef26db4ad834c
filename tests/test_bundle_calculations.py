"""A bundle's calculated answer is checked as the app works it out: a value the app would not
have calculated (or a blank where it calculates one) is refused and the lead's database left
as it was, since the merge stores a bundle's values as written (attacker re-test 22, F7: a
rewritten `flag` moved a finding); a laptop's own values merge as before."""

from __future__ import annotations

import pytest
from sqlmodel import select

from fieldwork import db
from fieldwork.catalog import load_catalog
from fieldwork.problems import ProblemError
from fieldwork.questionnaire.xlsform import import_xlsform
from fieldwork.services import bundles, cases, inspections
from models import Answer, Assessment
from tests.db_snapshot import snapshot
from tests.forms import YES_NO, xlsform_bytes
from tests.laptops import LEAD_ACTOR, databases, export, inspector  # noqa: F401 (fixture)
from tests.test_bundles import rewrite
from tests.test_repeat_entries import Scorer

SURVEY = """
| type              | name    | label    | calculation                  |
| select_one yes_no | charged | Charged? |                              |
| calculate         | flag    |          | if(${charged} = 'yes', 1, 0) |
| calculate         | double  |          | ${flag} * 2                  |
| calculate         | day     |          | today()                      |
| integer           | score   | Score    |                              |
"""


def _add_form(s) -> None:
    inspection = inspections.inspection_by_code(s, None)
    q = import_xlsform(xlsform_bytes(SURVEY, YES_NO, settings={"form_id": "calc_form", "version": "1",
                                                               "form_title": "Calc"}),
                       frameworks=load_catalog().frameworks, name="calc.xlsx",
                       inspection_framework=inspection.framework or None)
    inspections.add_questionnaire(s, q, inspection, actor="test")


@pytest.fixture
def scored(databases):
    laptop, lead = databases("laptop"), databases("lead")
    for e in (laptop, lead):
        with db.session_scope(e) as s:
            _add_form(s)
    with db.session_scope(laptop) as s:
        uid = cases.add_case(s, inspector("inspector1"), inspection=None, questionnaire_id="calc_form",
                             case_ref="HS-0001", context={}).assessment_uid
    tab = Scorer(laptop, uid, inspector("inspector1"))
    tab.save(charged="no", score="3")
    tab.complete()
    return laptop, lead, uid


def _stored(engine, uid) -> dict:
    with db.session_scope(engine) as s:
        return dict(s.exec(select(Answer.question, Answer.value).join(Assessment, Assessment.id == Answer.assessment_id)
                           .where(Assessment.uid == uid)).all())


def _set(name, value):
    def change(payload):
        answers = payload["assessments"][0]["answers"]
        if value is None:
            answers[:] = [x for x in answers if x["question"] != name]
        else:
            next(x for x in answers if x["question"] == name)["value"] = value
    return change


@pytest.mark.parametrize("name, value, said", [
    ("flag", "1", "holds '1', which the app stores as '0'"),
    ("double", "2", "holds '2', which the app stores as '0'"),
    ("flag", None, "is blank, which the app works out as '0'"),
])
def test_a_calculated_value_the_app_would_not_have_worked_out_is_refused(scored, name, value, said):
    laptop, lead, uid = scored
    before = snapshot(lead)
    forged = rewrite(export(laptop, LEAD_ACTOR), _set(name, value), fix_checksum=True)
    with pytest.raises(ProblemError) as caught, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, forged, "calc.zip")
    assert [(p.code, p.field) for p in caught.value.problems] == [("bad_value", name)]
    assert said in caught.value.problems[0].message
    assert snapshot(lead) == before


def test_the_laptops_own_values_merge_and_a_clock_value_is_kept_as_given(scored):
    laptop, lead, uid = scored
    on_laptop = _stored(laptop, uid)
    assert on_laptop["flag"] == "0" and on_laptop["double"] == "0" and on_laptop["day"]
    content = rewrite(export(laptop, LEAD_ACTOR), _set("day", "2016-05-04"), fix_checksum=True)
    with db.session_scope(lead) as s:  # a device's today() is fixed when it was filled in, as in an import
        bundles.import_bundle(s, LEAD_ACTOR, content, "calc.zip")
    assert _stored(lead, uid) == {**on_laptop, "day": "2016-05-04"}
