"""The sample in the workbook: a ``sample`` sheet with the sample's report (per force and
stratum: frame, target, drawn, excluded by reason, replaced, in sample, assessed, reserves
left, shortfall and the design weight N_h / n_h) and a cover line with each force's draw
(seed, allocation, strata). Added once the questionnaire has a sampling frame; an inspection
whose cases were chosen elsewhere keeps the plain layout. Text passes through
``fieldwork.files.cells.safe`` (in ``table_sheet``)."""

from __future__ import annotations

import json

from sqlmodel import Session

from fieldwork.files.csv_out import csv_bytes
from fieldwork.services import sampling, sampling_report
from fieldwork.services.permissions import Actor

SHEET = "sample"
CASES_HEADER = ("case_ref", "force", "stratum", "state", "replaces", "reason", "replaced_by")


def cases_csv(drawn, gone) -> bytes:
    """The drawn cases to pull (replacements included) and the exclusions, one row each."""
    rows = [(c.case_ref, c.force, c.stratum, "in_sample", c.replaces or "", "", "") for c in drawn]
    rows += [(e.case_ref, e.force, e.stratum, "excluded", "", e.reason, e.replacement or "") for e in gone]
    return csv_bytes(CASES_HEADER, rows)


def extend_workbook(session: Session, actor: Actor, ctx) -> None:
    resp = ctx.responses
    rep = sampling_report.report(session, actor, resp.questionnaire.id, inspection=resp.inspection)
    if not rep.rows:
        return
    rows = [sampling_report.table_row(r) for r in rep.rows]

    def sample_sheet(wb, _ctx) -> None:
        from exports.workbook import table_sheet

        table_sheet(wb, SHEET, sampling_report.TABLE_HEADER, rows, table="tbl_sample",
                    widths=[22, 40, 8, 8, 8, 9, 30, 9, 10, 9, 13, 10, 8])

    ctx.extra_sheets.append(sample_sheet)
    draws = "; ".join(f"{force}: seed {d['seed']}, {d['allocation']}, strata "
                      f"{' × '.join(json.loads(d['strata'])) or 'none'}" for force, d in sorted(rep.draws.items()))
    ctx.cover_lines.append(("Sample", f"drawn from sampling frames ({draws or 'not drawn yet'}); per force and "
                            f"stratum on the '{SHEET}' sheet. {sampling.METHOD} Findings are unweighted."))
