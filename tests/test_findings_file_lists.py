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


ENTRY_FORM = """
| survey |
|        | type                            | name     | label    |
|        | text                            | code     | Code     |
|        | begin repeat                    | incident | Incident |
|        | select_one_from_file places.csv | place    | Place    |
|        | end repeat                      |          |          |
| settings |
|          | form_id | form_title | version |
|          | visits  | Visits     | 1       |
"""


def test_a_list_in_a_file_not_sent_asked_per_entry_is_counted_in_entries(engine):
    """As ODK Central writes it: the cases' CSV and the repeat's, linked by PARENT_KEY and KEY."""
    import io
    import zipfile

    with db.session_scope(engine) as s:
        inspections.add_xlsform(s, xlsx(ENTRY_FORM), inspections.inspection_by_code(s, None), actor="test",
                                name="visits.xlsx")
    keys = [f"uuid:0000000{i}-aaaa-4bbb-8ccc-00000000000{i}" for i in (1, 2)]
    main = "SubmissionDate,code,meta-instanceID,KEY\n" + "".join(
        f"2026-11-01T10:00:00.000Z,c{i},{k},{k}\n" for i, k in enumerate(keys))
    entries = "place,PARENT_KEY,KEY\n" + "".join(
        f"{place},{keys[case]},{keys[case]}/incident[{n}]\n"
        for case, n, place in ((0, 1, "north"), (0, 2, "north"), (1, 1, "south")))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("visits.csv", main)
        zf.writestr("visits-incident.csv", entries)
    with db.session_scope(engine) as s:
        importing.import_file(s, LEAD_USER, "visits", buf.getvalue(), "visits.zip")
    with db.session_scope(engine) as s:
        report = findings.compute(s, "visits")
    place = {(f.answer, f.unit): (f.count, f.denominator) for f in report.findings
             if f.id == "place" and f.group is None}
    assert place[("north", "entries")] == (2, 3) and place[("south", "entries")] == (1, 3)
