"""Second marking in the exports: the ``agreement`` sheet (one row per question and an
overall row) and the ``meta:second_marked`` column of the responses (yes for a case that
was second-marked: its primary row, or the agreed row once moderated).

``extend_workbook`` adds both to a workbook context (``exports.workbook.WorkbookContext``:
a marker, an extra sheet and a cover line); ``markers`` gives the column for the wide CSV.
Both appear once a case of the questionnaire has been second-marked: an inspection without
second marking keeps the plain layout.
Every text value passes through ``fieldwork.files.cells.safe``.
"""

from __future__ import annotations


from sqlmodel import Session

from fieldwork.files.csv_out import csv_bytes
from fieldwork.services import agreement, second_marking
from fieldwork.services.agreement import AgreementReport
from fieldwork.services.wide_table import Responses
from fieldwork.short_labels import short_labels

MARKER = "second_marked"
SHEET = "agreement"
COLUMNS = [  # (key in AgreementReport.rows(), header)
    ("question", "question"), ("label", "label"), ("pairs", "cases_marked_twice"),
    ("applicable_pairs", "applicable_to_both"), ("agreements", "agreed"), ("observed", "percent_agreement"),
    ("kappa", "cohens_kappa"), ("ac1", "gwets_ac1"), ("applicability_agreement", "applicability_agreement"),
    ("applicable_first_only", "applicable_first_only"), ("applicable_second_only", "applicable_second_only"),
    ("applicable_neither", "applicable_neither"),
    # repeat groups (docs/repeats.md): what a pair is (a case, or an entry both recorded), and the
    # applicable answers in entries only one marker recorded, kept out of the table and listed here
    ("unit", "unit"), ("in_entries_first_only", "in_entries_first_only_answers"),
    ("in_entries_second_only", "in_entries_second_only_answers"),
    ("flagged", "flagged"),  # last, as ever
]
FLAGGED = [key for key, _ in COLUMNS].index("flagged")
PERCENT_COLUMNS = [5, 8]


def markers(session: Session, resp: Responses) -> dict[str, dict[str, str]]:
    """{"second_marked": {assessment uid: "yes" | "no"}} for every row of the responses; no
    column at all while nothing of this questionnaire has been second-marked."""
    marked = second_marking.second_marked_uids(session, resp.inspection.id, resp.questionnaire.id)
    if not marked:
        return {}
    return {MARKER: {row.uid: "yes" if row.uid in marked else "no" for row in resp.rows}}


def sheet_rows(report: AgreementReport) -> list[list]:
    out = []
    for r in report.rows():
        row = [r[key] for key, _ in COLUMNS]
        row[FLAGGED] = "yes" if r["flagged"] else ("" if r["question"] == "(overall)" else
                                              agreement.TOO_FEW if r["judgement"] == agreement.TOO_FEW else "no")
        out.append([round(v, 4) if isinstance(v, float) else v for v in row])
    return out


def display_rows(report: AgreementReport) -> list[dict]:
    """The table as a page shows it: each question in words (its short label, else its label);
    the variable name last, for the page to keep in the data without showing it."""
    short = short_labels(report.questionnaire)
    return [{"Question": short.get(r["question"]) or r["label"] or r["question"], "Unit": r["unit"],
             "Cases": r["applicable_pairs"], "Agreement": r["observed"],
             "Kappa": None if r["kappa"] is None else round(r["kappa"], 3),
             "AC1": None if r["ac1"] is None else round(r["ac1"], 3),
             "Applicability agreement": r["applicability_agreement"],
             "Flagged": "⚑" if r["flagged"] else ("too few pairs to judge" if r["judgement"] == agreement.TOO_FEW
                                                 else ""),
             "In one marking's entries only": (r["in_entries_first_only"] or 0) + (r["in_entries_second_only"] or 0),
             "Variable": r["question"]}
            for r in report.rows()]


def to_csv(report: AgreementReport) -> bytes:
    return csv_bytes([h for _, h in COLUMNS], sheet_rows(report))


def add_agreement_sheet(wb, report: AgreementReport) -> None:
    from exports.workbook import table_sheet

    table_sheet(wb, SHEET, [h for _, h in COLUMNS], sheet_rows(report), table="tbl_agreement",
                percent=PERCENT_COLUMNS, widths=[34, 50, 12, 12, 9, 12, 11, 11, 14, 12, 12, 12, 9])


def extend_workbook(session: Session, ctx, *, threshold: float = agreement.DEFAULT_THRESHOLD,
                    statistic: str = agreement.KAPPA) -> None:
    """Add the second_marked column, the agreement sheet and a cover line to a workbook context
    (nothing while no case of the questionnaire has been second-marked)."""
    resp = ctx.responses
    marker = markers(session, resp)
    if not marker:
        return
    ctx.markers.update(marker)
    report = agreement.report(session, resp.questionnaire.id, inspection=resp.inspection,
                              threshold=threshold, statistic=statistic)

    def agreement_sheet(wb, _ctx) -> None:
        add_agreement_sheet(wb, report)

    ctx.extra_sheets.append(agreement_sheet)
    flagged = ", ".join(q.question for q in report.flagged) or "none"
    ctx.cover_lines.append(("Second marking", f"{report.pairs} case(s) marked twice (column meta:second_marked); "
                            f"agreement per question on the '{SHEET}' sheet; {statistic} under {threshold:g}: "
                            f"{flagged}"))
