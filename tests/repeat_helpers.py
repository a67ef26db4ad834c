"""A questionnaire with repeat groups (nested, counted, limited) for the entry tests, the
Assess form's AppTests and the browser journey."""

from __future__ import annotations

from fieldwork import db
from fieldwork.catalog import load_catalog
from fieldwork.questionnaire.xlsform import import_xlsform
from fieldwork.services import cases, inspections
from tests.assess_helpers import INSPECTOR1
from tests.xlsform_collection import xlsx

FORM = """
| survey |
|        | type              | name       | label              | required | relevant            | constraint   | repeat_count  | parameters |
|        | select_one yes_no | charged    | Charged?           |          |                     |              |               |            |
|        | begin repeat      | incident   | Incident           |          |                     |              |               | max=4      |
|        | date              | when       | Date of incident   | yes      |                     |              |               |            |
|        | select_one yes_no | attended   | Police attended?   |          |                     |              |               |            |
|        | text              | how        | How reported       |          | ${attended} = 'yes' |              |               |            |
|        | integer           | calls      | Calls made         |          |                     | . <= 50      |               |            |
|        | begin repeat      | pin        | PIN issued         |          | ${attended} = 'yes' |              |               |            |
|        | select_one yes_no | served     | Served in person   | yes      |                     |              |               |            |
|        | end repeat        |            |                    |          |                     |              |               |            |
|        | end repeat        |            |                    |          |                     |              |               |            |
|        | integer           | n_hearings | Hearings           |          |                     |              |               |            |
|        | begin repeat      | hearing    | Hearing            |          |                     |              | ${n_hearings} |            |
|        | text              | outcome    | Outcome            | yes      |                     |              |               |            |
|        | end repeat        |            |                    |          |                     |              |               |            |
| choices |
|         | list_name | name | label |
|         | yes_no    | yes  | Yes   |
|         | yes_no    | no   | No    |
| settings |
|          | form_id      | version | form_title   |
|          | incident_log | 1       | Incident log |
"""


def build(markdown: str = FORM, framework: str = ""):
    return import_xlsform(xlsx(markdown), frameworks=load_catalog().frameworks, name="incident_log.xlsx",
                          allow_repeats=True, inspection_framework=framework or None)


def add_form(session, markdown: str = FORM):
    inspection = inspections.inspection_by_code(session, None)
    questionnaire = build(markdown, inspection.framework)
    inspections.add_questionnaire(session, questionnaire, inspection, actor="test")
    return questionnaire


def add_case(engine, ref: str = "HS-0001", markdown: str = FORM, actor=INSPECTOR1) -> cases.NewCase:
    """The form added to the default inspection and one case on it, for ``actor``."""
    with db.session_scope(engine) as s:
        add_form(s, markdown)
        return cases.add_case(s, actor, inspection=None, questionnaire_id="incident_log", case_ref=ref, context={})
