"""Names as case references (issue 17, stop 22): SMITH-1984, JANE-0001 and jane-0001 passed the
default rule, which could not tell a name in capitals (or a short one in lower case) from a
prefix such as PIN, GMP or case. Common given names and surnames are now refused in any letter
case (Faker's lists, fieldwork.services.common_names), while the prefixes references use and the
inspection file's own are kept; and the app's PREFIX-digits shape is never read as a National
Insurance number, which is written without a dash."""

from __future__ import annotations

import pytest

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import case_refs, common_names, importing
from fieldwork.ui.components import sentence
from tests.accounts_helpers import cheap_hashing, make_user  # noqa: F401 (fixture)
from tests.assess_helpers import add
from tests.db_snapshot import snapshot
from tests.wide_helpers import LEAD_USER, case_review_rows, csv_bytes

NAME, NI = "a name", "a National Insurance number"
# reference -> None (accepted) or the start of what it looks like
TABLE = [
    ("SMITH-1984", NAME), ("JANE-0001", NAME), ("jane-0001", NAME), ("Jane-0001", NAME), ("MAY-0001", NAME),
    ("ali-12", NAME), ("JONES/2016/0456", NAME), ("patel-0042", NAME), ("KOWALSKI-1", NAME),
    ("HS-0001", None), ("PIN-0001", None), ("GMP/2016/0456", None), ("case_12", None), ("CASE-0001", None),
    ("REF-0001", None), ("URN-0001", None), ("SYN-0000001", None), ("LIF-0001", None), ("KENT-0001", None),
    ("RC-1", None), ("rc-1", None), ("X-1", None), ("OFF-0001", None), ("FR-0001", None), ("SM-0001", None),
    ("HS-000123", None), ("HS-00012345", None), ("PIN-123456", None),  # PREFIX-digits, however many digits
    ("HS000123", NI), ("AB123456C", NI), ("ab123456c", NI),  # as NI numbers are written
]


@pytest.mark.parametrize("ref,what", TABLE)
def test_a_reference_and_its_verdict(ref, what):
    said = case_refs.looks_personal(ref)
    if what is None:
        assert said is None, said
        assert case_refs.problem(ref) is None
    else:
        assert said and said.startswith(what), said
        assert case_refs.problem(ref).startswith(f"looks like {what}")


def test_a_name_is_refused_whatever_the_inspections_pattern_allows():
    assert case_refs.problem("KOWALSKI-1", r"[A-Z]{1,8}-[0-9]+").startswith(f"looks like {NAME}")
    assert case_refs.problem("PATELX-1", r"[A-Z]{1,8}-[0-9]+") is None


def test_the_message_names_the_name_found():
    assert case_refs.problem("JANE-0001") == (
        "looks like a name ('JANE' is a common given name or surname): use the pseudonymous case reference "
        "(e.g. HS-0001), never personal details")


def test_the_inspection_files_own_prefix_is_allowed():
    pattern = r"ROSE-[0-9]{4}"  # an inspection whose files are numbered ROSE-0001 (a name, and its prefix)
    assert case_refs.problem("ROSE-0001") is not None
    assert case_refs.problem("ROSE-0001", pattern) is None
    assert common_names.pattern_words(r"(?:GMP|KENT)/[0-9]{4}/[A-Za-z]\d+") == {"GMP", "KENT"}


def test_the_list_is_large_and_holds_names_in_capitals():
    names = common_names.names()
    assert len(names) > 10_000 and {"SMITH", "JANE", "JONES", "PATEL", "MOHAMMED", "KOWALSKI"} <= names
    assert not {"HS", "PIN"} & names  # too short to count, or not names


def test_adding_a_case_refuses_a_name_and_changes_nothing(engine):
    before = snapshot(engine)
    with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:
        add(s, ref="JANE-0001")
    said = sentence(caught.value.problems[0])
    assert "'JANE' is a common given name or surname" in said and "case reference" in said.lower(), said
    assert snapshot(engine) == before


def test_an_import_refuses_a_name_with_its_row(engine, cheap_hashing):
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
        rows = case_review_rows(s, 2)
    rows[1]["case_ref"] = "jane-0001"
    before = snapshot(engine)
    with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:
        importing.import_file(s, LEAD_USER, "case_review", csv_bytes(rows), "cases.csv")
    said = [sentence(p) for p in caught.value.problems]
    assert any(s.startswith("Row 3") and "'jane' is a common given name or surname" in s for s in said), said
    assert snapshot(engine) == before
