"""Two places editing one assessment (two tabs, say): a change to a question nobody else
changed since it was read is saved; a change to the same question is refused with what is
stored now; a note-only save leaves the answer alone; the inspector's choice is audited."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from fieldwork import audit, db
from fieldwork.problems import ProblemError
from fieldwork.services import assessments
from models import AuditEvent
from tests.assess_helpers import INSPECTOR1, add


@pytest.fixture
def uid(engine):
    with db.session_scope(engine) as s:
        return add(s).assessment_uid


def save(engine, uid, version, changes, read=None):
    with db.session_scope(engine) as s:
        return assessments.save(s, INSPECTOR1, uid, version, changes, read=read)


def stored(engine, uid):
    with db.session_scope(engine) as s:
        return assessments.load(s, INSPECTOR1, uid)


def test_a_change_to_another_question_is_saved_over_a_newer_version(engine, uid):
    tab_a = tab_b = stored(engine, uid).version
    tab_a = save(engine, uid, tab_a, {"initial_risk_assessment": ("yes", None)},
                 read={"initial_risk_assessment": (None, "")}).version
    result = save(engine, uid, tab_b, {"victim_support_referral": ("no", "VPS p.2")},
                  read={"victim_support_referral": (None, "")})
    assert result.version == tab_a + 1
    now = stored(engine, uid)
    assert now.answers["initial_risk_assessment"] == "yes" and now.answers["victim_support_referral"] == "no"
    assert now.notes["victim_support_referral"] == "VPS p.2"


@pytest.mark.parametrize("theirs, mine", [
    (("yes", None), ("no", None)),  # both answered
    ((None, "their note"), (None, "my note")),  # both wrote the note (value None: the answer untouched)
    (("yes", "their note"), (assessments.KEEP, "my note")),  # they answered and noted, I wrote the note
])
def test_a_change_to_the_same_question_is_refused_naming_it(engine, uid, theirs, mine):
    version = stored(engine, uid).version
    name = "initial_risk_assessment"
    save(engine, uid, version, {name: (assessments.KEEP if theirs[0] is None else theirs[0], theirs[1])},
         read={name: (None, "")})
    with pytest.raises(ProblemError) as caught:
        save(engine, uid, version, {name: mine}, read={name: (None, "")})
    [problem] = caught.value.problems
    assert problem.code == assessments.CHANGED_ELSEWHERE and problem.item == name
    assert "was changed elsewhere" in problem.message
    with db.session_scope(engine) as s:
        clash = assessments.clash_of(s, uid, name)
    assert (clash.value, clash.note) == (theirs[0], theirs[1] or "")


def test_their_answer_and_my_note_to_one_question_do_not_clash(engine, uid):
    version = stored(engine, uid).version
    name = "initial_risk_assessment"
    save(engine, uid, version, {name: ("yes", None)}, read={name: (None, "")})
    save(engine, uid, version, {name: (assessments.KEEP, "my note")}, read={name: (None, "")})
    now = stored(engine, uid)
    assert (now.answers[name], now.notes[name]) == ("yes", "my note")


def test_without_read_the_whole_version_is_the_lock(engine, uid):
    version = stored(engine, uid).version
    save(engine, uid, version, {"initial_risk_assessment": ("yes", None)})
    with pytest.raises(ProblemError) as caught:
        save(engine, uid, version, {"victim_support_referral": ("no", None)})
    assert caught.value.problems[0].code == assessments.STALE_VERSION


def test_a_note_only_save_keeps_the_answer_even_one_cleared_meanwhile(engine, uid):
    version = stored(engine, uid).version
    version = save(engine, uid, version, {"enhanced_risk_assessment": ("dash", None),
                                          "dash_supplementary_questions": ("no", None)}).version
    version = save(engine, uid, version, {"enhanced_risk_assessment": ("s_dash", None)}).version  # clears it
    save(engine, uid, version, {"dash_supplementary_questions": (assessments.KEEP, "DASH form p.6")},
         read={"dash_supplementary_questions": (None, "")})
    now = stored(engine, uid)
    assert "dash_supplementary_questions" not in now.answers
    assert now.notes["dash_supplementary_questions"] == "DASH form p.6"


def test_the_choice_is_in_the_trail_with_both_codes_and_no_note_text(engine, uid):
    with db.session_scope(engine) as s:
        assessments.record_choice(s, INSPECTOR1, uid, "initial_risk_assessment", kept="mine", mine="no",
                                  stored="yes", notes_differed=True)
    with db.session_scope(engine) as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == audit.CHANGE_CHOSEN)).one()
    assert (event.question, event.old_value, event.new_value) == ("initial_risk_assessment", "yes", "no")
    assert json.loads(event.detail) == {"kept": "mine", "notes_differed": True}
