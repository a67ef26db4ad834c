"""A database made before repeat groups (one answer per assessment and question) is migrated
on start: the rule becomes one answer per assessment, question and entry, nothing is lost,
and two entries of a repeat can then be saved (SQLite rebuilds the table; PostgreSQL alters
the constraint)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, UniqueConstraint, inspect, text

from fieldwork import db, startup
from tests.repeat_helpers import add_case
from tests.test_repeat_entries import Scorer


def _old_answer_table(engine) -> None:
    """The answer table as the first releases made it: no instance, unique (assessment, question)."""
    old = Table("answer", MetaData(), Column("id", Integer, primary_key=True), Column("assessment_id", Integer),
                Column("question", String(100)), Column("value", String(2000)), Column("note", Text),
                Column("updated_at", DateTime), UniqueConstraint("assessment_id", "question"))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE answer"))
    old.create(engine)


def _unique_rules(engine) -> list[list[str]]:
    return sorted(sorted(u["column_names"]) for u in inspect(engine).get_unique_constraints("answer"))


def test_an_old_database_is_migrated_and_takes_two_entries(db_url):
    engine = db.make_engine(db_url)
    startup.prepare_and_seed(engine)
    earlier = add_case(engine, "HS-0002")
    _old_answer_table(engine)
    with engine.begin() as conn:  # an answer saved under the old rule
        assessment = conn.execute(text("SELECT id FROM assessment")).scalar()
        conn.execute(text("INSERT INTO answer (assessment_id, question, value, note, updated_at) "
                          f"VALUES ({assessment}, 'charged', 'yes', 'p.3', '2017-03-01 10:00:00')"))
    assert _unique_rules(engine) == [["assessment_id", "question"]]

    db.prepare(engine)  # what every start does
    assert _unique_rules(engine) == [["assessment_id", "instance", "question"]]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT question, instance, value, note FROM answer")).all() == [
            ("charged", "", "yes", "p.3")]
    have = {i["name"] for i in inspect(engine).get_indexes("answer")}
    assert {"ix_answer_counting", "ix_answer_pivot", "ix_answer_question_value"} <= have

    assert Scorer(engine, earlier.assessment_uid).view().answers["charged"] == "yes"
    case = add_case(engine)
    tab = Scorer(engine, case.assessment_uid)
    tab.add("incident"), tab.add("incident")
    tab.save(**{"incident[1]/when": "2016-01-01", "incident[2]/when": "2016-02-02"})
    answers = tab.view().answers
    assert (answers["incident[1]/when"], answers["incident[2]/when"]) == ("2016-01-01", "2016-02-02")
    db.prepare(engine)  # and again: nothing more to do
    assert _unique_rules(engine) == [["assessment_id", "instance", "question"]]
    engine.dispose()


def test_a_new_database_needs_no_migration(engine):
    assert db._answer_unique_per_entry(engine) is False
