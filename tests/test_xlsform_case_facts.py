"""Adding a case on a questionnaire written as KoboToolbox and ODK users write them (walk 24):
the case's facts asked wherever the form puts them (W1), a choice_filter held to at Add a case,
at save, at Mark complete and at import (W4), calculations worked out, never typed, and the
reason a question is not asked said in words (W5)."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import assessments, cases, importing
from models import Answer, Assessment, CaseFile
from tests.assess_helpers import INSPECTOR1, LEAD1
from tests.db_snapshot import snapshot
from tests.test_repeat_entries import Scorer
from tests.xlsform_case_forms import QID, add_kobo_form

UUID = re.compile(r"^uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture
def kobo(engine):
    with db.session_scope(engine) as s:
        add_kobo_form(s)
    return engine


def _add(engine, ref="HS-0501", **context):
    with db.session_scope(engine) as s:
        return cases.add_case(s, INSPECTOR1, inspection=None, questionnaire_id=QID, case_ref=ref, context=context)


def _stored(engine, uid) -> dict:
    with db.session_scope(engine) as s:
        return dict(s.exec(select(Answer.question, Answer.value).join(Assessment, Assessment.id == Answer.assessment_id)
                           .where(Assessment.uid == uid)).all())


def _refusal(engine, **context) -> list:
    with pytest.raises(ProblemError) as caught:
        _add(engine, **context)
    return caught.value.problems


def test_the_case_facts_are_asked_wherever_the_form_puts_them(kobo):
    with db.session_scope(kobo) as s:
        from fieldwork.services import inspections
        q = inspections.load_questionnaire(s, QID)
    # no section named context: the facts Add a case checks, in the form's order; never a calculation
    assert cases.context_questions(q) == ["force", "cps_area"]


def test_a_case_is_added_on_a_kobo_form_with_its_force_and_area(kobo):
    new = _add(kobo, force="durham", cps_area="north_east")
    stored = _stored(kobo, new.assessment_uid)
    assert stored["force"] == "durham" and stored["cps_area"] == "north_east"


def test_a_case_without_its_force_is_refused_naming_the_force_box(kobo):
    problems = _refusal(kobo)
    assert [p.field for p in problems] == ["force"]
    assert "choose the force" in problems[0].message


def test_a_question_add_a_case_does_not_ask_is_refused_in_words(kobo):
    problems = _refusal(kobo, force="durham", dash_done="yes")
    assert [p.field for p in problems] == ["dash_done"]
    assert problems[0].message == ("“Was a DASH risk assessment completed?” is not asked when a case is added (asked "
                                   "then: “Which force investigated the case?”, “CPS Area”)")


def test_an_area_outside_the_forces_filtered_list_is_refused_and_nothing_written(kobo):
    before = snapshot(kobo)
    problems = _refusal(kobo, force="durham", cps_area="south_east")
    assert [p.field for p in problems] == ["cps_area"]
    assert problems[0].message == (
        "“CPS Area” holds CPS South East, which its list does not offer for this case (“Which force investigated "
        "the case?” is Durham Constabulary; the list offers: CPS North East): choose one of those")
    assert snapshot(kobo) == before


def test_a_blank_area_takes_the_forces_own(kobo):
    new = _add(kobo, force="durham")
    assert _stored(kobo, new.assessment_uid)["cps_area"] == "north_east"


def test_a_calculation_is_worked_out_when_the_case_is_added_and_uuid_kept(kobo):
    new = _add(kobo, force="gwent", cps_area="cymru_wales")
    first = _stored(kobo, new.assessment_uid)["instance_ref"]
    assert UUID.match(first)
    tab = Scorer(kobo, new.assessment_uid)
    tab.save(report_date="2016-03-04", charged="yes")
    tab.save(charge_date="2016-03-14")
    stored = _stored(kobo, new.assessment_uid)
    assert stored["days_to_charge"] == "10"
    assert stored["instance_ref"] == first  # worked out once: every save keeps it


def test_a_save_outside_the_filter_is_refused_and_mark_complete_refuses_a_stale_one(kobo):
    new = _add(kobo, force="durham", cps_area="north_east")
    tab = Scorer(kobo, new.assessment_uid)
    with pytest.raises(ProblemError) as caught:
        tab.save(cps_area="south_east")
    assert caught.value.problems[0].code == "outside_filter"
    assert "the list offers: CPS North East" in caught.value.problems[0].message
    # the force changed afterwards: the area stored no longer fits, so the case cannot be completed
    tab.save(force="sussex", report_date="2016-03-04", charged="no", dash_done="no")
    with db.session_scope(kobo) as s:
        with pytest.raises(ProblemError) as caught:
            assessments.mark_complete(s, INSPECTOR1, new.assessment_uid, tab.version)
    assert [p.item for p in caught.value.problems] == ["cps_area"]
    assert "“CPS Area” holds CPS North East" in caught.value.problems[0].message
    tab.save(cps_area="south_east")
    with db.session_scope(kobo) as s:
        assert assessments.mark_complete(s, INSPECTOR1, new.assessment_uid, tab.version).status == "complete"


def test_a_question_not_asked_is_refused_with_its_condition_in_words(kobo):
    new = _add(kobo, force="durham")
    tab = Scorer(kobo, new.assessment_uid)
    tab.save(charged="no")
    with pytest.raises(ProblemError) as caught:
        tab.save(charge_date="2016-05-01")
    assert caught.value.problems[0].message == ("“Date of charge” is not asked for this case (asked only when "
                                                "“Was a suspect charged?” is Yes)")


def test_an_import_holds_the_choice_filter(kobo):
    header = "case_ref,force,cps_area,report_date,charged,charge_date,dash_done\n"
    rows = ("HS-0601,durham,south_east,2016-03-04,no,,no\n"
            "HS-0602,gwent,cymru_wales,2016-03-04,no,2016-03-09,no\n"
            "HS-0603,sussex,south_east,2016-03-04,yes,2016-03-09,no\n")
    with db.session_scope(kobo) as s:
        with pytest.raises(ProblemError) as caught:
            importing.import_file(s, LEAD1, QID, (header + rows).encode(), "cases.csv")
    said = {(p.row, p.field): p.message for p in caught.value.problems}
    assert "CPS South East, which its list does not offer" in said[(2, "cps_area")]
    assert "not asked for this case" in said[(3, "charge_date")]  # the file's columns: said by their names
    assert not [k for k in said if k[0] == 4]
    with db.session_scope(kobo) as s:
        assert not s.exec(select(CaseFile)).all()


def test_questionnaire_import_says_what_add_a_case_asks(tmp_path, db_url, capsys):
    from fieldwork.cli import main
    from tests.forms import xlsform_bytes
    from tests.xlsform_case_forms import CHOICES, KOBO, SETTINGS, kobo_form

    path = tmp_path / "victim_contact_review.xlsx"
    path.write_bytes(kobo_form())
    assert main(["--db", db_url, "questionnaire", "import", str(path)]) == 0
    assert ("Add a case asks: the case reference, “Which force investigated the case?” (force), “CPS Area” "
            "(cps_area).") in capsys.readouterr().out
    no_force = KOBO.replace("| force ", "| police_force ").replace("force=${force}", "force=${police_force}")
    path.write_bytes(xlsform_bytes(no_force, CHOICES, settings={**SETTINGS, "form_id": "vcr_no_force"}))
    assert main(["--db", db_url, "questionnaire", "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Add a case asks: the case reference, “CPS Area” (cps_area)." in out
    assert "The form has no question named force outside a repeat group" in out


def test_an_import_holds_a_choice_filter_in_a_repeat_groups_entries(engine):
    """ODK Central's zip: a PIN's 'How it was served' list leaves out Not served once a suspect was
    charged; an entry holding it is refused by member, row and column, and nothing is written."""
    from tests import foreign_exports as fx
    from tests.test_repeat_files import import_bytes, load_form

    survey = fx.REPEAT_FORM.replace("| relevant          | required |",
                                    "| relevant          | required | choice_filter |", 1)
    survey = survey.replace("| How it was served        |                   |          |",
                            "| How it was served        |                   |          | "
                            "name != 'not_served' or ${charged} = 'no' |", 1)
    assert "choice_filter" in survey and "${charged} = 'no'" in survey
    load_form(engine, survey)
    subs = fx.repeat_submissions(30)
    wrong = sum(1 for s in subs for p in s["pin"]
                if s["answers"]["charged"] == "yes" and p.get("pin_served") == "not_served")
    assert wrong  # the seed gives some
    with pytest.raises(ProblemError) as caught:
        import_bytes(engine, fx.odk_repeat_zip(subs), "pins.zip")
    outside = [p for p in caught.value.problems if p.code == "outside_filter"]
    assert len(outside) == wrong, [str(p) for p in caught.value.problems][:3]
    assert all(p.field == "pin_served" and p.row and "“How it was served” holds Not served" in p.message
               and "“Charged?” is Yes" in p.message for p in outside)
    with db.session_scope(engine) as s:
        assert not s.exec(select(CaseFile)).all()
