"""Entries of repeat groups in the core, without Streamlit: adding, removing and renumbering
(nested too), a form's count and min/max, each entry's skip logic, required answers and
constraints worked out from its own answers, the lock and the audit trail."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from fieldwork import audit, db
from fieldwork.problems import ProblemError
from fieldwork.questionnaire import entries
from fieldwork.services import assessments, repeat_entries
from models import Answer, AuditEvent
from tests.assess_helpers import INSPECTOR1, INSPECTOR2
from tests.laptops import databases, export, merge as merge_into  # noqa: F401 (databases: a fixture)
from tests.repeat_helpers import FORM, add_case, add_form, build


def codes(exc: ProblemError) -> list[str]:
    return [p.code for p in exc.problems]


@pytest.fixture
def case(engine):
    return add_case(engine)


class Scorer:
    """One inspector's tab on one assessment: states the version it read, as the form does."""

    def __init__(self, engine, uid, actor=INSPECTOR1):
        self.engine, self.uid, self.actor, self.version = engine, uid, actor, 1

    def add(self, repeat, parent=""):
        with db.session_scope(self.engine) as s:
            result = repeat_entries.add_entry(s, self.actor, self.uid, self.version, repeat, parent)
        self.version = result.version
        return result.instance

    def remove(self, instance):
        with db.session_scope(self.engine) as s:
            result = repeat_entries.remove_entry(s, self.actor, self.uid, self.version, instance)
        self.version = result.version
        return result

    def save(self, **changes):
        with db.session_scope(self.engine) as s:
            result = assessments.save(s, self.actor, self.uid, self.version,
                                      {k.replace("__", "/"): (v, None) for k, v in changes.items()})
        self.version = result.version
        return result

    def view(self):
        with db.session_scope(self.engine) as s:
            return assessments.load(s, self.actor, self.uid)

    def entries(self):
        v = self.view()
        return entries.Entries(v.questionnaire, v.answers, v.instances)

    def complete(self):
        with db.session_scope(self.engine) as s:
            return assessments.mark_complete(s, self.actor, self.uid, self.version)


def slots(**kw):
    return {k.replace("__", "/"): v for k, v in kw.items()}


def test_instance_paths_and_slots_read_back():
    assert entries.slot("incident[2]/pin[1]", "served") == "incident[2]/pin[1]/served"
    assert entries.split("incident[2]/pin[1]/served") == ("incident[2]/pin[1]", "served")
    assert entries.split("charged") == ("", "charged")
    assert entries.steps("incident[12]/pin[1]") == [("incident", 12), ("pin", 1)]
    for bad in ("incident[0]", "incident", "incident[2]x", "incident[-1]"):
        with pytest.raises(ValueError):
            entries.steps(bad)
    q = build()
    assert entries.title(q, "incident[2]/pin[1]") == "Incident 2 › PIN issued 1"
    assert entries.instance_problem(q, "incident[2]/pin[1]/served") is None
    assert entries.instance_problem(q, "served") and entries.instance_problem(q, "incident[1]/served")
    assert entries.instance_problem(q, "incident[1]/charged")


def test_entries_are_added_answered_and_read_back_with_their_own_answers(engine, case):
    tab = Scorer(engine, case.assessment_uid)
    assert [tab.add("incident") for _ in range(3)] == ["incident[1]", "incident[2]", "incident[3]"]
    tab.save(**{"incident[1]/when": "2016-01-02"})
    tab.save(**{"incident[2]__when": "2016-02-03", "incident[3]__when": "2016-03-04"})
    view = tab.view()
    assert {k: v for k, v in view.answers.items() if "when" in k} == {
        "incident[1]/when": "2016-01-02", "incident[2]/when": "2016-02-03", "incident[3]/when": "2016-03-04"}
    assert view.instances == {"incident[1]", "incident[2]", "incident[3]"}
    with db.session_scope(engine) as s:
        rows = s.exec(select(Answer.question, Answer.instance).where(Answer.value.is_not(None))).all()
    assert ("when", "incident[2]") in rows


def test_removing_an_entry_deletes_its_answers_and_renumbers_the_later_ones_nested_too(engine, case):
    tab = Scorer(engine, case.assessment_uid)
    for _ in range(3):
        tab.add("incident")
    tab.save(**slots(**{"incident[1]__when": "2016-01-01", "incident[2]__when": "2016-02-02",
                        "incident[3]__when": "2016-03-03", "incident[3]__attended": "yes"}))
    assert tab.add("pin", "incident[3]") == "incident[3]/pin[1]"
    tab.add("pin", "incident[3]")
    tab.save(**{"incident[3]/pin[2]/served": "no", "incident[3]/pin[1]/served": "yes"})
    removed = tab.remove("incident[2]")
    assert removed.removed_answers == 1
    answers = tab.view().answers
    assert {k: v for k, v in answers.items() if k != "case_ref"} == {
        "incident[1]/when": "2016-01-01", "incident[2]/when": "2016-03-03", "incident[2]/attended": "yes",
        "incident[2]/pin[1]/served": "yes", "incident[2]/pin[2]/served": "no"}
    tab.remove("incident[2]/pin[1]")  # an inner entry: only its own answers go
    answers = tab.view().answers
    assert answers["incident[2]/pin[1]/served"] == "no" and "incident[2]/pin[2]/served" not in answers
    assert [e.path for e in tab.entries().entries] == ["incident[1]", "incident[2]", "incident[2]/pin[1]"]
    with db.session_scope(engine) as s:
        trail = s.exec(select(AuditEvent).where(AuditEvent.action.in_(
            [audit.ENTRY_ADDED, audit.ENTRY_REMOVED, audit.ANSWER_CLEARED])).order_by(AuditEvent.id)).all()
    removed_events = [json.loads(e.detail) for e in trail if e.action == audit.ENTRY_REMOVED]
    assert [(d["instance"], d["answers"]) for d in removed_events] == [("incident[2]", 1), ("incident[2]/pin[1]", 1)]
    cleared = [(e.question, json.loads(e.detail)["instance"], e.old_value) for e in trail
               if e.action == audit.ANSWER_CLEARED]
    assert cleared == [("when", "incident[2]", None), ("served", "incident[2]/pin[1]", "yes")]  # codes only
    assert sum(e.action == audit.ENTRY_ADDED for e in trail) == 5


def test_ten_entries_renumber_in_number_order_not_text_order(engine):
    case = add_case(engine, markdown=FORM.replace("max=4", "max=12"))
    tab = Scorer(engine, case.assessment_uid)
    for i in range(1, 12):
        tab.add("incident")
        tab.save(**{f"incident[{i}]/calls": str(i)})
    tab.remove("incident[1]")
    answers = tab.view().answers
    assert [answers[f"incident[{i}]/calls"] for i in range(1, 11)] == [str(i) for i in range(2, 12)]


def test_each_entry_asks_by_its_own_answers(engine, case):
    tab = Scorer(engine, case.assessment_uid)
    tab.add("incident"), tab.add("incident")
    tab.save(**{"incident[1]/attended": "yes", "incident[2]/attended": "no"})
    tab.save(**{"incident[1]/how": "999 call"})
    with pytest.raises(ProblemError) as refused:  # entry 2's police did not attend: not asked there
        tab.save(**{"incident[2]/how": "999 call"})
    assert codes(refused.value) == [assessments.NOT_ASKED]
    assert "Incident 2" in refused.value.problems[0].message
    worked = tab.entries()
    assert worked.is_open("pin", "incident[1]") and not worked.is_open("pin", "incident[2]")
    with pytest.raises(ProblemError) as no_pin:
        tab.add("pin", "incident[2]")
    assert codes(no_pin.value) == [repeat_entries.ENTRY_REFUSED]
    # changing entry 1's answer clears what only applied there, nothing in entry 2
    result = tab.save(**{"incident[1]/attended": "no"})
    assert result.cleared == ["incident[1]/how"]


def test_a_constraint_is_checked_against_the_entrys_own_value(engine, case):
    tab = Scorer(engine, case.assessment_uid)
    tab.add("incident"), tab.add("incident")
    tab.save(**{"incident[1]/calls": "50"})
    with pytest.raises(ProblemError) as refused:
        tab.save(**{"incident[2]/calls": "51"})
    assert codes(refused.value) == [assessments.CONSTRAINT]
    assert refused.value.problems[0].message.startswith("Incident 2:")


def test_an_answer_to_an_entry_that_does_not_exist_is_refused(engine, case):
    tab = Scorer(engine, case.assessment_uid)
    tab.add("incident")
    for slot in ("incident[2]/when", "incident[1]/pin[1]/served", "when", "incident[1]/charged"):
        with pytest.raises(ProblemError) as refused:
            tab.save(**{slot: "2016-01-01" if slot.endswith("when") else "yes"})
        assert codes(refused.value) in ([assessments.NO_ENTRY], [assessments.NOT_ASKED]), slot
    assert tab.view().instances == {"incident[1]"}


def test_the_form_count_fixes_the_entries_and_an_entry_beyond_it_is_cleared(engine, case):
    tab = Scorer(engine, case.assessment_uid)
    assert tab.entries().under("hearing") == []
    tab.save(n_hearings="2")
    assert [e.path for e in tab.entries().under("hearing")] == ["hearing[1]", "hearing[2]"]
    with pytest.raises(ProblemError) as refused:
        tab.add("hearing")
    assert "the form sets how many" in refused.value.problems[0].message
    with pytest.raises(ProblemError):
        tab.remove("hearing[1]")
    tab.save(**{"hearing[1]/outcome": "adjourned", "hearing[2]/outcome": "convicted"})
    result = tab.save(n_hearings="1")  # fewer hearings: the second one's answers no longer apply
    assert result.cleared == ["hearing[2]/outcome"]
    assert "hearing[2]/outcome" not in tab.view().answers


def test_min_and_max_entries(engine):
    case = add_case(engine, markdown=FORM.replace("max=4", "min=2 max=3"))
    tab = Scorer(engine, case.assessment_uid)
    assert [e.path for e in tab.entries().under("incident")] == ["incident[1]", "incident[2]"]  # the minimum shown
    tab.save(**{"incident[2]/when": "2016-02-02"})
    assert tab.add("incident") == "incident[3]"
    with pytest.raises(ProblemError) as full:
        tab.add("incident")
    assert "at most 3" in full.value.problems[0].message
    tab.remove("incident[1]")
    with pytest.raises(ProblemError) as fewest:
        tab.remove("incident[1]")
    assert "at least 2" in fewest.value.problems[0].message
    assert tab.view().answers["incident[1]/when"] == "2016-02-02"


def test_mark_complete_lists_what_is_missing_entry_by_entry(engine, case):
    tab = Scorer(engine, case.assessment_uid)
    tab.add("incident"), tab.add("incident")
    tab.save(**{"incident[1]/when": "2016-01-01", "incident[1]/attended": "yes", "n_hearings": "1"})
    tab.add("pin", "incident[1]")
    with pytest.raises(ProblemError) as refused:
        tab.complete()
    assert [(p.code, p.message, p.item) for p in refused.value.problems] == [
        (assessments.MISSING_ANSWER, "Incident 1 › PIN issued 1: “Served in person” is required",
         "incident[1]/pin[1]/served"),
        (assessments.MISSING_ANSWER, "Incident 2: “Date of incident” is required", "incident[2]/when"),
        (assessments.MISSING_ANSWER, "Hearing 1: “Outcome” is required", "hearing[1]/outcome")]
    tab.remove("incident[2]")
    tab.save(**{"incident[1]/pin[1]/served": "yes", "hearing[1]/outcome": "convicted"})
    assert tab.complete().status == "complete"


def test_entries_keep_the_lock_and_the_per_question_rule(engine, case):
    one, two = Scorer(engine, case.assessment_uid), Scorer(engine, case.assessment_uid)
    one.add("incident")
    with pytest.raises(ProblemError) as stale:  # tab two read version 1: the entry was added since
        two.add("incident")
    assert codes(stale.value) == [assessments.STALE_VERSION]
    two.version = one.version
    two.save(**{"incident[1]/when": "2016-01-01"})
    with db.session_scope(engine) as s:  # tab one, reading entry 1 blank, changes the same answer: a clash
        with pytest.raises(ProblemError) as clash:
            assessments.save(s, INSPECTOR1, case.assessment_uid, one.version, {"incident[1]/when": ("2016-05-05", None)},
                             read={"incident[1]/when": (None, "")})
    assert codes(clash.value) == [assessments.CHANGED_ELSEWHERE]
    with db.session_scope(engine) as s:  # ... and another question of the entry goes through
        assessments.save(s, INSPECTOR1, case.assessment_uid, one.version, {"incident[1]/calls": ("3", None)},
                         read={"incident[1]/calls": (None, "")})
    with pytest.raises(Exception):
        Scorer(engine, case.assessment_uid, INSPECTOR2).add("incident")


def test_a_fixed_count_and_entries_worked_out_without_a_database():
    q = build(FORM.replace("${n_hearings} ", "3             "))
    worked = entries.Entries(q, {"hearing[2]/outcome": "adjourned", "hearing[5]/outcome": "beyond"})
    assert [e.path for e in worked.under("hearing")] == ["hearing[1]", "hearing[2]", "hearing[3]"]
    assert worked.irrelevant() == ["hearing[5]/outcome"]  # beyond the form's three: not asked
    assert worked.missing_required() == ["hearing[1]/outcome", "hearing[3]/outcome"]
    # stored rows imply every entry before them; an entry's rule sees its own answers only
    worked = entries.Entries(q, {"incident[3]/attended": "yes", "incident[3]/how": "999"}, {"incident[3]/pin[2]"})
    assert [e.path for e in worked.entries if e.repeat != "hearing"] == [
        "incident[1]", "incident[2]", "incident[3]", "incident[3]/pin[1]", "incident[3]/pin[2]"]
    assert "incident[3]/how" in worked.asked and "incident[1]/how" not in worked.asked
    assert worked.context("incident[3]/pin[1]")["attended"] == "yes"


def test_min_and_max_are_read_checked_and_written_back(tmp_path):
    from fieldwork.catalog import load_catalog
    from fieldwork.questionnaire.loader import BAD_ENTRY_LIMIT
    from fieldwork.questionnaire.xlsform import export_xlsform, import_xlsform

    q = build(FORM.replace("max=4", "min=1 max=4"))
    assert (q.repeat("incident").min_entries, q.repeat("incident").max_entries) == (1, 4)
    assert "min_entries" not in q.to_dict()["repeats"][1]  # unset: left out of the stored form
    again = import_xlsform(export_xlsform(q, tmp_path / "f.xlsx"), frameworks=load_catalog().frameworks,
                           name="f.xlsx", allow_repeats=True)
    assert again.to_dict() == q.to_dict()
    for bad in ("min=x", "min=5 max=4"):
        with pytest.raises(ProblemError) as refused:
            build(FORM.replace("max=4", bad.ljust(5)))
        assert BAD_ENTRY_LIMIT in codes(refused.value)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.one_of(st.just("add"), st.integers(min_value=1, max_value=4)), max_size=9))
def test_any_run_of_adds_and_removes_keeps_the_entries_in_order(engine, ops):
    """Against a plain list: adding appends, removing the k-th closes the gap."""
    case = add_case(engine, ref=f"HS-{next(_refs):04d}")
    tab = Scorer(engine, case.assessment_uid)
    model: list[str] = []
    for n, op in enumerate(ops):
        if op == "add":
            if len(model) == 4:
                continue
            tab.add("incident")
            model.append(str(n))
            tab.save(**{f"incident[{len(model)}]/calls": str(n)})
        elif op <= len(model):
            tab.remove(f"incident[{op}]")
            del model[op - 1]
    answers = tab.view().answers
    assert [answers[f"incident[{i}]/calls"] for i in range(1, len(model) + 1)] == model
    assert [e.path for e in tab.entries().under("incident")] == [f"incident[{i}]" for i in range(1, len(model) + 1)]


_refs = iter(range(100, 10_000))


def test_a_change_to_an_entry_renumbered_elsewhere_is_refused_as_stale(engine, case):
    one, two = Scorer(engine, case.assessment_uid), Scorer(engine, case.assessment_uid)
    for _ in range(3):
        one.add("incident")
    one.save(**{"incident[3]/calls": "3"})
    two.version = one.version
    one.remove("incident[1]")  # tab one: incident 2 is now what was 3; tab two still shows three

    def save_from_two(slot, value):
        with db.session_scope(engine) as s:
            return assessments.save(s, INSPECTOR1, case.assessment_uid, two.version, {slot: (value, None)},
                                    read={slot: (None, "")})

    for slot in ("incident[2]/attended", "incident[3]/attended"):  # blank in both numberings: still refused
        with pytest.raises(ProblemError) as stale:
            save_from_two(slot, "yes")
        assert codes(stale.value) == [assessments.STALE_VERSION] and "renumbered" in stale.value.problems[0].message
    save_from_two("charged", "yes")  # outside the repeat: the per-question rule as ever
    assert "incident[2]/attended" not in one.view().answers


def test_a_change_to_an_entry_before_the_one_removed_still_goes_through(engine, case):
    one, two = Scorer(engine, case.assessment_uid), Scorer(engine, case.assessment_uid)
    one.add("incident"), one.add("incident")
    two.version = one.version
    one.remove("incident[2]")
    with db.session_scope(engine) as s:
        assessments.save(s, INSPECTOR1, case.assessment_uid, two.version, {"incident[1]/calls": ("4", None)},
                         read={"incident[1]/calls": (None, "")})
    assert one.view().answers["incident[1]/calls"] == "4"


def test_entries_travel_in_a_bundle_to_the_leads_database(databases):
    """A laptop's bundle carries each entry's answers with its instance path; the lead's merge
    keeps them apart (one answer per question and entry)."""
    laptop, lead = databases("laptop"), databases("lead")
    case = add_case(laptop)
    tab = Scorer(laptop, case.assessment_uid)
    tab.add("incident"), tab.add("incident")
    tab.save(**{"incident[1]/when": "2016-01-01", "incident[2]/when": "2016-02-02", "charged": "yes"})
    with db.session_scope(lead) as s:
        add_form(s)
    merge_into(lead, export(laptop, INSPECTOR1))
    with db.session_scope(lead) as s:
        rows = s.exec(select(Answer.question, Answer.instance, Answer.value).where(Answer.question == "when")).all()
    assert sorted(rows) == [("when", "incident[1]", "2016-01-01"), ("when", "incident[2]", "2016-02-02")]
