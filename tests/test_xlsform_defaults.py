"""``default``: a case added in the app starts with each question's default answered, as a
new ODK form does; an import leaves a blank cell blank (ODK submits what the form held, so a
blank came blank from the device)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from fieldwork import db
from fieldwork.services import accounts, assessments, cases
from models import Assessment
from tests.accounts_helpers import cheap_hashing, make_user  # noqa: F401 (fixture)
from tests.test_every_type import csv_of, import_rows, load_form
from tests.wide_helpers import LEAD_USER

pytestmark = pytest.mark.usefixtures("cheap_hashing")

FORM = """
| survey |
|        | type              | name      | label       | default | relevant           | constraint |
|        | begin group       | context   | The case    |         |                    |            |
|        | text              | case_ref  | Reference   |         |                    |            |
|        | select_one force  | force     | Force       |         |                    |            |
|        | end group         |           |             |         |                    |            |
|        | integer           | incidents | Incidents   | 0       |                    |            |
|        | select_one yes_no | charged   | Charged?    | no      |                    |            |
|        | integer           | days      | Days        | 7       | ${charged} = 'yes' |            |
|        | decimal           | hours     | Hours       | 4.20    |                    |            |
|        | integer           | capped    | Capped      | 900     |                    | . < 100    |
|        | date              | seen      | Seen        | today() |                    |            |
| choices |
|         | list_name | name   | label  |
|         | force     | durham | Durham |
|         | yes_no    | yes    | Yes    |
|         | yes_no    | no     | No     |
| settings |
|          | form_id    | version |
|          | timeliness | 1       |
"""


def test_a_new_case_starts_with_its_defaults_and_an_import_leaves_blanks_blank(engine):
    load_form(engine, FORM)
    with db.session_scope(engine) as s:
        make_user(s, "lead1", "lead")
        actor = accounts.actor_of(accounts.get_user(s, "lead1"))
        new = cases.add_case(s, actor, inspection=None, questionnaire_id="timeliness", case_ref="HS-0001",
                             context={"force": "durham"})
        answers = assessments.load(s, actor, new.assessment_uid).answers
    # days is not asked (charged is no by default); capped's default breaks its constraint; an
    # expression (today()) is not a literal answer
    assert {k: v for k, v in answers.items() if k not in ("case_ref", "force")} == {
        "incidents": "0", "charged": "no", "hours": "4.2"}
    import_rows(engine, csv_of([{"case_ref": "HS-0002", "force": "durham", "charged": "yes"}]))
    with db.session_scope(engine) as s:
        uid = next(a.uid for a in s.exec(select(Assessment)) if a.uid != new.assessment_uid)
        imported = assessments.load(s, LEAD_USER, uid).answers
    assert {k: v for k, v in imported.items() if k not in ("case_ref",)} == {"force": "durham", "charged": "yes"}
