"""The Import and Export pages, driven through AppTest as a lead inspector."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from fieldwork import db
from fieldwork.ui import session
from tests.apptest import page
from tests.wide_helpers import answers_by_case, case_review_rows, csv_bytes, row_counts

IMPORT, EXPORT = "pages/import_data.py", "pages/export.py"


def lead_page(path, db_url, monkeypatch):
    return page(path, db_url, monkeypatch, user="lead1", role=session.LEAD).run()


def frame(at, column: str):
    """The table on the page that has this column (preview: case_ref; problems: problem)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def rows(engine, n=3):
    with db.session_scope(engine) as s:
        return case_review_rows(s, n)


def test_import_previews_then_imports_on_confirm(engine, db_url, monkeypatch):
    data = rows(engine)
    at = lead_page(IMPORT, db_url, monkeypatch)
    assert not at.exception and not at.button
    at.file_uploader[0].set_value(("week1.csv", csv_bytes(data), "text/csv")).run()
    assert not at.exception
    preview = frame(at, "case_ref")
    assert list(preview["case_ref"]) == [r["case_ref"] for r in data] and list(preview["row"]) == [2, 3, 4]
    assert row_counts(engine) == (0, 0, 0)  # nothing written before the confirmation
    assert "All 3 rows pass" in at.success[0].value
    at.button(key="import_confirm").click().run()
    assert not at.exception
    assert "Imported 3 complete case_review assessments from week1.csv" in at.success[0].value
    assert set(answers_by_case(engine)) == {r["case_ref"] for r in data}
    assert at.file_uploader[0].value in (None, [])  # ready for the next file


def test_import_shows_every_problem_in_a_table_and_offers_no_confirmation(engine, db_url, monkeypatch):
    data = rows(engine, 4)
    data[0]["plea"] = "innocent"
    data[2]["case_ref"] = "Jane Smith"
    at = lead_page(IMPORT, db_url, monkeypatch)
    at.file_uploader[0].set_value(("bad.csv", csv_bytes(data), "text/csv")).run()
    assert not at.exception
    problems = frame(at, "problem")
    assert sorted(problems["row"]) == [2, 4]
    assert set(problems["column"]) == {"plea", "case_ref"}
    assert "nothing was imported" in at.error[0].value
    assert not [b for b in at.button if b.key == "import_confirm"]
    assert row_counts(engine) == (0, 0, 0)


def test_import_of_a_file_that_cannot_be_read(engine, db_url, monkeypatch):
    at = lead_page(IMPORT, db_url, monkeypatch)
    at.file_uploader[0].set_value(("empty.csv", b"", "text/csv")).run()
    assert not at.exception
    assert frame(at, "problem")["code"].tolist() == ["empty_file"]


def test_export_prepares_a_workbook_without_notes_by_default(engine, db_url, monkeypatch):
    data = rows(engine)
    at = lead_page(IMPORT, db_url, monkeypatch)
    at.file_uploader[0].set_value(("week1.csv", csv_bytes(data), "text/csv")).run()
    at.button(key="import_confirm").click().run()

    at = lead_page(EXPORT, db_url, monkeypatch)
    assert not at.exception
    assert at.checkbox(key="export_notes").value is False
    assert "3 complete assessment(s) to export" in " ".join(c.value for c in at.caption)
    at.button(key="export_prepare").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("living_in_fear_2017_case_review_")
    download = at.get("download_button")[0]
    assert download.proto.label.startswith("Download living_in_fear_2017_case_review_")
    prepared = at.session_state["export_prepared"]
    wb = load_workbook(io.BytesIO(prepared["data"]))
    assert wb["responses"].max_row == 4 and "note:plea" not in [c.value for c in wb["responses"][1]]


def test_export_csv_in_labels_with_notes_warns(engine, db_url, monkeypatch):
    at = lead_page(EXPORT, db_url, monkeypatch)
    at.radio(key="export_format").set_value("csv_labels").run()
    at.checkbox(key="export_notes").check().run()
    assert any("evidence notes" in w.value for w in at.warning)
    at.button(key="export_prepare").click().run()
    prepared = at.session_state["export_prepared"]
    assert prepared["name"].endswith(".csv") and "_labels_with_notes_" in prepared["name"]
    assert prepared["data"].startswith(b"case_ref,")
