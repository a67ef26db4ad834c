"""The draft report's methodology annex from second-marked data: the sample per force and CPS
Area with drafts, second-marked and moderated cases, and agreement per question with Cohen's
kappa and Gwet's AC1 as ``fieldwork.services.agreement`` gives them."""

from __future__ import annotations

from fieldwork import db
from fieldwork.services import agreement, second_marking
from exports import reporting
from tests.laptops import LEAD_ACTOR, random_answers, score
from tests.report_reader import read
from tests.test_second_marking import _second_marked
from exports import report_docx


def test_sample_second_marking_and_agreement_per_question(engine):
    first = random_answers(engine, seed=16, avoidable_delay="no", force="durham", cps_area="north_east")
    marking_id, _, _ = _second_marked(engine, first, {**first, "avoidable_delay": "yes"})
    with db.session_scope(engine) as s:
        second_marking.agree(s, LEAD_ACTOR, marking_id, "avoidable_delay", "yes")
        second_marking.finish(s, LEAD_ACTOR, marking_id)
    score(engine, "inspector2", "HS-0101", random_answers(engine, seed=17, force="gwent", cps_area="cymru_wales"))
    score(engine, "inspector1", "HS-0102", random_answers(engine, seed=18, force="gwent", cps_area="cymru_wales"),
          complete=False)
    with db.session_scope(engine) as s:
        ctx = reporting.report_context(s, LEAD_ACTOR, "case_review", with_charts=False)
        expected = agreement.report(s, "case_review")
    doc = read(report_docx.to_bytes(ctx))

    sample = doc.table_headed("Force")
    assert sample[1:] == [
        ["Durham Constabulary", "CPS North East", "1", "0", "1", "1"],
        ["Gwent Police", "CPS Cymru/Wales", "1", "1", "0", "0"],
        ["Total", "", "2", "1", "1", "1"],
    ]
    text = " ".join(doc.texts())
    assert "1 case was second-marked blind by a second inspector" in text
    table = doc.table_headed("Question")
    assert table[0] == ["Question", "Cases", "Agreement", "Kappa", "AC1", "Threshold"]
    rows = {r[0]: r for r in table[1:]}
    delay = next(q for q in expected.questions if q.question == "avoidable_delay")
    assert rows[delay.label] == [delay.label, "1", "0%", "" if delay.kappa is None else f"{delay.kappa:.2f}",
                                 "" if delay.ac1 is None else f"{delay.ac1:.2f}",
                                 agreement.TOO_FEW]  # one pair: not judged (walk 25, V2)
    pooled = rows["All questions (pooled)"]
    assert pooled[1] == str(expected.applicable)
    assert pooled[3] == ("" if expected.pooled_kappa is None else f"{expected.pooled_kappa:.2f}")
    assert pooled[4] == ("" if expected.pooled_ac1 is None else f"{expected.pooled_ac1:.2f}")
    assert "1 draft assessment was left out" in text
