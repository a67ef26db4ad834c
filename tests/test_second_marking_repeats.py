"""Second marking over the entries of repeat groups (issue 12, docs/repeats.md "Second marking
over entries"): a questionnaire with repeats is second-marked, the second marker records the
entries blind, moderation compares the n-th entry of one marking with the n-th of the other,
names each disagreement's entry in words, and a decision applies to that entry only."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from fieldwork import audit, db
from fieldwork.problem_codes import NOT_A_DISAGREEMENT, UNDECIDED
from fieldwork.problems import ProblemError
from fieldwork.services import assessments, marking_slots, second_marking
from models import AGREED, Answer, Assessment, AuditEvent, ModerationDecision
from tests.laptops import LEAD_ACTOR, inspector
from tests.marking_repeat_helpers import QUESTIONNAIRE, add_form, score, second_mark

FIRST = {
    "charged": "yes",
    "incident[1]/when": "2016-01-04", "incident[1]/attended": "yes",
    "incident[1]/pin[1]/served": "yes",
    "incident[2]/when": "2016-02-09", "incident[2]/attended": "no",
}
# the second marker found a third incident and judged the PIN of the first otherwise
SECOND = {**FIRST, "incident[1]/pin[1]/served": "no", "incident[3]/when": "2016-03-01", "incident[3]/attended": "no"}


@pytest.fixture
def marked(engine):
    with db.session_scope(engine) as s:
        add_form(s)
    primary = score(engine, "inspector1", "HS-0001", FIRST)
    marking_id, second_uid = second_mark(engine, primary, "inspector2", SECOND)
    return engine, marking_id, primary, second_uid


def view(engine, marking_id):
    with db.session_scope(engine) as s:
        return second_marking.moderation(s, LEAD_ACTOR, marking_id)


def agree(engine, marking_id, question, value, instance=""):
    with db.session_scope(engine) as s:
        second_marking.agree(s, LEAD_ACTOR, marking_id, question, value, instance=instance)


def test_a_questionnaire_with_repeats_can_be_second_marked(engine):
    with db.session_scope(engine) as s:
        add_form(s)
        assert second_marking.questionnaire_problem(s, QUESTIONNAIRE) is None
    uid = score(engine, "inspector1", "HS-0001", FIRST)
    other = score(engine, "inspector2", "HS-0002", SECOND)
    with db.session_scope(engine) as s:
        plan = second_marking.plan(s, LEAD_ACTOR, QUESTIONNAIRE, ["inspector1", "inspector2"], seed=1, number=5)
        assert plan.proposal == {uid: "inspector2", other: "inspector1"}
        assert second_marking.check_assignments(s, LEAD_ACTOR, plan.proposal) == []


def test_the_second_marker_records_the_entries_blind(engine):
    with db.session_scope(engine) as s:
        add_form(s)
    primary = score(engine, "inspector1", "HS-0001", FIRST)
    with db.session_scope(engine) as s:
        marking, = second_marking.assign(s, LEAD_ACTOR, {primary: "inspector2"})
        second_uid = marking.second_uid
    with db.session_scope(engine) as s:
        draft = assessments.load(s, inspector("inspector2"), second_uid)
        assert not draft.instances and not any("/" in k for k in draft.answers)  # no entry copied
        with pytest.raises(Exception):  # and the first marking stays closed to the second marker
            assessments.load(s, inspector("inspector2"), primary)


def test_moderation_names_each_entry_and_pairs_the_nth_with_the_nth(marked):
    engine, marking_id, _, _ = marked
    moderation = view(engine, marking_id)
    shown = [(d.instance, d.question, d.first_value, d.second_value, d.entry) for d in moderation.disagreements]
    assert shown == [
        ("incident[1]/pin[1]", "served", "yes", "no", "Incident 1 › PIN 1"),
        ("incident[3]", "when", None, "2016-03-01", "Incident 3"),  # an entry only the second recorded
        ("incident[3]", "attended", None, "no", "Incident 3"),
    ]
    assert moderation.disagreements[0].where == "Incident 1 › PIN 1: “Served in person”"
    with db.session_scope(engine) as s:
        row, = second_marking.markings(s, LEAD_ACTOR, questionnaire=QUESTIONNAIRE)
    assert row.state == second_marking.TO_MODERATE and row.disagreements == 3


def test_a_decision_applies_to_its_entry_only_and_is_audited_with_it(marked):
    engine, marking_id, primary, _ = marked
    agree(engine, marking_id, "served", "yes", "incident[1]/pin[1]")
    with db.session_scope(engine) as s:
        decision, = s.exec(select(ModerationDecision)).all()
        assert (decision.question, decision.instance, decision.agreed_value) == ("served", "incident[1]/pin[1]", "yes")
        event = s.exec(select(AuditEvent).where(AuditEvent.action == audit.MODERATION)).one()
        assert (event.question, json.loads(event.detail)["instance"], event.new_value) == (
            "served", "incident[1]/pin[1]", "yes")
    decided = {d.slot: d.agreed for d in view(engine, marking_id).disagreements}
    assert decided == {"incident[1]/pin[1]/served": "yes", "incident[3]/when": None, "incident[3]/attended": None}

    with pytest.raises(ProblemError) as err:  # the same question in another entry is no disagreement
        agree(engine, marking_id, "served", "yes", "incident[2]/pin[1]")
    problem, = err.value.problems
    assert problem.code == NOT_A_DISAGREEMENT and "Incident 2 › PIN 1" in problem.message
    with pytest.raises(ProblemError) as err:  # finishing names the undecided ones by entry
        with db.session_scope(engine) as s:
            second_marking.finish(s, LEAD_ACTOR, marking_id)
    assert {p.code for p in err.value.problems} == {UNDECIDED}
    assert [p.message for p in err.value.problems] == ["no agreed answer yet for Incident 3: “Date of incident”",
                                                       "no agreed answer yet for Incident 3: “Police attended?”"]


def _agreed_answers(engine) -> dict[str, str]:
    with db.session_scope(engine) as s:
        agreed = s.exec(select(Assessment).where(Assessment.purpose == AGREED)).one()
        return {(f"{i}/{q}" if i else q): v for q, i, v in s.exec(
            select(Answer.question, Answer.instance, Answer.value).where(Answer.assessment_id == agreed.id)).all()}


def test_finishing_writes_the_agreed_entries(marked):
    engine, marking_id, _, _ = marked
    agree(engine, marking_id, "served", "no", "incident[1]/pin[1]")  # the second marker was right
    agree(engine, marking_id, "when", "2016-03-01", "incident[3]")  # and so was the third incident
    agree(engine, marking_id, "attended", "no", "incident[3]")
    with db.session_scope(engine) as s:
        second_marking.finish(s, LEAD_ACTOR, marking_id)
    assert _agreed_answers(engine) == SECOND


def test_an_entry_agreed_away_goes_and_the_later_ones_move_down(marked):
    engine, marking_id, _, _ = marked
    agree(engine, marking_id, "served", "yes", "incident[1]/pin[1]")
    agree(engine, marking_id, "when", second_marking.NOT_ASKED, "incident[3]")
    agree(engine, marking_id, "attended", second_marking.NOT_ASKED, "incident[3]")
    with db.session_scope(engine) as s:
        second_marking.finish(s, LEAD_ACTOR, marking_id)
    assert _agreed_answers(engine) == FIRST  # the third incident the lead agreed was none


def test_entries_close_up_over_a_gap():
    moved = marking_slots.closed_up(["charged", "incident[1]/when", "incident[3]/when", "incident[3]/pin[2]/served"])
    assert moved == {"charged": "charged", "incident[1]/when": "incident[1]/when",
                     "incident[3]/when": "incident[2]/when", "incident[3]/pin[2]/served": "incident[2]/pin[1]/served"}


def test_the_draft_reports_agreement_table_says_what_is_counted_in_entries(marked):
    from exports import report_docx, reporting
    from tests.report_reader import read

    engine = marked[0]
    with db.session_scope(engine) as s:
        ctx = reporting.report_context(s, LEAD_ACTOR, QUESTIONNAIRE, with_charts=False)
    doc = read(report_docx.to_bytes(ctx))
    rows = {r[0]: r for r in doc.table_headed("Question")[1:]}
    assert rows["Served in person (entries)"][1:3] == ["1", "0%"]  # the one PIN both recorded
    assert rows["Incident: entries recorded in the case"][1:3] == ["1", "0%"]  # two incidents against three
    assert "(0 from the first, 1 from the second) have nothing to be compared with" in " ".join(doc.texts())
