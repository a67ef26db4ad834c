"""An answer filed under an entry numbered beyond what a repeat group holds is refused before any
entry is built: one answer under pin[99999999999999999999] made the merge run without end, memory
growing to 1.9 GB; pin[100000] stored a case of 100,000 PIN entries (attacker re-test 22, F8)."""

from __future__ import annotations

import pytest

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import bundles
from tests.db_snapshot import snapshot
from tests.laptops import LEAD_ACTOR, databases, export  # noqa: F401 (fixture)
from tests.marking_repeat_helpers import add_form, score
from tests.test_bundles import rewrite
from tests.test_second_marking_repeats import FIRST


@pytest.fixture
def pair(databases):
    laptop, lead = databases("laptop"), databases("lead")
    for e in (laptop, lead):
        with db.session_scope(e) as s:
            add_form(s)
    score(laptop, "inspector1", "HS-0001", FIRST)
    return export(laptop, LEAD_ACTOR), lead


def _with_answer(instance: str):
    def change(payload):
        answers = payload["assessments"][0]["answers"]
        answers.append({**answers[0], "question": "served", "instance": instance, "value": "no", "note": ""})
    return change


@pytest.mark.parametrize("instance, number", [("incident[1]/pin[99999999999999999999]", "99,999,999,999,999,999,999"),
                                              ("incident[1]/pin[100000]", "100,000"),
                                              ("incident[1]/pin[501]", "501")])
def test_an_entry_numbered_beyond_a_repeat_groups_limit_is_refused_at_once(pair, instance, number):
    content, lead = pair
    before = snapshot(lead)
    with pytest.raises(ProblemError) as caught, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, rewrite(content, _with_answer(instance), fix_checksum=True), "x.zip")
    messages = [p.message for p in caught.value.problems]
    assert any(f"entry {number} of pin; a repeat group holds at most 500 entries" in m for m in messages), messages
    assert snapshot(lead) == before


def test_too_many_entries_in_all_are_refused(pair, monkeypatch):
    monkeypatch.setattr(bundles, "MAX_ENTRIES_PER_ASSESSMENT", 3)
    content, lead = pair
    with pytest.raises(ProblemError) as caught, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, rewrite(content, _with_answer("incident[1]/pin[4]"), fix_checksum=True),
                              "x.zip")
    assert any("an assessment holds at most 3 entries" in p.message for p in caught.value.problems)
