"""The sample-size planner starts from the inspection's own forces (walk 23, F19): "Forces" on
the Findings page and ``fieldwork plan`` without ``--groups`` plan for the forces the
inspection samples for the questionnaire, whatever filter the page has set."""

from __future__ import annotations

import json

from fieldwork import cli, db
from fieldwork.services import sample_forces
from tests.apptest import page

CASE_REVIEW_FORCES = ["avon_and_somerset", "durham", "greater_manchester", "gwent", "hampshire", "sussex"]


def test_the_forces_of_the_inspections_sample(engine):
    with db.session_scope(engine) as s:
        # Annex D: six forces for the case file review; Annex A: every force for the PIN review
        assert sample_forces.sampled_forces(s, "case_review") == CASE_REVIEW_FORCES
        assert len(sample_forces.sampled_forces(s, "pin_review")) == 43


def test_the_command_plans_for_the_inspections_forces(engine, db_url, capsys):
    assert cli.main(["--db", db_url, "plan", "--margin", "10"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ("Planned for 6 forces: the forces of the case_review sample of Living in fear "
                                   "(--groups N plans for another number).")
    assert "97 case files for each force" in out and "582 case files in all" in out
    assert cli.main(["--db", db_url, "plan", "--margin", "10", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["groups"] == 6
    assert cli.main(["--db", db_url, "plan", "--margin", "10", "--questionnaire", "pin_review", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["groups"] == 43
    assert cli.main(["--db", db_url, "plan", "--margin", "10", "--groups", "2", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["groups"] == 2  # a number given beats the default
    assert cli.main(["--db", db_url, "plan", "--margin", "10", "--questionnaire", "no_such_form"]) == 1
    err = capsys.readouterr().err
    assert "no questionnaire 'no_such_form'" in err and "case_review, pin_review" in err


def test_the_page_starts_from_the_inspections_forces_under_a_filter(demo_engine, db_url, monkeypatch):
    at = page("pages/findings.py", db_url, monkeypatch, user="lead1", role="lead", timeout=60).run()
    at.multiselect(key="findings_filter_case_review_force").select("durham").run()  # one force's cases
    at.session_state["findings_view"] = "Plan the sample"
    at.run()
    assert not at.exception
    assert at.number_input(key="plan_groups_case_review").value == 6
    said = " ".join(m.value for m in at.markdown)
    assert "97 case files for each force" in said and "582 case files in all" in said
    assert "`fieldwork plan --margin 10 --groups 6`" in " ".join(c.value for c in at.caption)
