"""Evidence: "Another excerpt" adds empty boxes in the add form (a fragment, so in the browser
only the form runs again: docs/waits.md), keeping what was typed, and the save still lists the
new item below the form."""

from __future__ import annotations

from datetime import date

from tests.apptest import page


def test_each_press_adds_an_excerpt_and_keeps_what_was_typed(engine, db_url, monkeypatch):
    at = page("pages/evidence.py", db_url, monkeypatch).run()
    at.text_area(key="ev_ex_text_0_0").input("The SPOC reviews every report.")
    for _ in range(3):
        at.button(key="ev_more").click().run()
        assert not at.exception
    assert [t.key for t in at.text_area if t.key.startswith("ev_ex_text_0_")] == [
        f"ev_ex_text_0_{i}" for i in range(4)]
    assert at.text_area(key="ev_ex_text_0_0").value == "The SPOC reviews every report."
    at.selectbox(key="ev_kind_0").select("interview")
    at.date_input(key="ev_date_0").set_value(date(2016, 11, 8))  # the box opens empty (walk 24, W10)
    at.text_input(key="ev_source_0").input("force stalking SPOC")
    at.selectbox(key="ev_ex_crit_0_0").select("1.5")
    at.selectbox(key="ev_ex_code_0_0").select("strength")
    at.button(key="ev_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "with 1 excerpt(s)" in at.success[0].value  # the three empty boxes add nothing
    assert any(e.label.startswith("EV-0001") for e in at.expander)  # listed below the form
    assert [t.key for t in at.text_area if t.key.startswith("ev_ex_text_1_")] == ["ev_ex_text_1_0"]  # one box again
