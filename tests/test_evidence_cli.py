"""``fieldwork evidence add|list|import|export`` and ``fieldwork judgements list|export``."""

from __future__ import annotations

import csv
import io
import json

from sqlmodel import func, select

from fieldwork import db
from fieldwork.cli import main
from fieldwork.services import evidence, judgements
from models import EvidenceItem
from tests.evidence_helpers import LEAD1


def run(capsys, db_url, *argv) -> tuple[int, str, str]:
    code = main(["--db", db_url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_add_list_and_export_evidence(capsys, engine, db_url, tmp_path):
    code, out, err = run(capsys, db_url, "evidence", "add", "--kind", "interview", "--date", "2016-11-08",
                         "--force", "durham", "--source", "force stalking SPOC", "--criteria", "1.5",
                         "--excerpt", "1.5:strength:The SPOC reviews every report",
                         "--excerpt", "3.1:area_for_improvement:Risk forms often blank")
    assert code == 0, err
    assert "added EV-0001 (interview, durham) with 2 excerpt(s)" in out
    code, out, _ = run(capsys, db_url, "evidence", "list", "--criterion", "3.1", "--format", "json")
    items = json.loads(out)
    assert len(items) == 1 and [e["code"] for e in items[0]["excerpts"]] == ["strength", "area_for_improvement"]
    target = tmp_path / "evidence.csv"
    code, out, _ = run(capsys, db_url, "evidence", "export", str(target))
    assert code == 0 and len(list(csv.DictReader(io.StringIO(target.read_text())))) == 2


def test_add_refuses_a_named_source_and_a_bad_excerpt_writing_nothing(capsys, engine, db_url):
    code, _, err = run(capsys, db_url, "evidence", "add", "--kind", "interview", "--date", "2016-11-08",
                       "--force", "durham", "--source", "Mr Jones", "--excerpt", "3.1:praise:good")
    assert code == 1
    assert "source looks as if it holds a person's name" in err and "'praise' is not a code" in err
    with db.session_scope(engine) as s:
        assert s.exec(select(func.count()).select_from(EvidenceItem)).one() == 0


def test_import_names_bad_rows_and_dry_run_writes_nothing(capsys, engine, db_url, tmp_path):
    good = tmp_path / "notes.csv"
    good.write_text("evidence_ref,kind,date,force,source,excerpt_criterion,excerpt_code,excerpt_text\n"
                    "F-1,focus_group,2016-11-09,gwent,focus group: six response officers,2.1,risk,Not recognised\n"
                    "F-1,,,,,2.3,strength,DA links understood\n")
    code, out, _ = run(capsys, db_url, "evidence", "import", str(good), "--dry-run")
    assert code == 0 and "would import 1 evidence item(s) with 2 excerpt(s)" in out
    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text().replace("2.3,strength", "2.3,great"))
    code, _, err = run(capsys, db_url, "evidence", "import", str(bad))
    assert code == 1 and "bad.csv: row 3" in err and "column 'excerpt_code'" in err
    with db.session_scope(engine) as s:
        assert s.exec(select(func.count()).select_from(EvidenceItem)).one() == 0
    code, out, _ = run(capsys, db_url, "evidence", "import", str(good))
    assert code == 0 and "imported 1 evidence item(s)" in out


def test_judgements_list_and_export(capsys, engine, db_url, tmp_path):
    with db.session_scope(engine) as s:
        item, _ = evidence.add_evidence(s, LEAD1, evidence.EvidenceInput(
            kind="interview", held_on="2016-11-08", force="durham", source="force stalking SPOC", criteria=["1.5"]))
        judgements.judge(s, LEAD1, unit_type="force", unit="durham", criterion="1.5", grade="met", rationale="r",
                         evidence=[item.uid])
    code, out, _ = run(capsys, db_url, "judgements", "list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows == [{"force": "durham", "criterion": "1.5", "grade": "met", "kinds": "interview", "marks": "thin",
                     "judged_by": "lead1", "judged_at": rows[0]["judged_at"]}]
    target = tmp_path / "grid.json"
    assert run(capsys, db_url, "judgements", "export", str(target))[0] == 0
    cells = json.loads(target.read_text())["cells"]
    assert len(cells) == 6 * 26
    code, _, err = run(capsys, db_url, "judgements", "export", str(tmp_path / "grid.txt"))
    assert code == 1 and ".csv or .json" in err


def test_judgements_conflicts_lists_what_a_merge_kept(capsys, engine, db_url):
    import json as _json

    from models import EvidenceConflict

    code, out, _ = run(capsys, db_url, "judgements", "conflicts")
    assert code == 0 and "No unresolved" in out
    with db.session_scope(engine) as s:
        j, _ = judgements.judge(s, LEAD1, unit_type="force", unit="durham", criterion="3.1", grade="met",
                                rationale="here")
        s.add(EvidenceConflict(inspection_id=j.inspection_id, kind="judgement", uid="b" * 32, local_uid=j.uid,
                               revision="c" * 32, content=_json.dumps({"unit": "durham", "criterion": "3.1",
                                                                        "grade": "not_met", "judged_by": "lead2"})))
    code, out, _ = run(capsys, db_url, "judgements", "conflicts")
    assert "judgement durham 3.1: here met by lead1; the bundle not_met by lead2" in out
