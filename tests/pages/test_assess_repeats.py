"""The Assess form with repeat groups through AppTest: entries added, answered, removed and
renumbered; a nested repeat under its outer entry, asked by that entry's answer; a counted
repeat following its number; Mark complete listing what is missing by entry; the completed
assessment and the read-only case view showing the entries."""

from __future__ import annotations

from fieldwork import db
from fieldwork.services import assessments
from fieldwork.services.permissions import LEAD
from fieldwork.ui import questionnaire_form
from tests.apptest import page
from tests.assess_helpers import INSPECTOR1
from tests.repeat_helpers import add_case

ASSESS = "pages/assess.py"


def key(case, kind, name=""):
    return questionnaire_form.widget_key(case.assessment_uid, kind, name)


def open_case(db_url, monkeypatch, case):
    at = page(ASSESS, db_url, monkeypatch)
    at.query_params["case"] = str(case.case_id)
    return at.run()


def go(at, case, section):
    return at.radio(key=key(case, "section")).set_value(section).run()


def stored(engine, case):
    with db.session_scope(engine) as s:
        return assessments.load(s, INSPECTOR1, case.assessment_uid)


def texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def test_entries_are_added_answered_removed_and_renumbered(engine, db_url, monkeypatch):
    case = add_case(engine)
    at = go(open_case(db_url, monkeypatch, case), case, "incident")
    assert "No incident recorded yet." in texts(at.caption)
    for i in range(3):
        at.button(key=key(case, "add", "incident@")).click().run()
        at.radio(key=key(case, "a", f"incident[{i + 1}]/attended")).set_value("no").run()
    at.number_input(key=key(case, "a", "incident[3]/calls")).set_value(7).run()
    at.text_area(key=key(case, "n", "incident[3]/calls")).input("log p.4").run()
    assert stored(engine, case).answers["incident[3]/calls"] == "7"

    at.button(key=key(case, "remove", "incident[2]")).click().run()
    view = stored(engine, case)
    assert {k: v for k, v in view.answers.items() if k.startswith("incident")} == {
        "incident[1]/attended": "no", "incident[2]/attended": "no", "incident[2]/calls": "7"}
    assert view.notes == {"incident[2]/calls": "log p.4"}
    # the widgets follow the renumbering: entry 2 now shows what was entry 3's
    assert at.number_input(key=key(case, "a", "incident[2]/calls")).value == 7
    assert at.text_area(key=key(case, "n", "incident[2]/calls")).value == "log p.4"
    assert not [b for b in at.button if b.key == key(case, "remove", "incident[3]")]

    # the nested repeat: asked in an incident the police attended, under that incident
    at.radio(key=key(case, "a", "incident[1]/attended")).set_value("yes").run()
    at = go(at, case, "pin")
    assert [b.key for b in at.button if b.key.startswith(key(case, "add", ""))] == [key(case, "add", "pin@incident[1]")]
    at.button(key=key(case, "add", "pin@incident[1]")).click().run()
    at.radio(key=key(case, "a", "incident[1]/pin[1]/served")).set_value("yes").run()
    assert stored(engine, case).answers["incident[1]/pin[1]/served"] == "yes"


def test_a_counted_repeat_follows_its_number_and_mark_complete_lists_gaps_by_entry(engine, db_url, monkeypatch):
    case = add_case(engine)
    at = go(open_case(db_url, monkeypatch, case), case, "general_2")
    at.number_input(key=key(case, "a", "n_hearings")).set_value(2).run()
    at = go(at, case, "hearing")
    assert not [b for b in at.button if b.key.startswith(key(case, "add", "hearing"))]  # the form sets the number
    assert at.text_input(key=key(case, "a", "hearing[2]/outcome"))
    at.text_input(key=key(case, "a", "hearing[1]/outcome")).input("convicted").run()
    at = go(at, case, "incident")
    at.button(key=key(case, "add", "incident@")).click().run()
    at.button(key=key(case, "complete")).click().run()
    refusal = texts(at.error)
    assert "2 required answer(s) missing" in refusal
    assert "Incident 1: Date of incident" in refusal and "Hearing 2: Outcome" in refusal

    at.text_input(key=key(case, "a", "incident[1]/when")).input("2016-04-05").run()
    at = go(at, case, "hearing")
    at.text_input(key=key(case, "a", "hearing[2]/outcome")).input("acquitted").run()
    at.button(key=key(case, "complete")).click().run()
    assert "Marked complete" in texts(at.success)
    # the completed view (the read-only case) shows every entry, nothing editable
    rows = [r for d in at.dataframe for r in d.value.to_dict("records") if r["question"] == "Outcome"]
    assert [(r["entry"], r["answer"]) for r in rows] == [("Hearing 1", "convicted"), ("Hearing 2", "acquitted")]
    assert not at.text_input
    assert not [b for b in at.button if b.key.startswith(key(case, "add", ""))]


def test_the_read_only_case_view_shows_each_entry(engine, db_url, monkeypatch):
    case = add_case(engine)
    from fieldwork.services import repeat_entries

    with db.session_scope(engine) as s:
        repeat_entries.add_entry(s, INSPECTOR1, case.assessment_uid, 1, "incident")
        repeat_entries.add_entry(s, INSPECTOR1, case.assessment_uid, 2, "incident")
        assessments.save(s, INSPECTOR1, case.assessment_uid, 3, {"incident[1]/when": ("2016-01-01", "crime report"),
                                                                 "incident[2]/when": ("2016-02-02", None)})
    at = page("pages/case_view.py", db_url, monkeypatch, user="lead1", role=LEAD)
    at.query_params["assessment"] = case.assessment_uid
    at.run()
    assert not at.exception
    tables = [d.value for d in at.dataframe]
    assert [list(t.columns) for t in tables] == [["question", "answer", "evidence note"],
                                                 ["entry", "question", "answer", "evidence note"],
                                                 ["question", "answer", "evidence note"]]
    incidents = tables[1][tables[1]["question"] == "Date of incident"]
    assert list(incidents["entry"]) == ["Incident 1", "Incident 2"]
    assert list(incidents["answer"]) == ["2016-01-01", "2016-02-02"]
    assert list(incidents["evidence note"]) == ["crime report", ""]


def test_two_sessions_adding_entries_each_see_the_other_and_nothing_is_overwritten(engine, db_url, monkeypatch):
    case = add_case(engine)
    one = go(open_case(db_url, monkeypatch, case), case, "incident")
    two = go(open_case(db_url, monkeypatch, case), case, "incident")
    one.button(key=key(case, "add", "incident@")).click().run()
    one.radio(key=key(case, "a", "incident[1]/attended")).set_value("no").run()
    # the other session read an older version: its Add shows what is stored and asks again
    two.button(key=key(case, "add", "incident@")).click().run()
    assert two.radio(key=key(case, "a", "incident[1]/attended")).value == "no"
    assert not [b for b in two.button if b.key == key(case, "remove", "incident[2]")]
    two.button(key=key(case, "add", "incident@")).click().run()
    two.radio(key=key(case, "a", "incident[2]/attended")).set_value("yes").run()
    view = stored(engine, case)
    assert view.instances == {"incident[1]", "incident[2]"}
    assert (view.answers["incident[1]/attended"], view.answers["incident[2]/attended"]) == ("no", "yes")
