"""Evidence items and coded excerpts: the criteria data, the model, privacy checks, roles,
the CSV import (all or nothing, rows named) and export."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from fieldwork.catalog import load_catalog
from fieldwork.problems import ProblemError
from fieldwork.questionnaire.codebook import load_codebook
from fieldwork.questionnaire.framework import load_framework
from fieldwork.services import evidence, evidence_csv
from fieldwork.services.evidence import ExcerptInput
from models import AuditEvent, EvidenceExcerpt, EvidenceItem
from tests.evidence_helpers import DURHAM_INSPECTOR, INSPECTOR1, LEAD1, add_interview, interview


def test_the_2017_scale_and_codebook_are_data_in_criteria():
    catalog = load_catalog()
    fw = catalog.frameworks["harassment_stalking_2017"]
    assert [(g.code, g.label, g.leaning) for g in fw.scale] == [
        ("met", "Met", "favourable"), ("partially_met", "Partially met", "mixed"),
        ("not_met", "Not met", "unfavourable")]
    book = catalog.codebooks["harassment_stalking_2017"]
    assert {"strength", "area_for_improvement", "good_practice", "risk"} <= set(book.code_ids)


def test_a_bad_scale_or_codebook_is_refused_naming_the_fault(tmp_path: Path):
    fw = tmp_path / "fw.toml"
    fw.write_text('[framework]\nid = "x"\n[[general]]\nid = "1"\ntext = "t"\n  [[general.specific]]\n  id = "1.1"\n'
                  '  text = "t"\n[[scale]]\ncode = "good"\nlabel = "Good"\nleaning = "sideways"\n')
    with pytest.raises(ProblemError) as err:
        load_framework(fw)
    assert {p.code for p in err.value.problems} == {"bad_scale"}
    assert any("sideways" in p.message for p in err.value.problems)
    assert any("at least two grades" in p.message for p in err.value.problems)
    book = tmp_path / "book.toml"
    book.write_text('[codebook]\nframework = "harassment_stalking_2017"\n[[codes]]\ncode = "strength"\nlabel = "S"\n')
    with pytest.raises(ProblemError) as err:
        load_codebook(book, load_catalog().frameworks)
    missing = {p.item for p in err.value.problems if p.code == "missing_code"}
    assert missing == {"area_for_improvement", "good_practice", "risk"}


def test_an_interview_with_two_coded_excerpts_is_stored_and_audited_without_its_text(session):
    item = add_interview(session)
    assert item.ref == f"EV-{item.id:04d}" and item.created_by == "inspector1"
    assert item.criteria_list == ["1.5", "3.1"]  # the excerpts' criteria join the item's
    excerpts = session.exec(select(EvidenceExcerpt).where(EvidenceExcerpt.evidence_id == item.id)
                            .order_by(EvidenceExcerpt.position)).all()
    assert [(e.criterion, e.code) for e in excerpts] == [("1.5", "strength"), ("3.1", "area_for_improvement")]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == evidence.EVIDENCE_ADDED)).one()
    detail = json.loads(event.detail)
    assert detail["excerpts"] == 2 and detail["force"] == "durham"
    assert "risk assessment" not in event.detail and "SPOC" not in event.detail


def test_every_problem_is_named_and_nothing_is_written(session):
    bad = interview(kind="chat", held_on="2016-13-01", force="durhamm", source="", criteria=["9.9"],
                    excerpts=[ExcerptInput("3.1", "nice", ""), ExcerptInput("7.7", "risk", "text")])
    with pytest.raises(ProblemError) as err:
        evidence.add_evidence(session, LEAD1, bad)
    by_field = {(p.field, p.code) for p in err.value.problems}
    assert {("kind", "unknown_code"), ("date", "bad_value"), ("force", "unknown_code"), ("source", "missing_field"),
            ("criteria", "unknown_code"), ("excerpt_code", "unknown_code"), ("excerpt_text", "missing_field"),
            ("excerpt_criterion", "unknown_code")} <= by_field
    assert any(p.message.startswith("excerpt 2:") for p in err.value.problems)
    assert session.exec(select(EvidenceItem)).all() == []


def test_future_dates_and_a_force_outside_its_area_are_refused(session):
    with pytest.raises(ProblemError) as err:
        evidence.add_evidence(session, LEAD1, interview(held_on=date.today() + timedelta(days=1),
                                                        cps_area="london"))
    assert {p.field for p in err.value.problems} == {"date", "cps_area"}


def test_a_source_that_looks_like_a_name_is_refused_and_a_summary_is_warned_about(session):
    with pytest.raises(ProblemError) as err:
        evidence.add_evidence(session, LEAD1, interview(source="Mrs Smith, victim's neighbour"))
    assert [p.code for p in err.value.problems] == ["personal_data"]
    item, warnings = evidence.add_evidence(session, LEAD1, interview(
        summary="Victim on 07700 900123 said the SPOC helped.",
        excerpts=[ExcerptInput("1.5", "strength", "Contact her at someone@example.org")]))
    assert "the summary looks as if it holds a phone number" in warnings
    assert any("excerpt 1" in w and "email" in w for w in warnings)


def test_inspectors_add_evidence_only_for_forces_they_may_see(session):
    add_interview(session, DURHAM_INSPECTOR)
    with pytest.raises(ProblemError) as err:
        evidence.add_evidence(session, DURHAM_INSPECTOR, interview(force="gwent"))
    assert err.value.problems[0].code == "permission_denied"
    add_interview(session, DURHAM_INSPECTOR, force=None, cps_area="north_east")  # Durham's Area
    with pytest.raises(ProblemError):
        evidence.add_evidence(session, DURHAM_INSPECTOR, interview(force=None, cps_area="wessex"))
    with pytest.raises(ProblemError):  # national evidence is for inspectors of every force
        evidence.add_evidence(session, DURHAM_INSPECTOR, interview(force=None))
    add_interview(session, INSPECTOR1, force="gwent")
    add_interview(session, INSPECTOR1, force=None)
    seen = {v.unit for v in evidence.list_evidence(session, DURHAM_INSPECTOR)}
    assert seen == {"durham", "north_east"}
    assert {v.unit for v in evidence.list_evidence(session, LEAD1)} == {"durham", "north_east", "gwent", "national"}
    assert [v.unit for v in evidence.list_evidence(session, LEAD1, criterion="3.1", force="gwent")] == ["gwent"]


CSV_OK = (
    "evidence_ref,kind,date,force,cps_area,source,criteria,summary,reference,excerpt_criterion,excerpt_code,excerpt_text\n"
    "I-1,interview,2016-11-08,durham,,force stalking SPOC,1.5,Met the SPOC,,1.5,strength,Reviews reports daily\n"
    "I-1,,,,,,,,,3.1,risk,'=Risk forms left blank\n"
    "D-1,document,2016-10-01,gwent,,force policy team,1.6,Policy on stalking,Gwent stalking policy v2,,,\n"
)


def test_csv_import_groups_rows_into_items_and_round_trips_through_export(session):
    result = evidence_csv.import_csv(session, LEAD1, CSV_OK.encode(), file_name="notes.csv")
    assert (result.items, result.excerpts) == (2, 2)
    views = {v.ref: v for v in evidence.list_evidence(session, LEAD1)}
    assert [e.text for e in views["I-1"].excerpts] == ["Reviews reports daily", "=Risk forms left blank"]
    assert views["D-1"].reference == "Gwent stalking policy v2" and views["D-1"].excerpts == []
    out = evidence_csv.export_csv(session, LEAD1).decode()
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3 and rows[1]["excerpt_text"] == "'=Risk forms left blank"  # safe from formulas
    again = evidence_csv.import_csv(session, LEAD1, out.encode(), dry_run=True)
    assert (again.items, again.excerpts) == (2, 2)


def test_csv_import_is_all_or_nothing_naming_every_bad_row(session):
    bad = CSV_OK.replace("3.1,risk", "3.9,risky").replace("document,2016-10-01", "document,yesterday")
    with pytest.raises(ProblemError) as err:
        evidence_csv.import_csv(session, LEAD1, bad.encode(), file_name="notes.csv")
    named = {(p.row, p.field) for p in err.value.problems}
    assert named == {(3, "excerpt_criterion"), (3, "excerpt_code"), (4, "date")}
    assert all(p.source == "notes.csv" for p in err.value.problems)
    assert session.exec(select(EvidenceItem)).all() == []


def test_csv_import_refuses_unknown_columns_and_rows_out_of_the_inspectors_scope(session):
    with pytest.raises(ProblemError) as err:
        evidence_csv.import_csv(session, LEAD1, b"kind,date,source,victim_name\ninterview,2016-01-01,SPOC,x\n")
    assert err.value.problems[0].field == "victim_name" and err.value.problems[0].row == 1
    with pytest.raises(ProblemError) as err:
        evidence_csv.import_csv(session, DURHAM_INSPECTOR, CSV_OK.encode())
    assert [(p.row, p.code) for p in err.value.problems] == [(4, "permission_denied")]


def test_an_item_is_changed_by_its_author_or_a_lead_keeping_cited_excerpts(session):
    item = add_interview(session, DURHAM_INSPECTOR)
    [view] = evidence.list_evidence(session, LEAD1)
    first, second = view.excerpts
    changed = interview(summary="Second visit.", excerpts=[
        ExcerptInput("3.1", "risk", "Risk forms left blank.", uid=second.uid),
        ExcerptInput("1.5", "good_practice", "Daily review of stalking reports.")])
    with pytest.raises(ProblemError) as err:
        evidence.update_evidence(session, INSPECTOR1, item.uid, changed, expected_revision=view.revision)
    assert err.value.problems[0].code == "permission_denied"
    evidence.update_evidence(session, DURHAM_INSPECTOR, item.uid, changed, expected_revision=view.revision)
    [after] = evidence.list_evidence(session, LEAD1)
    assert after.summary == "Second visit." and after.revision != view.revision
    assert [(e.uid == second.uid, e.code) for e in after.excerpts] == [(True, "risk"), (False, "good_practice")]
    assert first.uid not in {e.uid for e in after.excerpts}
    with pytest.raises(ProblemError) as err:  # a stale revision is refused, never overwritten
        evidence.update_evidence(session, LEAD1, item.uid, changed, expected_revision=view.revision)
    assert err.value.problems[0].code == "evidence_changed"

PASSAGE = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00") | st.sampled_from(
    ["\n", "=", "+", "-", "@", "'", '"', ","]), min_size=1, max_size=60).map(str.strip).filter(bool)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(passage=PASSAGE)
def test_a_passage_survives_export_and_import_exactly(session, passage):
    item, _ = evidence.add_evidence(session, LEAD1, interview(excerpts=[ExcerptInput("3.1", "risk", passage)]))
    out = evidence_csv.export_csv(session, LEAD1)
    rows = [r for _, r in evidence_csv._parse_csv(out, "evidence.csv") if r["evidence_uid"] == item.uid]
    assert [r["excerpt_text"] for r in rows] == [passage]
