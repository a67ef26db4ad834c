"""Removing an entry of a repeat group (walk 24, W12): the "Remove …?" confirmation closes once
the entry is removed — left open it sat over the entry that moved up, offering the same red
button — and a click made on a button drawn before the last removal removes nothing."""

from __future__ import annotations

from tests.pages.test_assess_repeats import go, key, open_case, stored, texts
from tests.repeat_helpers import add_case


def three_incidents(engine, db_url, monkeypatch):
    case = add_case(engine)
    at = go(open_case(db_url, monkeypatch, case), case, "incident")
    for i in range(3):
        at.button(key=key(case, "add", "incident@")).click().run()
        at.radio(key=key(case, "a", f"incident[{i + 1}]/attended")).set_value("no").run()
    at.number_input(key=key(case, "a", "incident[3]/calls")).set_value(7).run()
    return case, at


def test_the_confirmation_is_closed_after_the_removal(engine, db_url, monkeypatch):
    case, at = three_incidents(engine, db_url, monkeypatch)
    ask = key(case, "remove_ask", "incident[2]")
    at.session_state[ask] = True  # the inspector opens "Remove" on incident 2
    at.run()
    assert at.session_state[ask] is True
    assert "Remove Incident 2 and its answers?" in texts(at.caption)

    at.button(key=key(case, "remove", "incident[2]")).click().run()
    assert not at.exception
    assert stored(engine, case).answers["incident[2]/calls"] == "7"  # incident 3 moved up
    # closed: the box now holding what was incident 3 offers no open confirmation
    assert at.session_state[ask] is False
    assert at.session_state[key(case, "remove_ask", "incident[1]")] is False
    assert "Removed Incident 2" in texts(at.toast)


def test_a_click_on_a_button_drawn_before_the_last_removal_removes_nothing(engine, db_url, monkeypatch):
    case, at = three_incidents(engine, db_url, monkeypatch)
    before = stored(engine, case)
    at.button(key=key(case, "remove", "incident[2]")).click()
    # the button was drawn before a removal this page has since made (a second click of a
    # double click, arriving while the page is drawn again)
    at.session_state[key(case, "removals")] = 1
    at.run()
    assert not at.exception
    after = stored(engine, case)
    assert after.answers == before.answers and after.version == before.version
    assert "Nothing more was removed" in texts(at.toast)

    at.button(key=key(case, "remove", "incident[2]")).click().run()  # drawn since: it removes
    assert "incident[3]/attended" not in stored(engine, case).answers
