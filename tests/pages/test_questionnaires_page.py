"""Questionnaires page (walk 24, W13): a lead adds another inspection's XLSForm, or a new
version of one, from the app — checked first with every problem by row and column, nothing
stored until confirmed, audited under the lead's name; an inspector may not."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import questionnaire_forms
from fieldwork.services.permissions import Actor
from models import AuditEvent, QuestionnaireVersion
from tests.apptest import page
from tests.xlsform_collection import xlsx

PAGE = "pages/questionnaires.py"
FORM = """
| survey |
|        | type                | name     | label                      | relevant             | criteria |
|        | select_one forces   | force    | Police force               |                      |          |
|        | select_one yes_no   | contact  | Was the victim contacted?  |                      | 3.1      |
|        | text                | why_not  | Why not?                   | ${contact} = 'no'    |          |
| choices |
|         | list_name | name   | label   |
|         | forces    | durham | Durham  |
|         | forces    | gwent  | Gwent   |
|         | yes_no    | yes    | Yes     |
|         | yes_no    | no     | No      |
| settings |
|          | form_id        | version | form_title             |
|          | victim_contact | 1       | Victim contact review  |
"""
BROKEN = FORM.replace("${contact} = 'no'", "${contatc} = 'no'")


def frame(at, column: str):
    """The table on the page that has this column."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def versions(engine) -> list[tuple[str, str]]:
    with db.session_scope(engine) as s:
        return [tuple(r) for r in s.execute(select(QuestionnaireVersion.questionnaire, QuestionnaireVersion.version)
                                            .where(QuestionnaireVersion.questionnaire == "victim_contact"))]


def test_a_lead_checks_a_form_then_adds_it_and_it_is_listed(engine, db_url, monkeypatch):
    at = page(PAGE, db_url, monkeypatch, user="lead1", role="lead").run()
    assert not at.exception
    held = frame(at, "Questionnaire")
    assert "Joint case file review" in list(held["Questionnaire"])
    at.file_uploader[0].set_value(("victim_contact.xlsx", xlsx(FORM), "application/octet-stream")).run()
    assert not at.exception
    assert versions(engine) == []  # checked, nothing stored before the confirmation
    assert "Victim contact review" in at.markdown[-1].value and "3 questions" in at.markdown[-1].value
    at.button(key="questionnaires_add").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Added Victim contact review version 1")
    assert versions(engine) == [("victim_contact", "1")]
    assert "Victim contact review" in list(frame(at, "Questionnaire")["Questionnaire"])
    with db.session_scope(engine) as s:
        who = s.execute(select(AuditEvent.actor).where(AuditEvent.action == "questionnaire.added")
                        .order_by(AuditEvent.id.desc())).scalars().first()
    assert who == "lead1"


def test_a_broken_form_is_refused_by_row_and_column_and_nothing_is_added(engine, db_url, monkeypatch):
    at = page(PAGE, db_url, monkeypatch, user="lead1", role="lead").run()
    at.file_uploader[0].set_value(("victim_contact.xlsx", xlsx(BROKEN), "application/octet-stream")).run()
    assert not at.exception
    problems = frame(at, "problem")
    [said] = [p for p in problems["problem"] if "contatc" in p]
    assert "row 4" in said.lower() and "relevant" in said
    assert not [b for b in at.button if b.key == "questionnaires_add"]
    assert versions(engine) == []


def test_the_same_version_again_changes_nothing_and_other_wording_needs_a_new_version(engine):
    lead = Actor("lead1", "lead")
    with db.session_scope(engine) as s:
        questionnaire_forms.add(s, lead, xlsx(FORM), "victim_contact.xlsx")
    with db.session_scope(engine) as s:
        assert questionnaire_forms.is_stored(s, questionnaire_forms.check(s, lead, xlsx(FORM), "victim_contact.xlsx"))
    with pytest.raises(ProblemError) as err, db.session_scope(engine) as s:
        questionnaire_forms.check(s, lead, xlsx(FORM.replace("Was the victim contacted?", "Contacted?")), "v.xlsx")
    assert err.value.problems[0].code == "version_changed" and "needs a new version" in err.value.problems[0].message
    with db.session_scope(engine) as s:
        questionnaire_forms.add(s, lead, xlsx(FORM.replace("Was the victim contacted?", "Contacted?")
                                               .replace("| 1       |", "| 2       |")), "v2.xlsx")
    assert versions(engine) == [("victim_contact", "1"), ("victim_contact", "2")]


def test_an_inspector_may_neither_open_the_page_nor_add_a_form(engine, db_url, monkeypatch):
    at = page(PAGE, db_url, monkeypatch).run()
    assert "may not open this page" in at.error[0].value
    with pytest.raises(ProblemError), db.session_scope(engine) as s:
        questionnaire_forms.add(s, Actor("inspector1", "inspector"), xlsx(FORM), "victim_contact.xlsx")
    assert versions(engine) == []


def test_two_forms_with_one_title_are_told_apart_in_the_pickers(engine, db_url, monkeypatch):
    """Walk 24, W19: two forms titled "Victim contact review" could not be told apart."""
    lead = Actor("lead1", "lead")
    with db.session_scope(engine) as s:
        questionnaire_forms.add(s, lead, xlsx(FORM), "victim_contact.xlsx")
        questionnaire_forms.add(s, lead, xlsx(FORM.replace("| victim_contact |", "| victim_contact2 |")), "v2.xlsx")
    at = page("pages/cases.py", db_url, monkeypatch, user="lead1", role="lead").run()
    assert not at.exception
    shown = list(at.selectbox(key="cases_questionnaire").options)  # as the picker shows them
    assert {"Victim contact review (victim_contact)", "Victim contact review (victim_contact2)"} <= set(shown), shown
    assert "Joint case file review" in shown  # a title no other form has is shown alone
