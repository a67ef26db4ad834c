"""A judgement conflict from a second laptop on the Judgements page (walk 24, W18): the force and
both grades in words, both rationales, when each was judged and what each cites; after the lead
chooses, the page says what was done."""

from __future__ import annotations

import json

from fieldwork import db
from fieldwork.services import evidence, judgements
from fieldwork.services.judgements import FindingRef
from fieldwork.ui import session
from models import EvidenceConflict
from tests.apptest import page
from tests.evidence_helpers import LEAD1, add_interview


def conflict(engine) -> None:
    """lead1 judged Durham 3.1 Met here citing an interview's excerpt; a bundle brings lead2's Not
    met of the same cell citing the interview and a case-file finding."""
    with db.session_scope(engine) as s:
        item = add_interview(s)
        [view] = evidence.list_evidence(s, LEAD1)
        excerpt = next(e for e in view.excerpts if e.criterion == "3.1")
        j, _ = judgements.judge(s, LEAD1, unit_type="force", unit="durham", criterion="3.1", grade="met",
                                rationale="Risk assessed at first contact in most files.", excerpts=[excerpt.uid])
        finding = FindingRef("case_review", "initial_risk_assessment", "yes")
        incoming = {"uid": "b" * 32, "unit_type": "force", "unit": "durham", "criterion": "3.1",
                    "grade": "not_met", "rationale": "Officers unsure when to complete it.", "judged_by": "lead2",
                    "judged_at": "2016-11-10T10:00:00+00:00", "version": 1, "revision": "c" * 32,
                    "parent_revision": None, "links": [["evidence", item.uid], ["finding", finding.target]],
                    "history": []}
        s.add(EvidenceConflict(inspection_id=j.inspection_id, kind="judgement", uid="b" * 32, local_uid=j.uid,
                               revision="c" * 32, content=json.dumps(incoming)))


def words(at) -> str:
    return " | ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.success])


def test_both_sides_are_shown_in_words_with_their_reasons_dates_and_citations(engine, db_url, monkeypatch):
    conflict(engine)
    at = page("pages/judgements.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    assert not at.exception
    shown = words(at)
    assert "Durham Constabulary · 3.1" in shown and "durham · 3.1" not in shown
    assert "**Met** — judged by lead1" in shown and "**Not met** — judged by lead2, 10 Nov 2016 10:00" in shown
    assert "not_met" not in shown
    assert "Rationale: Risk assessed at first contact in most files." in shown
    assert "Rationale: Officers unsure when to complete it." in shown
    assert "Cites: EV-0001's excerpt on 3.1 (area for improvement)" in shown
    assert "Cites: EV-0001 (interview, 8 Nov 2016); case-file finding:" in shown
    assert "police? Yes (Joint case file review)" in shown  # the finding's answer and questionnaire in words


def test_taking_the_bundles_says_what_was_done(engine, db_url, monkeypatch):
    conflict(engine)
    at = page("pages/judgements.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("jd_conflict_take_"))).click().run()
    assert not at.exception
    assert ("Durham Constabulary · 3.1: the bundle's judgement (Not met, by lead2) now stands; the one that was "
            "here is kept in its history.") in words(at)
    assert not any("kept for you" in e.label for e in at.expander)


def test_keeping_ours_says_what_was_done(engine, db_url, monkeypatch):
    conflict(engine)
    at = page("pages/judgements.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("jd_conflict_keep_"))).click().run()
    assert not at.exception
    assert ("Durham Constabulary · 3.1: the judgement here (Met, by lead1) stands; the bundle's is set aside."
            in words(at))
    with db.session_scope(engine) as s:
        [j] = judgements.judgements(s, judgements.inspections.resolve(s, None), unit="durham", criterion="3.1")
        assert j.grade == "met"


def test_an_evidence_conflict_is_named_by_its_kind_in_words_and_keeping_ours_says_so(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        item = add_interview(s)
        incoming = {"uid": item.uid, "ref": item.ref, "kind": "interview", "summary": "changed on a laptop"}
        s.add(EvidenceConflict(inspection_id=item.inspection_id, kind="evidence", uid=item.uid, local_uid=item.uid,
                               revision="d" * 32, content=json.dumps(incoming)))
    at = page("pages/judgements.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    assert not at.exception
    assert "**EV-0001** (Interview) — changed here and on a laptop" in words(at)
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("jd_conflict_keep_"))).click().run()
    assert not at.exception
    assert "EV-0001: the version here stands; the bundle's is set aside." in words(at)
