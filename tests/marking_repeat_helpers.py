"""A questionnaire with a repeat group (incidents, each with its PINs) written as a markdown
table (tests/forms.py), for the second-marking, agreement and merge tests over entries."""

from __future__ import annotations

from fieldwork import db
from fieldwork.catalog import load_catalog
from fieldwork.questionnaire import entries
from fieldwork.questionnaire.xlsform import import_xlsform
from fieldwork.services import cases, inspections, second_marking
from tests.forms import YES_NO, xlsform_bytes
from tests.laptops import LEAD_ACTOR, inspector
from tests.test_repeat_entries import Scorer

QUESTIONNAIRE = "pin_log"
SURVEY = """
| type              | name     | label            | relevant            |
| select_one yes_no | charged  | Charged?         |                     |
| begin repeat      | incident | Incident         |                     |
| date              | when     | Date of incident |                     |
| select_one yes_no | attended | Police attended? |                     |
| begin repeat      | pin      | PIN              | ${attended} = 'yes' |
| select_one yes_no | served   | Served in person |                     |
| end repeat        |          |                  |                     |
| end repeat        |          |                  |                     |
"""


def add_form(session):
    inspection = inspections.inspection_by_code(session, None)
    questionnaire = import_xlsform(
        xlsform_bytes(SURVEY, YES_NO, settings={"form_id": QUESTIONNAIRE, "version": "1", "form_title": "PIN log"}),
        frameworks=load_catalog().frameworks, name="pin_log.xlsx", allow_repeats=True,
        inspection_framework=inspection.framework or None)
    inspections.add_questionnaire(session, questionnaire, inspection, actor="test")
    return questionnaire


def fill(tab: Scorer, answers: dict[str, str]) -> None:
    """Add the entries the answers name, as the app's Add does, and save the answers level by
    level: the case's first, then each incident's (a PIN may be added once its incident's
    ``attended`` says yes), then the PINs'."""
    tab.version = tab.view().version
    depth = {k: len(entries.steps(entries.split(k)[0])) for k in answers}
    for level in range(max(depth.values(), default=0) + 1):
        for instance in sorted({entries.split(k)[0] for k in answers if depth[k] == level} - {""},
                               key=lambda i: [n for _, n in entries.steps(i)]):
            while instance not in {e.path for e in tab.entries().entries}:
                tab.add(entries.steps(instance)[-1][0], entries.parent_of(instance))
        now = {k.replace("/", "__"): v for k, v in answers.items() if depth[k] == level}
        if now:
            tab.save(**now)


def score(engine, who: str, ref: str, answers: dict[str, str]) -> str:
    """A complete first marking of a new case: its uid."""
    with db.session_scope(engine) as s:
        uid = cases.add_case(s, inspector(who), inspection=None, questionnaire_id=QUESTIONNAIRE, case_ref=ref,
                             context={}).assessment_uid
    tab = Scorer(engine, uid, inspector(who))
    fill(tab, answers)
    tab.complete()
    return uid


def second_mark(engine, primary_uid: str, who: str, answers: dict[str, str]) -> tuple[int, str]:
    """Assign the case to ``who`` and record their blind marking: (marking id, second uid)."""
    with db.session_scope(engine) as s:
        marking, = second_marking.assign(s, LEAD_ACTOR, {primary_uid: who})
        marking_id, second_uid = marking.id, marking.second_uid
    tab = Scorer(engine, second_uid, inspector(who))
    fill(tab, answers)
    tab.complete()
    return marking_id, second_uid
