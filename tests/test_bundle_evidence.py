"""Evidence and judgements travel in laptop bundles and merge like assessments: all or
nothing, never overwritten, conflicts kept for the lead."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import bundle_evidence, bundles, evidence, judgements, triangulation
from models import AuditEvent, EvidenceConflict, EvidenceExcerpt, EvidenceItem, Judgement, JudgementHistory
from tests.evidence_helpers import DURHAM_INSPECTOR, INSPECTOR1, LEAD1, LEAD2, add_interview
from tests.laptops import databases, export

__all__ = ["databases"]  # the fixture, imported for pytest


def merge(engine, content: bytes, actor=LEAD1, name: str = "laptop.fwbundle.zip"):
    with db.session_scope(engine) as s:
        return bundles.import_bundle(s, actor, content, name)


def count(engine, model) -> int:
    with db.session_scope(engine) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def judge(engine, actor, grade: str, *, version=None, evidence_uids=(), excerpt_uids=()):
    with db.session_scope(engine) as s:
        j, _ = judgements.judge(s, actor, unit_type="force", unit="durham", criterion="3.1", grade=grade,
                                rationale=f"{grade} on the evidence", evidence=list(evidence_uids),
                                excerpts=list(excerpt_uids), expected_version=version)
        return j.uid


def test_an_inspectors_evidence_travels_to_the_lead_and_a_second_import_changes_nothing(databases):
    laptop, lead = databases("laptop"), databases("lead")
    with db.session_scope(laptop) as s:
        add_interview(s, DURHAM_INSPECTOR)
    content = export(laptop, DURHAM_INSPECTOR)  # an inspector with evidence but no assessments can still export
    report = merge(lead, content)
    assert report.evidence.evidence["add"] == 1
    with db.session_scope(lead) as s:
        [view] = evidence.list_evidence(s, LEAD1)
    assert view.created_by == "inspector2" and [e.code for e in view.excerpts] == ["strength", "area_for_improvement"]
    again = merge(lead, content)
    assert again.evidence.evidence["unchanged"] == 1 and not again.evidence.changed
    assert count(lead, EvidenceItem) == 1 and count(lead, EvidenceExcerpt) == 2


def test_judgements_round_trip_a_later_grade_replaces_and_a_rival_is_kept_as_a_conflict(databases):
    laptop, lead = databases("laptop"), databases("lead")
    with db.session_scope(laptop) as s:
        item = add_interview(s)
    uid = judge(laptop, LEAD1, "partially_met", evidence_uids=[item.uid])
    first = export(laptop, LEAD1)
    assert merge(lead, first).evidence.judgements["add"] == 1

    judge(laptop, LEAD1, "not_met", version=1, evidence_uids=[item.uid])  # a later judgement on the laptop
    report = merge(lead, export(laptop, LEAD1))
    assert report.evidence.judgements["replace"] == 1
    with db.session_scope(lead) as s:
        here = s.execute(select(Judgement).where(Judgement.uid == uid)).scalar_one()
        assert here.grade == "not_met"
        history = s.execute(select(JudgementHistory.old_grade, JudgementHistory.grade).where(
            JudgementHistory.judgement_uid == uid).order_by(JudgementHistory.id)).all()
        assert [tuple(h) for h in history] == [(None, "partially_met"), ("partially_met", "not_met")]
        merged = s.execute(select(AuditEvent).where(AuditEvent.action == judgements.JUDGEMENT_SET)
                           .order_by(AuditEvent.id)).scalars().all()
        assert [(e.old_value, e.new_value) for e in merged] == [(None, "partially_met"),
                                                                ("partially_met", "not_met")]
    assert merge(lead, first).evidence.judgements["older"] == 1  # the old bundle again: the lead holds later work

    # diverged: the lead changes it here, the laptop changes it there
    with db.session_scope(lead) as s:
        version = s.execute(select(Judgement.version).where(Judgement.uid == uid)).scalar_one()
    judge(lead, LEAD1, "met", version=version, evidence_uids=[item.uid])
    judge(laptop, LEAD1, "partially_met", version=2, evidence_uids=[item.uid])
    diverged = export(laptop, LEAD1)
    report = merge(lead, diverged)
    assert report.evidence.judgements["conflict"] == 1
    with db.session_scope(lead) as s:
        assert s.execute(select(Judgement.grade).where(Judgement.uid == uid)).scalar_one() == "met"  # not overwritten
        [conflict] = bundle_evidence.open_conflicts(s, LEAD1)
        assert conflict.incoming["grade"] == "partially_met" and conflict.local["grade"] == "met"
    assert merge(lead, diverged).evidence.judgements["unchanged"] == 1  # the same conflict is not kept twice
    assert count(lead, EvidenceConflict) == 1

    with db.session_scope(lead) as s:
        with pytest.raises(ProblemError):
            bundle_evidence.resolve(s, INSPECTOR1, conflict.id, take=True)
    with db.session_scope(lead) as s:
        bundle_evidence.resolve(s, LEAD1, conflict.id, take=True)
    with db.session_scope(lead) as s:
        assert s.execute(select(Judgement.grade).where(Judgement.uid == uid)).scalar_one() == "partially_met"
        assert bundle_evidence.open_conflicts(s, LEAD1) == []
        assert triangulation.grid(s, LEAD1).cell("durham", "3.1").grade == "partially_met"


def test_two_leads_judging_the_same_cell_on_two_laptops_is_a_conflict(databases):
    laptop, lead = databases("laptop"), databases("lead")
    judge(laptop, LEAD2, "met")
    judge(lead, LEAD1, "not_met")
    report = merge(lead, export(laptop, LEAD1))
    assert report.evidence.judgements["conflict"] == 1
    with db.session_scope(lead) as s:
        assert triangulation.grid(s, LEAD1).cell("durham", "3.1").grade == "not_met"
        bundle_evidence.resolve(s, LEAD1, bundle_evidence.open_conflicts(s, LEAD1)[0].id, take=False)
    with db.session_scope(lead) as s:
        assert triangulation.grid(s, LEAD1).cell("durham", "3.1").grade == "not_met"
        assert bundle_evidence.open_conflicts(s, LEAD1) == []


def test_a_bundle_whose_evidence_does_not_fit_writes_nothing(databases):
    laptop, lead = databases("laptop"), databases("lead")
    with db.session_scope(laptop) as s:
        add_interview(s)
    judge(laptop, LEAD1, "met")
    content = export(laptop, LEAD1)
    with pytest.raises(ProblemError) as err:  # an inspector may merge only their own evidence, and no judgement
        merge(lead, content, actor=INSPECTOR1)
    assert err.value.problems[0].code == "permission_denied"
    assert count(lead, EvidenceItem) == 0 and count(lead, Judgement) == 0
    with db.session_scope(laptop) as s:
        s.execute(EvidenceExcerpt.__table__.update().values(code="gossip"))
    with pytest.raises(ProblemError) as err:
        merge(lead, export(laptop, LEAD1))
    assert any("'gossip' is not in this codebook" in p.message for p in err.value.problems)
    assert count(lead, EvidenceItem) == 0 and count(lead, Judgement) == 0


def _edit(engine, actor, summary: str) -> None:
    with db.session_scope(engine) as s:
        [view] = evidence.list_evidence(s, LEAD1)
        data = evidence.EvidenceInput(kind=view.kind, held_on=view.held_on, force=view.force, source=view.source,
                                      summary=summary, criteria=view.criteria,
                                      excerpts=[evidence.ExcerptInput(e.criterion, e.code, e.text, e.uid)
                                                for e in view.excerpts])
        evidence.update_evidence(s, actor, view.uid, data, expected_revision=view.revision)


def test_evidence_changed_on_a_laptop_replaces_the_leads_copy_and_changes_on_both_sides_are_kept(databases):
    laptop, lead = databases("laptop"), databases("lead")
    with db.session_scope(laptop) as s:
        add_interview(s, DURHAM_INSPECTOR)
    merge(lead, export(laptop, DURHAM_INSPECTOR))
    _edit(laptop, DURHAM_INSPECTOR, "Corrected on the laptop.")
    assert merge(lead, export(laptop, DURHAM_INSPECTOR)).evidence.evidence["replace"] == 1
    with db.session_scope(lead) as s:
        [view] = evidence.list_evidence(s, LEAD1)
        assert view.summary == "Corrected on the laptop." and len(view.excerpts) == 2

    _edit(lead, LEAD1, "Changed by the lead.")
    _edit(laptop, DURHAM_INSPECTOR, "Changed again on the laptop.")
    assert merge(lead, export(laptop, DURHAM_INSPECTOR)).evidence.evidence["conflict"] == 1
    with db.session_scope(lead) as s:
        assert evidence.list_evidence(s, LEAD1)[0].summary == "Changed by the lead."
        [conflict] = bundle_evidence.open_conflicts(s, LEAD1)
        bundle_evidence.resolve(s, LEAD1, conflict.id, take=True)
    with db.session_scope(lead) as s:
        [view] = evidence.list_evidence(s, LEAD1)
        assert view.summary == "Changed again on the laptop." and view.created_by == "inspector2"


def test_the_command_line_says_what_an_evidence_bundle_merged(databases, tmp_path, capsys):
    from fieldwork.cli import main

    laptop, lead = databases("laptop"), databases("lead")
    with db.session_scope(laptop) as s:
        add_interview(s, DURHAM_INSPECTOR)
    target = tmp_path / "laptop.fwbundle.zip"
    target.write_bytes(export(laptop, DURHAM_INSPECTOR))
    assert main(["--db", str(lead.url), "bundle", "import", str(target)]) == 0
    out = capsys.readouterr().out
    assert "Evidence: 1 added" in out and "Nothing to change" not in out


def test_evidence_or_a_grade_by_someone_without_an_account_here_is_refused_by_name(databases):
    """As an assessment's inspector must be an account (bundle_rows), so must whoever recorded
    a piece of evidence and whoever gave a grade, past grades too: the merge refuses, naming the
    record and the field, and writes nothing."""
    from models import User
    from fieldwork.services.permissions import Actor

    laptop, lead = databases("laptop"), databases("lead")
    outsider, other_lead = Actor("inspector9", "inspector"), Actor("lead9", "lead")
    with db.session_scope(laptop) as s:  # accounts made on the laptop only
        s.add_all([User(name="inspector9", role="inspector", password_hash="!"),
                   User(name="lead9", role="lead", password_hash="!")])
    with db.session_scope(laptop) as s:
        add_interview(s, actor=outsider)
    first = judge(laptop, other_lead, "met")
    with db.session_scope(laptop) as s:
        version = s.execute(select(Judgement.version).where(Judgement.uid == first)).scalar_one()
    judge(laptop, LEAD1, "partially_met", version=version)  # lead1 holds an account on both; lead9's grade is past
    with pytest.raises(ProblemError) as err:
        merge(lead, export(laptop, LEAD1))
    named = {(p.field, p.item_kind): p for p in err.value.problems if p.code == "bad_inspector"}
    assert set(named) == {("created_by", "evidence"), ("history[1].judged_by", "judgement")}, err.value.problems
    assert named[("created_by", "evidence")].message.startswith("inspector9 is not an account: ask an administrator")
    assert named[("history[1].judged_by", "judgement")].item == "durham 3.1"
    assert "lead9 is not an account" in named[("history[1].judged_by", "judgement")].message
    assert count(lead, EvidenceItem) == 0 and count(lead, Judgement) == 0
    with db.session_scope(lead) as s:  # once the administrator adds them, the same bundle merges
        s.add_all([User(name="inspector9", role="inspector", password_hash="!"),
                   User(name="lead9", role="lead", password_hash="!")])
    merge(lead, export(laptop, LEAD1))
    assert count(lead, EvidenceItem) == 1 and count(lead, Judgement) == 1


def test_a_missing_account_is_said_once_with_its_cases_not_once_a_case(databases):
    """Walk 24, W17: a bundle of many cases by inspectors without accounts here said so once per
    case; it says so once per account, naming how many cases and the first few."""
    from fieldwork.services import cases
    from fieldwork.services.permissions import Actor
    from models import User

    laptop, lead = databases("laptop"), databases("lead")
    with db.session_scope(laptop) as s:
        s.add(User(name="inspector9", role="inspector", password_hash="!"))
    nine = Actor("inspector9", "inspector")
    for n in range(1, 6):
        with db.session_scope(laptop) as s:
            cases.add_case(s, nine if n < 5 else INSPECTOR1, inspection=None, questionnaire_id="case_review",
                           case_ref=f"HS-{n:04d}", context={"force": "durham"})
    with db.session_scope(lead) as s:  # inspector1 has an account here; inspector9 none
        pass
    with pytest.raises(ProblemError) as err:
        merge(lead, export(laptop, LEAD1))
    said = [p for p in err.value.problems if p.code == "bad_inspector"]
    assert len(said) == 1, said
    assert said[0].message == ("inspector9 is not an account (the inspector of 4 cases in the bundle: HS-0001, HS-0002, "
                               "HS-0003 and 1 more): ask an administrator to add the account inspector9 on this "
                               "database (Users page), then upload the bundle again")
    assert count(lead, EvidenceItem) == 0


def test_a_leads_own_bundle_carries_the_evidence_their_grades_cite(databases):
    """Walk 24, W17: a lead's own bundle ("one inspector's": theirs) carried their judgement but
    not the interview a colleague recorded that it cites, and the merge refused it."""
    laptop, lead = databases("laptop"), databases("lead")
    with db.session_scope(laptop) as s:
        cited = add_interview(s)  # recorded by inspector1
        add_interview(s, summary="another interview, cited by nobody")
    judge(laptop, LEAD1, "met", evidence_uids=[cited.uid])
    content = export(laptop, LEAD1, inspector="lead1")
    merge(lead, content)
    with db.session_scope(lead) as s:
        held = s.execute(select(EvidenceItem.uid, EvidenceItem.created_by)).all()
    assert held == [(cited.uid, "inspector1")] and count(lead, Judgement) == 1
    with db.session_scope(laptop) as s:  # an inspector's own bundle: their own evidence only, as before
        assert bundle_evidence.exportable(s, triangulation_inspection(s), inspector="inspector1")["evidence"] == 2
        assert bundle_evidence.exportable(s, triangulation_inspection(s), inspector="lead1")["evidence"] == 1


def triangulation_inspection(session):
    from fieldwork.services import inspections

    return inspections.inspection_by_code(session, None)
