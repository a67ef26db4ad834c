"""A bundle's answers go through the import's own row check (fieldwork/services/bundle_rows.py):
the same row, sent once as a bundle (checksum recomputed) and once as an import, is refused
with the same reasons, code for code and word for word."""

from __future__ import annotations

import json

import pytest

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import bundles, importing
from tests.db_snapshot import snapshot
from tests.conftest import filled_template
from tests.laptops import LEAD_ACTOR, databases, export, random_answers, score, team_accounts  # noqa: F401 (fixture)
from tests.test_bundles import rewrite
from tests.wide_helpers import csv_bytes

FAULTS = {
    "unknown_code": lambda a: a.update(avoidable_delay={"value": "perhaps"}),
    "missing_required": lambda a: a.pop("initial_risk_assessment"),
    "irrelevant": lambda a: a["enhanced_risk_assessment"].update(value="none"),
    "long_note": lambda a: a["initial_risk_assessment"].update(note="x" * 30_000),
}


def _one_case_exported(laptop) -> bytes:
    team_accounts(laptop)
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, 1, initial_risk_assessment="yes",
                                                          enhanced_risk_assessment="dash"))
    return export(laptop, LEAD_ACTOR)


@pytest.fixture
def laptop_and_lead(databases):
    """A laptop's bundle of one scored case (made once per run: tests/conftest.py,
    filled_template) and the lead's database, a new one for each test."""
    return filled_template("laptop-one-case-dash", _one_case_exported)[1], databases("lead")


def _as_import_row(assessment: dict, case_ref: str) -> dict:
    """The assessment as the row a wide file of the same case holds."""
    row = {"case_ref": case_ref}
    for x in assessment["answers"]:
        row[x["question"]] = x.get("value") or ""
        if x.get("note"):
            row[f"note:{x['question']}"] = x["note"]
    return row


def _reasons(problems) -> set[tuple]:
    return {(p.code, p.field, p.message) for p in problems}


def _both_refuse(content: bytes, lead, change, case_ref: str = "HS-0001") -> tuple[set, set]:
    held = {}

    def edit(payload):
        a = payload["assessments"][0]
        for case in payload["cases"]:
            case["case_ref"] = case_ref
        a["case_ref"] = case_ref
        answers = {x["question"]: x for x in a["answers"]}
        held["columns"] = ["case_ref", *answers]  # a column the bundle leaves out is blank in the file
        change(answers)
        a["answers"] = [{**x, "question": name} for name, x in answers.items()]
        held["row"] = _as_import_row(a, case_ref)

    forged = rewrite(content, edit, fix_checksum=True)
    before = snapshot(lead)
    with pytest.raises(ProblemError) as by_bundle, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, forged, "laptop.zip")
    with pytest.raises(ProblemError) as by_import, db.session_scope(lead) as s:
        importing.import_file(s, LEAD_ACTOR, "case_review", csv_bytes([held["row"]], [*held["columns"], *(
            c for c in held["row"] if c not in held["columns"])]), "cases.csv")
    assert snapshot(lead) == before
    assert all(p.row == 2 for p in by_import.value.problems)  # the import names the row; a bundle the case
    assert all(p.item == case_ref for p in by_bundle.value.problems)
    return _reasons(by_bundle.value.problems), _reasons(by_import.value.problems)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_bundle_and_an_import_refuse_the_same_row_with_the_same_reason(laptop_and_lead, fault):
    content, lead = laptop_and_lead
    by_bundle, by_import = _both_refuse(content, lead, FAULTS[fault])
    assert by_bundle == by_import and by_bundle, (by_bundle, by_import)


def test_a_name_like_case_reference_is_refused_with_the_same_reason(laptop_and_lead):
    content, lead = laptop_and_lead
    by_bundle, by_import = _both_refuse(content, lead, lambda a: None, case_ref="JSmith-12-03-1984")
    assert {(code, field) for code, field, _ in by_bundle} == {("bad_case_ref", "case_ref")}
    assert by_bundle == by_import, (by_bundle, by_import)


def test_the_inspections_reference_pattern_applies_to_a_bundle_as_to_an_import(laptop_and_lead):
    """The row check applies the inspection's case_ref_pattern, which the bundle's own list of
    cases (read before the database is open) cannot know."""
    from models import Inspection
    from sqlmodel import select

    content, lead = laptop_and_lead
    with db.session_scope(lead) as s:
        inspection = s.exec(select(Inspection)).first()
        inspection.case_ref_pattern = r"GMP/\d{4}/\d{4}"
    by_bundle, by_import = _both_refuse(content, lead, lambda a: None)
    assert by_bundle == by_import and {code for code, _, _ in by_bundle} == {"bad_case_ref"}


def test_a_draft_in_a_bundle_may_lack_a_required_answer(databases):
    laptop, lead = databases("laptop"), databases("lead")
    answers = random_answers(laptop, 2)
    answers.pop("initial_risk_assessment")
    score(laptop, "inspector1", "HS-0002", {k: v for k, v in answers.items()
                                            if k not in ("enhanced_risk_assessment", "dash_supplementary_questions")},
          complete=False)
    with db.session_scope(lead) as s:
        report = bundles.import_bundle(s, LEAD_ACTOR, export(laptop, LEAD_ACTOR), "laptop.zip")
    assert json.dumps(report.__dict__, default=str)  # merged, nothing refused


def test_a_bundle_carries_answers_as_the_app_stores_them(laptop_and_lead):
    """An import reads YES as the code yes; a bundle holds stored values, merged as they are."""
    from tests.test_bundles import rewrite as again

    content, lead = laptop_and_lead

    def shout(payload):
        for x in payload["assessments"][0]["answers"]:
            if x["question"] == "initial_risk_assessment":
                x["value"] = "YES"

    with pytest.raises(ProblemError) as caught, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, again(content, shout, fix_checksum=True), "laptop.zip")
    assert "which the app stores as 'yes'" in str(caught.value.problems)
