"""``fieldwork findings`` and ``fieldwork demo`` (contract section 8), and findings under the
inspection criteria."""

from __future__ import annotations

import csv
import io
import json

import pytest

from fieldwork import cli, db, startup
from fieldwork.services import findings


@pytest.fixture
def demo_db(demo_engine, db_url):
    return db_url


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_is_exactly_the_contract(demo_db, capsys):
    code, out, err = run(capsys, "findings", "case_review", "--db", demo_db)
    assert code == 0 and err == ""
    data = json.loads(out)
    assert list(data) == ["questionnaire", "cases", "findings", "summaries"]  # summaries: contract section 9
    assert data["questionnaire"] == "case_review" and data["cases"] == 112
    first = next(f for f in data["findings"] if f["id"] == "initial_risk_assessment" and f["answer"] == "yes")
    assert first == {"id": "initial_risk_assessment", "answer": "yes", "group": None, "count": 60,
                     "denominator": 112, "percent": 54, "not_known": 1, "not_applicable": 0,
                     "text": "we found evidence that an initial risk assessment had taken place in 60 of 112 cases "
                             "(54 percent)", "ci_low": 44.4, "ci_high": 62.5, "small_n": False,
                     "unit": "cases"}  # unit: an extension of the contract (issue 12)
    indicator = next(f for f in data["findings"] if f["id"] == "da_sh_risks_not_assessed")
    assert (indicator["answer"], indicator["count"], indicator["denominator"], indicator["percent"]) == (None, 40, 82, 49)
    # one entry for every code of every single-choice question, zero counts included
    codes = [(f["id"], f["answer"]) for f in data["findings"] if f["id"] == "enhanced_risk_assessment"]
    assert codes == [("enhanced_risk_assessment", c) for c in ("dash", "s_dash", "other_tool", "none", "not_known")]
    assert next(f for f in data["findings"] if f["answer"] == "not_known" and f["id"] == "enhanced_risk_assessment")[
        "count"] == 0


def test_by_gives_an_entry_per_group_as_well(demo_db, capsys):
    code, out, _ = run(capsys, "--db", demo_db, "findings", "case_review", "--by", "domestic_abuse")
    assert code == 0
    entries = [f for f in json.loads(out)["findings"] if f["id"] == "da_enhanced_ra_done"]
    assert [(f["group"], f["count"], f["denominator"]) for f in entries] == [(None, 78, 82), ("yes", 78, 82),
                                                                              ("no", 0, 0)]
    assert entries[2]["percent"] is None
    # uncertainty: null where the denominator is 0, small_n under 10, each group against the rest
    assert (entries[2]["ci_low"], entries[2]["ci_high"], entries[2]["small_n"]) == (None, None, True)
    assert (entries[1]["ci_low"], entries[1]["ci_high"], entries[1]["small_n"]) == (88.1, 98.1, False)
    assert entries[1]["rest_denominator"] == 0 and entries[1]["differs_from_rest"] is False
    assert "differs_from_rest" not in entries[0]


def test_filters_and_csv(demo_db, capsys):
    code, out, _ = run(capsys, "findings", "case_review", "--db", demo_db, "--format", "csv",
                       "--filter", "force=durham,gwent", "--filter", "charged_by=cps")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    charged = next(r for r in rows if r["id"] == "charged_by" and r["answer"] == "cps")
    assert charged["denominator"] == charged["count"]  # every counted case was charged by the CPS
    forces = {r["answer"]: int(r["count"]) for r in rows if r["id"] == "force"}
    assert set(k for k, v in forces.items() if v) <= {"durham", "gwent"}
    assert list(rows[0])[:16] == ["id", "answer", "group", "count", "denominator", "percent", "ci_low", "ci_high",
                                  "small_n", "not_known", "not_applicable", "text", "footnotes", "kind", "label",
                                  "criteria"]
    risk = next(r for r in rows if r["id"] == "initial_risk_assessment" and r["answer"] == "yes")
    assert risk["criteria"] == "3.1"


def test_text_says_what_was_left_out(demo_db, capsys):
    code, out, _ = run(capsys, "findings", "pin_review", "--db", demo_db, "--format", "text")
    assert code == 0
    assert out.startswith("pin_review (version 2017.1): 270 complete cases counted; 0 drafts left out")
    assert "we found that 176 had featured some form of digital contact" in out


def test_bad_requests_are_refused_with_every_problem(demo_db, capsys):
    code, out, err = run(capsys, "findings", "case_review", "--db", demo_db, "--by", "case_ref",
                         "--filter", "force=atlantis", "--filter", "nonsense=1")
    assert code == 1 and out == ""
    assert "'case_ref' is not a single-choice variable" in err
    assert "'atlantis' is not a code of 'force'" in err
    assert "has no variable 'nonsense'" in err
    code, out, err = run(capsys, "findings", "case_review", "--db", demo_db, "--filter", "force")
    assert code == 1 and "is not VARIABLE=CODE" in err
    code, out, err = run(capsys, "findings", "no_such_form", "--db", demo_db)
    assert code == 1 and "no questionnaire 'no_such_form'" in err
    code, out, err = run(capsys, "findings", "case_review", "--db", demo_db, "--inspection", "nowhere")
    assert code == 1 and "no inspection 'nowhere'" in err


def test_demo_command_loads_once_then_says_why_not(db_url, capsys):
    code, out, _ = run(capsys, "demo", "--db", db_url)
    assert code == 0 and "case_review: 112" in out and "pin_review: 270" in out
    code, out, err = run(capsys, "demo", "--db", db_url)
    assert code == 1 and "already holds 112 case_review cases" in err and "synthetic scores never mix" in err


def test_findings_under_each_specific_criterion(demo_db):
    engine = startup.open_engine(demo_db)
    with db.session_scope(engine) as s:
        report = findings.compute(s, "case_review")
        framework = findings.framework_for(s)
    items = findings.by_criterion(report, framework)
    assert [i.id for i in items][:3] == ["1.1", "1.2", "1.3"] and len(items) == 26
    by_id = {i.id: i for i in items}
    assert not by_id["1.1"].findings  # national leadership: interviews, not case files
    risk = {(f.id, f.answer) for f in by_id["3.1"].findings}
    assert {("initial_risk_assessment", "yes"), ("da_sh_risks_not_assessed", None)} <= risk
    headline = findings.by_criterion(report, framework, headline_only=True)
    assert all(f.reported for i in headline for f in i.findings)
    assert ("initial_risk_assessment", "no") not in {(f.id, f.answer) for f in
                                                     next(i for i in headline if i.id == "3.1").findings}


def test_intervals_in_text_and_csv_and_no_comparison_of_the_breakdown_with_itself(demo_db, capsys):
    code, out, _ = run(capsys, "findings", "case_review", "--db", demo_db, "--format", "text", "--by", "force")
    assert code == 0
    assert "(95% CI 44.4–62.5)" in out  # initial risk assessment, 60 of 112
    assert "(95% CI 0.0–19.4)" in out  # 0 of 16: one decimal, from exactly 0
    code, out, _ = run(capsys, "findings", "case_review", "--db", demo_db, "--by", "force")
    entries = json.loads(out)["findings"]
    own = [f for f in entries if f["id"] == "force" and f["group"] is not None]
    assert own and all(f["diff_low"] is None and f["differs_from_rest"] is False for f in own)
    other = next(f for f in entries if f["id"] == "avoidable_delay" and f["answer"] == "yes" and f["group"] == "durham")
    assert other["rest_denominator"] == 112 - 16 and other["diff_low"] is not None
    code, out, _ = run(capsys, "findings", "case_review", "--db", demo_db, "--format", "csv", "--by", "force")
    rows = list(csv.DictReader(io.StringIO(out)))
    small = next(r for r in rows if r["id"] == "dash_supplementary_questions" and r["group"])
    assert small["small_n"] in ("true", "false") and small["ci_low"] != ""
