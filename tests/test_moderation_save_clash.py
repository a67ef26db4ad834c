"""moderation_choices, two leads saving agreed answers on one case (walk 23, F20): a save that
would replace an agreed answer another lead saved after this lead opened the case is refused
before anything is written, naming both answers, who and when; keeping one's own is the same
press stating the stored answer as seen; the trail says whose answer was replaced."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from fieldwork import audit, db
from fieldwork.problem_codes import MODERATION_CHANGED
from fieldwork.problems import ProblemError
from fieldwork.services import moderation_choices, second_marking
from fieldwork.services.permissions import LEAD, Actor
from models import AuditEvent, ModerationDecision
from tests.pages.test_quality_pages import _moderation_ready

LEAD1, LEAD2 = Actor("lead1", LEAD), Actor("lead2", LEAD)


def _decided(engine) -> dict[str, tuple[str | None, str]]:
    with db.session_scope(engine) as s:
        return {d.question: (d.agreed_value, d.agreed_by) for d in s.execute(select(ModerationDecision)).scalars()}


def _opened(engine, actor, marking_id) -> dict:
    with db.session_scope(engine) as s:
        return moderation_choices.stamps(second_marking.moderation(s, actor, marking_id))


def test_a_save_over_an_answer_saved_since_is_refused_with_both_answers(engine):
    marking_id = _moderation_ready(engine)
    seen_by_1 = _opened(engine, LEAD1, marking_id)  # both open the case: nothing agreed yet
    seen_by_2 = _opened(engine, LEAD2, marking_id)
    with db.session_scope(engine) as s:
        moderation_choices.record(s, LEAD2, marking_id, {"avoidable_delay": "no"}, seen_by_2)

    with db.session_scope(engine) as s, pytest.raises(moderation_choices.ChoicesChanged) as refused:
        moderation_choices.record(s, LEAD1, marking_id, {"avoidable_delay": "yes", "prevention_advice": "yes"},
                                  seen_by_1)
    [problem] = refused.value.problems
    assert problem.code == MODERATION_CHANGED and problem.item == "avoidable_delay"
    assert "yours: Yes; saved by lead2 at " in problem.message and problem.message.endswith(": No")
    assert "avoidable_delay" not in problem.message  # the question in words, not its variable
    assert "not saved" in refused.value.summary
    # all or nothing: lead1's other, unclashing choice is not written either
    assert _decided(engine) == {"avoidable_delay": ("no", "lead2")}

    [clash] = refused.value.clashes
    with db.session_scope(engine) as s:  # Keep mine: the same press, the stored answer stated as seen
        moderation_choices.record(s, LEAD1, marking_id, {"avoidable_delay": "yes", "prevention_advice": "yes"},
                                  {**seen_by_1, clash.slot: clash.stamp})
    assert _decided(engine) == {"avoidable_delay": ("yes", "lead1"), "prevention_advice": ("yes", "lead1")}
    with db.session_scope(engine) as s:
        details = [json.loads(e.detail) for e in s.execute(select(AuditEvent).where(
            AuditEvent.action == audit.MODERATION, AuditEvent.actor == "lead1")).scalars()]
    assert sorted(d.get("replaces", "") for d in details) == ["", "lead2"]  # whose answer was replaced


def test_a_third_save_in_between_is_a_clash_again(engine):
    marking_id = _moderation_ready(engine)
    seen = _opened(engine, LEAD1, marking_id)
    with db.session_scope(engine) as s:
        moderation_choices.record(s, LEAD2, marking_id, {"avoidable_delay": "no"})
    with db.session_scope(engine) as s, pytest.raises(moderation_choices.ChoicesChanged) as first:
        moderation_choices.record(s, LEAD1, marking_id, {"avoidable_delay": "yes"}, seen)
    with db.session_scope(engine) as s:  # lead2 changes it again to "not asked" before lead1 keeps theirs
        moderation_choices.record(s, LEAD2, marking_id, {"avoidable_delay": second_marking.NOT_ASKED})
    kept = {**seen, "avoidable_delay": first.value.clashes[0].stamp}
    with db.session_scope(engine) as s, pytest.raises(moderation_choices.ChoicesChanged) as again:
        moderation_choices.finish(s, LEAD1, marking_id, {"avoidable_delay": "yes", "prevention_advice": "no"}, kept)
    assert again.value.clashes[0].stored_label == "(not asked)"
    assert _decided(engine) == {"avoidable_delay": (None, "lead2")}  # nothing of lead1's, not finished
    with db.session_scope(engine) as s:
        assert not second_marking.moderation(s, LEAD1, marking_id).finished


def test_no_clash_where_the_lead_agrees_saw_it_or_did_not_choose(engine):
    marking_id = _moderation_ready(engine)
    seen = _opened(engine, LEAD1, marking_id)
    with db.session_scope(engine) as s:
        moderation_choices.record(s, LEAD2, marking_id, {"avoidable_delay": "no", "prevention_advice": "no"})
    with db.session_scope(engine) as s:  # the same answer as stored, and a box left unchosen: nothing to ask
        assert moderation_choices.record(s, LEAD1, marking_id, {"avoidable_delay": "no", "prevention_advice": None},
                                         seen) == 0
    seen = _opened(engine, LEAD1, marking_id)  # lead1 sees lead2's answers: changing them is theirs to do
    with db.session_scope(engine) as s:
        assert moderation_choices.record(s, LEAD1, marking_id, {"prevention_advice": "yes"}, seen) == 1
    assert _decided(engine) == {"avoidable_delay": ("no", "lead2"), "prevention_advice": ("yes", "lead1")}


def test_two_saves_at_the_same_moment_the_second_never_writes_over_the_first(engine):
    """lead1 saves while lead3's save of the same question is under way (not committed yet):
    on PostgreSQL lead3 waits for lead1's commit, then finds the clash; SQLite, one writer,
    refuses lead3 as busy. Either way lead1's answer stands and lead3 is told."""
    import threading

    marking_id = _moderation_ready(engine)
    with db.session_scope(engine) as s:
        moderation_choices.record(s, LEAD2, marking_id, {"avoidable_delay": "no"})
    seen = _opened(engine, LEAD1, marking_id)  # both see lead2's "no"
    outcome: list[BaseException | None] = []

    def lead3_saves():
        try:
            with db.session_scope(engine) as s:
                moderation_choices.record(s, Actor("lead3", LEAD), marking_id,
                                          {"avoidable_delay": second_marking.NOT_ASKED}, seen)
            outcome.append(None)
        except Exception as exc:  # noqa: BLE001 - what lead3 is told, checked below
            outcome.append(exc)

    with db.session_scope(engine) as s:
        moderation_choices.record(s, LEAD1, marking_id, {"avoidable_delay": "yes"}, seen)  # written, not committed
        other = threading.Thread(target=lead3_saves)
        other.start()
        other.join(timeout=1.0)  # lead3 reads and waits for lead1's transaction (or is refused at once)
    other.join()
    [told] = outcome
    assert isinstance(told, ProblemError), told  # refused: the clash (PostgreSQL) or a busy database (SQLite)
    assert _decided(engine) == {"avoidable_delay": ("yes", "lead1")}
