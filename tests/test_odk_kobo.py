"""KoboToolbox and ODK Central exports import as they come: files written from the tools'
documented layouts (tests/foreign_exports.py), imported unchanged, and counted right against a
plain re-count of what was collected."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import findings, importing, inspections, odk_kobo
from models import CaseFile
from tests import foreign_exports as fx
from tests.wide_helpers import LEAD_USER, answers_by_case, row_counts
from tests.xlsform_collection import xlsx


def load_form(engine, markdown: str = fx.FORM):
    with db.session_scope(engine) as s:
        inspection = inspections.inspection_by_code(s, None)
        inspections.add_xlsform(s, xlsx(markdown), inspection, actor="test", name="submissions.xlsx")


def import_bytes(engine, data: bytes, name: str):
    with db.session_scope(engine) as s:
        return importing.import_file(s, LEAD_USER, fx.QUESTIONNAIRE, data, name)


def recount(engine, subs: list[dict]) -> None:
    """Findings against a plain count of what was collected."""
    with db.session_scope(engine) as s:
        result = findings.compute(s, fx.QUESTIONNAIRE)
    answers = [x["answers"] for x in subs]
    assert result.cases == len(subs)
    for code in ("durham", "gwent", "kent"):
        entry = result.get("force", code)
        assert (entry.count, entry.denominator) == (sum(a["force"] == code for a in answers), len(answers))
    assert result.get("charged", "yes").count == sum(a["charged"] == "yes" for a in answers)
    asked = [a for a in answers if "behaviours" in a]
    for code in fx.BEHAVIOURS:
        entry = result.get("behaviours", code)
        assert (entry.count, entry.denominator) == (sum(code in a["behaviours"].split() for a in asked), len(asked))
    days = {x["id"]: x for x in result.summaries}["days_to_charge"]
    assert days["n"] == sum("days_to_charge" in a for a in answers)


def stored_by_instance(engine, subs: list[dict], *, refs: list[str] | None = None) -> None:
    """Every submission's answers stored as collected, under its reference."""
    stored = answers_by_case(engine, fx.QUESTIONNAIRE)
    refs = refs or [x["uuid"] for x in subs]
    assert len(stored) == len(subs)
    for ref, x in zip(refs, subs):
        got = {k: v for k, v in stored[ref][0].items() if k not in ("start", "end")}
        expected = dict(x["answers"])
        if "location" in expected:  # stored as given, "lat lon alt accuracy"
            got["location"] = " ".join(f"{float(p):g}" for p in got["location"].split())
            expected["location"] = " ".join(f"{float(p):g}" for p in expected["location"].split())
        assert got == expected, ref


@pytest.mark.parametrize("delimiter,groups", [(";", True), (",", True), (",", False), (";", False)])
def test_kobo_csv_imports_unchanged_and_counts_right(engine, delimiter, groups):
    load_form(engine)
    subs = fx.submissions(40)
    result = import_bytes(engine, fx.kobo_csv(subs, delimiter=delimiter, groups=groups), "submissions.csv")
    assert result.written == 40
    layout = result.checked.layout
    assert layout.tool == odk_kobo.KOBO and layout.case_ref_from == "_uuid"
    assert {"_id", "_validation_status", "_notes", "_status", "__version__", "_tags", "_index"} <= set(layout.ignored)
    assert set(layout.kept) == {"instance_id", "submitted_by", "submitted_at"}
    assert any("instance ids from _uuid" in line for line in layout.summary())
    recount(engine, subs)
    stored_by_instance(engine, subs)
    with db.session_scope(engine) as s:
        case = s.execute(select(CaseFile).where(CaseFile.case_ref == subs[0]["uuid"])).scalar_one()
        assert (case.source_instance_id, case.source_submitted_by) == (subs[0]["uuid"], subs[0]["by"])
        assert case.source_submitted_at.startswith(subs[0]["submitted"].strftime("%Y-%m-%dT%H:%M"))


def test_odk_central_csv_imports_unchanged_and_counts_right(engine):
    load_form(engine)
    subs = fx.submissions(40, seed=11)
    result = import_bytes(engine, fx.odk_csv(subs), "submissions.csv")
    assert result.written == 40
    layout = result.checked.layout
    assert layout.tool == odk_kobo.ODK and layout.case_ref_from == "KEY"
    assert {"SubmitterID", "AttachmentsPresent", "AttachmentsExpected", "Status", "DeviceID", "Edits",
            "FormVersion"} <= set(layout.ignored)
    assert layout.kept["review_state"] == "ReviewState"  # kept with the case (issue 12)
    assert layout.geopoints["location"] == [f"place-location-{p}" for p in ("Latitude", "Longitude", "Altitude",
                                                                            "Accuracy")]
    recount(engine, subs)
    stored_by_instance(engine, subs)


def test_case_ref_column_is_used_when_the_form_has_one(engine):
    load_form(engine, fx.FORM.replace("|        | begin group                | context ",
                                      "|        | text | case_ref | Case reference | | yes |\n"
                                      "|        | begin group                | context ", 1))
    subs = fx.submissions(12)
    result = import_bytes(engine, fx.kobo_csv(subs, case_ref=True), "submissions.csv")
    assert result.checked.layout.case_ref_from is None
    stored_by_instance(engine, subs, refs=[f"HS-{i:04d}" for i in range(1, 13)])


def test_options_that_disagree_with_the_codes_refuse_the_row_with_both_values(engine):
    load_form(engine)
    subs = fx.submissions(5)
    subs[2]["answers"]["behaviours"] = "following"
    data = fx.kobo_csv(subs, delimiter=",").decode()
    lines = data.split("\r\n")
    # row 4 (subs[2]): the codes column says "following", its option columns are changed to say "social"
    cells = lines[3].split(",")
    header = lines[0].split(",")
    cells[header.index('"behaviours/following"')] = '"0"'
    cells[header.index('"behaviours/social"')] = '"1"'
    lines[3] = ",".join(cells)
    before = row_counts(engine)
    with pytest.raises(ProblemError) as err:
        import_bytes(engine, "\r\n".join(lines).encode(), "submissions.csv")
    (problem,) = err.value.problems
    assert (problem.row, problem.field) == (4, "behaviours")
    assert "'following'" in problem.message and "'social'" in problem.message
    assert row_counts(engine) == before


def test_bad_rows_are_named_with_the_files_own_columns_and_nothing_is_written(engine):
    load_form(engine)
    subs = fx.submissions(6)
    subs[1]["answers"]["force"] = "atlantis"
    subs[4]["answers"]["charged"] = "perhaps"
    before = row_counts(engine)
    with pytest.raises(ProblemError) as err:
        import_bytes(engine, fx.odk_csv(subs), "submissions.csv")
    assert {(p.row, p.field) for p in err.value.problems} == {(3, "context-force"), (6, "charged")}
    assert row_counts(engine) == before


def test_an_instance_id_is_still_checked_as_a_case_reference(engine):
    load_form(engine)
    subs = fx.submissions(3)
    subs[1]["uuid"] = "someone@example.org"
    with pytest.raises(ProblemError) as err:
        import_bytes(engine, fx.kobo_csv(subs), "submissions.csv")
    (problem,) = err.value.problems
    assert (problem.code, problem.row, problem.field) == (importing.BAD_CASE_REF, 3, "_uuid")


def test_a_labels_export_is_refused_with_what_to_do(engine):
    load_form(engine)
    data = ("Force;Date first reported;Charged?;_id;_uuid;_submission_time\r\n"
            "Kent;2023-01-02;Yes;1;0b7e2f9c-1111-4222-8333-944445555666;2024-03-01T10:00:00\r\n").encode()
    with pytest.raises(ProblemError) as err:
        import_bytes(engine, data, "submissions.csv")
    (problem,) = err.value.problems
    assert problem.code == odk_kobo.LABELS_EXPORT
    assert "XML values and headers" in problem.message


def test_our_own_wide_files_are_not_touched(engine):
    load_form(engine)
    data = "case_ref,force,charged\r\nHS-0001,kent,no\r\n".encode()
    assert import_bytes(engine, data, "cases.csv").checked.layout is None


def test_kobo_xlsx_imports_unchanged(engine):
    """KoboToolbox's xlsx export: one sheet named after the form, the same columns as its CSV."""
    import csv
    import io

    from openpyxl import Workbook

    load_form(engine)
    subs = fx.submissions(20, seed=2)
    wb = Workbook()
    ws = wb.active
    ws.title = "Submissions review"
    for row in csv.reader(io.StringIO(fx.kobo_csv(subs, delimiter=",").decode())):
        ws.append([int(c) if c.isdigit() and len(c) < 6 else c for c in row])  # numbers as numbers, as Kobo does
    buf = io.BytesIO()
    wb.save(buf)
    result = import_bytes(engine, buf.getvalue(), "submissions.xlsx")
    assert result.written == 20
    recount(engine, subs)
    stored_by_instance(engine, subs)


def test_the_command_line_says_what_it_made_of_the_file(engine, db_url, tmp_path, capsys):
    from fieldwork.cli import main

    load_form(engine)
    src = tmp_path / "submissions.csv"
    src.write_bytes(fx.odk_csv(fx.submissions(8)))
    assert main(["import", fx.QUESTIONNAIRE, str(src), "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "Read as a ODK Central export." in out or "Read as an ODK Central export." in out
    assert "instance ids from KEY" in out and "Ignored (" in out and "imported 8 complete" in out


def test_the_register_shows_who_submitted_and_when(engine):
    from fieldwork.services import cases

    load_form(engine)
    subs = fx.submissions(3)
    import_bytes(engine, fx.odk_csv(subs), "submissions.csv")
    with db.session_scope(engine) as s:
        rows = {r.case_ref: r for r in cases.register(s, LEAD_USER).rows}
    assert rows[subs[1]["uuid"]].submitted_by == subs[1]["by"]
    assert rows[subs[1]["uuid"]].submitted_at == subs[1]["submitted"].strftime("%Y-%m-%dT%H:%M:%S.000Z")


def central_zip(files: dict[str, bytes]) -> bytes:
    """ODK Central's "Download all": FORM.csv (and FORM-REPEAT.csv per repeat), media in a folder."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_odk_centrals_zip_imports_unchanged(engine):
    load_form(engine)
    subs = fx.submissions(25, seed=8)
    data = central_zip({"submissions.csv": fx.odk_csv(subs), "media/": b""})
    result = import_bytes(engine, data, "submissions.zip")
    assert result.written == 25 and result.checked.layout.tool == odk_kobo.ODK
    recount(engine, subs)
    stored_by_instance(engine, subs)


def test_the_import_page_says_what_it_made_of_a_kobo_file(engine, db_url, monkeypatch):
    from fieldwork.ui import session
    from tests.apptest import page

    load_form(engine)
    subs = fx.submissions(5)
    at = page("pages/import_data.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.selectbox(key="import_questionnaire").set_value(fx.QUESTIONNAIRE).run()
    at.file_uploader[0].set_value(("submissions.csv", fx.kobo_csv(subs), "text/csv")).run()
    assert not at.exception
    summary = " ".join(i.value for i in at.info)
    assert "Read as a KoboToolbox export." in summary and "instance ids from \\_uuid" in summary
    # the file's own column names, escaped so that Markdown shows them as written (walk 24, W7:
    # __version__ read as a bold "version")
    assert "\\_validation\\_status" in summary
    at.button(key="import_confirm").click().run()
    assert not at.exception
    assert set(answers_by_case(engine, fx.QUESTIONNAIRE)) == {x["uuid"] for x in subs}


def test_answers_exported_as_labels_are_refused_once_with_what_to_do(engine):
    load_form(engine, fx.FORM.replace("| Durham       |", "| Durham Constabulary |")
              .replace("| Gwent        |", "| Gwent Police |").replace("| Kent         |", "| Kent Police |"))
    subs = fx.submissions(6)
    labels = {"durham": "Durham Constabulary", "gwent": "Gwent Police", "kent": "Kent Police"}
    for x in subs:
        x["answers"]["force"] = labels[x["answers"]["force"]]
    with pytest.raises(ProblemError) as err:
        import_bytes(engine, fx.kobo_csv(subs), "submissions.csv")
    (problem,) = err.value.problems
    assert problem.code == odk_kobo.LABELS_EXPORT and "XML values and headers" in problem.message


def test_the_register_shows_instance_ids_whole_and_submission_times_in_words(engine, db_url, monkeypatch):
    """Walk 24, W7: three cases whose references are instance ids read "5a17e000" alike, and the
    submission time was raw ISO."""
    import json

    from fieldwork.ui import session
    from tests.apptest import page

    load_form(engine)
    subs = fx.submissions(3)
    import_bytes(engine, fx.odk_csv(subs), "submissions.csv")
    at = page("pages/cases.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.selectbox(key="cases_questionnaire").set_value(fx.QUESTIONNAIRE).run()
    assert not at.exception
    shown = next(d for d in at.dataframe if "Submitted" in d.value.columns)
    assert set(shown.value["Case"]) == {x["uuid"] for x in subs}
    assert json.loads(shown.proto.columns)["Case"]["width"] == "large"
    assert not any("T" in v and v.endswith("Z") for v in shown.value["Submitted"])
    assert all(str(x["submitted"].year) in v for x, v in zip(sorted(subs, key=lambda x: x["uuid"]),
                                                           shown.value.sort_values("Case")["Submitted"]))
