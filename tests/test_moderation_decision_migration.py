"""A database made before second marking compared entries (one moderation decision per marking
and question) is migrated on start: one decision per marking, question and entry, nothing lost
(SQLite rebuilds the table; PostgreSQL alters the constraint)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, UniqueConstraint, inspect, text

from fieldwork import db, startup
from fieldwork.services import inspections
from models import CaseFile, SecondMarking


def _old_decision_table(engine) -> None:
    old = Table("moderation_decision", MetaData(), Column("id", Integer, primary_key=True),
                Column("marking_id", Integer), Column("question", String(100)), Column("first_value", String(2000)),
                Column("second_value", String(2000)), Column("agreed_value", String(2000)),
                Column("agreed_by", String(100)), Column("agreed_at", DateTime),
                UniqueConstraint("marking_id", "question"))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE moderation_decision"))
    old.create(engine)


def _unique_rules(engine) -> list[list[str]]:
    return sorted(sorted(u["column_names"]) for u in inspect(engine).get_unique_constraints("moderation_decision"))


def test_an_old_database_is_migrated_to_one_decision_per_entry(db_url):
    engine = db.make_engine(db_url)
    startup.prepare_and_seed(engine)
    with db.session_scope(engine) as s:  # a second marking to decide on
        inspection = inspections.inspection_by_code(s)
        case = CaseFile(inspection_id=inspection.id, questionnaire="case_review", case_ref="HS-0001", created_by="t")
        s.add(case)
        s.flush()
        marking = SecondMarking(inspection_id=inspection.id, questionnaire="case_review", case_id=case.id,
                                primary_uid="a" * 32, second_uid="b" * 32, first_inspector="inspector1",
                                second_inspector="inspector2", assigned_by="lead1")
        s.add(marking)
        s.flush()
        marking_id = marking.id
    _old_decision_table(engine)
    with engine.begin() as conn:  # a decision taken under the old rule
        conn.execute(text("INSERT INTO moderation_decision (marking_id, question, first_value, second_value, "
                          f"agreed_value, agreed_by, agreed_at) VALUES ({marking_id}, 'charged', 'yes', 'no', 'yes', "
                          "'lead1', '2017-03-01 10:00:00')"))
    assert _unique_rules(engine) == [["marking_id", "question"]]

    db.prepare(engine)  # what every start does
    assert _unique_rules(engine) == [["instance", "marking_id", "question"]]
    with engine.begin() as conn:
        assert conn.execute(text("SELECT marking_id, question, instance, agreed_value FROM moderation_decision")
                            ).all() == [(marking_id, "charged", "", "yes")]
        # two entries' decisions on the same question now stand side by side
        for instance in ("incident[1]", "incident[2]"):
            conn.execute(text("INSERT INTO moderation_decision (marking_id, question, instance, agreed_by, agreed_at) "
                              f"VALUES ({marking_id}, 'attended', '{instance}', 'lead1', '2017-03-01 10:00:00')"))
    db.prepare(engine)  # and again: nothing more to do
    assert _unique_rules(engine) == [["instance", "marking_id", "question"]]
    engine.dispose()


def test_a_new_database_needs_no_migration(engine):
    assert db._decision_unique_per_entry(engine) is False
