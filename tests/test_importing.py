"""Importing wide .csv and .xlsx files: all or nothing, every problem named by row and column.

Each refusal is checked the way a user would notice it: the problem names the spreadsheet
row (header = row 1), the column and the case, and the database holds exactly the rows it
held before (case_file, assessment, answer counted before and after)."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from openpyxl.utils import get_column_letter

from fieldwork import audit, db
from fieldwork.files import limits  # the limits of reading a file live in the file layer
from fieldwork.problems import ProblemError
from fieldwork.services import assessments, importing, inspections
from fieldwork.services.permissions import INSPECTOR, Actor, PermissionDenied
from fieldwork.services.store import CaseRecord, add_complete_assessments
from models import CaseFile
from tests.accounts_helpers import cheap_hashing, make_user  # noqa: F401 (fixture)
from tests.forms import build
from tests.wide_helpers import (
    LEAD_USER,
    answers_by_case,
    audit_actions,
    case_review_rows,
    columns_of,
    csv_bytes,
    row_counts,
    xlsx_bytes,
)


@pytest.fixture
def rows(engine):
    with db.session_scope(engine) as s:
        return case_review_rows(s, 5)


def do_import(engine, data: bytes, name: str = "cases.csv", questionnaire: str = "case_review", actor=LEAD_USER):
    with db.session_scope(engine) as s:
        return importing.import_file(s, actor, questionnaire, data, name)


def refused(engine, data: bytes, name: str = "cases.csv", questionnaire: str = "case_review") -> list:
    """Import that must fail: returns the problems, after checking that nothing was written."""
    before = row_counts(engine)
    with pytest.raises(ProblemError) as err:
        do_import(engine, data, name, questionnaire)
    assert row_counts(engine) == before
    assert "nothing was imported" in err.value.summary
    return err.value.problems


def where(problems) -> set[tuple]:
    return {(p.code, p.row, p.field) for p in problems}


SMALL_FORM = """
| type              | name        | label   | relevant           | required |
| begin group       | context     | Context |                    |          |
| text              | case_ref    | Ref     |                    | yes      |
| select_one yes_no | contact     | Contact |                    |          |
| text              | contact_how | How     | ${contact} = 'yes' |          |
| text              | comment     | Comment |                    |          |
| end group         | context     |         |                    |          |
"""


@pytest.fixture
def small_form(engine) -> str:
    """A questionnaire with optional questions (case_review has none), one asked by skip logic."""
    with db.session_scope(engine) as s:
        inspections.add_questionnaire(s, build(SMALL_FORM), inspections.inspection_by_code(s), actor="test")
    return "test_form"


def cell_of(rows: list[dict], column: str, index: int) -> str:
    """The spreadsheet cell (e.g. "D3") of rows[index][column] in a file built from ``rows``."""
    return f"{get_column_letter(columns_of(rows).index(column) + 1)}{index + 2}"


def with_cached_value(data: bytes, cell: str, value: str) -> bytes:
    """The workbook with ``cell``'s formula given a calculated text value, as Excel saves it
    (openpyxl writes a formula with an empty value)."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            part = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text, n = re.subn(rf'<c r="{cell}"([^>]*)><f>(.*?)</f><v></v>',
                                  rf'<c r="{cell}"\1 t="str"><f>\2</f><v>{value}</v>', part.decode())
                assert n == 1
                part = text.encode()
            dst.writestr(info, part)
    return out.getvalue()


# --- what passes --------------------------------------------------------------------------


def test_a_file_of_only_the_contract_columns_imports_as_complete_assessments(engine, rows):
    result = do_import(engine, csv_bytes(rows))
    assert result.written == 5
    stored = answers_by_case(engine)
    assert set(stored) == {r["case_ref"] for r in rows}
    for r in rows:
        assert stored[r["case_ref"]][0] == {k: v for k, v in r.items() if k != "case_ref"}
    assert row_counts(engine)[:2] == (5, 5)


def test_the_import_is_audited_with_file_name_and_count_but_no_content(engine, rows):
    do_import(engine, csv_bytes(rows), "week1.csv")
    (event,) = audit_actions(engine, audit.IMPORT)
    detail = json.loads(event.detail)
    assert detail["file"] == "week1.csv" and detail["rows"] == 5 and detail["questionnaire"] == "case_review"
    assert event.actor == "lead1"
    assert rows[0]["case_ref"] not in event.detail and "durham" not in event.detail


def test_xlsx_sheet_responses_imports_and_other_sheets_are_ignored(engine, rows):
    data = xlsx_bytes(rows, extra_sheets=("notes_for_me",))
    assert do_import(engine, data, "cases.xlsx").written == 5


def test_utf8_with_bom_semicolons_and_padding_are_read(engine, rows):
    data = b"\xef\xbb\xbf" + csv_bytes(rows, delimiter=";")
    assert do_import(engine, data).written == 5


def test_excel_cp1252_csv_is_read_correctly_and_said_so(engine, rows):
    note = "Risk plan dated \u201cday 3\u201d; fee \u00a340 \u2013 see p.4"
    rows[0]["note:risk_management_plan"] = note
    with db.session_scope(engine) as s:
        result = importing.import_file(s, LEAD_USER, "case_review", csv_bytes(rows, encoding="cp1252"), "x.csv")
    assert result.checked.encoding == "Windows-1252"
    assert [w.code for w in result.checked.warnings] == [importing.READ_AS_CP1252]
    assert answers_by_case(engine)[rows[0]["case_ref"]][1] == {"risk_management_plan": note}


def test_metadata_columns_of_our_own_export_are_accepted(engine, rows, cheap_hashing):
    with db.session_scope(engine) as s:
        make_user(s, "inspector4")  # meta:inspector names an account
    for r in rows:
        r["meta:inspector"] = "inspector4"
        r["meta:second_marked"] = "no"
        r["note:initial_risk_assessment"] = "DASH form p.2"
    do_import(engine, csv_bytes(rows))
    stored = answers_by_case(engine)[rows[0]["case_ref"]]
    assert stored[1] == {"initial_risk_assessment": "DASH form p.2"}
    assert "meta:second_marked" not in stored[0]


def test_meta_inspector_must_name_an_account(engine, rows):
    rows[1]["meta:inspector"] = "nobody7"
    problems = refused(engine, csv_bytes(rows))
    assert [(p.code, p.row, p.field) for p in problems] == [(importing.BAD_INSPECTOR, 3, "meta:inspector")]
    assert "is not an account" in problems[0].message


def test_codes_are_matched_whatever_their_case_and_blank_rows_are_skipped(engine, rows):
    rows[0]["domestic_abuse"] = "YES"
    lines = csv_bytes(rows).split(b"\r\n")
    data = b"\r\n".join(lines[:3] + [b"", b",,,"] + lines[3:])
    assert do_import(engine, data).written == 5
    assert answers_by_case(engine)[rows[0]["case_ref"]][0]["domestic_abuse"] == "yes"


def test_a_registered_case_without_an_assessment_is_filled_in(engine, rows):
    with db.session_scope(engine) as s:
        inspection = inspections.inspection_by_code(s)
        s.add(CaseFile(inspection_id=inspection.id, questionnaire="case_review", case_ref=rows[0]["case_ref"]))
    result = do_import(engine, csv_bytes(rows))
    assert result.checked.registered == 1
    assert row_counts(engine)[:2] == (5, 5)


# --- every bad input is refused, the database unchanged ---------------------------------


@pytest.mark.parametrize("column", ["domestic_abuse_flag", "DOMESTIC_ABUSE_FLAG"])
def test_unknown_column_is_named_with_a_suggestion(engine, rows, column):
    rows[0][column] = "yes"
    (problem,) = refused(engine, csv_bytes(rows))
    assert (problem.code, problem.row, problem.field) == (importing.UNKNOWN_COLUMN, 1, column)
    assert "did you mean 'domestic_abuse'" in problem.message


def test_headers_are_matched_whatever_their_case(engine, rows):
    rows[0]["note:plea"] = "MG5 p.2"
    renamed = {"case_ref": "Case_Ref", "force": "FORCE", "plea": " Plea ", "note:plea": "NOTE:Plea"}
    columns = [renamed.get(c, c) for c in columns_of(rows)]
    data = csv_bytes([{renamed.get(k, k): v for k, v in r.items()} for r in rows], columns)
    assert do_import(engine, data).written == 5
    stored = answers_by_case(engine)[rows[0]["case_ref"]]
    assert stored[0]["force"] == rows[0]["force"] and stored[0]["plea"] == rows[0]["plea"]
    assert stored[1] == {"plea": "MG5 p.2"}


def test_two_headers_naming_one_variable_are_a_duplicate_naming_both(engine, rows):
    for r in rows:
        r["FORCE"] = r["force"]
    (problem,) = refused(engine, csv_bytes(rows))
    assert (problem.code, problem.row, problem.field) == (importing.DUPLICATE_COLUMN, 1, "FORCE")
    first, second = (get_column_letter(columns_of(rows).index(c) + 1) for c in ("force", "FORCE"))
    assert "'force' and 'FORCE'" in problem.message and f"columns {first} and {second}" in problem.message


def test_unknown_code_names_row_column_case_and_the_allowed_codes(engine, rows):
    rows[1]["domestic_abuse"] = "maybe"
    rows[3]["force"] = "durhamm"
    problems = refused(engine, csv_bytes(rows))
    assert where(problems) == {(importing.UNKNOWN_CODE, 3, "domestic_abuse"), (importing.UNKNOWN_CODE, 5, "force")}
    by_field = {p.field: p for p in problems}
    assert "allowed: yes, no" in by_field["domestic_abuse"].message
    assert by_field["domestic_abuse"].item == rows[1]["case_ref"]
    assert "did you mean 'durham'" in by_field["force"].message


def test_an_evidence_note_longer_than_the_app_keeps_is_refused_with_its_row(engine, rows):
    rows[1]["note:plea"] = "x" * (assessments.MAX_NOTE + 1)
    (problem,) = refused(engine, csv_bytes(rows))
    assert (problem.code, problem.row, problem.field) == (importing.BAD_VALUE, 3, "note:plea")
    assert f"at most {assessments.MAX_NOTE:,}" in problem.message


def test_missing_required_answer_names_row_and_column(engine, rows):
    rows[2]["plea"] = ""
    (problem,) = refused(engine, csv_bytes(rows))
    assert (problem.code, problem.row, problem.field) == (importing.MISSING_REQUIRED, 4, "plea")


def test_required_only_when_asked_follows_skip_logic(engine, rows):
    for r in rows:
        r["charged_by"] = "police"
        for name in ("most_appropriate_charge_advised", "mg3_case_analysis", "mg3_action_plan", "mg3_victim_witness"):
            r.pop(name, None)
        r["police_charge_should_have_referred"] = "no"
        r["police_charge_code_applied"] = "yes"
    rows[0]["police_charge_code_applied"] = ""
    (problem,) = refused(engine, csv_bytes(rows))
    assert (problem.code, problem.row, problem.field) == (importing.MISSING_REQUIRED, 2, "police_charge_code_applied")


def test_a_missing_required_column_is_named_once_with_every_row(engine, rows):
    columns = [c for c in columns_of(rows) if c != "victim_care_good_enough"]
    (problem,) = refused(engine, csv_bytes(rows, columns))
    assert (problem.code, problem.field) == (importing.MISSING_COLUMN, "victim_care_good_enough")
    assert "rows 2–6" in problem.message


def test_an_answer_that_skip_logic_makes_irrelevant_is_refused(engine, rows):
    rows[0]["enhanced_risk_assessment"] = "none"
    rows[0]["dash_supplementary_questions"] = "yes"
    (problem,) = refused(engine, csv_bytes(rows))
    assert (problem.code, problem.row, problem.field) == (importing.IRRELEVANT_ANSWER, 2,
                                                          "dash_supplementary_questions")
    assert "enhanced_risk_assessment" in problem.message


def test_a_bad_code_does_not_also_report_the_questions_that_depend_on_it(engine, rows):
    rows[0]["enhanced_risk_assessment"] = "dassh"
    rows[0]["dash_supplementary_questions"] = "yes"
    assert where(refused(engine, csv_bytes(rows))) == {(importing.UNKNOWN_CODE, 2, "enhanced_risk_assessment")}


def test_a_blank_required_answer_does_not_also_report_the_questions_that_depend_on_it(engine, rows):
    rows[0]["enhanced_risk_assessment"] = ""
    rows[0]["dash_supplementary_questions"] = "yes"
    assert where(refused(engine, csv_bytes(rows))) == {(importing.MISSING_REQUIRED, 2, "enhanced_risk_assessment")}


def test_a_misnamed_skip_logic_column_is_named_without_a_cascade_of_irrelevant_answers(engine, rows):
    for r in rows:
        r["enhanced_risk_assessment"], r["dash_supplementary_questions"] = "dash", "yes"
    columns = ["enhanced_risk_asessment" if c == "enhanced_risk_assessment" else c for c in columns_of(rows)]
    data = csv_bytes([{**r, "enhanced_risk_asessment": r["enhanced_risk_assessment"]} for r in rows], columns)
    problems = refused(engine, data)
    assert where(problems) == {(importing.UNKNOWN_COLUMN, 1, "enhanced_risk_asessment"),
                               (importing.MISSING_COLUMN, 1, "enhanced_risk_assessment")}
    assert "did you mean 'enhanced_risk_assessment'" in problems[0].message


def test_without_an_optional_skip_logic_column_a_hidden_answer_is_still_refused(engine, small_form):
    # The file is not refused for its columns, so the absent column counts as blank: the answer
    # is not asked, and would otherwise be dropped without a word.
    data = csv_bytes([{"case_ref": "T-1", "contact_how": "by phone"}])
    (problem,) = refused(engine, data, questionnaire=small_form)
    assert (problem.code, problem.row, problem.field) == (importing.IRRELEVANT_ANSWER, 2, "contact_how")
    assert "the file has no contact column" in problem.message


def test_duplicate_case_ref_in_the_file(engine, rows):
    rows[4]["case_ref"] = rows[1]["case_ref"].lower()
    (problem,) = refused(engine, csv_bytes(rows))
    assert (problem.code, problem.row, problem.field) == (importing.DUPLICATE_CASE_REF, 6, "case_ref")
    assert "row 3" in problem.message


def test_case_ref_already_in_the_database_is_refused(engine, rows):
    do_import(engine, csv_bytes(rows[:2]))
    problems = refused(engine, csv_bytes(rows))
    assert where(problems) == {(importing.CASE_EXISTS, 2, "case_ref"), (importing.CASE_EXISTS, 3, "case_ref")}


@pytest.mark.parametrize("ref", ["Jane Smith", "victim@example.org", "HS 0001", "ABCDEF", ""])
def test_case_ref_that_is_not_pseudonymous_is_refused(engine, rows, ref):
    rows[2]["case_ref"] = ref
    (problem,) = refused(engine, csv_bytes(rows))
    assert (problem.row, problem.field) == (4, "case_ref")
    assert problem.code in (importing.BAD_CASE_REF, importing.MISSING_REQUIRED)


def test_every_bad_row_is_named_not_only_the_first(engine, rows):
    rows[0]["plea"] = "innocent"
    rows[2]["vps_taken"] = ""
    rows[4]["case_ref"] = "Mr Smith"
    problems = refused(engine, csv_bytes(rows))
    assert {p.row for p in problems} == {2, 4, 6}


def test_unnamed_and_duplicate_columns(engine, rows):
    columns = columns_of(rows)
    rows[1][""] = "stray"
    problems = refused(engine, csv_bytes(rows, columns + ["", "plea"]))
    assert where(problems) == {(importing.UNNAMED_COLUMN, 1, f"column {get_column_letter(len(columns) + 1)}"),
                               (importing.DUPLICATE_COLUMN, 1, "plea")}
    assert "rows 3" in next(p.message for p in problems if p.code == importing.UNNAMED_COLUMN)


def test_constraint_integer_and_date_checks(engine):
    q = build("""
| type              | name       | label   | relevant              | required | constraint     | constraint_message |
| begin group       | context    | Context |                       |          |                |                    |
| text              | case_ref   | Ref     |                       | yes      |                |                    |
| select_one charge | charged_by | Charged |                       | yes      |                |                    |
| integer           | days       | Days    |                       |          | ${days} <= 365 | 0 to 365 days      |
| date              | charged_on | On      | ${charged_by} = 'cps' |          |                |                    |
| end group         | context    |         |                       |          |                |                    |
""")
    with db.session_scope(engine) as s:
        inspections.add_questionnaire(s, q, inspections.inspection_by_code(s), actor="test")
    good = [{"case_ref": "T-1", "charged_by": "cps", "days": "12", "charged_on": "2016-05-01"},
            {"case_ref": "T-2", "charged_by": "police", "days": "0"},
            {"case_ref": "T-3", "charged_by": "cps", "charged_on": "01/06/2016"}]
    bad = [{"case_ref": "T-4", "charged_by": "cps", "days": "400"},
           {"case_ref": "T-5", "charged_by": "cps", "days": "1.5"},
           {"case_ref": "T-6", "charged_by": "cps", "charged_on": "next week"}]
    problems = refused(engine, csv_bytes(good + bad), questionnaire="test_form")
    assert where(problems) == {(importing.CONSTRAINT_FAILED, 5, "days"), (importing.BAD_VALUE, 6, "days"),
                               (importing.BAD_VALUE, 7, "charged_on")}
    assert "0 to 365 days" in next(p.message for p in problems if p.row == 5)
    assert do_import(engine, csv_bytes(good), questionnaire="test_form").written == 3
    stored = answers_by_case(engine, "test_form")
    assert stored["T-3"][0]["charged_on"] == "2016-06-01" and stored["T-1"][0]["days"] == "12"


# --- files that cannot be read ------------------------------------------------------------


@pytest.mark.parametrize("data, name, code", [
    (b"", "x.csv", importing.EMPTY_FILE),
    (b"   \r\n", "x.csv", importing.EMPTY_FILE),
    (b"case_ref,force\r\n", "x.csv", importing.EMPTY_FILE),
    (b'case_ref,force\r\nHS-1,"durham\r\nHS-2,durham\r\n', "x.csv", importing.MALFORMED_FILE),
    (b"case_ref,force\x00\x01\x02", "x.csv", importing.MALFORMED_FILE),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "x.xls", importing.UNSUPPORTED_FILE),
    (b"%PDF-1.4", "x.pdf", importing.UNSUPPORTED_FILE),
    (b"case_ref,force\r\nHS-1,durham\r\n", "x.xlsx", "unreadable_file"),
    (b"case_ref,force\r\nHS-1,caf\xc3\xa9 \x81\r\n", "x.csv", importing.BAD_ENCODING),
    (b"case_ref,force\r\nHS-1,\x81\x8d\r\n", "x.csv", importing.BAD_ENCODING),
])
def test_files_that_cannot_be_read_are_refused_clearly(engine, data, name, code):
    (problem,) = refused(engine, data, name)
    assert problem.code == code and problem.source == name


@pytest.mark.parametrize("bad_row, why", [
    (b'HS-0003,"' + b"x" * 200_000 + b'"\r\n', "field larger than field limit"),
    (b'HS-0003,"durham\r\n', "unexpected end of data"),
])
def test_a_malformed_csv_row_is_named_by_its_own_row_number(engine, rows, bad_row, why):
    data = csv_bytes(rows[:2], ["case_ref", "force"]) + bad_row
    (problem,) = refused(engine, data)
    assert (problem.code, problem.row) == (importing.MALFORMED_FILE, 4)  # header row 1, HS-0003 is row 4
    assert why in problem.message


def test_a_workbook_without_a_responses_sheet_names_its_sheets(engine, rows):
    data = xlsx_bytes(rows, sheet="Sheet1", extra_sheets=("Sheet2",))
    (problem,) = refused(engine, data, "x.xlsx")
    assert problem.code == importing.MISSING_SHEET and "Sheet1, Sheet2" in problem.message


def test_a_file_too_large_is_refused_naming_the_limit(engine, rows, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1024 * 1024)
    data = csv_bytes(rows) + b"\r\n" * (1024 * 1024)
    (problem,) = refused(engine, data)
    assert problem.code == importing.FILE_TOO_LARGE and "at most 1 MB" in problem.message
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    with pytest.raises(ProblemError) as err:
        importing.read_path(path)
    assert err.value.problems[0].code == importing.FILE_TOO_LARGE


def test_the_default_size_limit_is_50_mb():
    assert importing.MAX_FILE_BYTES == 50 * 1024 * 1024


def test_a_formula_in_a_workbook_is_never_evaluated(engine, rows):
    rows[0]["domestic_abuse"] = '=IF(1=1,"yes","no")'  # written by openpyxl: no cached value
    (problem,) = refused(engine, xlsx_bytes(rows), "x.xlsx")
    assert (problem.code, problem.row, problem.field) == (importing.UNCALCULATED_FORMULA, 2, "domestic_abuse")
    assert "no calculated value" in problem.message and "save it" in problem.message
    # As Excel saves it, with its result: the result is read, the formula still not evaluated.
    rows[0]["domestic_abuse"] = '=IF(1=1,"no","yes")'
    data = with_cached_value(xlsx_bytes(rows), cell_of(rows, "domestic_abuse", 0), "yes")
    assert do_import(engine, data, "x.xlsx").written == 5
    assert answers_by_case(engine)[rows[0]["case_ref"]][0]["domestic_abuse"] == "yes"


def test_a_formula_whose_result_is_empty_text_is_a_blank_answer(engine, rows):
    rows[0]["domestic_abuse"] = '=IF(1=1,"","no")'
    data = with_cached_value(xlsx_bytes(rows), cell_of(rows, "domestic_abuse", 0), "")
    (problem,) = refused(engine, data, "x.xlsx")
    assert (problem.code, problem.row, problem.field) == (importing.MISSING_REQUIRED, 2, "domestic_abuse")


@pytest.mark.parametrize("column", ["case_ref", "comment", "note:comment", "meta:inspector"])
def test_a_formula_without_a_calculated_value_is_never_read_as_blank(engine, small_form, column):
    rows = [{"case_ref": "T-1", "contact": "no", "comment": "ok"}, {"case_ref": "T-2", "contact": "no"}]
    for r in rows:
        r.setdefault(column, None)
    rows[1][column] = '=CONCAT("a","b")'
    problems = refused(engine, xlsx_bytes(rows), "x.xlsx", questionnaire=small_form)
    assert where(problems) == {(importing.UNCALCULATED_FORMULA, 3, column)}
    assert "'=CONCAT(\"a\",\"b\")'" in problems[0].message


def test_a_formula_in_the_header_row_is_refused(engine, rows):
    data = xlsx_bytes(rows, [*columns_of(rows), '=CONCAT("no","te")'])
    (problem,) = refused(engine, data, "x.xlsx")
    assert (problem.code, problem.row) == (importing.UNCALCULATED_FORMULA, 1)
    assert problem.field == f"column {get_column_letter(len(columns_of(rows)) + 1)}"


def test_a_huge_value_is_quoted_shortened_in_problems(engine, rows):
    rows[0]["force"] = "x" * 32_000
    rows[1]["case_ref"] = "HS-" + "9" * 32_000
    rows[2]["y" * 32_000] = "yes"
    problems = refused(engine, csv_bytes(rows))
    assert all(len(str(p)) < 400 for p in problems)  # no cell echoed in full
    assert where(problems) == {(importing.UNKNOWN_CODE, 2, "force"), (importing.BAD_VALUE, 3, "case_ref"),
                               (importing.UNKNOWN_COLUMN, 1, "y" * importing.QUOTED_CHARS + "…")}
    by_code = {p.code: p for p in problems}
    assert "'" + "x" * importing.QUOTED_CHARS + "…'" in by_code[importing.UNKNOWN_CODE].message
    assert by_code[importing.BAD_VALUE].item == "HS-" + "9" * (importing.QUOTED_CHARS - 3) + "…"


def test_only_leads_and_admins_import(engine, rows):
    before = row_counts(engine)
    with pytest.raises(PermissionDenied):
        do_import(engine, csv_bytes(rows), actor=Actor("inspector1", INSPECTOR))
    assert row_counts(engine) == before


def test_the_write_is_all_or_nothing_even_if_the_store_fails_half_way(engine, rows, monkeypatch):
    from fieldwork.services import store

    calls = []

    def failing(session, **kwargs):
        records = list(kwargs["records"])
        add_complete_assessments(session, **{**kwargs, "records": records[:2]})
        calls.append(1)
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "add_complete_assessments", failing)
    before = row_counts(engine)
    with pytest.raises(RuntimeError):
        do_import(engine, csv_bytes(rows))
    assert calls and row_counts(engine) == before


def test_check_file_writes_nothing(engine, rows):
    before = row_counts(engine)
    with db.session_scope(engine) as s:
        checked = importing.check_file(s, LEAD_USER, "case_review", csv_bytes(rows), "x.csv")
    assert checked.rows == 5 and row_counts(engine) == before


def test_preview_shows_the_first_rows_as_written(rows):
    table = importing.read_table(csv_bytes(rows), "x.csv")
    preview = table.preview(3)
    assert [p["row"] for p in preview] == [2, 3, 4]
    assert preview[0]["case_ref"] == rows[0]["case_ref"]


def test_store_records_are_what_the_check_passed(engine, rows):
    with db.session_scope(engine) as s:
        checked = importing.check(s, "case_review", importing.read_table(csv_bytes(rows), "x.csv"))
    assert all(isinstance(r, CaseRecord) and "case_ref" not in r.answers for r in checked.records)


def test_warnings_do_not_stop_the_import(engine, rows):
    rows[0]["note:plea"] = "Victim's mobile 07700 900123 on the MG11"
    rows[1]["note:plea"] = "Officerâ€™s note on p.3"
    with db.session_scope(engine) as s:
        result = importing.import_file(s, LEAD_USER, "case_review", csv_bytes(rows), "x.csv")
    codes = {(w.code, w.row) for w in result.checked.warnings}
    assert (importing.NOTE_PERSONAL_DATA, 2) in codes and (importing.LOOKS_DOUBLE_ENCODED, None) in codes
    assert result.written == 5
    phone = next(w for w in result.checked.warnings if w.code == importing.NOTE_PERSONAL_DATA)
    assert "07700" not in phone.message  # the warning names the kind of data, never the data


def test_an_inspector_given_as_an_email_is_refused(engine, rows):
    rows[3]["meta:inspector"] = "someone@example.org"
    (problem,) = refused(engine, csv_bytes(rows))
    assert (problem.code, problem.row, problem.field) == (importing.BAD_INSPECTOR, 5, "meta:inspector")
