"""Evidence, privacy before saving (F22): every field of the add form is checked at once, and
text that looks as if it holds a person's details is saved only after the person has seen the
warning for that exact text and pressed Save anyway. Invented details only."""

from __future__ import annotations

from datetime import date

from fieldwork import db
from fieldwork.services import evidence
from tests.apptest import page
from tests.evidence_helpers import LEAD1

SUMMARY = "Victim Jane Doe (07700 900456) said the suspect followed her to work."  # invented


def _items(engine):
    with db.session_scope(engine) as s:
        return evidence.list_evidence(s, LEAD1)


def _fill(at, source, summary):
    at.selectbox(key="ev_force_0").select("durham")
    at.date_input(key="ev_date_0").set_value(date(2016, 11, 8))  # the box opens empty (W10)
    at.text_input(key="ev_source_0").input(source)
    at.text_area(key="ev_summary_0").input(summary)


def _texts(elements) -> str:
    return " | ".join(e.value for e in elements)


def test_the_first_refusal_names_the_summary_too_and_nothing_is_saved_before_the_warning(engine, db_url,
                                                                                        monkeypatch):
    at = page("pages/evidence.py", db_url, monkeypatch).run()
    _fill(at, "DC Joe Bloggs, Durham PVP unit", SUMMARY)
    at.button(key="ev_save").click().run()
    assert not at.exception and "not saved" in at.error[0].value
    assert "the summary looks as if it holds a phone number" in _texts(at.warning)  # with the source's refusal

    at.text_input(key="ev_source_0").input("force PVP unit detective")
    at.button(key="ev_save").click().run()
    assert not at.exception and not at.success and not at.error
    warning = _texts(at.warning)
    assert "Not saved yet" in warning and "The summary looks as if it holds a phone number" in warning
    assert _items(engine) == []  # asked before anything is written
    assert at.text_area(key="ev_summary_0").value == SUMMARY  # the form is kept to correct

    at.text_area(key="ev_summary_0").input("The victim said the suspect followed her to work.")
    at.run()  # the text changed: the question about the old text is gone, no Save anyway for it
    assert not any(b.key == "ev_add_anyway" for b in at.button)
    at.button(key="ev_save").click().run()
    assert "Saved EV-" in at.success[0].value and not at.warning
    [item] = _items(engine)
    assert item.summary == "The victim said the suspect followed her to work."


def test_save_anyway_saves_only_the_text_that_was_warned_about(engine, db_url, monkeypatch):
    at = page("pages/evidence.py", db_url, monkeypatch).run()
    _fill(at, "force PVP unit detective", "Met Kingsley Hall staff on 07700 900456 about referrals.")
    at.button(key="ev_save").click().run()
    assert "Not saved yet" in _texts(at.warning) and _items(engine) == []
    at.button(key="ev_add_anyway").click().run()
    assert not at.exception and "Saved EV-" in at.success[0].value
    assert not at.warning  # seen before saving: not said again after
    [item] = _items(engine)
    assert item.summary.startswith("Met Kingsley Hall staff")


def test_a_clean_item_is_saved_at_once(engine, db_url, monkeypatch):
    at = page("pages/evidence.py", db_url, monkeypatch).run()
    _fill(at, "force stalking SPOC", "Interview with the force lead on stalking.")
    at.button(key="ev_save").click().run()
    assert "Saved EV-" in at.success[0].value and not at.warning and len(_items(engine)) == 1


def test_a_change_is_asked_about_before_it_is_saved(engine, db_url, monkeypatch):
    from tests.evidence_helpers import add_interview

    with db.session_scope(engine) as s:
        item = add_interview(s)
        [view] = evidence.list_evidence(s, LEAD1)
    at = page("pages/evidence.py", db_url, monkeypatch).run()
    at.toggle(key=f"ev_edit_{item.uid}").set_value(True).run()
    k = f"{item.uid}_{view.revision}"
    at.text_area(key=f"ev_e_summary_{k}").input(SUMMARY)
    at.button(key=f"FormSubmitter:ev_edit_form_{k}-Save changes").click().run()
    assert not at.exception and not at.success
    assert "Not saved yet" in _texts(at.warning) and "a phone number" in _texts(at.warning)
    [unchanged] = _items(engine)
    assert unchanged.summary == view.summary and unchanged.revision == view.revision
    at.button(key=f"ev_edit_{k}_anyway").click().run()
    assert not at.exception and "Saved" in at.success[0].value
    [after] = _items(engine)
    assert after.summary == SUMMARY
