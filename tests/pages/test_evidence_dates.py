"""The Evidence page's date (walk 24, W10): an older inspection's evidence can be dated on the
page, and an item is never saved with a day the person did not give — a box holding no date
(what the browser leaves when a date outside the box's window is typed) is refused by name."""

from __future__ import annotations

from datetime import date

from fieldwork import db
from fieldwork.services import evidence
from tests.apptest import page
from tests.evidence_helpers import LEAD1, add_interview


def fill(at, *, held_on: date | None):
    at.selectbox(key="ev_kind_0").select("interview")
    at.selectbox(key="ev_force_0").select("durham")
    if held_on is not None:
        at.date_input(key="ev_date_0").set_value(held_on)
    at.text_input(key="ev_source_0").input("force stalking SPOC")
    at.text_area(key="ev_summary_0").input("Interview with the SPOC.")
    at.selectbox(key="ev_ex_crit_0_0").select("3.1")
    at.selectbox(key="ev_ex_code_0_0").select("strength")
    at.text_area(key="ev_ex_text_0_0").input("Reviews every stalking report daily.")
    return at


def stored(engine):
    with db.session_scope(engine) as s:
        return evidence.list_evidence(s, LEAD1)


def test_the_box_opens_empty_and_takes_any_day_from_2000_to_today(engine, db_url, monkeypatch):
    at = page("pages/evidence.py", db_url, monkeypatch).run()
    box = at.date_input(key="ev_date_0")
    assert box.value is None  # never today unasked: a date the browser did not take left today before
    assert box.proto.min == "2000-01-01" and box.proto.max == date.today().isoformat()
    assert any("No date in the box" in c.value for c in at.caption)


def test_a_2016_interview_is_saved_with_its_own_date_and_the_page_says_it(engine, db_url, monkeypatch):
    at = fill(page("pages/evidence.py", db_url, monkeypatch).run(), held_on=date(2016, 11, 8))
    at.button(key="ev_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    [item] = stored(engine)
    assert item.held_on == date(2016, 11, 8)
    assert "dated 8 November 2016" in at.success[0].value
    assert any("08 Nov 2016" in e.label for e in at.expander)


def test_no_date_in_the_box_is_refused_naming_the_date_and_nothing_is_saved(engine, db_url, monkeypatch):
    at = fill(page("pages/evidence.py", db_url, monkeypatch).run(), held_on=None)
    at.button(key="ev_save").click().run()
    assert not at.exception
    assert at.error and "not saved" in at.error[0].value
    problems = at.dataframe[0].value  # the refusal: one row per problem, in words
    assert any("date is required" in p.lower() for p in problems["problem"]), problems
    assert stored(engine) == []
    assert at.date_input(key="ev_date_0").value is None  # what was typed is kept for the person to fix


def test_the_edit_form_changes_the_date_and_refuses_an_empty_box(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        item = add_interview(s)  # dated 2016-11-08
    [view] = stored(engine)
    at = page("pages/evidence.py", db_url, monkeypatch).run()
    at.toggle(key=f"ev_edit_{item.uid}").set_value(True).run()
    k = f"{item.uid}_{view.revision}"
    assert at.date_input(key=f"ev_e_date_{k}").value == date(2016, 11, 8)
    at.date_input(key=f"ev_e_date_{k}").set_value(None)
    at.button(key=f"FormSubmitter:ev_edit_form_{k}-Save changes").click().run()
    assert not at.exception and at.error and "not saved" in at.error[0].value
    [after] = stored(engine)
    assert after.held_on == date(2016, 11, 8) and after.revision == view.revision

    at.date_input(key=f"ev_e_date_{k}").set_value(date(2016, 10, 1))
    at.button(key=f"FormSubmitter:ev_edit_form_{k}-Save changes").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    [after] = stored(engine)
    assert after.held_on == date(2016, 10, 1)


def test_an_item_dated_before_2000_on_the_command_line_opens_for_editing_with_its_date(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        item = add_interview(s, held_on=date(1998, 5, 4))  # the command line takes any past date
    [view] = stored(engine)
    at = page("pages/evidence.py", db_url, monkeypatch).run()
    at.toggle(key=f"ev_edit_{item.uid}").set_value(True).run()
    assert not at.exception
    box = at.date_input(key=f"ev_e_date_{item.uid}_{view.revision}")
    assert box.value == date(1998, 5, 4) and box.proto.min == "1998-05-04"
