"""Agreement statistics against published worked examples, and the database's pair counts.

Published values used:

* Gwet, K.L. (2014) Handbook of Inter-Rater Reliability, 4th ed., the 3x3 "abstractors"
  table (100 pregnancies classified Ectopic / AIU / NIU by two abstractors), as shipped and
  printed in Gwet's own R package irrCAC (README, github.com/kgwet/irrCAC):
  Cohen's kappa 0.7964094, Gwet's AC1 0.8493305, percent agreement 0.89.
* Wongpakaran N., Wongpakaran T., Wedding D., Gwet K.L. (2013) "A comparison of Cohen's
  Kappa and Gwet's AC1 when calculating inter-rater reliability coefficients: a study
  conducted with personality disorder samples", BMC Medical Research Methodology 13:61 —
  the 2x2 worked example (schizoid PD, 19 subjects: 13 absent/absent, 2 absent/present,
  1 present/absent, 3 present/present): kappa .565, AC1 .752 (the paper's lowest AC1; the
  exact value 0.7527 is printed to three places).
* The 4x4 "diagnosis" table of irrCAC (223 patients, clinical vs research diagnosis; Gwet
  2014): Cohen's kappa 0.432.
* The two-rater yes/no table of 50 items (20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no):
  p_o 0.70, p_e 0.50, kappa 0.40 — the worked example of the Wikipedia "Cohen's kappa" page.
"""

from __future__ import annotations

import pytest
from sqlalchemy import update

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import agreement, inspections
from fieldwork.services.store import CaseRecord, add_complete_assessments
from models import SECOND, Assessment, SecondMarking

ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]
SCHIZOID = [[13, 2], [1, 3]]
DIAGNOSIS = [[40, 4, 4, 17], [6, 25, 2, 13], [4, 1, 21, 12], [15, 5, 9, 45]]
YES_NO_50 = [[20, 5], [10, 15]]


def test_gwet_handbook_abstractors_table():
    assert agreement.observed_agreement(ABSTRACTORS) == pytest.approx(0.89)
    assert agreement.cohen_kappa(ABSTRACTORS) == pytest.approx(0.7964094, abs=5e-8)
    assert agreement.gwet_ac1(ABSTRACTORS) == pytest.approx(0.8493305, abs=5e-8)


def test_wongpakaran_2013_worked_example():
    assert round(agreement.cohen_kappa(SCHIZOID), 3) == 0.565
    assert agreement.gwet_ac1(SCHIZOID) == pytest.approx(0.752, abs=1e-3)
    assert agreement.observed_agreement(SCHIZOID) == pytest.approx(16 / 19)


def test_irrcac_diagnosis_table_kappa():
    assert round(agreement.cohen_kappa(DIAGNOSIS), 3) == 0.432


def test_textbook_two_by_two():
    assert agreement.observed_agreement(YES_NO_50) == pytest.approx(0.70)
    assert agreement.kappa_chance(YES_NO_50) == pytest.approx(0.50)
    assert agreement.cohen_kappa(YES_NO_50) == pytest.approx(0.40)


def test_kappa_paradox_when_nearly_every_case_is_no():
    """96 of 100 agree, almost all on 'no': kappa is near zero, AC1 stays near the agreement."""
    table = [[1, 2], [2, 95]]
    assert agreement.observed_agreement(table) == pytest.approx(0.96)
    assert agreement.cohen_kappa(table) < 0.35 < 0.9 < agreement.gwet_ac1(table)


def test_one_category_throughout_leaves_kappa_undefined():
    table = [[0, 0], [0, 12]]
    assert agreement.cohen_kappa(table) is None
    assert agreement.gwet_ac1(table) == pytest.approx(1.0)
    assert agreement.cohen_kappa([[0, 0], [0, 0]]) is None


# --- counted in the database ------------------------------------------------------------------


def _pairs(session, rows: list[tuple[dict, dict]]) -> None:
    """Second-marked pairs written straight to the tables: (first answers, second answers)."""
    inspection = inspections.inspection_by_code(session)
    version = inspections.current_version(session, "case_review")
    firsts = [CaseRecord(f"AG-{i:04d}", a, inspector="inspector1", uid=f"{i:032x}") for i, (a, _) in enumerate(rows)]
    seconds = [CaseRecord(f"AG-{i:04d}", b, inspector="inspector2", uid=f"{i + 10**6:032x}")
               for i, (_, b) in enumerate(rows)]
    add_complete_assessments(session, inspection_id=inspection.id, version=version, records=firsts, created_by="t")
    add_complete_assessments(session, inspection_id=inspection.id, version=version, records=seconds, created_by="t")
    session.execute(update(Assessment).where(Assessment.inspector == "inspector2").values(purpose=SECOND, counted=False))
    for first, second in zip(firsts, seconds):
        case_id = session.execute(Assessment.__table__.select().where(Assessment.uid == first.uid)).mappings().one()["case_id"]
        session.add(SecondMarking(inspection_id=inspection.id, questionnaire="case_review", case_id=case_id,
                                  primary_uid=first.uid, second_uid=second.uid, first_inspector="inspector1",
                                  second_inspector="inspector2", assigned_by="lead1"))
    session.flush()


def _table_rows(table: list[list[int]], codes: list[str], question: str) -> list[tuple[dict, dict]]:
    out = []
    for i, row in enumerate(table):
        for j, n in enumerate(row):
            out += [({question: codes[i]}, {question: codes[j]})] * n
    return out


def test_the_database_pair_counts_reproduce_the_published_table(session):
    _pairs(session, _table_rows(SCHIZOID, ["no", "yes"], "avoidable_delay"))
    report = agreement.report(session, "case_review")
    delay = next(q for q in report.questions if q.question == "avoidable_delay")
    assert delay.categories == ["yes", "no"]
    assert delay.table == [[3, 1], [2, 13]]  # rows: first marker yes/no; columns: second marker
    assert round(delay.kappa, 3) == 0.565 and delay.ac1 == pytest.approx(0.7527, abs=1e-4)
    assert delay.flagged  # under the default kappa threshold of 0.6 ...
    by_ac1 = agreement.report(session, "case_review", statistic=agreement.AC1)
    assert not next(q for q in by_ac1.questions if q.question == "avoidable_delay").flagged  # ... not by AC1
    assert report.pairs == 19 and report.applicable == 19 and report.agreements == 16


def test_not_applicable_and_not_asked_are_left_out_and_reported_apart(session):
    rows = [
        ({"cps_protect_steps": "yes"}, {"cps_protect_steps": "yes"}),
        ({"cps_protect_steps": "no"}, {"cps_protect_steps": "no"}),
        ({"cps_protect_steps": "na"}, {"cps_protect_steps": "yes"}),  # applicable for the second only
        ({"cps_protect_steps": "na"}, {"cps_protect_steps": "na"}),  # applicable for neither
        ({"enhanced_risk_assessment": "dash", "dash_supplementary_questions": "yes"},
         {"enhanced_risk_assessment": "none"}),  # asked of the first marker only
    ]
    _pairs(session, rows)
    report = agreement.report(session, "case_review", threshold=0.5)
    protect = next(q for q in report.questions if q.question == "cps_protect_steps")
    assert (protect.n, protect.first_only, protect.second_only, protect.neither) == (2, 0, 1, 2)
    assert protect.observed == 1.0 and protect.kappa == 1.0
    assert protect.applicability_agreement == pytest.approx(4 / 5)
    dash = next(q for q in report.questions if q.question == "dash_supplementary_questions")
    assert (dash.n, dash.first_only, dash.neither) == (0, 1, 4) and dash.kappa is None and not dash.flagged
    assert "force" not in {q.question for q in report.questions}  # context is copied, not compared
    overall = report.rows()[-1]
    assert overall["question"] == "(overall)" and overall["applicable_pairs"] == report.applicable


def test_pooled_kappa_averages_observed_and_chance_agreement(session):
    rows = _table_rows(YES_NO_50, ["yes", "no"], "avoidable_delay")
    for (a, b), (c, d) in zip(rows, _table_rows([[20, 5], [10, 15]], ["yes", "no"], "prevention_advice")):
        a.update(c)
        b.update(d)
    _pairs(session, rows)
    report = agreement.report(session, "case_review")
    assert report.pooled_kappa == pytest.approx(0.40) and report.pooled_observed == pytest.approx(0.70)


def test_a_bad_statistic_is_refused(session):
    with pytest.raises(ProblemError) as caught:
        agreement.report(session, "case_review", statistic="alpha")
    assert caught.value.problems[0].code == agreement.BAD_STATISTIC


def test_no_pairs_gives_an_empty_report(engine):
    with db.session_scope(engine) as s:
        report = agreement.report(s, "case_review")
    assert report.pairs == 0 and report.pooled_kappa is None and not report.flagged
