"""Exporting a questionnaire's counted complete assessments: the Excel workbook and wide CSV.

Both read the database through ``fieldwork.services.wide_table`` (a few queries, never one per
assessment), leave evidence notes out unless ``with_notes`` is asked for (de-identified by
default), and write one audit row (format, rows, whether notes were included — no content).
The writers live in ``exports/``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import select
from sqlmodel import Session

from exports import agreement as agreement_export
from exports import case_examples as examples_export
from exports import sample as sample_export
from exports import csv_wide, evidence_sheets, odk_kobo, repeat_tables, workbook
from fieldwork import audit
from fieldwork.catalog import load_catalog
from fieldwork.problem_codes import BAD_OPTION
from fieldwork.problems import Problem, ProblemError
from fieldwork.services import entry_rows, findings, store, wide_table
from fieldwork.services.inspections import InspectionRef
from fieldwork.services.permissions import LEADS, Actor, require_role
from fieldwork.services import actor_check
from models import Assessment, CaseFile

XLSX = "xlsx"
CSV = "csv"
FORMATS = (XLSX, CSV)


def _criteria_text(framework: str) -> dict[str, str]:
    found = load_catalog().frameworks.get(framework)
    return {s.id: s.text for g in found.general for s in g.specific} if found else {}


def workbook_context(session: Session, actor: Actor, questionnaire_id: str, *, inspection: InspectionRef = None,
                     with_notes: bool = False) -> workbook.WorkbookContext:
    """Everything the workbook shows, read from the database. Another capability may add
    markers, cover lines or sheets to the context before ``workbook.to_bytes``."""
    require_role(actor, LEADS, "export assessments")
    resp = wide_table.load(session, questionnaire_id, inspection=inspection, with_notes=with_notes)
    q, inspection = resp.questionnaire, resp.inspection  # resolved once, by the load
    breakdowns = {v: findings.compute(session, questionnaire_id, inspection=inspection, by=v)
                  for v in workbook.BREAKDOWNS if q.has_question(v) and q.question(v).is_single_choice}
    # a report broken down by a variable holds the overall entries too: no need to count them again
    overall = (next(iter(breakdowns.values())) if breakdowns
               else findings.compute(session, questionnaire_id, inspection=inspection))
    return workbook.WorkbookContext(
        responses=resp, findings=overall, breakdowns=breakdowns, exported_by=actor.name,
        exported_at=datetime.now(timezone.utc), criteria_text=_criteria_text(q.framework))


def export_workbook(session: Session, actor: Actor, questionnaire_id: str, *, inspection: InspectionRef = None,
                    with_notes: bool = False, file_name: str = "",
                    progress: Callable[[int, int, str], None] | None = None) -> bytes:
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    ctx = workbook_context(session, actor, questionnaire_id, inspection=inspection, with_notes=with_notes)
    ctx.progress = progress
    inspection = ctx.responses.inspection
    agreement_export.extend_workbook(session, ctx)  # meta:second_marked and the agreement sheet (issue 6)
    examples_export.extend_workbook(session, actor, ctx, findings.framework_for(session, inspection),
                                    inspection=inspection)  # the lead's case examples (issue 13)
    evidence_sheets.extend_workbook(session, ctx, actor)  # evidence, excerpts, judgements and the grid (issue 14)
    sample_export.extend_workbook(session, actor, ctx)  # the sample sheet, once there is a sampling frame
    entries = entry_rows.load(session, ctx.responses)
    if entries:  # a sheet per repeat group (issue 12)

        def repeat_sheets(wb, c) -> None:
            repeat_tables.add_sheets(wb, c.responses, entries)

        ctx.extra_sheets.append(repeat_sheets)
    data = workbook.to_bytes(ctx)
    _audit(session, actor, ctx.responses, XLSX, file_name, labels=False)
    return data


def export_csv(session: Session, actor: Actor, questionnaire_id: str, *, inspection: InspectionRef = None,
               labels: bool = False, with_notes: bool = False, bom: bool = False, file_name: str = "") -> bytes:
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    require_role(actor, LEADS, "export assessments")
    resp = wide_table.load(session, questionnaire_id, inspection=inspection, with_notes=with_notes)
    data = csv_wide.write_csv(resp, labels=labels, bom=bom, markers=agreement_export.markers(session, resp))
    if resp.questionnaire.repeats:  # the cases' file and one per repeat group, zipped (issue 12)
        data = repeat_tables.write_zip(data, resp, entry_rows.load(session, resp))
    _audit(session, actor, resp, CSV, file_name, labels=labels)
    return data


def export_layout(session: Session, actor: Actor, questionnaire_id: str, layout: str, *,
                  inspection: InspectionRef = None, file_name: str = "") -> bytes:
    """The wide CSV in KoboToolbox's (``kobo``) or ODK Central's (``odk``) export layout
    (``exports.odk_kobo``), without evidence notes: those tools' exports have none."""
    require_role(actor, LEADS, "export assessments")
    if layout not in odk_kobo.LAYOUTS:
        raise ProblemError([Problem(BAD_OPTION, f"the layout {layout!r} is not one of "
                                    f"{', '.join(odk_kobo.LAYOUTS)}", source=file_name or None)])
    resp = wide_table.load(session, questionnaire_id, inspection=inspection)
    submissions = {}
    uids = [r.uid for r in resp.rows]
    for start in range(0, len(uids), store.CHUNK):  # one query per 500 assessments, never one each
        for uid, completed, kept_id, kept_at in session.execute(
                select(Assessment.uid, Assessment.completed_at, CaseFile.source_instance_id,
                       CaseFile.source_submitted_at)
                .join(CaseFile, CaseFile.id == Assessment.case_id)
                .where(Assessment.uid.in_(uids[start:start + store.CHUNK]))).all():
            at = kept_at or (completed.replace(tzinfo=timezone.utc).isoformat(timespec="milliseconds")
                             .replace("+00:00", "Z") if completed else "")
            submissions[uid] = odk_kobo.Submission(odk_kobo.instance_id(uid, kept_id), at)
    data = odk_kobo.write(resp, layout, submissions)
    if resp.questionnaire.repeats:  # ODK Central's zip of a file per repeat; KoboToolbox's xlsx of a sheet each
        entries = entry_rows.load(session, resp)
        data = (repeat_tables.odk_zip(data, resp, entries, {uid: s.instance_id for uid, s in submissions.items()})
                if layout == odk_kobo.ODK else repeat_tables.kobo_xlsx(data, resp, entries))
    _audit(session, actor, resp, f"{CSV}:{layout}", file_name, labels=False)
    return data


def _audit(session: Session, actor: Actor, resp: wide_table.Responses, fmt: str, file_name: str, *,
           labels: bool) -> None:
    audit.record(session, actor.name, audit.EXPORT, inspection_id=resp.inspection.id,
                 questionnaire=resp.questionnaire.id, version=resp.questionnaire.version, format=fmt,
                 labels=labels, rows=len(resp.rows), notes_included=resp.with_notes, file=file_name[:200])
