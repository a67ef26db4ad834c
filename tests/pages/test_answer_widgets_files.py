"""A select whose list is in a file that did not come with the form (``select_one_from_file``
without its CSV): Assess says which file holds the list and takes the code as typed."""

from __future__ import annotations

import pytest

from fieldwork import db
from tests.apptest import page
from tests.assess_helpers import add
from tests.pages.test_answer_widgets import ASSESS, go, key, stored
from tests.test_every_type import FORM, load_form

FILE_FORM = FORM.replace(
    "|        | acknowledge                | checked         | File checked               |",
    "|        | select_one_from_file stations.csv | station  | Station                    |                     |"
    "                     |                                  |                     |          |\n"
    "|        | acknowledge                | checked         | File checked               |")


@pytest.fixture
def case(engine):
    load_form(engine, FILE_FORM)
    with db.session_scope(engine) as s:
        return add(s, ref="HS-0043", questionnaire="timeliness", force="durham")


def test_a_list_in_a_file_not_sent_with_the_form_takes_a_typed_code(engine, db_url, monkeypatch, case):
    at = page(ASSESS, db_url, monkeypatch)
    at.query_params["case"] = str(case.case_id)
    at.run()
    go(at, case, "general_2")
    assert "The choices are in stations.csv, which did not come with the form" in " ".join(
        c.value for c in at.caption)
    at.text_input(key=key(case, "station")).input("north_1").run()
    assert not at.exception
    assert stored(engine, case)["station"] == "north_1"
