"""Evidence and judgements in the workbook (issue 14): the ``evidence``, ``excerpts``,
``judgements`` and ``judgement_grid`` sheets (and ``judgement_grid_cps_area`` once a CPS Area is judged), added by ``extend_workbook`` once the
inspection holds any evidence or judgement (an inspection without keeps the plain layout).

Summaries and passages are free text that may mention a case: like evidence notes they are
written only in an export with notes (``with_notes``); otherwise the cells say so. The
judgements' rationales are the leads' own reasoning and always written. Every text value
passes through ``fieldwork.files.cells.safe`` (``table_sheet`` does it).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from fieldwork.services import evidence, triangulation
from fieldwork.services.permissions import Actor
from models import EvidenceItem, Judgement

LEFT_OUT = "(left out: export with evidence notes)"
EVIDENCE_HEADER = ["evidence_uid", "evidence_ref", "kind", "date", "force", "cps_area", "source", "criteria",
                   "summary", "reference", "excerpts", "added_by"]
EXCERPT_HEADER = ["evidence_ref", "kind", "force", "cps_area", "criterion", "code", "code_label", "passage",
                  "excerpt_uid"]
JUDGEMENT_HEADER = ["unit_type", "unit", "unit_label", "criterion", "criterion_text", "grade", "grade_label",
                    "kinds_of_evidence", "marks", "rationale", "evidence", "excerpts", "case_file_findings",
                    "judged_by", "judged_at"]


def _has_any(session: Session, inspection_id: int) -> bool:
    return bool(session.scalar(select(func.count()).select_from(EvidenceItem).where(
        EvidenceItem.inspection_id == inspection_id)) or session.scalar(select(func.count()).select_from(
            Judgement).where(Judgement.inspection_id == inspection_id)))


def extend_workbook(session: Session, ctx, actor: Actor) -> None:
    resp = ctx.responses
    if not _has_any(session, resp.inspection.id):
        return
    inspection = resp.inspection
    with_text = resp.with_notes
    views = evidence.list_evidence(session, actor, inspection=inspection)
    rows = triangulation.judgement_rows(session, actor, inspection=inspection)
    grids = [triangulation.grid(session, actor, inspection=inspection)]
    if any(r["unit_type"] == "cps_area" for r in rows):
        grids.append(triangulation.grid(session, actor, inspection=inspection, unit_type="cps_area"))
    criteria_text = ctx.criteria_text

    def evidence_sheets(wb, _ctx) -> None:
        from exports.workbook import table_sheet

        table_sheet(wb, "evidence", EVIDENCE_HEADER, [[
            v.uid, v.ref, v.kind, v.held_on, v.force or "", v.cps_area or "", v.source, " ".join(v.criteria),
            v.summary if with_text else LEFT_OUT, v.reference, len(v.excerpts), v.created_by] for v in views],
            table="tbl_evidence", wrap=[8])
        table_sheet(wb, "excerpts", EXCERPT_HEADER, [[
            v.ref, v.kind, v.force or "", v.cps_area or "", e.criterion, e.code, e.code_label,
            e.text if with_text else LEFT_OUT, e.uid] for v in views for e in v.excerpts],
            table="tbl_excerpts", wrap=[7])
        table_sheet(wb, "judgements", JUDGEMENT_HEADER, [[
            r["unit_type"], r["unit"], r["unit_label"], r["criterion"], criteria_text.get(r["criterion"], ""),
            r["grade"], r["grade_label"], ", ".join(r["kinds"]), ", ".join(r["marks"]), r["rationale"],
            "; ".join(r["evidence"]), "; ".join(r["excerpts"]), "; ".join(r["findings"]), r["judged_by"],
            r["judged_at"].replace(tzinfo=None) if r["judged_at"] else None] for r in rows],
            table="tbl_judgements", wrap=[9, 12])
        for grid in grids:  # forces, and CPS Areas once one is judged
            title = "judgement_grid" if grid.unit_type == "force" else "judgement_grid_cps_area"

            def shown(unit: str, criterion: str, grid=grid) -> str:
                cell = grid.cell(unit, criterion)
                return cell.grade_label + (f" [{', '.join(cell.marks)}]" if cell.marks else "")

            table_sheet(wb, title, [grid.unit_type, "label", *grid.criteria],
                        [[unit, label, *(shown(unit, c) for c in grid.criteria)] for unit, label in grid.units],
                        table=f"tbl_{title}")

    ctx.extra_sheets.append(evidence_sheets)
    ctx.cover_lines.append(("Evidence and judgements", f"{len(views)} evidence item(s), "
                            f"{sum(len(v.excerpts) for v in views)} excerpt(s) and {len(rows)} judgement(s) on the "
                            "'evidence', 'excerpts', 'judgements' and 'judgement_grid' sheets"
                            + ("" if with_text else "; summaries and passages left out (export with notes)")))
