"""The database floor knows only tables; a run's start (fieldwork.startup) seeds what a fresh
database holds: the default inspection and its questionnaires, once, whichever way it opens."""

from __future__ import annotations

from sqlmodel import func, select

from fieldwork import cli, db, startup
from fieldwork.services import inspections
from models import Inspection, QuestionnaireVersion


def _counts(engine) -> tuple[int, int]:
    with db.session_scope(engine) as s:
        return (s.exec(select(func.count()).select_from(Inspection)).one(),
                s.exec(select(func.count()).select_from(QuestionnaireVersion)).one())


def test_prepare_makes_the_schema_and_no_rows(db_url):
    engine = db.make_engine(db_url)
    db.prepare(engine)
    assert _counts(engine) == (0, 0)
    engine.dispose()


def test_open_engine_seeds_a_fresh_database_once(db_url):
    engine = startup.open_engine(db_url)
    with db.session_scope(engine) as s:
        default = inspections.inspection_by_code(s)
        assert default.name == "Living in fear"
        assert inspections.questionnaire_ids(s, default) == ["case_review", "pin_review"]
    assert startup.open_engine(db_url) is engine  # the process's engine, seeded already
    startup.prepare_and_seed(engine)  # what every start does, again: nothing more
    assert _counts(engine) == (1, 2)


def test_a_command_on_a_new_database_finds_the_default_inspection(db_url, capsys):
    assert cli.main(["--db", db_url, "init"]) == 0
    assert "database ready" in capsys.readouterr().out
    db.dispose_all()
    engine = db.make_engine(db_url)
    assert _counts(engine) == (1, 2)
    engine.dispose()
