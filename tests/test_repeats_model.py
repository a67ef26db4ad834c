"""Repeat groups in the questionnaire model, the XLSForm reader and the answer table (issue 12,
first part): what a form's repeats are, nested, with their counts and rules."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fieldwork import db
from fieldwork.catalog import load_catalog
from fieldwork.problems import ProblemError
from fieldwork.problems import ProblemError
from fieldwork.questionnaire.model import questionnaire_from_dict
from fieldwork.questionnaire.xlsform import import_xlsform
from fieldwork.questionnaire.xlsform_read import REPEAT_NOT_SUPPORTED
from models import Answer, Assessment, CaseFile, QuestionnaireVersion
from tests.xlsform_collection import xlsx

FORM = """
| survey |
|        | type              | name       | label            | repeat_count   | relevant           | required |
|        | text              | case_ref   | Case reference   |                |                    | yes      |
|        | integer           | n_incidents| Incidents        |                |                    |          |
|        | begin repeat      | incident   | Incident         | ${n_incidents} |                    |          |
|        | date              | when       | When             |                |                    | yes      |
|        | begin group       | response   | Response         |                |                    |          |
|        | select_one yes_no | attended   | Attended?        |                |                    |          |
|        | end group         |            |                  |                |                    |          |
|        | begin repeat      | pin        | PIN issued       |                | ${attended} = 'yes'|          |
|        | select_one yes_no | served     | Served in person |                |                    |          |
|        | end repeat        |            |                  |                |                    |          |
|        | end repeat        |            |                  |                |                    |          |
|        | select_one yes_no | charged    | Charged?         |                |                    |          |
| choices |
|         | list_name | name | label |
|         | yes_no    | yes  | Yes   |
|         | yes_no    | no   | No    |
| settings |
|          | form_id   | version |
|          | incidents | 1       |
"""


def read(markdown=FORM, **kw):
    return import_xlsform(xlsx(markdown), frameworks=load_catalog().frameworks, name="incidents.xlsx", **kw)


def test_repeats_are_read_nested_with_their_counts_and_rules():
    q = read(allow_repeats=True)
    assert [(r.name, r.label, r.parent, r.count, r.relevant) for r in q.repeats] == [
        ("incident", "Incident", "", "${n_incidents}", ""),
        ("pin", "PIN issued", "incident", "", "${attended} = 'yes'")]
    assert {name: q.repeat_of(name) for name in ("case_ref", "n_incidents", "when", "attended", "served",
                                                  "charged")} == {
        "case_ref": "", "n_incidents": "", "when": "incident", "attended": "incident", "served": "pin",
        "charged": ""}
    assert q.repeat_chain("pin") == ["incident", "pin"]
    # the nested repeat's rule stays on its questions, as a group's does
    assert "${attended} = 'yes'" in q.rule(q.question("served"))


def test_a_questionnaire_with_repeats_round_trips_through_its_stored_form():
    q = read(allow_repeats=True)
    again = questionnaire_from_dict(q.to_dict())
    assert again == q and again.content_hash == q.content_hash


def test_forms_without_repeats_keep_their_stored_form():
    q = read(FORM.split("|        | integer ")[0] + "| choices |" + FORM.split("| choices |")[1])
    assert "repeats" not in q.to_dict()
    assert all("repeat" not in s for s in q.to_dict()["sections"])


def test_adding_a_form_with_repeats_is_still_refused_until_entries_can_be_answered():
    with pytest.raises(ProblemError) as err:
        read()
    assert {p.code for p in err.value.problems} == {REPEAT_NOT_SUPPORTED}


def test_an_answer_is_stored_once_per_question_and_entry(engine):
    with db.session_scope(engine) as s:
        version = s.execute(select(QuestionnaireVersion)).scalars().first()
        case = CaseFile(inspection_id=1, questionnaire=version.questionnaire, case_ref="HS-0001")
        s.add(case)
        s.flush()
        a = Assessment(case_id=case.id, questionnaire_version_id=version.id, inspector="inspector1")
        s.add(a)
        s.flush()
        s.add_all([Answer(assessment_id=a.id, question="when", instance="incident[1]", value="2016-01-02"),
                   Answer(assessment_id=a.id, question="when", instance="incident[2]", value="2016-02-03"),
                   Answer(assessment_id=a.id, question="served", instance="incident[2]/pin[1]", value="yes")])
        s.flush()
        assert s.scalar(select(func.count()).select_from(Answer).where(Answer.question == "when")) == 2
    with pytest.raises(ProblemError) as refused:  # the database's own rule, as a message (issue 17)
        with db.session_scope(engine) as s:
            a = s.execute(select(Assessment)).scalars().first()
            s.add(Answer(assessment_id=a.id, question="when", instance="incident[1]", value="2016-05-05"))
            s.flush()
    assert refused.value.problems[0].code == db.WRITE_CLASH


def test_the_xlsform_writer_writes_repeats_that_read_back_identically(tmp_path):
    from pyxform.xls2xform import convert

    from fieldwork.questionnaire.xlsform import export_xlsform

    q = read(allow_repeats=True)
    path = export_xlsform(q, tmp_path / "incidents.xlsx")
    again = import_xlsform(path, frameworks=load_catalog().frameworks, name="incidents.xlsx", allow_repeats=True)
    assert again.to_dict() == q.to_dict()
    xml = convert(xlsform=str(path)).xform  # and pyxform makes an ODK form of it, repeats and count included
    assert '/incident" jr:count=' in xml and '/incident/pin"' in xml


def test_entries_are_written_with_their_instance_paths_beside_the_case_level_answers(engine):
    from fieldwork.services import store
    from tests.wide_helpers import answers_by_case

    with db.session_scope(engine) as s:
        version = s.execute(select(QuestionnaireVersion).where(QuestionnaireVersion.questionnaire == "case_review")
                            ).scalars().first()
        store.add_complete_assessments(s, inspection_id=1, version=version, created_by="lead1", records=[
            store.CaseRecord("HS-0001", {"force": "kent"}, entries={
                "incident[1]": {"when": "2016-01-02"}, "incident[2]": {"when": "2016-02-03"},
                "incident[2]/pin[1]": {"served": "yes"}})])
        rows = s.execute(select(Answer.question, Answer.instance, Answer.value).order_by(Answer.id)).all()
    assert [tuple(r) for r in rows] == [("force", "", "kent"), ("when", "incident[1]", "2016-01-02"),
                                        ("when", "incident[2]", "2016-02-03"), ("served", "incident[2]/pin[1]", "yes")]
    assert answers_by_case(engine)["HS-0001"][0]["force"] == "kent"
