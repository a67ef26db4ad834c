"""A questionnaire brought as an XLSForm, its questions tied to criteria by its `criteria`
column but with no sentence of the report's own: its findings are written under their criteria
with the plain sentence, not "No finding evidences this criterion" (walk 24, W9)."""

from __future__ import annotations

import io

import docx

from fieldwork import db
from fieldwork.services import assessments, cases, findings, questionnaire_forms
from fieldwork.services.permissions import Actor
from tests.assess_helpers import INSPECTOR1
from tests.xlsform_collection import xlsx


FORM = """
| survey |
|        | type                | name     | label                      | relevant             | criteria |
|        | begin group         | context  | Case                       |                      |          |
|        | select_one forces   | force    | Police force               |                      |          |
|        | end group           |          |                            |                      |          |
|        | begin group         | contact_group | Contact               |                      |          |
|        | select_one yes_no   | contact  | Was the victim contacted?  |                      | 3.1      |
|        | text                | why_not  | Why not?                   | ${contact} = 'no'    |          |
|        | end group           |          |                            |                      |          |
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


def scored(engine, answers: list[str]) -> None:
    with db.session_scope(engine) as s:
        questionnaire_forms.add(s, Actor("lead1", "lead"), xlsx(FORM), "victim_contact.xlsx")
    for n, answer in enumerate(answers, start=1):
        with db.session_scope(engine) as s:
            new = cases.add_case(s, INSPECTOR1, inspection=None, questionnaire_id="victim_contact",
                                 case_ref=f"HS-{n:04d}", context={"force": "durham"})
        with db.session_scope(engine) as s:
            changes = {"contact": (answer, None), **({"why_not": ("not recorded", None)} if answer == "no" else {})}
            version = assessments.save(s, INSPECTOR1, new.assessment_uid, 1, changes).version
        with db.session_scope(engine) as s:
            assessments.mark_complete(s, INSPECTOR1, new.assessment_uid, version)


def test_a_form_without_the_reports_sentences_has_its_findings_under_their_criteria(engine):
    scored(engine, ["yes", "yes", "yes", "no"])
    with db.session_scope(engine) as s:
        report = findings.compute(s, "victim_contact")
        framework = findings.framework_for(s)
    under = {c.id: c.findings for c in findings.by_criterion(report, framework, headline_only=True)}
    assert [(f.answer, f.count, f.denominator) for f in under["3.1"]] == [("yes", 3, 4), ("no", 1, 4)]
    assert under["3.1"][0].text == "“Was the victim contacted?” Yes: 3 of 4 cases (75 percent)"
    assert not under["3.2"]  # nothing tied to it


def test_the_draft_writes_them_under_the_criterion(engine):
    from exports import reporting

    scored(engine, ["yes", "no"])
    with db.session_scope(engine) as s:
        content = reporting.draft_report(s, Actor("lead1", "lead"), "victim_contact")
    text = [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]
    at = max(i for i, t in enumerate(text) if t.startswith("3.1 "))  # the chapter's heading, not the contents
    block = text[at:next(i for i in range(at + 1, len(text)) if text[i].startswith("3.2 "))]
    assert any("Was the victim contacted?" in t and "1 of 2 cases (50 percent)" in t for t in block), block
    assert not any("No finding of the" in t for t in block)
