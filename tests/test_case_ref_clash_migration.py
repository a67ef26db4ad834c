"""A database made before references were unique whatever their letter case may hold RC-1 and
rc-1: the migration that makes the folded unique index refuses with a message naming both and
the command to rename one (never a raw IntegrityError), changes nothing, and goes through once
one is renamed."""

from __future__ import annotations

from sqlalchemy import text

from fieldwork import cli, db
from fieldwork.problems import ProblemError
from tests.db_snapshot import snapshot


def _old_database(engine) -> None:
    """Two cases differing only in case, as an older version could store them."""
    from sqlmodel import Session

    from models import CaseFile

    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ux_case_file_ref_folded"))
        insp_id = conn.execute(text("SELECT id FROM inspection ORDER BY id")).scalars().first()
    with Session(engine) as s:  # the model's defaults fill every other column
        for ref in ("RC-1", "rc-1", "HS-0002"):
            s.add(CaseFile(inspection_id=insp_id, questionnaire="case_review", case_ref=ref, created_by="inspector1"))
        s.commit()


def test_migrating_refuses_with_the_clashing_references_and_the_command(engine, db_url, capsys):
    _old_database(engine)
    before = snapshot(engine)
    try:
        db.prepare(engine)
    except ProblemError as exc:
        message = str(exc.problems[0])
    else:
        raise AssertionError("the migration went through over RC-1 and rc-1")
    assert "RC-1 and rc-1 differ only in letter case" in message
    assert "fieldwork case rename rc-1 NEW-REF --questionnaire case_review" in message
    assert "IntegrityError" not in message
    assert snapshot(engine) == before

    db.dispose_all()
    assert cli.main(["--db", db_url, "init"]) == 1  # the command line says the same, no traceback
    err = capsys.readouterr().err
    assert "RC-1 and rc-1 differ only in letter case" in err and "Traceback" not in err


def test_renaming_one_lets_the_migration_finish(engine, db_url, capsys):
    _old_database(engine)
    db.dispose_all()
    assert cli.main(["--db", db_url, "case", "rename", "rc-1", "Jane.Smith.1984"]) == 1  # still a person's name
    assert "new case reference" in capsys.readouterr().err
    assert cli.main(["--db", db_url, "case", "rename", "rc-1", "RC-2", "--questionnaire", "case_review"]) == 0
    assert "rc-1 is now RC-2" in capsys.readouterr().out
    db.dispose_all()
    assert cli.main(["--db", db_url, "init"]) == 0
    engine = db.get_engine(db_url)
    with engine.connect() as conn:
        refs = conn.execute(text("SELECT case_ref FROM case_file ORDER BY case_ref")).scalars().all()
        renamed = conn.execute(text("SELECT old_value, new_value FROM audit_event WHERE action = 'case.renamed'")).all()
    assert refs == ["HS-0002", "RC-1", "RC-2"] and renamed == [("rc-1", "RC-2")]


def test_a_rename_onto_another_reference_is_refused(engine, db_url, capsys):
    _old_database(engine)
    db.dispose_all()
    before = snapshot(db.get_engine(db_url, prepared=False))
    assert cli.main(["--db", db_url, "case", "rename", "rc-1", "hs-0002"]) == 1
    assert "HS-0002 is already in the register" in capsys.readouterr().err
    assert snapshot(db.get_engine(db_url, prepared=False)) == before


def test_a_current_database_is_not_scanned_for_clashes(engine):
    """With the folded unique index in place no references can clash, so a start does not scan
    every case for them (a GROUP BY of the whole case table on every start)."""
    from sqlalchemy import event

    seen = []
    listener = lambda conn, cursor, statement, *args: seen.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        db.prepare(engine)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert seen and not [s for s in seen if "HAVING count(*) > 1" in s]
