"""The Second marking page with accounts: the draw proposes only accounts that may see each
case, a row the lead changes to someone who may not is refused on that row, and the other
rows can be assigned without retyping them."""

from __future__ import annotations

from sqlalchemy import func, select

from fieldwork import db
from models import SecondMarking
from tests.accounts_helpers import make_user
from tests.laptops import random_answers, score
from tests.pages.test_quality_pages import button, lead_page, texts


def test_the_valid_rows_are_assigned_and_the_refused_one_stays(engine, db_url, monkeypatch):
    for n, force in enumerate(["avon_and_somerset", "durham", "durham"], 1):
        score(engine, "inspector1", f"HS-{n:04d}", random_answers(engine, seed=n, force=force))
    with db.session_scope(engine) as s:
        make_user(s, "inspector3", forces=("durham", "gwent"))
        make_user(s, "inspector4")
    at = lead_page("pages/second_marking.py", db_url, monkeypatch).run()
    at.radio(key="sm_by").set_value("Percentage")
    at.number_input(key="sm_percent").set_value(100.0)
    button(at, "Draw sample").click().run()
    assert not at.exception, at.exception
    # the proposal: inspector1 (no account, and the first marker) never; Avon and Somerset to inspector4
    sample, chosen = at.session_state["second_marking_sample"][1:]
    by_ref = {i.case_ref: chosen[i.primary_uid] for i in sample.items}
    # (the signed-in lead has an account too, as in the app, and may second-mark)
    assert by_ref["HS-0001"] in ("inspector4", "lead1")
    assert set(by_ref.values()) <= {"inspector3", "inspector4", "lead1"} and "inspector1" not in by_ref.values()
    assert not at.error  # a good proposal: nothing refused
    # the lead hands the Avon and Somerset case to inspector3, who covers Durham and Gwent only
    # (AppTest cannot type into a data editor: the row is changed where the editor reads it)
    state = at.session_state["second_marking_sample"]
    at.session_state["second_marking_sample"] = (state[0], state[1], {**chosen, sample.items[0].primary_uid:
                                                                      "inspector3"})
    at.run()
    shown = " ".join(at.dataframe[-1].value["problem"])
    assert "HS-0001" in shown and "covers only Durham Constabulary, Gwent Police" in shown
    button(at, "Assign the 2 row(s) without a problem").click().run()
    assert not at.exception
    assert "2 second marking(s) assigned; 1 row(s) still to change" in texts(at.success)
    with db.session_scope(engine) as s:
        assert s.execute(select(func.count()).select_from(SecondMarking)).scalar_one() == 2
