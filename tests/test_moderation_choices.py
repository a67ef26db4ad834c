"""moderation_choices (walk 23, F7): Finish records the lead's choices and finishes in one
transaction; refused for undecided questions, the choices are kept and only those are named;
a choice the service refuses keeps nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fieldwork import db
from fieldwork.problem_codes import UNDECIDED
from fieldwork.problems import ProblemError
from fieldwork.services import moderation_choices, second_marking
from models import AGREED, Assessment, ModerationDecision
from tests.laptops import LEAD_ACTOR
from tests.pages.test_quality_pages import _moderation_ready


def _decided(engine) -> dict[str, str | None]:
    with db.session_scope(engine) as s:
        return {d.question: d.agreed_value for d in s.execute(select(ModerationDecision)).scalars()}


def test_a_refused_finish_keeps_the_choices_and_names_only_the_undecided(engine):
    marking_id = _moderation_ready(engine)
    with db.session_scope(engine) as s:
        done = moderation_choices.finish(s, LEAD_ACTOR, marking_id, {"avoidable_delay": "yes",
                                                                     "prevention_advice": None})
    assert done.recorded == 1 and done.agreed_uid is None
    assert [(p.code, p.item) for p in done.refusal.problems] == [(UNDECIDED, "prevention_advice")]
    assert _decided(engine) == {"avoidable_delay": "yes"}

    with db.session_scope(engine) as s:  # the same choice again is not recorded twice
        done = moderation_choices.finish(s, LEAD_ACTOR, marking_id, {"avoidable_delay": "yes",
                                                                     "prevention_advice": "no"})
    assert done.recorded == 1 and done.agreed_uid and done.refusal is None
    with db.session_scope(engine) as s:
        agreed = s.execute(select(Assessment).where(Assessment.purpose == AGREED)).scalars().one()
        assert agreed.uid == done.agreed_uid
        assert second_marking.moderation(s, LEAD_ACTOR, marking_id).finished


def test_a_refused_choice_keeps_nothing(engine):
    marking_id = _moderation_ready(engine)
    with pytest.raises(ProblemError) as err, db.session_scope(engine) as s:
        moderation_choices.finish(s, LEAD_ACTOR, marking_id, {"avoidable_delay": "yes",
                                                              "prevention_advice": "not_a_code"})
    assert "not_a_code" in str(err.value) or err.value.problems
    assert _decided(engine) == {}


def test_a_finish_with_nothing_chosen_is_refused_as_before(engine):
    marking_id = _moderation_ready(engine)
    with pytest.raises(ProblemError) as err, db.session_scope(engine) as s:
        moderation_choices.finish(s, LEAD_ACTOR, marking_id, {})
    assert {p.code for p in err.value.problems} == {UNDECIDED} and len(err.value.problems) == 2


def test_save_records_only_what_changed(engine):
    marking_id = _moderation_ready(engine)
    with db.session_scope(engine) as s:
        assert moderation_choices.record(s, LEAD_ACTOR, marking_id, {"avoidable_delay": "no"}) == 1
    with db.session_scope(engine) as s:
        assert moderation_choices.record(s, LEAD_ACTOR, marking_id, {"avoidable_delay": "no",
                                                                     "prevention_advice": None}) == 0
    assert _decided(engine) == {"avoidable_delay": "no"}
