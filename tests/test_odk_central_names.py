"""ODK Central's exports as Central writes them (central-backend lib/data/briefcase.js), with
the names that tripped real forms: in a repeat's file the columns are named from the repeat
down (``name``, ``adult-age``), so a name used twice in the form is plain there; Central's own
``DeviceID`` beside a form's ``deviceid`` question; metadata ``email`` beside ``contacts-email``.
The files are written here from that layout, not by our exporter."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from sqlalchemy import select

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import importing, inspections
from models import Answer, Assessment, CaseFile
from tests.wide_helpers import LEAD_USER
from tests.xlsform_collection import xlsx

FORM = """
| survey |
|        | type           | name      | label          |
|        | start          | start     |                |
|        | end            | end       |                |
|        | {deviceid_row} |
|        | email          | email     |                |
|        | text           | name      | Code name      |
|        | begin group    | contacts  | Contacts       |
|        | text           | email     | Contact email  |
|        | end group      |           |                |
|        | begin repeat   | incident  | Incident       |
|        | text           | name      | Incident code  |
|        | begin group    | adult     | Adult          |
|        | integer        | age       | Adult's age    |
|        | end group      |           |                |
|        | begin group    | child     | Child          |
|        | integer        | age       | Child's age    |
|        | end group      |           |                |
|        | begin repeat   | pin       | PIN            |
|        | text           | name      | PIN code       |
|        | end repeat     |           |                |
|        | end repeat     |           |                |
| settings |
|          | form_id | form_title | version |
|          | names   | Names      | 1       |
"""
TOP = "deviceid       | deviceid  |               "
GROUPED = "begin group | everything | Everything |\n|        | deviceid | deviceid | |\n|        | end group | | "
SYSTEM = ["SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status", "ReviewState",
          "DeviceID", "Edits", "FormVersion"]


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def submissions() -> list[dict]:
    out = []
    for i in range(1, 5):
        incidents = [{"name": f"inc-{i}-{n}", "adult": str(20 + n), "child": str(n),
                      "pins": [f"pin-{i}-{n}-{m}" for m in range(1, (i + n) % 3 + 1)]} for n in range(1, i % 3 + 2)]
        out.append({"uuid": f"0000000{i}-aaaa-4bbb-8ccc-00000000000{i}", "name": f"code-{i}",
                    "device": f"collect:device{i}", "deviceid": f"form-device-{i}", "email": f"user{i}@example.org",
                    "contact": f"contact{i}@example.org", "incidents": incidents})
    return out


def central_zip(subs: list[dict], *, deviceid: str = "deviceid") -> bytes:
    """ODK Central's "Download all": the main CSV (groups joined by ``-``, SubmissionDate first,
    its system columns last) and one CSV per repeat, named from the repeat down, then
    PARENT_KEY and KEY (``uuid:…/incident[n]/pin[m]``)."""
    main = ["SubmissionDate", "start", "end", deviceid, "email", "name", "contacts-email", "meta-instanceID", "KEY",
            *SYSTEM]
    rows, incidents, pins = [], [], []
    for s in subs:
        key = f"uuid:{s['uuid']}"
        rows.append(["2026-11-01T10:00:00.000Z", "2026-11-01T09:00:00.000+00:00", "2026-11-01T09:30:00.000+00:00",
                     s["deviceid"], s["email"], s["name"], s["contact"], key, key, "7", "enumerator1", "0", "0", "",
                     "", s["device"], "0", "1"])
        for n, inc in enumerate(s["incidents"], start=1):
            for m, pin in enumerate(inc["pins"], start=1):
                pins.append([pin, f"{key}/incident[{n}]", f"{key}/incident[{n}]/pin[{m}]"])
            incidents.append([inc["name"], inc["adult"], inc["child"], key, f"{key}/incident[{n}]"])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("names.csv", _csv(main, rows))
        zf.writestr("names-incident.csv", _csv(["name", "adult-age", "child-age", "PARENT_KEY", "KEY"], incidents))
        zf.writestr("names-pin.csv", _csv(["name", "PARENT_KEY", "KEY"], pins))
    return buf.getvalue()


def load(engine, deviceid_row: str = TOP) -> None:
    with db.session_scope(engine) as s:
        inspection = inspections.inspection_by_code(s, None)
        inspections.add_xlsform(s, xlsx(FORM.replace("{deviceid_row}", deviceid_row)), inspection, actor="test",
                                name="names.xlsx")


def stored(engine) -> dict[str, dict[tuple[str, str], str]]:
    with db.session_scope(engine) as s:
        rows = s.execute(select(CaseFile.case_ref, Answer.instance, Answer.question, Answer.value)
                         .join(Assessment, Assessment.case_id == CaseFile.id)
                         .join(Answer, Answer.assessment_id == Assessment.id)
                         .where(CaseFile.questionnaire == "names")).all()
    out: dict[str, dict[tuple[str, str], str]] = {}
    for ref, instance, question, value in rows:
        out.setdefault(ref, {})[(instance, question)] = value
    return out


def expected(sub: dict, deviceid_key: str) -> dict[tuple[str, str], str]:
    out = {("", deviceid_key): sub["deviceid"], ("", "email"): sub["email"], ("", "name"): sub["name"],
           ("", "contacts/email"): sub["contact"]}
    for n, inc in enumerate(sub["incidents"], start=1):
        at = f"incident[{n}]"
        out |= {(at, "incident/name"): inc["name"], (at, "incident/adult/age"): inc["adult"],
                (at, "incident/child/age"): inc["child"]}
        for m, pin in enumerate(inc["pins"], start=1):
            out[(f"{at}/pin[{m}]", "incident/pin/name")] = pin
    return out


@pytest.mark.parametrize("row, key", [(TOP, "deviceid"), (GROUPED, "deviceid")], ids=["deviceid", "grouped"])
def test_a_central_zip_with_names_used_twice_deviceid_and_email_imports_unchanged(engine, row, key):
    load(engine, row)
    subs = submissions()
    column = "deviceid" if row == TOP else "everything-deviceid"
    with db.session_scope(engine) as s:
        result = importing.import_file(s, LEAD_USER, "names", central_zip(subs, deviceid=column), "names.zip")
    assert result.written == 4
    assert result.checked.entries.entries == {"incident": sum(len(x["incidents"]) for x in subs),
                                              "pin": sum(len(i["pins"]) for x in subs for i in x["incidents"])}
    got = stored(engine)
    for sub in subs:
        answers = {k: v for k, v in got[sub["uuid"]].items() if k[1] not in ("start", "end")}
        assert answers == expected(sub, key)
    assert "DeviceID" in result.checked.layout.ignored  # Central's own column, not the form's question


def test_a_duplicate_column_is_told_with_the_files_own_letters_and_headers(engine):
    load(engine)
    data = _csv(["SubmissionDate", "start", "end", "deviceid", "email", "name", "contacts-email", "meta-instanceID",
                 "KEY", *SYSTEM, "contacts-Email"],
                [["2026-11-01T10:00:00.000Z", "", "", "d", "a@example.org", "code-1", "b@example.org", "uuid:x",
                  "uuid:00000001-aaaa-4bbb-8ccc-000000000001", "7", "e", "0", "0", "", "", "collect:x", "0", "1",
                  "c@example.org"]])
    with db.session_scope(engine) as s, pytest.raises(ProblemError) as caught:
        importing.import_file(s, LEAD_USER, "names", data, "names.csv")
    (problem,) = [p for p in caught.value.problems if p.code == "duplicate_column"]
    # contacts-email is the file's column G, contacts-Email its column S (after Central's nine)
    assert "'contacts-email' and 'contacts-Email' (columns G and S)" in problem.message


def test_problems_in_cases_and_entries_are_counted_apart(engine):
    load(engine)
    subs = submissions()
    data = central_zip(subs)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["names-incident.csv"] = members["names-incident.csv"].replace(b",21,", b",old,", 2)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n, b in members.items():
            zf.writestr(n, b)
    with db.session_scope(engine) as s, pytest.raises(ProblemError) as caught:
        importing.import_file(s, LEAD_USER, "names", buf.getvalue(), "names.zip")
    n_entries = sum(len(x["incidents"]) + sum(len(i["pins"]) for i in x["incidents"]) for x in subs)
    bad = len(caught.value.problems)
    assert bad >= 2
    assert f"names.zip [names.csv]: {bad} problem(s) in {bad} of {n_entries} entries; nothing was imported" == caught.value.summary


def test_a_kobo_xlsx_refusal_counts_cases_and_entries_apart(engine):
    from openpyxl import load_workbook

    from tests import foreign_exports as fx
    from tests.test_repeat_files import load_form
    load_form(engine)
    subs = fx.repeat_submissions(6)
    wb = load_workbook(io.BytesIO(fx.kobo_repeat_xlsx(subs)))
    main, pin = wb.worksheets[0], wb["pin"]
    main.cell(row=2, column=4).value = "perhaps"  # charged: not a code
    pin.cell(row=2, column=2).value = "by_pigeon"  # pin_served: not a code
    pin.cell(row=3, column=2).value = "by_pigeon"
    buf = io.BytesIO()
    wb.save(buf)
    with db.session_scope(engine) as s, pytest.raises(ProblemError) as caught:
        importing.import_file(s, LEAD_USER, fx.REPEAT_QUESTIONNAIRE, buf.getvalue(), "pins.xlsx")
    n_entries = sum(len(x["pin"]) + len(x["incident"]) + sum(len(i["contact"]) for i in x["incident"]) for x in subs)
    assert f"3 problem(s) in 1 of 6 cases and 2 of {n_entries} entries;" in caught.value.summary


def test_our_odk_layout_writes_the_repeat_files_as_central_does_and_reads_back(engine, tmp_path):
    """``--layout odk`` names a repeat's columns from the repeat down, as Central does (not
    ``incident/adult/age``), so the round trip tests the layout real exports have."""
    from exports import exporting
    from fieldwork import startup

    load(engine)
    subs = submissions()
    with db.session_scope(engine) as s:
        importing.import_file(s, LEAD_USER, "names", central_zip(subs), "names.zip")
    with db.session_scope(engine) as s:
        ours = exporting.export_layout(s, LEAD_USER, "names", "odk", file_name="names.csv")
    with zipfile.ZipFile(io.BytesIO(ours)) as zf, zipfile.ZipFile(io.BytesIO(central_zip(subs))) as theirs:
        for member in ("names-incident.csv", "names-pin.csv"):
            assert zf.read(member).decode().splitlines()[0] == theirs.read(member).decode().splitlines()[0].strip()
    other = startup.open_engine(f"sqlite:///{tmp_path / 'other.db'}")
    load(other)
    with db.session_scope(other) as s:
        importing.import_file(s, LEAD_USER, "names", ours, "names.zip")
    assert stored(other) == stored(engine)
