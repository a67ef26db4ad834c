"""A case's calculation that reads the entries of a repeat group (``count(${incident_date})``,
``sum(${calls})``) is stored as worked out over the entries on every save, and shown so on the
form — walk 24, W3: an ODK form's ``count()`` stayed 0 with two incidents recorded."""

from __future__ import annotations

from fieldwork import db
from fieldwork.questionnaire import entries
from fieldwork.services import assessments, repeat_entries
from tests.assess_helpers import INSPECTOR1
from tests.repeat_helpers import add_case

FORM = """
| survey |
|        | type              | name          | label              | calculation      |
|        | select_one yes_no | charged       | Charged?           |                  |
|        | begin repeat      | incident      | Incident           |                  |
|        | date              | when          | Date of incident   |                  |
|        | integer           | calls         | Calls made         |                  |
|        | end repeat        |               |                    |                  |
|        | calculate         | recorded      |                    | count(${when})   |
|        | calculate         | total_calls   |                    | sum(${calls})    |
|        | calculate         | entries       |                    | count(${incident}) |
| choices |
|         | list_name | name | label |
|         | yes_no    | yes  | Yes   |
|         | yes_no    | no   | No    |
| settings |
|          | form_id      | version | form_title   |
|          | incident_log | 1       | Incident log |
"""


def test_a_count_and_a_sum_over_the_entries_are_stored_as_the_entries_hold(engine):
    case = add_case(engine, markdown=FORM)
    uid, version = case.assessment_uid, 1

    def run(fn, *args):
        nonlocal version
        with db.session_scope(engine) as s:
            result = fn(s, INSPECTOR1, uid, version, *args)
        version = result.version
        return result

    def stored():
        with db.session_scope(engine) as s:
            return assessments.load(s, INSPECTOR1, uid)

    run(repeat_entries.add_entry, "incident")
    run(repeat_entries.add_entry, "incident")
    run(assessments.save, {"incident[1]/when": ("2016-03-04", None), "incident[1]/calls": ("3", None)})
    run(assessments.save, {"incident[2]/when": ("2016-04-11", None), "incident[2]/calls": ("4", None)})
    view = stored()
    assert (view.answers.get("recorded"), view.answers.get("total_calls"), view.answers.get("entries")) == \
        ("2", "7", "2")
    run(repeat_entries.add_entry, "incident")
    run(assessments.save, {"incident[3]/calls": ("5", None)})  # no date: XPath's count() counts the entries
    view = stored()
    assert (view.answers.get("recorded"), view.answers.get("total_calls"), view.answers.get("entries")) == \
        ("3", "12", "3")
    # the form shows the same value: worked out with the entries in view, as the case record does
    worked = entries.Entries(view.questionnaire, view.answers, view.instances).values
    assert (worked["recorded"], worked["total_calls"], worked["entries"]) == ("3", "12", "3")


MULTIPLE_IN_REPEAT = """
| survey |
|        | type                  | name     | label            |
|        | select_one yes_no     | charged  | Charged?         |
|        | begin repeat          | incident | Incident         |
|        | select_multiple ways  | ways     | How it was done  |
|        | end repeat            |          |                  |
| choices |
|         | list_name | name    | label    |
|         | yes_no    | yes     | Yes      |
|         | yes_no    | no      | No       |
|         | ways      | texts   | Texts    |
|         | ways      | calls   | Calls    |
| settings |
|          | form_id      | version | form_title   |
|          | incident_log | 1       | Incident log |
"""


def test_a_choice_of_several_counted_over_entries_says_an_entry_may_have_more_than_one(engine):
    """Walk 24, W19: "(a case may have more than one …)" stood beside figures counted in entries."""
    from fieldwork.services import findings

    case = add_case(engine, markdown=MULTIPLE_IN_REPEAT)
    uid, version = case.assessment_uid, 1
    for step in ((repeat_entries.add_entry, "incident"), (repeat_entries.add_entry, "incident"),
                 (assessments.save, {"incident[1]/ways": ("texts calls", None), "incident[2]/ways": ("texts", None),
                                     "charged": ("no", None)})):
        with db.session_scope(engine) as s:
            version = step[0](s, INSPECTOR1, uid, version, step[1]).version
    with db.session_scope(engine) as s:
        assessments.mark_complete(s, INSPECTOR1, uid, version)
        report = findings.compute(s, "incident_log")
    texts = report.get("ways", "texts")
    assert (texts.count, texts.denominator, texts.unit) == (2, 2, "entries")
    assert "an entry may have more than one" in texts.text and "a case may" not in texts.text
