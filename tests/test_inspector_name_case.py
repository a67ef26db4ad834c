"""An inspector's name in another letter case is the same account, stored as the account's
own name (lower case): otherwise blind second marking, which compares stored names, could send
a case back to the inspector who marked it first (attacker re-test 22, F4)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import bundles, importing, second_marking
from models import Assessment
from tests.accounts_helpers import cheap_hashing, make_user  # noqa: F401 (fixture)
from tests.db_snapshot import snapshot
from tests.laptops import LEAD_ACTOR, databases, export, random_answers, score  # noqa: F401 (fixture)
from tests.test_bundles import rewrite
from tests.wide_helpers import LEAD_USER, case_review_rows, csv_bytes


def test_an_import_stores_the_accounts_own_name_and_second_marking_sees_the_first_marker(engine, cheap_hashing):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
        make_user(s, "inspector2")
        rows = case_review_rows(s, 1)
    rows[0]["meta:inspector"] = "  INSPECTOR1 "
    with db.session_scope(engine) as s:
        importing.import_file(s, LEAD_USER, "case_review", csv_bytes(rows), "cases.csv")
    with db.session_scope(engine) as s:
        uid, stored = s.execute(select(Assessment.uid, Assessment.inspector)).one()
    assert stored == "inspector1"
    with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:
        second_marking.assign(s, LEAD_USER, {uid: "inspector1"})
    assert "marked it first" in caught.value.problems[0].message
    with db.session_scope(engine) as s:  # another inspector may second-mark it
        assert len(second_marking.assign(s, LEAD_USER, {uid: "inspector2"})) == 1


def test_a_bundle_naming_an_account_in_capitals_is_refused_and_changes_nothing(databases):
    laptop, lead = databases("laptop"), databases("lead")
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, 1))

    def shout(payload):
        payload["assessments"][0]["inspector"] = "INSPECTOR1"

    before = snapshot(lead)
    with pytest.raises(ProblemError) as caught, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, rewrite(export(laptop, LEAD_ACTOR), shout, fix_checksum=True), "b.zip")
    assert [(p.code, p.field) for p in caught.value.problems] == [("bad_inspector", "inspector")]
    assert "INSPECTOR1 is not an account as it is stored (inspector1)" in caught.value.problems[0].message
    assert snapshot(lead) == before
