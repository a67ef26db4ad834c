"""Case references that cannot hold a person: refused wherever they enter (Add a case, imports,
bundles), the inspection file's pattern honoured, and uniqueness whatever the letter case kept
by the database itself, so a race cannot duplicate a case and its loser reads a message."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, update

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import bundles, case_refs, cases, importing
from models import CaseFile, Inspection
from tests.assess_helpers import CONTEXT, INSPECTOR1, INSPECTOR2, add
from tests.db_snapshot import snapshot
from tests.laptops import LEAD_ACTOR, databases, export, random_answers, score  # noqa: F401 (fixture)
from tests.test_bundles import rewrite
from tests.wide_helpers import case_review_rows, csv_bytes

PERSONAL = {"Jane.Smith.1984": "a name", "JSmith-12-03-1984": "a date", "SW1A1AA": "a postcode",
            "SW1A 1AA": "a postcode", "07700900123": "a phone number", "+44 7700 900123": "a phone number",
            "AB123456C": "a National Insurance number", "jane@example.org": "an email", "HS-19840312": "a date",
            "Smith-0001": "a name",
            # a letter prefix does not hide the number behind it (attacker re-test, 2026-12-06)
            "HS-0700900123": "a phone number", "HS-07700-900123": "a phone number",
            "CR-0161-496-0000": "a phone number"}
GOOD = ["HS-0001", "hs-0001", "PIN-0001", "GMP/2016/0456", "HS_0201", "RC-1"]


@pytest.mark.parametrize("ref", GOOD)
def test_pseudonymous_references_pass(ref):
    assert case_refs.problem(ref) is None


@pytest.mark.parametrize("ref", PERSONAL)
def test_a_reference_that_looks_like_a_person_is_refused_when_a_case_is_added(engine, ref):
    assert PERSONAL[ref] in (case_refs.problem(ref) or "") or case_refs.problem(ref)
    before = snapshot(engine)
    with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:
        add(s, ref=ref)
    assert caught.value.problems[0].field == "case_ref"
    assert snapshot(engine) == before


@pytest.mark.parametrize("ref", ["Jane.Smith.1984", "SW1A1AA", "07700900123"])
def test_an_import_refuses_it_with_its_row(engine, ref):
    with db.session_scope(engine) as s:
        rows = case_review_rows(s, 2)
    rows[1]["case_ref"] = ref
    before = snapshot(engine)
    with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:
        importing.import_file(s, LEAD_ACTOR, "case_review", csv_bytes(rows), "cases.csv")
    assert [(p.row, p.field) for p in caught.value.problems] == [(3, "case_ref")]
    assert snapshot(engine) == before


def test_a_bundle_refuses_it_even_with_its_checksum_recomputed(databases):
    laptop, lead = databases("laptop"), databases("lead")
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, 1))

    def rename(payload):
        payload["cases"][0]["case_ref"] = payload["assessments"][0]["case_ref"] = "JSmith-12-03-1984"

    before = snapshot(lead)
    with pytest.raises(ProblemError) as caught, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, rewrite(export(laptop, LEAD_ACTOR), rename, fix_checksum=True), "b.zip")
    assert "case_ref" in {p.field for p in caught.value.problems}
    assert snapshot(lead) == before


def test_the_inspection_file_sets_the_pattern(engine):
    with db.session_scope(engine) as s:
        s.exec(update(Inspection).values(case_ref_pattern=r"CF[0-9]{4}"))
    with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:
        add(s, ref="HS-0001")
    assert "form of this inspection's case references" in caught.value.problems[0].message
    with db.session_scope(engine) as s:
        add(s, ref="CF0001")


def test_the_default_inspection_states_its_pattern(engine):
    with db.session_scope(engine) as s:
        assert s.scalar(select(Inspection.case_ref_pattern)) == case_refs.DEFAULT_PATTERN


def test_the_same_reference_in_another_case_is_refused_by_the_database_itself(engine):
    with db.session_scope(engine) as s:
        add(s, ref="RC-1")
    with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:  # past the service's own check
        s.add(CaseFile(inspection_id=s.scalar(select(Inspection.id)), questionnaire="case_review",
                       case_ref="rc-1"))
    assert caught.value.problems[0].code == db.WRITE_CLASH


@pytest.mark.parametrize("round_", range(10))
def test_two_people_adding_rc_1_and_RC_1_at_once_make_one_case(engine, round_):
    start = threading.Barrier(2)
    outcomes = {}

    def adder(actor, ref):
        start.wait()
        try:
            with db.session_scope(engine) as s:
                cases.add_case(s, actor, inspection=None, questionnaire_id="case_review", case_ref=ref,
                               context=CONTEXT)
            outcomes[ref] = "added"
        except ProblemError as exc:
            outcomes[ref] = exc.problems[0].message
        except Exception as exc:  # a raw database error reaching the person: the failure this test is about
            outcomes[ref] = f"RAW {type(exc).__name__}"

    ref_a, ref_b = f"RC-{round_}", f"rc-{round_}"
    threads = [threading.Thread(target=adder, args=(INSPECTOR1, ref_a)),
               threading.Thread(target=adder, args=(INSPECTOR2, ref_b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with db.session_scope(engine) as s:
        held = s.scalar(select(func.count()).select_from(CaseFile).where(func.lower(CaseFile.case_ref) == ref_b))
    assert held == 1
    assert sorted(v == "added" for v in outcomes.values()) == [False, True], outcomes
    loser = next(v for v in outcomes.values() if v != "added")
    assert not loser.startswith("RAW") and ("already in the register" in loser or "a moment ago" in loser
                                            or "Not saved" in loser), loser


def test_a_submissions_instance_id_is_a_pseudonymous_reference():
    """ODK Central's and KoboToolbox's instance ids (random UUIDs) are what an import falls back
    on when a file has no case_ref (issue 12): accepted whatever letters they happen to hold."""
    from fieldwork.services import case_refs

    for ref in ("1cfb10f6-2827-488d-a6a1-6a3b0d464138", "uuid:deadbeef-abcd-4eef-8bad-cafebabe0000"):
        assert case_refs.problem(ref) is None
    assert case_refs.problem("1cfb10f6-2827-488d-a6a1") is not None  # not a whole instance id
