"""Case examples: marked by a lead for a criterion or finding, privacy-checked, listed under
their criterion, and in the workbook's case_examples sheet."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import case_examples, findings, tracing
from exports import exporting
from fieldwork.services.permissions import Actor

LEAD = Actor("lead1", "lead")


@pytest.fixture
def loaded(demo_engine):
    return demo_engine


def _a_case(engine, finding="avoidable_delay", answer="yes") -> str:
    with db.session_scope(engine) as s:
        return tracing.cases_behind(s, LEAD, "case_review", finding, answer).counted()[0].case_ref


def test_mark_list_by_criterion_and_workbook(loaded):
    ref = _a_case(loaded)
    with db.session_scope(loaded) as s:
        marked = case_examples.mark(s, LEAD, "case_review", ref, "The suspect contacted the victim 40 times; "
                                    "the file shows no action for six weeks.", finding="avoidable_delay",
                                    answer="yes")
        assert marked.warnings == []
        case_examples.mark(s, LEAD, "case_review", ref, "Risk assessment done the same day.", criterion="3.1")
    with db.session_scope(loaded) as s:
        examples = case_examples.list_examples(s, LEAD, "case_review")
        framework = findings.framework_for(s)
    assert [e.case_ref for e in examples] == [ref, ref]
    delay = examples[0]
    assert delay.title == "Was there avoidable delay? – Yes" or delay.finding == "avoidable_delay"
    assert delay.force and delay.criteria  # listed under the criteria the question evidences
    listed = case_examples.by_criterion(examples, framework)
    assert examples[1] in listed["3.1"]
    for cid in delay.criteria:
        assert delay in listed[cid]
    with db.session_scope(loaded) as s:
        data = exporting.export_workbook(s, LEAD, "case_review")
    ws = load_workbook(io.BytesIO(data))["case_examples"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == case_examples.SHEET_HEADER
    assert len(rows) - 1 == len(delay.criteria) + 1
    assert any(r[0] == "3.1" and r[1] == ref and r[6] == "Risk assessment done the same day." for r in rows[1:])


def test_narrative_privacy_warnings_and_refusals(loaded):
    ref = _a_case(loaded)
    with db.session_scope(loaded) as s:
        marked = case_examples.mark(s, LEAD, "case_review", ref, "Mrs Smith was called on 07700 900123.",
                                    criterion="2.1")
    assert "a person's name" in marked.warnings and "a phone number" in marked.warnings
    with db.session_scope(loaded) as s, pytest.raises(ProblemError) as caught:
        case_examples.mark(s, LEAD, "case_review", "HS-9999", "  ", criterion="9.9", finding="plea", answer="x")
    text = str([p.message for p in caught.value.problems])
    assert "no case_review case 'HS-9999'" in text and "'9.9' is not a specific criterion" in text
    assert "'x' is not a code of 'plea'" in text and "write a short pseudonymised narrative" in text
    with db.session_scope(loaded) as s, pytest.raises(ProblemError, match="name the criterion or the finding"):
        case_examples.mark(s, LEAD, "case_review", ref, "text")
    with db.session_scope(loaded) as s, pytest.raises(ProblemError, match="may not"):
        case_examples.mark(s, Actor("inspector1", "inspector"), "case_review", ref, "text", criterion="2.1")


def test_remove_and_audit_keeps_no_narrative(loaded):
    from sqlmodel import select

    from models import AuditEvent

    ref = _a_case(loaded)
    with db.session_scope(loaded) as s:
        example = case_examples.mark(s, LEAD, "case_review", ref, "A secret narrative.", criterion="2.1").example
    with db.session_scope(loaded) as s:
        case_examples.remove(s, LEAD, example.id)
    with db.session_scope(loaded) as s:
        assert case_examples.list_examples(s, LEAD, "case_review") == []
        events = s.exec(select(AuditEvent).where(AuditEvent.action.like("example.%"))).all()
    assert [e.action for e in events] == ["example.marked", "example.removed"]
    assert all("secret" not in (e.detail or "") for e in events)
