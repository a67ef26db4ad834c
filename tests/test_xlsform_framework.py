"""An XLSForm joins an inspection and is read under that inspection's framework: a form
without a ``framework`` setting takes it, so its ``criteria`` column is checked (an unknown
criterion is refused with its row), and a form naming another framework is refused."""

from __future__ import annotations

import dataclasses
import io

import pytest
from sqlmodel import select

from fieldwork import db, startup
from fieldwork.catalog import InspectionSpec, load_catalog
from fieldwork.cli import main
from fieldwork.problems import ProblemError
from fieldwork.questionnaire.loader import FRAMEWORK_MISMATCH, UNKNOWN_CRITERION, UNKNOWN_FRAMEWORK
from fieldwork.questionnaire.xlsform import import_xlsform
from fieldwork.services import inspections
from models import InspectionQuestionnaire
from tests.forms import xlsform_bytes

FRAMEWORK = "harassment_stalking_2017"
NO_FRAMEWORK = {"form_id": "follow_up_review", "version": "1"}

SURVEY = """
| type              | name          | label                              | criteria |
| select_one yes_no | risk_assessed | Was an initial risk assessment made? | 2.1      |
| select_one yes_no | victim_told   | Was the victim told of the outcome?  | {told}   |
| text              | remarks       | Remarks                            |          |
"""


def form(told: str = "3.1", settings: dict | None = None) -> bytes:
    return xlsform_bytes(SURVEY.format(told=told), settings=settings or NO_FRAMEWORK)


def problems(exc: pytest.ExceptionInfo) -> list:
    return exc.value.problems


def other_framework():
    """A second framework the catalog could hold (the criteria folder has one today)."""
    return dataclasses.replace(load_catalog().frameworks[FRAMEWORK], id="other_framework_2020")


def read(data: bytes, *, inspection_framework: str | None, frameworks=None):
    catalog = load_catalog()
    return import_xlsform(io.BytesIO(data), frameworks=frameworks or catalog.frameworks, name="form.xlsx",
                          shared_choices=catalog.codes.as_choice_lists(), inspection_framework=inspection_framework)


def test_a_form_without_a_framework_takes_the_inspections():
    q = read(form(), inspection_framework=FRAMEWORK)
    assert q.framework == FRAMEWORK
    assert q.question("victim_told").criteria == ("3.1",)


def test_an_unknown_criterion_of_a_form_without_a_framework_is_refused_with_its_row():
    with pytest.raises(ProblemError) as exc:
        read(form(told="3.1 9.9"), inspection_framework=FRAMEWORK)
    [p] = problems(exc)
    assert (p.code, p.row, p.item, p.field) == (UNKNOWN_CRITERION, 3, "victim_told", "criteria")
    assert "'9.9'" in p.message and FRAMEWORK in p.message


def test_a_form_naming_another_framework_is_refused():
    frameworks = {**load_catalog().frameworks, "other_framework_2020": other_framework()}
    with pytest.raises(ProblemError) as exc:
        read(form(settings={**NO_FRAMEWORK, "framework": "other_framework_2020"}), inspection_framework=FRAMEWORK,
             frameworks=frameworks)
    [p] = problems(exc)
    assert (p.code, p.field) == (FRAMEWORK_MISMATCH, "framework")
    assert "other_framework_2020" in p.message and FRAMEWORK in p.message


def test_a_form_naming_the_inspections_framework_is_read_as_before():
    q = read(form(settings={**NO_FRAMEWORK, "framework": FRAMEWORK}), inspection_framework=FRAMEWORK)
    assert q.framework == FRAMEWORK


def test_every_fault_is_listed_at_once():
    with pytest.raises(ProblemError) as exc:
        read(form(told="8.8", settings={"form_id": "follow_up_review", "version": "1", "framework": "nonsense"}),
             inspection_framework=FRAMEWORK)
    assert {p.code for p in problems(exc)} == {FRAMEWORK_MISMATCH, UNKNOWN_FRAMEWORK}


# --- through the service, into an inspection ---------------------------------------------------


def test_the_form_joins_the_default_inspection_under_its_framework(session):
    inspection = inspections.inspection_by_code(session)
    q = inspections.add_xlsform(session, io.BytesIO(form()), inspection, actor="lead1", name="form.xlsx")
    assert q.framework == inspection.framework == FRAMEWORK
    assert "follow_up_review" in inspections.questionnaire_ids(session, inspection)
    assert inspections.load_questionnaire(session, "follow_up_review").framework == FRAMEWORK


def test_a_questionnaire_under_another_framework_is_refused_by_the_inspection(session):
    other = inspections.add_inspection(session, InspectionSpec(
        id="other_inspection", name="Another inspection", title="", framework="other_framework_2020",
        questionnaires=()))
    with pytest.raises(ProblemError) as exc:
        inspections.add_questionnaire(session, load_catalog().questionnaires["case_review"], other, actor="lead1")
    [p] = problems(exc)
    assert (p.code, p.item) == (FRAMEWORK_MISMATCH, "case_review")
    assert inspections.questionnaire_ids(session, other) == []


# --- the command line ---------------------------------------------------------------------------


def test_cli_import_checks_the_criteria_against_the_inspections_framework(tmp_path, db_url, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(form(told="9.9"))
    assert main(["questionnaire", "import", str(bad), "--db", db_url]) == 1
    err = capsys.readouterr().err
    assert "row 3" in err and "'victim_told'" in err and "'9.9'" in err and FRAMEWORK in err

    other = tmp_path / "other.xlsx"
    other.write_bytes(form(settings={**NO_FRAMEWORK, "framework": "other_framework_2020"}))
    assert main(["questionnaire", "import", str(other), "--db", db_url]) == 1
    assert "is not 'harassment_stalking_2017', the framework of the inspection it joins" in capsys.readouterr().err

    good = tmp_path / "good.xlsx"
    good.write_bytes(form())
    assert main(["questionnaire", "import", str(good), "--db", db_url]) == 0
    assert "in inspection living_in_fear_2017" in capsys.readouterr().out
    with db.session_scope(startup.open_engine(db_url)) as s:
        assert inspections.load_questionnaire(s, "follow_up_review").framework == FRAMEWORK
        assert inspections.questionnaire_ids(s, inspections.inspection_by_code(s)) == \
            ["case_review", "follow_up_review", "pin_review"]


def test_cli_import_joins_the_inspection_named(tmp_path, db_url, capsys):
    with db.session_scope(startup.open_engine(db_url)) as s:
        inspections.add_inspection(s, InspectionSpec(id="stalking_follow_up_2019", name="Stalking follow-up",
                                                     title="", framework=FRAMEWORK, questionnaires=()))
    path = tmp_path / "form.xlsx"
    path.write_bytes(form())
    assert main(["questionnaire", "import", str(path), "--inspection", "stalking_follow_up_2019", "--db", db_url]) == 0
    assert "in inspection stalking_follow_up_2019" in capsys.readouterr().out
    with db.session_scope(startup.open_engine(db_url)) as s:
        links = s.exec(select(InspectionQuestionnaire).where(
            InspectionQuestionnaire.questionnaire == "follow_up_review")).all()
        assert [inspections.inspection_by_code(s, str(link.inspection_id)).code for link in links] == \
            ["stalking_follow_up_2019"]
    assert main(["questionnaire", "import", str(path), "--inspection", "no_such", "--db", db_url]) == 1
    assert "no inspection 'no_such'" in capsys.readouterr().err
