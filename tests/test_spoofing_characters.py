"""Characters that hide or reorder text (issue 17, stop 22): a right-to-left override (U+202E)
or a zero-width space (U+200B) in a bundle's created_by, an inspector's name or a case
reference made two different values read the same. Names refuse every invisible character;
notes refuse those that reorder text and keep ordinary writing in any script and emoji."""

from __future__ import annotations

import json

import pytest

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import accounts, bundles, characters, importing, privacy
from fieldwork.ui.components import sentence
from tests.accounts_helpers import cheap_hashing, make_user  # noqa: F401 (fixture)
from tests.assess_helpers import INSPECTOR1, add
from tests.db_snapshot import snapshot
from tests.laptops import LEAD_ACTOR, databases, export, random_answers, score  # noqa: F401 (fixture)
from tests.test_bundle_trust import _members, _zip, pair  # noqa: F401 (fixture)
from tests.test_bundles import rewrite
from tests.wide_helpers import LEAD_USER, case_review_rows, csv_bytes

# (value, kind) -> the words the refusal must hold, or None for accepted
TABLE = [
    ("inspector1\u202e", characters.NAME, "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("inspector\u200b1", characters.NAME, "U+200B ZERO WIDTH SPACE"),
    ("\ufeffinspector1", characters.NAME, "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("inspector\u20601", characters.NAME, "U+2060 WORD JOINER"),
    ("inspector\u200d1", characters.NAME, "U+200D ZERO WIDTH JOINER"),
    ("HS\u2066-0001\u2069", characters.NAME, "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ("HS\u00a00001", characters.NAME, "U+00A0 NO-BREAK SPACE"),
    ("HS-0001\u3164", characters.NAME, "U+3164 HANGUL FILLER"),
    ("HS-\u00ad0001", characters.NAME, "U+00AD SOFT HYPHEN"),
    ("insp\ue000", characters.NAME, "U+E000"),
    ("Zoë Ødegård", characters.NAME, None),  # letters of any script are not hidden
    ("plea \u202eeslaf", characters.NOTE, "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("a \u2067isolate\u2069", characters.NOTE, "U+2067 RIGHT-TO-LEFT ISOLATE"),
    ("a \u202aembedding", characters.TEXT, "U+202A LEFT-TO-RIGHT EMBEDDING"),
    ("MG5 p.2 \U0001f469\u200d\U0001f4bb and \U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
     characters.NOTE, None),  # emoji ZWJ and tag sequences are kept
    ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 and \u05e9\u05dc\u05d5\u05dd\u200f 12", characters.NOTE, None),
    ("\u0915\u094d\u200d\u0937 tab\there", characters.NOTE, None),
    ("no-break\u00a0space and \u200b zero width", characters.TEXT, None),
]


@pytest.mark.parametrize("value,kind,words", TABLE)
def test_the_rule_by_kind_of_value(value, kind, words):
    said = characters.problem(value, kind=kind)
    if words is None:
        assert said is None, said
    else:
        assert said and words in said and said.startswith("holds "), said


def test_a_case_reference_with_a_hidden_character_is_refused_when_a_case_is_added(engine):
    before = snapshot(engine)
    for ref in ("HS-0001\u202e", "HS-\u200b0001"):
        assert "U+20" in privacy.case_ref_problem(ref)
        with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:
            add(s, ref=ref)
        said = sentence(caught.value.problems[0])
        assert "case reference" in said.lower() and ("U+202E RIGHT-TO-LEFT OVERRIDE" in said or
                                             "U+200B ZERO WIDTH SPACE" in said), said
    assert snapshot(engine) == before


def test_an_account_name_with_a_hidden_character_is_refused(engine, cheap_hashing):
    before = snapshot(engine)
    for name in ("inspector\u200b1", "inspector1\u202e", "inspector1\n"):
        assert accounts.name_problem(name)
    assert snapshot(engine) == before


@pytest.mark.parametrize("column,value,words", [
    ("meta:inspector", "inspector1\u200b", "U+200B ZERO WIDTH SPACE"),
    ("meta:inspector", "\u202einspector1", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("note:vps_taken", "MG5 \u202ep.2", "U+202E RIGHT-TO-LEFT OVERRIDE"),
])
def test_an_import_refuses_it_with_its_row_and_column(engine, cheap_hashing, column, value, words):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
        rows = case_review_rows(s, 2)
    rows[1][column] = value
    before = snapshot(engine)
    with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:
        importing.import_file(s, LEAD_USER, "case_review", csv_bytes(rows), "cases.csv")
    problems = caught.value.problems
    assert [(p.code, p.row, p.field) for p in problems] == [("bad_character", 3, column)]
    said = sentence(problems[0])
    assert said.startswith(f"Row 3, case HS-0002, column {column}: holds {words}"), said
    assert snapshot(engine) == before


def test_an_import_keeps_a_note_with_emoji_and_persian(engine, cheap_hashing):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
        rows = case_review_rows(s, 1)
    note = "MG5 \U0001f469\u200d\U0001f4bb \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    rows[0]["note:vps_taken"] = note
    with db.session_scope(engine) as s:
        importing.import_file(s, LEAD_USER, "case_review", csv_bytes(rows), "cases.csv")
    from sqlalchemy import text
    with engine.connect() as c:
        assert c.execute(text("SELECT note FROM answer WHERE question = 'vps_taken'")).scalar() == note


def test_the_app_refuses_a_reordering_note_and_keeps_emoji(engine):
    from fieldwork.services import assessments

    with db.session_scope(engine) as s:
        uid = add(s).assessment_uid
    before = snapshot(engine)
    with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:
        assessments.save(s, INSPECTOR1, uid, assessments.load(s, INSPECTOR1, uid).version,
                         {"vps_taken": ("no", "MG5 \u2067p.2\u2069")})
    assert "U+2067 RIGHT-TO-LEFT ISOLATE" in caught.value.problems[0].message
    assert snapshot(engine) == before
    with db.session_scope(engine) as s:
        assessments.save(s, INSPECTOR1, uid, assessments.load(s, INSPECTOR1, uid).version,
                         {"vps_taken": ("no", "MG5 \U0001f469\u200d\U0001f4bb")})


def test_a_resealed_manifest_naming_someone_with_an_override_is_refused(pair):
    content, lead = pair
    members = dict(_members(content))
    manifest = json.loads(members[bundles.MANIFEST])
    manifest["created_by"] = "os:\u202etoor"
    bundles.seal_manifest(manifest)
    members[bundles.MANIFEST] = json.dumps(manifest).encode()
    before = snapshot(lead)
    with pytest.raises(ProblemError) as caught, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, _zip(members.items()), "laptop.zip")
    said = sentence(caught.value.problems[0])
    assert "created_by" in said and "U+202E RIGHT-TO-LEFT OVERRIDE" in said, said
    assert snapshot(lead) == before


@pytest.mark.parametrize("field,value,words", [
    ("inspector", "inspector1\u200b", "the inspector's name (inspector) holds U+200B ZERO WIDTH SPACE"),
    ("case_ref", "HS-0001\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("note", "MG5 \u202ep.2", "the evidence note to 'vps_taken' holds U+202E RIGHT-TO-LEFT OVERRIDE"),
])
def test_a_bundle_refuses_it_even_with_its_checksum_recomputed(databases, field, value, words):
    laptop, lead = databases("laptop"), databases("lead")
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, 1), notes={"vps_taken": "MG5"})

    def change(payload):
        row = payload["assessments"][0]
        if field == "note":
            next(a for a in row["answers"] if a["question"] == "vps_taken")["note"] = value
        elif field == "case_ref":
            row["case_ref"] = value
            payload["cases"][0]["case_ref"] = value
        else:
            row[field] = value

    before = snapshot(lead)
    with pytest.raises(ProblemError) as caught, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, rewrite(export(laptop, LEAD_ACTOR), change, fix_checksum=True), "b.zip")
    said = " | ".join(sentence(p) for p in caught.value.problems)
    assert words in said, said
    assert snapshot(lead) == before
