"""The draft report's "Second marking and agreement" says what the Second marking page says
(walk 25, V2): each question's place against the threshold in the Threshold column, the
questions with too few pairs to judge and why they are not flagged, why a kappa is blank, and
how many cases still await moderation. Read back from the .docx with python-docx."""

from __future__ import annotations

from collections import Counter

from exports import report_docx, reporting
from fieldwork import db
from fieldwork.services import agreement, agreement_words, second_marking
from tests.laptops import LEAD_ACTOR, edit, inspector, random_answers, score
from tests.report_reader import read
from fieldwork.services import assessments

RISK, OVERALL = "initial_risk_assessment", "dealt_with_well_overall"


def _marked_twice(engine, ref: str, first: dict, second: dict, *, complete: bool = True) -> None:
    """``ref`` scored by inspector1, second-marked by inspector2 with ``second``'s answers."""
    primary = score(engine, "inspector1", ref, first)
    with db.session_scope(engine) as s:
        marking, = second_marking.assign(s, LEAD_ACTOR, {primary: "inspector2"}, rule="2 case(s) per force, seed 7")
        second_uid = marking.second_uid
    with db.session_scope(engine) as s:
        context = assessments.load(s, inspector("inspector2"), second_uid).answers
    edit(engine, "inspector2", second_uid, {k: (v, None) for k, v in second.items() if k not in context},
         complete=complete)


def _walk(engine) -> None:
    """The walk's two cases: initial risk assessment no/yes and yes/yes; both markers say the case
    was not dealt with well in both (kappa undefined); a third marking left unfinished."""
    a = random_answers(engine, seed=29, **{RISK: "no", OVERALL: "no"})
    b = random_answers(engine, seed=30, **{RISK: "yes", OVERALL: "no"})
    assert a[RISK] == "no" and a[OVERALL] == b[OVERALL] == "no"  # both asked
    _marked_twice(engine, "HS-0029", a, {**a, RISK: "yes"})
    _marked_twice(engine, "HS-0030", b, b)
    c = random_answers(engine, seed=31)
    _marked_twice(engine, "HS-0031", c, c, complete=False)


def _draft(engine):
    with db.session_scope(engine) as s:
        ctx = reporting.report_context(s, LEAD_ACTOR, "case_review", with_charts=False)
        expected = agreement.report(s, "case_review")
        states = second_marking.state_counts(s, LEAD_ACTOR, questionnaire="case_review")
        page_states = Counter(r.state for r in second_marking.markings(s, LEAD_ACTOR, questionnaire="case_review"))
    return read(report_docx.to_bytes(ctx)), expected, states, page_states


def test_the_report_marks_too_few_pairs_and_says_what_awaits_moderation(engine):
    _walk(engine)
    doc, expected, states, page_states = _draft(engine)
    # the states counted in SQL are the page's, row by row
    assert states == dict(page_states) == {second_marking.TO_MODERATE: 2, second_marking.AWAITING: 1}
    rows = {r[0]: r for r in doc.table_headed("Question")[1:]}
    risk = next(q for q in expected.questions if q.question == RISK)
    # checked by hand (walk 25): agreement 1/2; kappa p_e = .5 x 1 -> 0; AC1 pi = (.75, .25, 0)
    # over yes, no, not known: p_e = (.1875 + .1875) / 2 = .1875 -> (.5 - .1875) / .8125 = 0.3846
    assert rows[risk.label] == [risk.label, "2", "50%", "0.00", "0.38", "too few pairs to judge"]
    assert abs(risk.ac1 - 0.3846) < 1e-4 and risk.kappa == 0
    # every question has 2 pairs at most: none is flagged, each says why
    assert {r[5] for label, r in rows.items() if label != "All questions (pooled)"} == {"too few pairs to judge"}
    overall = next(q for q in expected.questions if q.question == OVERALL)
    assert rows[overall.label][3:5] == ["not defined", "1.00"]

    said = doc.under("Second marking and agreement")
    text = " ".join(p.text for p in said)
    assert "is marked \u201cunder 0.6\u201d in the Threshold column" in text
    assert (f"{len(expected.too_few)} question(s): too few pairs to judge (fewer than 10 cases where both inspectors "
            "found the question applicable). They are not flagged whatever the statistic says") in text
    undefined = [q for q in expected.questions if q.n and q.kappa is None]
    assert overall in undefined and all(q.ac1 == 1 for q in undefined)
    assert ("Kappa is not defined where all pairs agreed on one answer, as chance agreement is then total (AC1 is "
            f"1.00 there); {len(undefined)} questions: " + ", ".join(f"\u201c{q.label}\u201d" for q in undefined)
            + ".") in text
    assert "2 cases are still to moderate" in text
    assert "1 second marking is not yet complete and is not in the agreement figures." in text
    assert "Under the threshold" not in text  # nothing is judged on two cases


def test_a_question_under_the_threshold_is_marked_and_named(engine, monkeypatch):
    _walk(engine)
    monkeypatch.setattr(agreement, "MIN_PAIRS", 2)  # two pairs judged, as ten would be
    doc, expected, _, _ = _draft(engine)
    risk = next(q for q in expected.questions if q.question == RISK)
    assert risk.flagged and agreement_words.threshold_mark(risk, expected) == "under 0.6"
    rows = {r[0]: r for r in doc.table_headed("Question")[1:]}
    assert rows[risk.label][5] == "under 0.6"
    assert {rows[q.label][5] for q in expected.questions if not q.flagged} <= {"", "too few pairs to judge"}
    text = " ".join(p.text for p in doc.under("Second marking and agreement"))
    assert "Under the threshold (Cohen's kappa 0.6): " in text and f"\u201c{risk.label}\u201d" in text


def test_nothing_marked_twice_yet_still_says_what_is_under_way(engine):
    c = random_answers(engine, seed=31)
    _marked_twice(engine, "HS-0031", c, c, complete=False)
    doc, _, states, _ = _draft(engine)
    assert states == {second_marking.AWAITING: 1}
    text = " ".join(p.text for p in doc.under("Second marking and agreement"))
    assert "No case of this questionnaire has been second-marked yet" in text
    assert "1 second marking is not yet complete" in text
