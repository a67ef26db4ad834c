"""A ``select_one_from_file`` whose list file did not come with the form is still counted: its
entries are the codes found in the answers (the tester of stop 21 found such questions left out
of the findings without a word)."""

from __future__ import annotations

from fieldwork import db
from fieldwork.services import findings, importing, inspections
from tests.wide_helpers import LEAD_USER
from tests.xlsform_collection import xlsx

FORM = """
| survey |
|        | type                            | name     | label    |
|        | text                            | case_ref | Case     |
|        | select_one_from_file places.csv | place    | Place    |
| settings |
|          | form_id | form_title | version |
|          | places  | Places     | 1       |
"""


def test_a_list_in_a_file_not_sent_is_counted_by_the_codes_found(engine):
    with db.session_scope(engine) as s:
        inspections.add_xlsform(s, xlsx(FORM), inspections.inspection_by_code(s, None), actor="test",
                                name="places.xlsx")
    rows = ["case_ref,place", "HS-0001,north", "HS-0002,south",
            "HS-0003,north", "HS-0004,"]
    with db.session_scope(engine) as s:
        importing.import_file(s, LEAD_USER, "places", ("\n".join(rows) + "\n").encode(), "places.csv")
    with db.session_scope(engine) as s:
        report = findings.compute(s, "places")
    place = {f.answer: (f.count, f.denominator) for f in report.findings if f.id == "place" and f.group is None}
    assert place == {"north": (2, 3), "south": (1, 3)}
