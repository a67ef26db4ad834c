"""Questionnaires out to XLSForm and back."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from fieldwork.catalog import load_catalog
from fieldwork.cli import main
from fieldwork.problems import ProblemError
from fieldwork.questionnaire.xlsform import export_xlsform, import_xlsform
from tests.forms import build


@pytest.mark.parametrize("qid", ["case_review", "pin_review"])
def test_export_then_import_gives_back_the_same_questionnaire(qid, tmp_path):
    catalog = load_catalog()
    original = catalog.questionnaires[qid]
    path = export_xlsform(original, tmp_path / f"{qid}.xlsx")
    again = import_xlsform(path, frameworks=catalog.frameworks, shared_choices=catalog.codes.as_choice_lists())
    assert again.to_dict() == original.to_dict()
    assert again.content_hash == original.content_hash


def test_exported_form_has_the_xlsform_sheets_and_columns(tmp_path):
    path = export_xlsform(load_catalog().questionnaires["case_review"], tmp_path / "cr.xlsx")
    wb = load_workbook(path)
    assert {"survey", "choices", "settings"} <= set(wb.sheetnames)
    header = [c.value for c in wb["survey"][1]]
    assert header[:7] == ["type", "name", "label", "hint", "required", "relevant", "constraint"]
    assert "criteria" in header
    types = [r[0] for r in wb["survey"].iter_rows(min_row=2, values_only=True)]
    assert "begin group" in types and "end group" in types and "note" in types
    settings = dict(zip([c.value for c in wb["settings"][1]], [c.value for c in wb["settings"][2]]))
    assert settings["form_id"] == "case_review" and settings["version"]


def test_cli_questionnaire_round_trip_and_new_version(tmp_path, db_url, capsys):
    out = tmp_path / "cr.xlsx"
    assert main(["questionnaire", "export", "case_review", str(out), "--db", db_url]) == 0
    # the same file again: same version, same content -> accepted, nothing new
    assert main(["--db", db_url, "questionnaire", "import", str(out)]) == 0
    # change a wording without a new version -> refused
    wb = load_workbook(out)
    ws = wb["survey"]
    for row in ws.iter_rows(min_row=2):
        if row[1].value == "avoidable_delay":
            row[2].value = "Were there avoidable delays (reworded)?"
    wb.save(out)
    assert main(["--db", db_url, "questionnaire", "import", str(out)]) == 1
    assert "new version" in capsys.readouterr().err
    # with a new version number it is accepted and becomes the current one
    wb = load_workbook(out)
    wb["settings"]["B2"] = "2017.3"
    wb.save(out)
    assert main(["--db", db_url, "questionnaire", "import", str(out)]) == 0
    capsys.readouterr()
    assert main(["--db", db_url, "questionnaire", "list"]) == 0
    assert "2017.3" in capsys.readouterr().out


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_text("case_ref,force\n1,2\n")
    catalog = load_catalog()
    with pytest.raises(ProblemError) as err:
        import_xlsform(bad, frameworks=catalog.frameworks, name="x.xlsx")
    assert "not a zip" in str(err.value)


def test_a_constraint_written_with_a_dot_as_odk_and_kobo_forms_do_checks_the_question_itself():
    q = build("""
| type    | name | label::English (en) | constraint           | constraint_message::English (en) |
| integer | days | Days to charge      | . >= 0 and . <= 365  | 0 to 365 days                    |
| text    | ref  | Reference           | . != '.'             |                                  |
| integer | half | A number            | . > 0.5              |                                  |
""")
    assert q.question("days").constraint == "${days} >= 0 and ${days} <= 365"
    assert q.constraint_failures({"days": "400", "ref": ".", "half": "0"}) == ["days", "ref", "half"]
    assert q.constraint_failures({"days": "12", "ref": "HS-1", "half": "1"}) == []
