"""The rows of the workbook's ``summaries`` sheet (``exports.workbook.add_summaries``): each
number and date question, overall and per group, with the figures the findings JSON's
``summaries`` hold."""

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
