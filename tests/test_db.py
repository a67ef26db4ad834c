"""The database: created or migrated on start without data loss, WAL and foreign keys on
SQLite, an append-only audit trail, the default inspection on a fresh database."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import select

from fieldwork.problems import ProblemError
from fieldwork import audit, db, startup
from fieldwork.cli import main
from fieldwork.services import inspections
from models import AuditEvent, CaseFile, Inspection, QuestionnaireVersion
from tests.conftest import BACKEND


def test_fresh_database_holds_living_in_fear_with_both_questionnaires(session):
    inspection = inspections.inspection_by_code(session)
    assert inspection.name == "Living in fear"
    assert inspection.framework == "harassment_stalking_2017"
    assert inspections.questionnaire_ids(session, inspection) == ["case_review", "pin_review"]
    stored = inspections.load_questionnaire(session, "case_review")
    assert stored.has_question("dealt_with_well_overall")


def test_preparing_twice_adds_nothing(engine):
    startup.prepare_and_seed(engine)  # what every start does
    with db.session_scope(engine) as s:
        assert len(s.exec(select(Inspection)).all()) == 1
        assert len(s.exec(select(QuestionnaireVersion)).all()) == 2


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite pragmas")
def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine):
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_foreign_keys_are_enforced(engine):
    with pytest.raises(ProblemError) as caught:  # a message a person can read, the database's error its cause
        with db.session_scope(engine) as s:
            s.add(CaseFile(inspection_id=999, questionnaire="case_review", case_ref="HS-0001"))
    assert caught.value.problems[0].code == db.WRITE_CLASH and isinstance(caught.value.__cause__, IntegrityError)


def test_audit_trail_is_append_only(engine):
    with db.session_scope(engine) as s:
        audit.record(s, "lead1", audit.EXPORT, file="x.xlsx")
    with pytest.raises(DBAPIError):
        with engine.begin() as conn:
            conn.execute(text("UPDATE audit_event SET actor = 'someone else'"))
    with pytest.raises(DBAPIError):
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_event"))
    with db.session_scope(engine) as s:
        assert [e.actor for e in s.exec(select(AuditEvent)).all()] == ["lead1"]


def test_an_older_schema_is_migrated_without_data_loss(db_url):
    engine = db.make_engine(db_url)
    startup.prepare_and_seed(engine)
    with db.session_scope(engine) as s:
        inspection = inspections.inspection_by_code(s)
        s.add(CaseFile(inspection_id=inspection.id, questionnaire="case_review", case_ref="HS-0001"))
    # an earlier release had no created_by column on case_file
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("ALTER TABLE case_file DROP COLUMN created_by"))
        else:
            conn.execute(text('ALTER TABLE case_file DROP COLUMN "created_by"'))
    assert "created_by" not in {c["name"] for c in inspect(engine).get_columns("case_file")}
    db.prepare(engine)
    assert "created_by" in {c["name"] for c in inspect(engine).get_columns("case_file")}
    with db.session_scope(engine) as s:
        case = s.exec(select(CaseFile)).one()
        assert case.case_ref == "HS-0001" and case.created_by == ""
    engine.dispose()


def test_database_url_comes_from_flag_then_environment_then_default(monkeypatch, tmp_path):
    monkeypatch.setenv(db.ENV_URL, "sqlite:///from-env.db")
    assert db.database_url("sqlite:///from-flag.db") == "sqlite:///from-flag.db"
    assert db.database_url() == "sqlite:///from-env.db"
    monkeypatch.delenv(db.ENV_URL)
    assert db.database_url().endswith("/data/fieldwork.db")


def test_cli_init_accepts_db_before_or_after_the_subcommand(db_url, capsys):
    assert main(["--db", db_url, "init"]) == 0
    assert main(["init", "--db", db_url]) == 0
    assert "database ready" in capsys.readouterr().out


def test_a_write_the_database_refuses_the_app_s_account_becomes_a_message(engine):
    """A grant or rule changed under the app's role (PostgreSQL: permission denied, SQLSTATE
    42501) reached a person as an 80-line traceback (attacker re-test 2): now a message."""
    import pytest
    from sqlalchemy.exc import DBAPIError

    from fieldwork.problems import ProblemError

    class Denied(Exception):
        sqlstate = "42501"

    with pytest.raises(ProblemError) as caught, db.session_scope(engine):
        raise DBAPIError("INSERT INTO audit_event ...", {}, Denied("permission denied for table audit_head"))
    (problem,) = caught.value.problems
    assert problem.code == "database_refused" and "permission denied" in problem.message
    assert "Nothing was saved" in problem.message
