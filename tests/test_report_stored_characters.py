"""A control character stored before the character rule (or written by hand in SQL) never stops
the draft report being written: it is shown as U+FFFD, as the workbook shows it (attacker
re-test 22, F3: `fieldwork report … --with-notes` died with "All strings must be XML compatible")."""

from __future__ import annotations

from sqlalchemy import select, update

from fieldwork import db
from fieldwork.services import case_examples, judgements
from fieldwork.services.permissions import Actor
from exports import report_docx, reporting
from models import Answer, Assessment, CaseExample, CaseFile, Judgement
from tests.report_reader import read

LEAD = Actor("lead1", "lead")


def test_notes_examples_and_judgements_holding_control_characters_are_written_as_u_fffd(demo_engine):
    with db.session_scope(demo_engine) as s:
        ref, assessment = s.execute(
            select(CaseFile.case_ref, Assessment.id).join(Assessment, Assessment.case_id == CaseFile.id)
            .join(Answer, Answer.assessment_id == Assessment.id)
            .where(Answer.question == "force", Answer.value == "durham").order_by(CaseFile.case_ref)).first()
        judgements.judge(s, LEAD, unit_type="force", unit="durham", criterion="3.1", grade="partially_met",
                         rationale="DASH often incomplete")
        case_examples.mark(s, LEAD, "case_review", ref, "The DASH was completed late.", criterion="3.1")
    with db.session_scope(demo_engine) as s:  # by hand, as SQL would: the services refuse these
        s.execute(update(Answer).where(Answer.assessment_id == assessment,
                                       Answer.question == "initial_risk_assessment")
                  .values(note="see \x1b[2J log\x01 end"))  # NUL: PostgreSQL cannot store it
        s.execute(update(Judgement).values(rationale="often\x07 incomplete"))
        s.execute(update(CaseExample).values(narrative="completed\x0b late"))
    with db.session_scope(demo_engine) as s:
        ctx = reporting.report_context(s, LEAD, "case_review", with_charts=False, with_notes=True)
    doc = read(report_docx.to_bytes(ctx))
    notes = doc.table_headed("Question")
    assert [ref, "see \ufffd[2J log\ufffd end"] in [r[1:] for r in notes[1:]]
    assert ["Durham Constabulary", "Partially met", "often\ufffd incomplete"] in doc.table_headed("Force or Area")
    assert "completed\ufffd late" in " ".join(" ".join(" ".join(r) for r in t) for t in doc.tables)
