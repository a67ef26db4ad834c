"""Forms written as KoboToolbox and ODK users write them (walk 24, W1-W5): the case's facts in
a group named as the author liked, a CPS Area list filtered by the force, a date asked only
when a suspect was charged, a calculation, and ODK's uuid(). Pseudonymous content only."""

from __future__ import annotations

from fieldwork.services import inspections
from tests.forms import xlsform_bytes

EN = "label::English (en)"
KOBO = f"""
| type                  | name           | {EN}                                 | required | relevant           | calculation                       | choice_filter  |
| start                 | start          |                                      |          |                    |                                   |                |
| begin_group           | case_details   | Case details                         |          |                    |                                   |                |
| text                  | case_ref       | Case reference                       | true     |                    |                                   |                |
| select_one force_list | force          | Which force investigated the case?   | true     |                    |                                   |                |
| select_one area_list  | cps_area       | CPS Area                             | true     |                    |                                   | force=${{force}} |
| date                  | report_date    | Date first reported                  | true     |                    |                                   |                |
| select_one yes_no     | charged        | Was a suspect charged?               | true     |                    |                                   |                |
| date                  | charge_date    | Date of charge                       |          | ${{charged}} = 'yes' |                                   |                |
| calculate             | days_to_charge |                                      |          |                    | ${{charge_date}} - ${{report_date}} |                |
| end_group             |                |                                      |          |                    |                                   |                |
| begin_group           | risk           | Risk assessment                      |          |                    |                                   |                |
| select_one yes_no     | dash_done      | Was a DASH risk assessment completed? | true    |                    |                                   |                |
| end_group             |                |                                      |          |                    |                                   |                |
| calculate             | instance_ref   |                                      |          |                    | concat('uuid:', uuid())           |                |
"""
CHOICES = f"""
| list_name  | name        | {EN}                | force  |
| force_list | durham      | Durham Constabulary |        |
| force_list | gwent       | Gwent Police        |        |
| force_list | sussex      | Sussex Police       |        |
| area_list  | north_east  | CPS North East      | durham |
| area_list  | cymru_wales | CPS Cymru-Wales     | gwent  |
| area_list  | south_east  | CPS South East      | sussex |
| yes_no     | yes         | Yes                 |        |
| yes_no     | no          | No                  |        |
"""
SETTINGS = {"form_title": "Victim contact review", "form_id": "victim_contact_review", "version": "1",
            "default_language": "English (en)"}
QID = "victim_contact_review"


def kobo_form(survey: str = KOBO) -> bytes:
    return xlsform_bytes(survey, CHOICES, settings=SETTINGS)


def add_kobo_form(session, survey: str = KOBO):
    inspection = inspections.inspection_by_code(session, None)
    return inspections.add_xlsform(session, kobo_form(survey), inspection, actor="test", name="vcr.xlsx")
