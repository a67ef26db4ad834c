"""``fieldwork import`` and ``fieldwork export`` (contract section 8): exit 0 on success,
non-zero with every problem on stderr."""

from __future__ import annotations

from openpyxl import load_workbook

from fieldwork import db
from fieldwork.cli import main
from tests.wide_helpers import case_review_rows, csv_bytes, row_counts


def test_import_then_export_workbook_and_csv(engine, db_url, tmp_path, capsys):
    with db.session_scope(engine) as s:
        rows = case_review_rows(s, 4)
    src = tmp_path / "cases.csv"
    src.write_bytes(csv_bytes(rows))
    assert main(["import", "case_review", str(src), "--db", db_url]) == 0
    assert "imported 4 complete case_review assessments" in capsys.readouterr().out
    assert row_counts(engine)[1] == 4

    out = tmp_path / "out.xlsx"
    assert main(["--db", db_url, "export", "case_review", str(out)]) == 0
    assert "without evidence notes" in capsys.readouterr().out
    assert load_workbook(out)["responses"].max_row == 5

    out_csv = tmp_path / "out.csv"
    assert main(["export", "case_review", str(out_csv), "--labels", "--with-notes", "--db", db_url]) == 0
    header = out_csv.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("case_ref,force,") and "note:force" in header


def test_a_bad_file_exits_non_zero_with_every_problem_on_stderr(engine, db_url, tmp_path, capsys):
    with db.session_scope(engine) as s:
        rows = case_review_rows(s, 4)
    rows[0]["plea"] = "innocent"
    rows[3]["force"] = ""
    src = tmp_path / "cases.csv"
    src.write_bytes(csv_bytes(rows))
    before = row_counts(engine)
    assert main(["import", "case_review", str(src), "--db", db_url]) == 1
    err = capsys.readouterr().err
    assert "nothing was imported" in err
    assert "row 2" in err and "'plea'" in err and "row 5" in err and "'force'" in err
    assert row_counts(engine) == before


def test_dry_run_checks_and_writes_nothing(engine, db_url, tmp_path, capsys):
    with db.session_scope(engine) as s:
        rows = case_review_rows(s, 2)
    src = tmp_path / "cases.csv"
    src.write_bytes(csv_bytes(rows))
    assert main(["import", "case_review", str(src), "--dry-run", "--db", db_url]) == 0
    assert "2 rows pass" in capsys.readouterr().out
    assert row_counts(engine) == (0, 0, 0)


def test_missing_file_unknown_questionnaire_and_bad_output_name(engine, db_url, tmp_path, capsys):
    assert main(["import", "case_review", str(tmp_path / "nope.csv"), "--db", db_url]) == 1
    assert "no such file" in capsys.readouterr().err
    src = tmp_path / "x.csv"
    src.write_bytes(b"case_ref\r\nHS-1\r\n")
    assert main(["import", "no_such_form", str(src), "--db", db_url]) == 1
    assert "no questionnaire 'no_such_form'" in capsys.readouterr().err
    assert main(["export", "case_review", str(tmp_path / "out.pdf"), "--db", db_url]) == 1
    assert ".xlsx" in capsys.readouterr().err
