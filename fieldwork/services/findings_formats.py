"""Findings as CSV (one row per finding, for spreadsheets) and as text (for a terminal)."""

from __future__ import annotations

import json
from typing import Mapping

from fieldwork.files.csv_out import csv_text
from fieldwork.services.findings_report import FindingsReport

CSV_COLUMNS = ("id", "answer", "group", "count", "denominator", "percent", "ci_low", "ci_high", "small_n",
               "not_known", "not_applicable", "text", "footnotes", "kind", "label", "criteria",
               "rest_count", "rest_denominator", "diff_low", "diff_high", "differs_from_rest",
               "unit",  # unit: cases, or entries of a repeat group (issue 12; added last, after the others)
               "answer_label", "group_label")  # the codes' words (walk 25, V6), appended: others read by name
SMALL_N_CAUTION = "fewer than 10 cases: read with caution"


def interval_text(f) -> str:
    """'95% CI 44.4–63.1' (or '' without a denominator)."""
    return "" if f.ci_low is None else f"95% CI {f.ci_low:.1f}–{f.ci_high:.1f}"


def difference_text(f) -> str:
    """A group's figure against the rest of the inspection, in words."""
    if f.diff_low is None:
        return ""
    verdict = "differs from" if f.differs else "no clear difference from"
    return (f"{verdict} the rest ({f.rest_count} of {f.rest_denominator}; difference 95% CI "
            f"{f.diff_low:+.1f} to {f.diff_high:+.1f} points)")


def to_json(report: FindingsReport) -> str:
    """The contract's findings JSON, one finding a line (readable, and written by the C
    encoder: ``indent`` would make json use its pure-Python one, slow on 10,000 findings)."""
    data = report.to_contract()
    findings = data.pop("findings")
    summaries = data.pop("summaries", [])
    head = json.dumps(data, ensure_ascii=False)[:-1]
    lines = ",\n".join("  " + json.dumps(f, ensure_ascii=False) for f in findings)
    tail = ",\n".join("  " + json.dumps(x, ensure_ascii=False) for x in summaries)
    return (f'{head}, "findings": [\n{lines}\n]' if findings else f'{head}, "findings": []') + (
        f', "summaries": [\n{tail}\n]}}\n' if summaries else ', "summaries": []}\n')


def to_csv(report: FindingsReport, group_labels: Mapping[str, str] | None = None) -> str:
    """One row per finding. ``group_labels``: the breakdown variable's code -> label (the
    caller has the questionnaire; this module imports no database code, for the findings
    command's short way); a group without one keeps its code as its label."""
    labels = group_labels or {}

    def group_label(code):
        return None if code is None else labels.get(code, code)
    rows = []
    for f in report.findings:
        rows.append((
            f.id, f.answer, f.group, f.count, f.denominator, f.percent, f.ci_low, f.ci_high,
            "true" if f.small_n else "false", f.not_known, f.not_applicable, f.text,
            " ".join(f.footnotes), f.kind, f.label, " ".join(f.criteria), f.rest_count, f.rest_denominator,
            f.diff_low, f.diff_high, ("true" if f.differs else "false") if f.group is not None else None, f.unit,
            f.answer_label if f.answer is not None else None, group_label(f.group)))
    for x in report.summaries:  # numbers and dates: one row each, the figures in words
        cells = {"id": x["id"], "group": x["group"], "count": x["n"], "text": summary_text(x), "kind": "summary",
                 "group_label": group_label(x["group"])}
        rows.append([cells.get(c) for c in CSV_COLUMNS])
    return csv_text(CSV_COLUMNS, rows)  # every cell safe from formula injection


def summary_text(x: dict) -> str:
    """A summary in words: "n 20; min 1; lower quartile 2; median 3.5; upper quartile 6; max 9; mean 4.1"."""
    if x["type"] != "skipped" and not x["n"]:
        return "no answers"
    if x["type"] == "skipped":
        return x["why"]
    if x["type"] in ("date", "time", "datetime"):
        return f"n {x['n']}; earliest {x['earliest']}; median {x['median']}; latest {x['latest']}"
    return (f"n {x['n']}; min {x['min']}; lower quartile {x['q1']}; median {x['median']}; upper quartile {x['q3']}; "
            f"max {x['max']}; mean {x['mean']}")


def to_text(report: FindingsReport) -> str:
    lines = [f"{report.questionnaire} (version {report.version}): {report.cases} complete case"
             f"{'' if report.cases == 1 else 's'} counted; {report.drafts_excluded} draft"
             f"{'' if report.drafts_excluded == 1 else 's'} left out"]
    if report.filters:
        lines.append("filters: " + "; ".join(f"{k} = {', '.join(v)}" for k, v in report.filters.items()))
    if report.by:
        lines.append(f"by {report.by}: " + ", ".join(f"{g} ({n})" for g, n in report.groups.items()))
    current = None
    for f in report.findings:
        if f.id != current:
            current = f.id
            lines.append("")
            lines.append(f"{f.id} — {f.label}" + (f" [criteria {' '.join(f.criteria)}]" if f.criteria else ""))
        pct = "–" if f.percent is None else f"{f.percent}%"
        where = f"  [{report.by} = {f.group}]" if f.group is not None else ""
        answer = f.answer if f.answer is not None else "(indicator)" if f.kind == "indicator" else f"({f.kind})"
        if f.unit == "entries":  # a repeat group's entries, not cases
            answer += " [entries]"
        ci = interval_text(f)
        lines.append(f"  {answer:<20} {f.count:>6} / {f.denominator:<6} {pct:>5} {('(' + ci + ')') if ci else '':<22}"
                     f"{where}  {f.text}")
        if f.small_n and f.denominator:
            lines.append(f"  {'':<20} caution: {SMALL_N_CAUTION}")
        if f.differs:  # only the clear differences: the rest would bury them
            lines.append(f"  {'':<20} {difference_text(f)}")
        for note in f.footnotes:
            lines.append(f"  {'':<20} note: {note}")
    if report.summaries:
        lines += ["", "Numbers and dates"]
        for x in report.summaries:
            where = f"  [{report.by} = {x['group']}]" if x["group"] is not None else ""
            lines.append(f"  {x['id']}{where}: {summary_text(x)}")
    return "\n".join(lines) + "\n"
