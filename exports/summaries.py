"""The workbook's ``summaries`` sheet: each number and date question, overall and per group,
with the figures the findings JSON's ``summaries`` hold."""

from __future__ import annotations

HEADER = ["variable", "label", "group", "kind", "n", "min", "lower_quartile", "median", "upper_quartile", "max",
          "mean", "earliest", "latest"]


def rows(report, questionnaire) -> list[list]:
    out = []
    for x in report.summaries:
        label = questionnaire.question(x["id"]).label if questionnaire.has_question(x["id"]) else ""
        if x["type"] == "skipped":  # a calculate whose values are not all numbers: said, not summarised
            out.append([x["id"], label, x["group"], x["why"], x["n"]] + [None] * 8)
        elif x["type"] in ("date", "time", "datetime"):
            out.append([x["id"], label, x["group"], x["type"], x["n"], None, None, x["median"], None, None, None,
                        x["earliest"], x["latest"]])
        else:
            out.append([x["id"], label, x["group"], "number", x["n"], x["min"], x["q1"], x["median"], x["q3"],
                        x["max"], x["mean"], None, None])
    return out


def add_summaries(wb, ctx) -> None:
    from exports.workbook import table_sheet

    report = ctx.findings
    if report is None or not report.summaries:
        return
    summaries = list(rows(report, ctx.questionnaire))
    for variable, breakdown in ctx.breakdowns.items():
        summaries += [r for r in rows(breakdown, ctx.questionnaire) if r[2] is not None]
    table_sheet(wb, "summaries", HEADER, summaries)
