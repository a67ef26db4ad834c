"""An import checks each case's entries against the form (issue 12): a repeat_count (a number, or
an expression over the case's or the outer entry's answers) fixes the number exactly, as ODK
Collect makes exactly that many; ``parameters: min=N max=N`` bound it. A case with another number
is refused naming its row, case reference, the repeat group, the number found and expected, and
nothing is written — from KoboToolbox's xlsx and ODK Central's zip alike."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import importing, inspections
from tests.wide_helpers import LEAD_USER, row_counts
from tests.xlsform_collection import xlsx

FORM = """
| survey |
|        | type              | name       | label     | repeat_count  | parameters  | relevant             |
|        | integer           | n_hearings | Hearings  |               |             |                      |
|        | select_one yes_no | police     | Police?   |               |             |                      |
|        | begin repeat      | hearing    | Hearing   | ${n_hearings} |             |                      |
|        | text              | outcome    | Outcome   |               |             |                      |
|        | end repeat        |            |           |               |             |                      |
|        | begin repeat      | pin        | PIN       |               | min=1 max=2 | ${police} = 'yes'    |
|        | select_one yes_no | served     | Served?   |               |             |                      |
|        | end repeat        |            |           |               |             |                      |
|        | begin repeat      | incident   | Incident  |               |             |                      |
|        | text              | kind       | Kind      |               |             |                      |
|        | begin repeat      | contact    | Contact   | 2             |             |                      |
|        | select_one yes_no | made       | Made?     |               |             |                      |
|        | end repeat        |            |           |               |             |                      |
|        | end repeat        |            |           |               |             |                      |
| choices |
|         | list_name | name | label |
|         | yes_no    | yes  | Yes   |
|         | yes_no    | no   | No    |
| settings |
|          | form_id  | version | form_title |
|          | hearings | 1       | Hearings   |
"""

GOOD = [  # (case_ref, n_hearings, police, hearings, pins, incidents: [contacts])
    ("HS-0001", "2", "yes", ["adjourned", "sentenced"], ["yes"], [["yes", "no"]]),
    ("HS-0002", "0", "no", [], [], []),
    ("HS-0003", "1", "yes", ["sentenced"], ["no", "yes"], [["no", "no"], ["yes", "yes"]]),
]


def kobo_xlsx(cases) -> bytes:
    """KoboToolbox's xlsx: the cases, then a sheet per repeat group linked by _index/_parent_index."""
    wb = Workbook()
    main = wb.active
    main.title = "Hearings"
    main.append(["case_ref", "n_hearings", "police", "_uuid", "_index"])
    sheets = {name: wb.create_sheet(name) for name in ("hearing", "pin", "incident", "contact")}
    sheets["hearing"].append(["hearing/outcome", "_index", "_parent_table_name", "_parent_index"])
    sheets["pin"].append(["pin/served", "_index", "_parent_table_name", "_parent_index"])
    sheets["incident"].append(["incident/kind", "_index", "_parent_table_name", "_parent_index"])
    sheets["contact"].append(["incident/contact/made", "_index", "_parent_table_name", "_parent_index"])
    n = {name: 0 for name in sheets}
    for index, (ref, count, police, hearings, pins, incidents) in enumerate(cases, start=1):
        main.append([ref, count, police, f"00000000-0000-4000-8000-{index:012d}", index])
        for outcome in hearings:
            n["hearing"] += 1
            sheets["hearing"].append([outcome, n["hearing"], "Hearings", index])
        for served in pins:
            n["pin"] += 1
            sheets["pin"].append([served, n["pin"], "Hearings", index])
        for contacts in incidents:
            n["incident"] += 1
            sheets["incident"].append(["threat", n["incident"], "Hearings", index])
            for made in contacts:
                n["contact"] += 1
                sheets["contact"].append([made, n["contact"], "incident", n["incident"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def odk_zip(cases) -> bytes:
    """ODK Central's "Download all": FORM.csv and FORM-REPEAT.csv linked by KEY/PARENT_KEY."""
    lines = {"hearings.csv": ["SubmissionDate,case_ref,n_hearings,police,meta-instanceID,KEY"],
             "hearings-hearing.csv": ["outcome,PARENT_KEY,KEY"], "hearings-pin.csv": ["served,PARENT_KEY,KEY"],
             "hearings-incident.csv": ["kind,PARENT_KEY,KEY"], "hearings-contact.csv": ["made,PARENT_KEY,KEY"]}
    for index, (ref, count, police, hearings, pins, incidents) in enumerate(cases, start=1):
        key = f"uuid:00000000-0000-4000-8000-{index:012d}"
        lines["hearings.csv"].append(f"2024-05-01T10:00:00.000Z,{ref},{count},{police},{key},{key}")
        for i, outcome in enumerate(hearings, start=1):
            lines["hearings-hearing.csv"].append(f"{outcome},{key},{key}/hearing[{i}]")
        for i, served in enumerate(pins, start=1):
            lines["hearings-pin.csv"].append(f"{served},{key},{key}/pin[{i}]")
        for i, contacts in enumerate(incidents, start=1):
            lines["hearings-incident.csv"].append(f"threat,{key},{key}/incident[{i}]")
            for j, made in enumerate(contacts, start=1):
                lines["hearings-contact.csv"].append(f"{made},{key}/incident[{i}],{key}/incident[{i}]/contact[{j}]")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, rows in lines.items():
            zf.writestr(name, "\n".join(rows) + "\n")
    return buf.getvalue()


WRITERS = {"kobo": (kobo_xlsx, "hearings.xlsx"), "odk": (odk_zip, "hearings.zip")}


def load(engine):
    with db.session_scope(engine) as s:
        inspections.add_xlsform(s, xlsx(FORM), inspections.inspection_by_code(s, None), actor="test",
                                name="hearings.xlsx")


def run(engine, layout, cases):
    write, name = WRITERS[layout]
    with db.session_scope(engine) as s:
        return importing.import_file(s, LEAD_USER, "hearings", write(cases), name)


@pytest.mark.parametrize("layout", sorted(WRITERS))
def test_entries_as_many_as_the_form_sets_import(engine, layout):
    load(engine)
    assert run(engine, layout, GOOD).written == 3
    assert row_counts(engine)[0] == 3


@pytest.mark.parametrize("layout", sorted(WRITERS))
@pytest.mark.parametrize("case, code, says", [
    (("HS-0004", "2", "no", ["adjourned"], [], []), "wrong_entry_count",
     "case HS-0004: 1 entry of repeat group hearing (“Hearing”), but its repeat_count (${n_hearings} = 2) fixes "
     "2 entries"),
    (("HS-0004", "", "no", ["adjourned"], [], []), "wrong_entry_count",
     "1 entry of repeat group hearing (“Hearing”), but its repeat_count (${n_hearings} = blank) fixes 0 entries"),
    (("HS-0004", "0", "yes", [], [], []), "too_few_entries",
     "case HS-0004: 0 entries of repeat group pin (“PIN”), but the form asks for at least 1 (min=1)"),
    (("HS-0004", "0", "yes", [], ["yes", "no", "yes"], []), "too_many_entries",
     "3 entries of repeat group pin (“PIN”), but the form allows at most 2 (max=2)"),
    (("HS-0004", "0", "no", [], [], [["yes", "no"], ["yes"]]), "wrong_entry_count",
     "case HS-0004: 1 entry of repeat group contact (“Contact”) in Incident 2, but its repeat_count "
     "(${contact_count} = 2) fixes 2 entries"),
])
def test_a_case_with_another_number_of_entries_is_refused_naming_it(engine, layout, case, code, says):
    load(engine)
    with pytest.raises(ProblemError) as err:
        run(engine, layout, [*GOOD, case])
    [problem] = err.value.problems
    assert (problem.code, problem.row, problem.item, problem.item_kind) == (code, 5, "HS-0004", "case")
    assert says in problem.message and problem.field in ("hearing", "pin", "contact")
    assert row_counts(engine) == (0, 0, 0)  # nothing half-written


def test_a_repeat_not_asked_is_not_counted(engine):
    """PINs are asked only where police attended: a case without has no minimum to meet."""
    load(engine)
    run(engine, "kobo", [("HS-0001", "0", "no", [], [], [])])
    assert row_counts(engine)[0] == 1
