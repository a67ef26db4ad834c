"""A control character in an inspector's name is refused as a character, naming where it is
(the import's row and column; the bundle's case and the inspector's name), never with the
misleading "inspector1 is not an account" (the character is invisible when quoted)."""

from __future__ import annotations

import pytest

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import bundles, importing
from fieldwork.ui.components import sentence
from tests.accounts_helpers import cheap_hashing, make_user  # noqa: F401 (fixture)
from tests.db_snapshot import snapshot
from tests.laptops import LEAD_ACTOR, databases, export, random_answers, score  # noqa: F401 (fixture)
from tests.test_bundles import rewrite
from tests.wide_helpers import LEAD_USER, case_review_rows, csv_bytes

NAMES = ["inspector1\x07", "inspector1\x1b[31m", "inspector1\x7f", "inspector1\x85", "inspector1\t"]


@pytest.mark.parametrize("name", NAMES)
def test_an_import_names_the_row_and_column_of_the_character(engine, cheap_hashing, name):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
        rows = case_review_rows(s, 2)
    rows[1]["meta:inspector"] = name
    before = snapshot(engine)
    for check in (importing.check_file, importing.import_file):  # the preview and the import say the same
        with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:
            check(s, LEAD_USER, "case_review", csv_bytes(rows), "cases.csv")
        problems = caught.value.problems
        assert [(p.code, p.row, p.field) for p in problems] == [("bad_character", 3, "meta:inspector")]
        said = sentence(problems[0])
        assert said.startswith("Row 3, case HS-0002, column meta:inspector: holds "), said
        assert "cannot be stored" in said and "not an account" not in said
    assert snapshot(engine) == before


def test_an_unknown_name_without_a_control_character_is_still_not_an_account(engine, cheap_hashing):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
        rows = case_review_rows(s, 1)
    rows[0]["meta:inspector"] = "inspector9"
    with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:
        importing.import_file(s, LEAD_USER, "case_review", csv_bytes(rows), "cases.csv")
    assert "inspector9 is not an account" in caught.value.problems[0].message


@pytest.mark.parametrize("name", NAMES[:3])
def test_a_bundle_says_the_inspectors_name_holds_the_character(databases, name):
    laptop, lead = databases("laptop"), databases("lead")
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, 1))

    def rename(payload):
        payload["assessments"][0]["inspector"] = name

    before = snapshot(lead)
    with pytest.raises(ProblemError) as caught, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, rewrite(export(laptop, LEAD_ACTOR), rename, fix_checksum=True), "b.zip")
    problems = caught.value.problems
    assert [(p.code, p.field) for p in problems] == [("bad_character", "inspector")]
    said = sentence(problems[0])
    assert said.startswith("Case HS-0001: the inspector's name (inspector) holds "), said
    assert "not an account" not in said
    assert snapshot(lead) == before
