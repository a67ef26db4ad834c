"""The Conflicts, Second marking and Moderation pages through AppTest, as a lead inspector."""

from __future__ import annotations

from sqlalchemy import select

from fieldwork import db
from fieldwork.services import assessments, second_marking
from fieldwork.ui import session
from models import AGREED, Assessment, SecondMarking
from tests.apptest import page
from tests.laptops import LEAD_ACTOR, databases, edit, export, inspector, merge, random_answers, score, team_accounts

__all__ = ["databases"]


def texts(elements) -> str:
    return " | ".join(e.value for e in elements)


def button(at, label: str):
    return next(b for b in at.button if b.label.startswith(label))


def lead_page(path, db_url, monkeypatch):
    return page(path, db_url, monkeypatch, user="lead1", role=session.LEAD)


# --- Conflicts ---------------------------------------------------------------------------------


def test_the_lead_resolves_a_case_scored_on_two_laptops(engine, db_url, monkeypatch, databases):
    laptop_a, laptop_b = databases("a"), databases("b")
    team_accounts(engine)  # a bundle merges only an account's work
    uid_a = score(laptop_a, "inspector1", "HS-0001", random_answers(laptop_a, seed=5, avoidable_delay="no"),
                  notes={"avoidable_delay": "MG5 p2"})
    uid_b = score(laptop_b, "inspector2", "HS-0001", random_answers(laptop_b, seed=5, avoidable_delay="yes"))
    merge(engine, export(laptop_a, inspector("inspector1")), "a.fwbundle.zip")
    merge(engine, export(laptop_b, inspector("inspector2")), "b.fwbundle.zip")

    findings_page = lead_page("pages/findings.py", db_url, monkeypatch).run()
    assert not findings_page.exception  # the findings page says it too, while the conflict is open
    assert "1 case(s) await the lead's choice" in texts(findings_page.warning)
    assert "was in this database first" in texts(findings_page.warning)

    at = lead_page("pages/conflicts.py", db_url, monkeypatch).run()
    assert not at.exception
    assert "was in this database first" in at.info[0].value  # what counts meanwhile, said on the page
    assert "HS-0001" in texts(at.markdown) and "two laptops" in texts(at.markdown)
    table = at.dataframe[0].value
    assert "avoidable_delay" in list(table["variable"])
    assert "avoidable_delay" not in list(table["question"])  # the question in words
    assert "MG5 p2" in texts(at.caption)
    assert "avoidable_delay" not in texts(at.markdown)  # the notes' question in words too (walk 24, W11)
    at.radio(key=next(r.key for r in at.radio)).set_value(uid_b).run()
    button(at, "Resolve").click().run()
    assert not at.exception
    assert "now counts; the other is kept, not counted" in texts(at.success)
    assert "not counted now counts" not in texts(at.success)  # the chosen one named by who scored it
    assert "No conflicts to resolve" in texts(at.success)
    with db.session_scope(engine) as s:
        counted = dict(s.execute(select(Assessment.uid, Assessment.counted)).all())
    assert counted == {uid_a: False, uid_b: True}


def test_no_conflicts_says_so(engine, db_url, monkeypatch):
    at = lead_page("pages/conflicts.py", db_url, monkeypatch).run()
    assert "No conflicts to resolve" in texts(at.success)


# --- Second marking ------------------------------------------------------------------------------


def test_the_lead_draws_a_sample_and_assigns_second_markers(engine, db_url, monkeypatch):
    for n in range(1, 7):
        score(engine, f"inspector{1 + n % 2}", f"HS-{n:04d}", random_answers(engine, seed=n, force="durham"))
    for name in ("inspector1", "inspector2"):  # second markers need accounts once the lead has one
        page("pages/criteria.py", db_url, monkeypatch, user=name)
    at = lead_page("pages/second_marking.py", db_url, monkeypatch).run()
    assert not at.exception and "None assigned yet" in texts(at.caption)
    at.radio(key="sm_by").set_value("Number of cases")
    at.number_input(key="sm_number").set_value(3)
    button(at, "Draw sample").click().run()
    assert not at.exception
    assert "3 case(s) drawn — 3 case(s) per force, seed 2017" in texts(at.caption)
    button(at, "Assign 3 second marking(s)").click().run()
    assert not at.exception, at.exception
    assert "3 second marking(s) assigned" in texts(at.success)
    with db.session_scope(engine) as s:
        rows = s.execute(select(SecondMarking)).scalars().all()
    assert len(rows) == 3 and all(r.first_inspector != r.second_inspector for r in rows)
    assert all(r.sample_rule == "3 case(s) per force, seed 2017" for r in rows)
    states = next(d.value for d in at.dataframe if "State" in d.value.columns)
    assert list(states["State"]) == [second_marking.AWAITING] * 3


def _moderation_ready(engine, case_ref: str = "HS-0300") -> int:
    first = random_answers(engine, seed=21, avoidable_delay="no", prevention_advice="yes")
    primary = score(engine, "inspector1", case_ref, first, notes={"avoidable_delay": "Crime report p7"})
    with db.session_scope(engine) as s:
        marking, = second_marking.assign(s, LEAD_ACTOR, {primary: "inspector2"})
        marking_id, second_uid = marking.id, marking.second_uid
    with db.session_scope(engine) as s:
        context = assessments.load(s, inspector("inspector2"), second_uid).answers
    second = {**first, "avoidable_delay": "yes", "prevention_advice": "no"}
    edit(engine, "inspector2", second_uid,
         {k: (v, "CCTV log" if k == "avoidable_delay" else None) for k, v in second.items() if k not in context})
    return marking_id


def test_the_second_marking_page_shows_agreement_once_a_case_is_marked_twice(engine, db_url, monkeypatch):
    _moderation_ready(engine)
    at = lead_page("pages/second_marking.py", db_url, monkeypatch).run()
    assert not at.exception
    agreement = at.dataframe[-1].value
    delay = agreement.set_index("Variable").loc["avoidable_delay"]
    assert delay["Cases"] == 1 and delay["Agreement"] == 0.0
    assert "1 case(s) marked twice" in texts(at.caption)
    assert [b.label for b in at.get("download_button")] == ["Download agreement (CSV)"]


# --- Moderation ------------------------------------------------------------------------------


def test_the_lead_moderates_side_by_side_and_finishes(engine, db_url, monkeypatch):
    marking_id = _moderation_ready(engine)
    at = lead_page("pages/moderation.py", db_url, monkeypatch).run()
    assert not at.exception
    shown = texts(at.markdown)
    assert "inspector1" in shown and "inspector2" in shown and "Were there avoidable delays" in shown
    assert "Crime report p7" in texts(at.caption) and "CCTV log" in texts(at.caption)

    button(at, "Finish moderation").click().run()  # nothing agreed yet: refused, every question named
    assert "moderation is not finished" in texts(at.error).lower()

    at.selectbox(key=f"mod_{marking_id}_avoidable_delay").set_value("yes")
    at.selectbox(key=f"mod_{marking_id}_prevention_advice").set_value("yes")
    button(at, "Save agreed answers").click().run()
    assert not at.exception
    assert "2 agreed answer(s) recorded" in texts(at.success)
    assert "Agreed by lead1" in texts(at.caption)

    button(at, "Finish moderation").click().run()
    assert not at.exception
    assert "findings now count the agreed answers" in texts(at.success)
    with db.session_scope(engine) as s:
        agreed = s.execute(select(Assessment).where(Assessment.purpose == AGREED)).scalars().one()
    assert agreed.counted and agreed.inspector == "lead1"


def test_moderation_waits_for_both_markings(engine, db_url, monkeypatch):
    at = lead_page("pages/moderation.py", db_url, monkeypatch).run()
    assert "Nothing to moderate yet" in texts(at.info)
