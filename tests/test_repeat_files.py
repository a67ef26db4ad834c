"""Repeat groups in files (issue 12): ODK Central's zip with its repeat files and KoboToolbox's
xlsx with its repeat sheets, written from the tools' documented layouts
(tests/foreign_exports.py), import unchanged — every entry under its instance path — and a
fault in an entry refuses the whole file, naming the sheet or member, row and column."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from fieldwork import db, startup
from fieldwork.problems import ProblemError
from fieldwork.services import importing, inspections, repeat_files
from models import Answer, Assessment, CaseFile
from tests import foreign_exports as fx
from tests.wide_helpers import LEAD_USER, row_counts
from tests.xlsform_collection import xlsx


def load_form(engine, markdown: str = fx.REPEAT_FORM):
    with db.session_scope(engine) as s:
        inspection = inspections.inspection_by_code(s, None)
        inspections.add_xlsform(s, xlsx(markdown), inspection, actor="test", name="pins.xlsx")


def import_bytes(engine, data: bytes, name: str):
    with db.session_scope(engine) as s:
        return importing.import_file(s, LEAD_USER, fx.REPEAT_QUESTIONNAIRE, data, name)


def stored_entries(engine) -> dict[str, dict[str, dict[str, str]]]:
    """case_ref -> instance path -> question -> value, as the database holds them."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    with db.session_scope(engine) as s:
        rows = s.execute(select(CaseFile.case_ref, Answer.instance, Answer.question, Answer.value)
                         .join(Assessment, Assessment.case_id == CaseFile.id)
                         .join(Answer, Answer.assessment_id == Assessment.id)
                         .where(CaseFile.questionnaire == fx.REPEAT_QUESTIONNAIRE, Answer.instance != "")).all()
    for ref, instance, question, value in rows:
        out.setdefault(ref, {}).setdefault(instance, {})[question] = value
    return out


def assert_stored_as_collected(engine, subs: list[dict]) -> None:
    stored = stored_entries(engine)
    for s in subs:
        assert stored.get(s["uuid"], {}) == fx.entries_of(s), s["uuid"]


def test_odk_centrals_zip_with_repeat_files_imports_every_entry_unchanged(engine):
    load_form(engine)
    subs = fx.repeat_submissions(30)
    result = import_bytes(engine, fx.odk_repeat_zip(subs), "pins.zip")
    assert result.written == 30
    assert result.checked.entries.entries == {
        "pin": sum(len(s["pin"]) for s in subs), "incident": sum(len(s["incident"]) for s in subs),
        "contact": sum(len(i["contact"]) for s in subs for i in s["incident"])}
    assert result.checked.entries.tables == {"pin": "pins-pin.csv", "incident": "pins-incident.csv",
                                             "contact": "pins-contact.csv"}
    assert_stored_as_collected(engine, subs)
    assert any(s["incident"] and s["incident"][-1]["contact"] for s in subs)  # nested entries were tried


def test_odk_centrals_review_state_is_kept_with_the_case(engine):
    load_form(engine)
    subs = fx.repeat_submissions(12)
    result = import_bytes(engine, fx.odk_repeat_zip(subs), "pins.zip")
    assert result.checked.layout.kept["review_state"] == "ReviewState"
    with db.session_scope(engine) as s:
        kept = dict(s.execute(select(CaseFile.case_ref, CaseFile.source_review_state)).all())
    assert kept == {x["uuid"]: x["review"] for x in subs}
    from fieldwork.services import cases

    with db.session_scope(engine) as s:  # and shown in the register
        rows = {r.case_ref: r.review_state for r in cases.register(s, LEAD_USER).rows}
    assert rows == {x["uuid"]: x["review"] for x in subs}


def test_kobo_xlsx_with_repeat_sheets_imports_every_entry_unchanged(engine):
    load_form(engine)
    subs = fx.repeat_submissions(30, seed=4)
    result = import_bytes(engine, fx.kobo_repeat_xlsx(subs), "pins.xlsx")
    assert result.written == 30
    assert result.checked.entries.tables == {"pin": "pin", "incident": "incident", "contact": "contact"}
    assert "_submission__uuid" in result.checked.entries.ignored["pin"]
    assert_stored_as_collected(engine, subs)


def test_a_fault_in_an_entry_refuses_the_whole_file_naming_the_member_row_and_column(engine):
    load_form(engine)
    subs = fx.repeat_submissions(10, seed=3)
    target = next(s for s in subs if len(s["pin"]) >= 2)
    target["pin"][1]["pin_served"] = "by_pigeon"
    before = row_counts(engine)
    with pytest.raises(ProblemError) as err:
        import_bytes(engine, fx.odk_repeat_zip(subs), "pins.zip")
    (problem,) = err.value.problems
    assert problem.code == importing.UNKNOWN_CODE and problem.field == "pin_served"
    assert problem.source == "pins.zip [pins-pin.csv]"
    row = 2 + [(s["uuid"], n) for s in subs for n in range(len(s["pin"]))].index((target["uuid"], 1))
    assert problem.row == row
    assert row_counts(engine) == before


def test_an_entry_linked_to_no_case_and_an_answer_its_skip_logic_hides_are_refused(engine):
    load_form(engine)
    subs = fx.repeat_submissions(10, seed=3)
    incident = next(i for s in subs for i in s["incident"] if i["kind"] != "threat")
    owner = next(s for s in subs if incident in s["incident"])
    incident["contact"] = [{"contact_made": "yes"}]  # asked only after a threat
    data = fx.kobo_repeat_xlsx(subs)
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    wb["pin"].append(["2023-02-02", "by_post", "no", 999, wb.worksheets[0].title, 77])  # no case has _index 77
    buf = io.BytesIO()
    wb.save(buf)
    before = row_counts(engine)
    with pytest.raises(ProblemError) as err:
        import_bytes(engine, buf.getvalue(), "pins.xlsx")
    found = {(p.code, p.source, p.field) for p in err.value.problems}
    assert (repeat_files.NO_PARENT, "pins.xlsx [pin]", "_parent_index") in found
    assert ("irrelevant_answer", "pins.xlsx [contact]", "incident/contact/contact_made") in found
    assert len(err.value.problems) == 2 and owner["uuid"]
    assert row_counts(engine) == before


def test_a_repeat_file_the_form_does_not_have_is_refused_by_name(engine):
    load_form(engine)
    subs = fx.repeat_submissions(4)
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(fx.odk_repeat_zip(subs))) as src, zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
        out.writestr("pins-hearing.csv", b"hearing_date,PARENT_KEY,KEY\r\n")
    with pytest.raises(ProblemError) as err:
        import_bytes(engine, buf.getvalue(), "pins.zip")
    (problem,) = err.value.problems
    assert problem.code == repeat_files.UNKNOWN_REPEAT and "pins-hearing.csv" in problem.message


def test_the_questionnaire_command_adds_a_form_with_repeats(engine, db_url, tmp_path, capsys):
    from fieldwork.cli import main

    path = tmp_path / "pins.xlsx"
    path.write_bytes(xlsx(fx.REPEAT_FORM))
    assert main(["questionnaire", "import", str(path), "--db", db_url]) == 0
    assert "Repeat groups: pin, incident, incident/contact" in capsys.readouterr().out
    with db.session_scope(engine) as s:
        q = inspections.questionnaire_of(inspections.current_version(s, fx.REPEAT_QUESTIONNAIRE))
    assert [(r.name, r.parent) for r in q.repeats] == [("pin", ""), ("incident", ""), ("contact", "incident")]


def all_answers(engine) -> dict[str, dict[str, dict[str, str]]]:
    """case_ref -> instance path ("" for the case's own) -> question -> value."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    with db.session_scope(engine) as s:
        rows = s.execute(select(CaseFile.case_ref, Answer.instance, Answer.question, Answer.value)
                         .join(Assessment, Assessment.case_id == CaseFile.id)
                         .join(Answer, Answer.assessment_id == Assessment.id)
                         .where(CaseFile.questionnaire == fx.REPEAT_QUESTIONNAIRE)).all()
    for ref, instance, question, value in rows:
        if value is not None and question not in ("start", "end"):
            out.setdefault(ref, {}).setdefault(instance, {})[question] = value
    return out


@pytest.mark.parametrize("how", ["csv", "xlsx", "odk", "kobo"])
def test_export_then_import_gives_identical_answers_entries_included(engine, tmp_path, how):
    from exports import exporting
    from fieldwork.services import accounts, findings
    from fieldwork.services.permissions import command_line_actor
    from tests.conftest import new_database_url

    load_form(engine)
    subs = fx.repeat_submissions(30, seed=9)
    import_bytes(engine, fx.odk_repeat_zip(subs), "pins.zip")
    with db.session_scope(engine) as s:
        data = (exporting.export_csv(s, LEAD_USER, fx.REPEAT_QUESTIONNAIRE) if how == "csv"
                else exporting.export_workbook(s, LEAD_USER, fx.REPEAT_QUESTIONNAIRE) if how == "xlsx"
                else exporting.export_layout(s, LEAD_USER, fx.REPEAT_QUESTIONNAIRE, how))
    if how == "csv":  # the cases' file and a file per repeat group, named as ODK Central names them
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert sorted(zf.namelist()) == ["pins-contact.csv", "pins-incident.csv", "pins-pin.csv", "pins.csv"]
            assert zf.read("pins-pin.csv").decode().splitlines()[0] == (
                "case_ref,pin_date,pin_served,pin_recorded,_index,_parent_table_name,_parent_index")
    elif how == "odk":  # KEY and PARENT_KEY as ODK Central writes them
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            lines = zf.read("pins-contact.csv").decode().splitlines()
        assert lines[0] == "contact_made,PARENT_KEY,KEY"
        assert lines[1].split(",")[2] == lines[1].split(",")[1] + "/" + lines[1].split(",")[2].rsplit("/", 1)[1]
        assert "/incident[" in lines[1] and "/contact[" in lines[1].split(",")[2]
    else:
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(data), read_only=True)
        assert {"pin", "incident", "contact"} <= set(wb.sheetnames)
        if how == "kobo":
            assert [c.value for c in next(wb["contact"].iter_rows(max_row=1))][:4] == [
                "incident/contact/contact_made", "_index", "_parent_table_name", "_parent_index"]
    other = startup.open_engine(new_database_url(tmp_path, "again", prepared=True))
    load_form(other)
    with db.session_scope(other) as s:  # meta:inspector must name an account there too
        accounts.add_user(s, command_line_actor(), LEAD_USER.name, LEAD_USER.role, "a long enough password 1")
    result = import_bytes(other, data, f"again.{'zip' if how in ('csv', 'odk') else 'xlsx'}")
    assert result.written == 30
    assert all_answers(other) == all_answers(engine)
    for by in (None, "force"):
        with db.session_scope(engine) as s, db.session_scope(other) as t:
            assert (findings.compute(t, fx.REPEAT_QUESTIONNAIRE, by=by).to_contract()
                    == findings.compute(s, fx.REPEAT_QUESTIONNAIRE, by=by).to_contract())


def test_the_export_command_writes_a_zip_for_a_form_with_repeats(engine, db_url, tmp_path, capsys):
    from fieldwork.cli import main

    load_form(engine)
    import_bytes(engine, fx.odk_repeat_zip(fx.repeat_submissions(5)), "pins.zip")
    assert main(["export", fx.REPEAT_QUESTIONNAIRE, str(tmp_path / "pins.csv"), "--db", db_url]) == 0
    assert zipfile.is_zipfile(tmp_path / "pins.zip") and "pins.zip" in capsys.readouterr().out


def test_the_import_page_reads_the_zip_and_says_how_many_entries(engine, db_url, monkeypatch):
    from fieldwork.ui import session
    from tests.apptest import page

    load_form(engine)
    subs = fx.repeat_submissions(6, seed=5)
    at = page("pages/import_data.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.selectbox(key="import_questionnaire").set_value(fx.REPEAT_QUESTIONNAIRE).run()
    at.file_uploader[0].set_value(("pins.zip", fx.odk_repeat_zip(subs), "application/zip")).run()
    assert not at.exception
    summary = " ".join(i.value for i in at.info)
    pins = sum(len(s["pin"]) for s in subs)
    assert f"pin: {pins} entr" in summary and "from pins-pin.csv" in summary
    at.button(key="import_confirm").click().run()
    assert not at.exception
    assert_stored_as_collected(engine, subs)


def test_a_single_csv_for_a_form_with_repeats_imports_its_cases_and_says_the_entries_are_missing(engine):
    load_form(engine)
    subs = fx.repeat_submissions(5)
    with zipfile.ZipFile(io.BytesIO(fx.odk_repeat_zip(subs))) as zf:
        main = zf.read("pins.csv")
    result = import_bytes(engine, main, "pins.csv")
    assert result.written == 5
    (warning,) = [w for w in result.checked.warnings if w.code == repeat_files.NO_ENTRIES]
    assert "pin, incident, contact" in warning.message and "xlsx" in warning.message
    assert stored_entries(engine) == {}


def test_a_repeat_file_with_no_entries_is_a_header_alone_and_imports(engine):
    load_form(engine)
    subs = fx.repeat_submissions(4, seed=1)
    for s in subs:
        s["pin"] = []  # ODK Central writes pins-pin.csv with its header only
    result = import_bytes(engine, fx.odk_repeat_zip(subs), "pins.zip")
    assert result.written == 4 and result.checked.entries.entries["pin"] == 0
    assert_stored_as_collected(engine, subs)


def test_an_entry_with_no_answer_is_kept_counted_and_exported(engine, tmp_path):
    """The app's Add writes a blank row: such an entry exists, counts, and survives a round trip."""
    from exports import exporting
    from fieldwork.services import accounts, findings
    from fieldwork.services.permissions import command_line_actor
    from tests.conftest import new_database_url

    load_form(engine)
    subs = fx.repeat_submissions(6, seed=2)
    subs[0]["pin"] = [{"pin_date": "2023-03-03"}, {}]  # the second PIN with nothing answered but its row
    data = fx.odk_repeat_zip(subs)
    # pin_date is required: a blank PIN is refused from a file, as Mark complete refuses it in the app
    with pytest.raises(ProblemError) as err:
        import_bytes(engine, data, "pins.zip")
    assert {(p.code, p.field) for p in err.value.problems} == {("missing_required", "pin_date")}
    with db.session_scope(engine) as s:  # so write it as the app leaves it: a blank row
        from fieldwork.services import store

        version = inspections.current_version(s, fx.REPEAT_QUESTIONNAIRE)
        store.add_complete_assessments(s, inspection_id=1, version=version, created_by="lead1", records=[
            store.CaseRecord("HS-0001", {"force": "kent", "charged": "no"},
                             entries={"pin[1]": {"pin_date": "2023-01-01"}, "pin[2]": {"pin_date": None}})])
    with db.session_scope(engine) as s:
        line = findings.compute(s, fx.REPEAT_QUESTIONNAIRE).get("pin", None)
        assert (line.count, line.entries) == (1, 2)
        exported = exporting.export_workbook(s, LEAD_USER, fx.REPEAT_QUESTIONNAIRE)
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(exported), read_only=True)["pin"].iter_rows(values_only=True))
    assert len(rows) == 3 and rows[2][0] == "HS-0001" and rows[2][1] in (None, "")


@pytest.mark.parametrize("fmt,suffix", [("csv", ".zip"), ("odk", ".zip"), ("kobo", ".xlsx")])
def test_the_export_page_offers_the_zip_or_kobos_xlsx_for_a_form_with_repeats(engine, db_url, monkeypatch, fmt,
                                                                             suffix):
    from fieldwork.ui import session
    from tests.apptest import page

    load_form(engine)
    import_bytes(engine, fx.odk_repeat_zip(fx.repeat_submissions(4)), "pins.zip")
    at = page("pages/export.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.selectbox(key="export_questionnaire").set_value(fx.REPEAT_QUESTIONNAIRE).run()
    at.radio(key="export_format").set_value(fmt).run()
    at.button(key="export_prepare").click().run()
    assert not at.exception
    assert at.session_state["export_prepared"]["name"].endswith(suffix)
