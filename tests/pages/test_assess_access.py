"""Assess opened by an address whose case the user may not score (walk 23, F19): the refusal
says in words which kind of "not yours" it is, names neither the case nor its force, and opens
none of the user's cases as if they had just completed it: no case until one is picked."""

from __future__ import annotations

import pytest

from fieldwork import db
from fieldwork.services import assessments
from fieldwork.services.permissions import INSPECTOR, Actor
from tests.apptest import page
from tests.assess_helpers import INSPECTOR2, add, full_answers

ASSESS = "pages/assess.py"
GWENT3 = Actor("inspector3", INSPECTOR, ("gwent",))


@pytest.fixture
def durham_case(engine):
    with db.session_scope(engine) as s:
        return add(s, ref="HS-0030")  # inspector1's, a Durham case


def opened(db_url, monkeypatch, case_id, *, user, forces=()):
    at = page(ASSESS, db_url, monkeypatch, user=user, forces=forces)
    at.query_params["case"] = str(case_id)
    return at.run()


def words(at) -> str:
    return " ".join(e.value for e in [*at.warning, *at.info, *at.success, *at.error])


def complete(engine, case) -> None:
    with db.session_scope(engine) as s:
        view = assessments.load(s, Actor(case.inspector, INSPECTOR), case.new.assessment_uid)
        answers = full_answers(view.questionnaire, dict(view.answers))
        version = assessments.save(s, Actor(case.inspector, INSPECTOR), case.new.assessment_uid, view.version,
                                   {k: (v, None) for k, v in answers.items()
                                    if k not in view.answers and k != "case_ref"}).version
        assessments.mark_complete(s, Actor(case.inspector, INSPECTOR), case.new.assessment_uid, version)


class Case:
    def __init__(self, new, inspector):
        self.new, self.inspector = new, inspector


def test_a_case_of_another_force_is_refused_in_words_naming_only_the_accounts_forces(
        engine, db_url, monkeypatch, durham_case):
    at = opened(db_url, monkeypatch, durham_case.case_id, user="inspector3", forces=("gwent",))
    assert not at.exception, at.exception
    said = words(at)
    assert "outside the forces your account may see (Gwent Police)" in said
    assert "You have no cases to score yet" in said  # and nothing else to offer
    assert "HS-0030" not in said and "Durham" not in said  # neither the case nor its force
    assert "no cases to score yet: add one" not in said.split("outside")[0]  # the reason comes first

    with db.session_scope(engine) as s:
        add(s, actor=GWENT3, ref="HS-0031", force="gwent")
    at = opened(db_url, monkeypatch, durham_case.case_id, user="inspector3", forces=("gwent",))
    said = words(at)
    assert "outside the forces your account may see (Gwent Police)" in said and "Choose one of your cases" in said
    assert "no cases to score" not in said
    picker = at.selectbox(key="assess_case")
    assert picker.value is None and picker.options == ["HS-0031 · Joint case file review"]
    assert not [r for r in at.radio if r.key and r.key.startswith("qf:")]  # no case open until one is picked


def test_another_inspectors_case_opens_none_of_yours_as_if_just_completed(engine, db_url, monkeypatch, durham_case):
    with db.session_scope(engine) as s:
        mine = Case(add(s, actor=INSPECTOR2, ref="HS-0001"), "inspector2")
    complete(engine, mine)
    at = opened(db_url, monkeypatch, durham_case.case_id, user="inspector2")
    assert not at.exception, at.exception
    assert "That case is not one of yours" in words(at)
    assert "Marked complete" not in words(at)  # no stale success line: no case is open yet
    assert at.selectbox(key="assess_case").value is None

    at.selectbox(key="assess_case").set_value(mine.new.case_id).run()  # picking one opens it
    assert at.query_params["case"] == str(mine.new.case_id)
    assert "not one of yours" not in words(at)
    assert "HS-0001 · " in " ".join(c.value for c in at.caption)


@pytest.mark.parametrize("asked", ["999999", "abc", "99999999999999999999"])
def test_a_case_that_is_not_there_says_so(engine, db_url, monkeypatch, durham_case, asked):
    at = opened(db_url, monkeypatch, asked, user="inspector1")
    assert not at.exception, at.exception
    assert "There is no case with that number in this inspection" in words(at)
    assert at.selectbox(key="assess_case").value is None


def test_your_case_excluded_from_the_sample_says_so(engine, db_url, monkeypatch):
    from fieldwork.services import sampling, sampling_exclusions, sampling_frames
    from fieldwork.services.permissions import LEAD
    from models import CaseFile
    from sqlmodel import select
    from tests.sampling_helpers import add_users, frame_csv, frame_rows

    lead = Actor("lead1", LEAD)
    with db.session_scope(engine) as s:
        add_users(s, ("lead1", LEAD), ("inspector1", INSPECTOR))
    with db.session_scope(engine) as s:
        sampling_frames.import_frame(s, lead, "case_review", frame_csv(frame_rows({"durham": 20}, prefix="DUR")),
                                     "frame.csv")
    with db.session_scope(engine) as s:
        plan = sampling.draw(s, lead, "case_review", seed=2016, targets={"durham": 4}, inspector="inspector1")
    gone = plan.forces[0].strata[0].drawn[0][1]
    with db.session_scope(engine) as s:
        sampling_exclusions.exclude(s, lead, gone, "file_not_available")
        case_id = s.exec(select(CaseFile.id).where(CaseFile.case_ref == gone)).one()
    at = opened(db_url, monkeypatch, case_id, user="inspector1")
    assert not at.exception, at.exception
    assert "That case was excluded from the sample, so it is no longer scored." in words(at)
    assert gone not in words(at)
