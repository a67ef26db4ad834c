"""``fieldwork sample frame import|list``, ``draw``, ``exclude``, ``report``: the page's
services from the command line; a refusal prints every problem and writes nothing."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from fieldwork import db
from fieldwork.cli import main
from fieldwork.services.permissions import INSPECTOR
from models import CaseFile, SampleFrame
from tests.sampling_helpers import add_users, frame_csv, frame_rows

TWO_FORCES = {"durham": 60, "greater_manchester": 140}


def run(capsys, db_url, *argv) -> tuple[int, str, str]:
    code = main(["--db", db_url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_lead_imports_draws_excludes_and_reports_from_the_command_line(engine, db_url, tmp_path, capsys):
    with db.session_scope(engine) as s:
        add_users(s, ("inspector1", INSPECTOR))
    path = tmp_path / "frame.csv"
    path.write_bytes(frame_csv(frame_rows(TWO_FORCES)))
    code, out, _ = run(capsys, db_url, "sample", "frame", "import", str(path), "--dry-run")
    assert code == 0 and "'Plea' -> plea" in out and "Dry run" in out
    with db.session_scope(engine) as s:
        assert s.execute(select(func.count()).select_from(SampleFrame)).scalar() == 0
    code, out, _ = run(capsys, db_url, "sample", "frame", "import", str(path), "--map", "Finalised=")
    assert code == 0 and "200 case(s) imported into 2 frame(s)" in out and "(left out)" in out

    argv = ["sample", "draw", "--seed", "2016", "--strata", "plea,domestic_abuse", "--allocation", "equal",
            "--inspector", "inspector1", "--format", "json"]
    code, out, _ = run(capsys, db_url, *argv, "--dry-run")
    dry = json.loads(out)
    assert code == 0 and not dry["written"] and [f["target"] for f in dry["forces"]] == [16, 32]
    code, out, _ = run(capsys, db_url, *argv)
    drawn = json.loads(out)
    assert code == 0 and drawn["written"] and drawn["forces"] == dry["forces"]
    code, _, err = run(capsys, db_url, *argv)
    assert code == 1 and "already_drawn" not in err and "every case_review frame has been drawn" in err

    stratum = drawn["forces"][0]["strata"][0]
    gone, reserve = stratum["drawn"][0], stratum["reserves"][0]
    code, out, _ = run(capsys, db_url, "sample", "exclude", gone, "--reason", "wrong_offence")
    assert code == 0 and f"{reserve}, the next reserve" in out
    with db.session_scope(engine) as s:
        assert s.execute(select(func.count()).select_from(CaseFile)).scalar() == 49  # the excluded one kept

    code, out, _ = run(capsys, db_url, "sample", "cases", "--format", "csv")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 1 + 48 + 1 and f"{reserve},durham," in out
    assert lines[-1].startswith(f"{gone},durham,") and lines[-1].endswith(f",excluded,,wrong_offence,{reserve}")
    code, out, _ = run(capsys, db_url, "sample", "report")
    assert code == 0 and "durham (seed 2016, equal, strata plea × domestic_abuse): frame 60, target 16" in out
    assert "excluded 1 (wrong offence 1), replaced 1" in out
    code, out, _ = run(capsys, db_url, "sample", "report", "--format", "json", "--weight", "plea")
    rep = json.loads(out)
    assert [(f["force"], f["target"], f["in_sample"]) for f in rep["forces"]] == \
        [("durham", 16, 16), ("greater_manchester", 32, 32)]
    assert {w["code"] for w in rep["weighted"]} == {"guilty", "not_guilty"}


def test_a_bad_frame_is_refused_on_the_command_line_with_rows_named(db_url, engine, tmp_path, capsys):
    rows = frame_rows({"durham": 3})
    rows[1]["Case reference"] = "a.person@example.org"
    path = tmp_path / "bad.csv"
    path.write_bytes(frame_csv(rows))
    code, _, err = run(capsys, db_url, "sample", "frame", "import", str(path))
    assert code == 1 and "bad.csv: row 3: column 'Case reference': case reference: looks like an email" in err
    code, _, err = run(capsys, db_url, "sample", "draw", "--seed", "1", "--inspector", "inspector1")
    assert code == 1 and "there is no case_review sampling frame" in err


def test_the_workbook_carries_a_sample_sheet_once_there_is_a_frame(engine, db_url, tmp_path, capsys):
    from openpyxl import load_workbook

    out = tmp_path / "plain.xlsx"
    assert run(capsys, db_url, "export", "case_review", str(out))[0] == 0
    assert "sample" not in load_workbook(out, read_only=True).sheetnames
    with db.session_scope(engine) as s:
        add_users(s, ("inspector1", INSPECTOR))
    path = tmp_path / "frame.csv"
    path.write_bytes(frame_csv(frame_rows({**TWO_FORCES, "gwent": 20})))
    assert run(capsys, db_url, "sample", "frame", "import", str(path))[0] == 0
    assert run(capsys, db_url, "sample", "draw", "--seed", "5", "--strata", "plea", "--force", "durham",
               "--target", "10", "--inspector", "inspector1")[0] == 0
    out = tmp_path / "with_sample.xlsx"
    assert run(capsys, db_url, "export", "case_review", str(out))[0] == 0
    wb = load_workbook(out, read_only=True)
    rows = list(wb["sample"].iter_rows(values_only=True))
    assert rows[0][:5] == ("force", "stratum", "frame", "target", "drawn")
    durham = [r for r in rows[1:] if r[0] == "durham"]
    assert sum(r[3] for r in durham) == 10 and sum(r[2] for r in durham) == 60 and len(durham) == 2
    assert [r[:4] for r in rows[1:] if r[0] == "gwent"] == [("gwent", "(not drawn yet)", 20, 16)]
    cover = {r[0]: r[1] for r in wb["cover"].iter_rows(values_only=True) if len(r) > 1 and r[0]}
    assert "durham: seed 5, proportional, strata plea" in cover["Sample"]
