"""The Findings CSV and the "Cases behind a figure" CSV give words beside their codes (walk 25,
V6): ``answer_label`` and ``group_label`` appended to the findings CSV, ``force_label`` and
``answer_label`` to the cases CSV; every earlier column keeps its name and place (others read
these files by column)."""

from __future__ import annotations

import csv
import io

from fieldwork import cli, db
from fieldwork.catalog import load_catalog
from fieldwork.services import findings, findings_formats, inspections, tracing
from fieldwork.services.permissions import Actor

OLD_FINDINGS_COLUMNS = ["id", "answer", "group", "count", "denominator", "percent", "ci_low", "ci_high", "small_n",
                        "not_known", "not_applicable", "text", "footnotes", "kind", "label", "criteria", "rest_count",
                        "rest_denominator", "diff_low", "diff_high", "differs_from_rest", "unit"]


def _rows(text: str) -> tuple[list[str], list[dict]]:
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames), list(reader)


def test_the_findings_csv_names_answers_and_groups_beside_their_codes(demo_engine, db_url, capsys):
    forces = {c.code: c.label for c in load_catalog().codes.forces}
    assert cli.main(["findings", "case_review", "--db", db_url, "--format", "csv", "--by", "force"]) == 0
    header, rows = _rows(capsys.readouterr()[0])
    assert header == [*OLD_FINDINGS_COLUMNS, "answer_label", "group_label"]
    with db.session_scope(demo_engine) as s:
        q = inspections.load_questionnaire(s, "case_review")
    durham = next(r for r in rows if r["id"] == "charged_by" and r["answer"] == "police" and r["group"] == "durham")
    assert (durham["answer_label"], durham["group_label"]) == (q.label_of("charged_by", "police"), forces["durham"])
    assert durham["group_label"] == "Durham Constabulary"
    overall = next(r for r in rows if r["id"] == "charged_by" and r["answer"] == "police" and not r["group"])
    assert overall["group_label"] == "" and overall["answer_label"] == q.label_of("charged_by", "police")
    # an indicator has no answer, so no answer label; every group row has its group's name
    assert all(r["answer_label"] == "" for r in rows if r["kind"] == "indicator")
    assert all(r["group_label"] == forces.get(r["group"], r["group"]) for r in rows if r["group"])


def test_the_findings_commands_short_way_gives_the_answer_labels(demo_engine, db_url, capsys):
    assert cli.main(["findings", "case_review", "--db", db_url, "--format", "csv"]) == 0
    header, rows = _rows(capsys.readouterr()[0])
    assert header[:len(OLD_FINDINGS_COLUMNS)] == OLD_FINDINGS_COLUMNS
    row = next(r for r in rows if r["id"] == "initial_risk_assessment" and r["answer"] == "yes")
    assert row["answer_label"] == "Yes" and row["group_label"] == ""


def test_the_page_and_the_command_write_the_same_labels(demo_engine):
    with db.session_scope(demo_engine) as s:
        report = findings.compute(s, "case_review", by="cps_area")
        q = inspections.load_questionnaire(s, "case_review")
    labels = {c.code: c.label for c in q.options("cps_area")}
    _, rows = _rows(findings_formats.to_csv(report, labels))
    grouped = [r for r in rows if r["group"]]
    assert grouped and all(r["group_label"] == labels[r["group"]] for r in grouped)
    _, bare = _rows(findings_formats.to_csv(report))  # without labels: the code stands for its name
    assert all(r["group_label"] == r["group"] for r in bare if r["group"])


def test_the_cases_csv_names_the_force_and_the_answer(demo_engine):
    forces = {c.code: c.label for c in load_catalog().codes.forces}
    with db.session_scope(demo_engine) as s:
        trace = tracing.cases_behind(s, Actor("lead1", "lead"), "case_review", "charged_by", "police")
        q = inspections.load_questionnaire(s, "case_review")
    header, rows = _rows(tracing.to_csv(trace))
    assert header == ["case_ref", "force", "inspector", "answer", "in_count", "note", "force_label", "answer_label"]
    assert rows and all(r["force_label"] == forces[r["force"]] for r in rows)
    assert all(r["answer_label"] == q.label_of("charged_by", r["answer"]) for r in rows)
    assert any(r["answer"] == "police" and r["answer_label"] != "police" for r in rows)
