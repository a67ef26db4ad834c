"""Second marking page after a partly refused assignment (walk 25, V3): the rows left to assign
are headed as part of the draw ("1 of the 4 drawn cases still to assign"), not as a draw of
their own, and the sample line under the markings keeps every drawn case and says which are
assigned; once the last row is assigned the line is the whole draw again."""

from __future__ import annotations

from fieldwork import db
from tests.accounts_helpers import make_user
from tests.laptops import random_answers, score
from tests.pages.test_quality_pages import button, lead_page, texts

RULE = "100% per force, seed 2017"


def _change(at, ref: str, who: str) -> None:
    """Give ``ref``'s row another second marker (AppTest cannot type into a data editor: the row
    is changed where the editor reads it)."""
    key, sample, chosen = at.session_state["second_marking_sample"]
    uid = next(i.primary_uid for i in sample.items if i.case_ref == ref)
    at.session_state["second_marking_sample"] = (key, sample, {**chosen, uid: who})
    at.run()


def test_a_partly_refused_assignment_keeps_the_whole_draw_in_words(engine, db_url, monkeypatch):
    for n, force in enumerate(["avon_and_somerset", "durham", "durham", "durham"], 1):
        score(engine, "inspector1", f"HS-{n:04d}", random_answers(engine, seed=n, force=force))
    with db.session_scope(engine) as s:
        make_user(s, "inspector3", forces=("durham", "gwent"))
        make_user(s, "inspector4")
    at = lead_page("pages/second_marking.py", db_url, monkeypatch).run()
    at.radio(key="sm_by").set_value("Percentage")
    at.number_input(key="sm_percent").set_value(100.0)
    button(at, "Draw sample").click().run()
    assert not at.exception, at.exception
    assert f"4 case(s) drawn — {RULE}." in texts(at.caption)
    _change(at, "HS-0001", "inspector3")  # Avon and Somerset, outside inspector3's forces: refused
    button(at, "Assign the 3 row(s) without a problem").click().run()
    assert not at.exception, at.exception
    captions = texts(at.caption)
    assert f"1 of the 4 drawn cases still to assign — {RULE}." in captions
    assert "1 case(s) drawn" not in captions
    assert (f"Sample ({RULE}): HS-0001, HS-0002, HS-0003, HS-0004 — assigned HS-0002, HS-0003, HS-0004; "
            "HS-0001 still to assign (above).") in captions
    waiting = button(at, "Change the second marker above to assign")  # not "Assign the 0 row(s)"
    assert waiting.disabled

    _change(at, "HS-0001", "inspector4")  # someone who covers every force
    button(at, "Assign 1 second marking(s)").click().run()
    assert not at.exception, at.exception
    captions = texts(at.caption)
    assert f"Sample ({RULE}): HS-0001, HS-0002, HS-0003, HS-0004." in captions
    assert "still to assign" not in captions and "second_marking_drawn" not in at.session_state
