"""Findings as Altair charts, built without Streamlit (the Findings page shows them; tests
check them as Vega-Lite specs; ``png`` and ``svg`` render them for the report with
vl-convert, no browser needed).

Every chart states its n: the title's subtitle gives the complete cases counted (and drafts
left out, and any filter), each bar carries "count/denominator (percent%)", and the tooltip
repeats the count, the denominator, the percent and the not-known and not-applicable cases.
Every percentage carries its Wilson 95 % interval (an error bar, or the line through a dot),
and a figure over fewer than 10 cases says so on its label. Bars are labelled with the short
labels of ``criteria/`` (``fieldwork.short_labels``); the full question is in the tooltip.
"""

from __future__ import annotations

import math
import re

import altair as alt
import pandas as pd
import vl_convert

from fieldwork.services.findings import FindingsReport
from fieldwork.short_labels import short_labels

MET = ("fully_met", "partially_met", "not_met")
MET_LABELS = {"fully_met": "Fully met", "partially_met": "Partially met", "not_met": "Not met"}
MET_COLOURS = ("#1b7837", "#f1a340", "#b2182b")  # distinguishable in greyscale and by most colour-blind readers
BAR_COLOUR = "#2c5d8f"
LABEL_LIMIT = 420  # pixels of a bar's label before it is cut short (the tooltip has it whole)
COLUMNS = ["id", "answer", "group", "group_label", "count", "denominator", "percent", "not_known",
           "not_applicable", "label", "answer_label", "bar", "value", "text", "kind", "reported", "criteria",
           "ci_low", "ci_high", "small_n", "differs"]
CI_COLOUR = "#111111"
OVERALL_COLOUR = "#b2182b"
CHART_WIDTH = 560  # with the labels beside it, a chart fits the page's 940 px column


def frame(report: FindingsReport, group_labels: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per finding, with what the charts show: ``bar`` (the bar's label), ``value``
    (count/denominator (percent%)), ``group_label`` ("Durham Constabulary (n=16)")."""
    group_labels = group_labels or {}
    shorts = short_labels(report.questionnaire)
    rows = []
    for f in report.findings:
        answer = f" – {f.answer_label}" if f.answer is not None else ""
        pct = "no cases" if f.percent is None else f"{f.percent}%"
        group_label = None
        if f.group is not None:
            group_label = f"{group_labels.get(f.group, f.group)} (n={report.groups.get(f.group, 0)})"
        rows.append({
            "id": f.id, "answer": f.answer, "group": f.group, "group_label": group_label, "count": f.count,
            "denominator": f.denominator, "percent": f.percent, "not_known": f.not_known,
            "not_applicable": f.not_applicable, "label": f.label, "answer_label": f.answer_label,
            "bar": f"{shorts.get(f.id) or f.label}{answer}", "value": f"{f.count}/{f.denominator} ({pct})" + (" – few cases, read with caution"
                                                             if f.small_n and f.denominator else ""), "text": f.text,
            "kind": f.kind, "reported": f.reported, "criteria": " ".join(f.criteria),
            "ci_low": f.ci_low, "ci_high": f.ci_high, "small_n": f.small_n, "differs": f.differs,
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def subtitle(report: FindingsReport, extra: str = "", filter_text: str = "") -> list[str]:
    """``filter_text``: the filters in words ("Force: Durham Constabulary"); without it the codes."""
    lines = [f"n = {report.cases} complete case{'s' if report.cases != 1 else ''} ({report.questionnaire}); "
             f"{report.drafts_excluded} draft{'s' if report.drafts_excluded != 1 else ''} left out; "
             "lines: 95% confidence intervals"]
    if filter_text:
        lines.append("Only " + filter_text)
    elif report.filters:
        lines.append("Filters: " + "; ".join(f"{k} = {', '.join(v)}" for k, v in report.filters.items()))
    if extra:
        lines.append(extra)
    return lines


# What a chart's data carries: the columns its marks and tooltip read, no more (the data is
# serialised into the spec, and the finding's criteria, codes and kinds only made it larger).
TOOLTIP_FIELDS = ["label", "answer_label", "count", "denominator", "percent", "ci_low", "ci_high", "not_known",
                  "not_applicable", "text"]


def _slim(rows: pd.DataFrame, *extra: str) -> pd.DataFrame:
    return rows[[c for c in dict.fromkeys([*extra, *TOOLTIP_FIELDS]) if c in rows.columns]]


def _tooltip() -> list:
    return [alt.Tooltip("label:N", title="Question"), alt.Tooltip("answer_label:N", title="Answer"),
            alt.Tooltip("count:Q", title="Count"),
            alt.Tooltip("denominator:Q", title="Denominator"), alt.Tooltip("percent:Q", title="Percent"),
            alt.Tooltip("ci_low:Q", title="95% interval from"), alt.Tooltip("ci_high:Q", title="95% interval to"),
            alt.Tooltip("not_known:Q", title="Not known"), alt.Tooltip("not_applicable:Q", title="Not applicable"),
            alt.Tooltip("text:N", title="As the report writes it")]


def _bars(rows: pd.DataFrame, *, width: int) -> alt.LayerChart:
    data = _slim(rows, "bar", "value").assign(percent_bar=rows["percent"].fillna(0))
    base = alt.Chart(data).encode(
        y=alt.Y("bar:N", sort=None, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        tooltip=_tooltip())
    bars = base.mark_bar(color=BAR_COLOUR).encode(
        x=alt.X("percent_bar:Q", title="Percent of the denominator", scale=alt.Scale(domain=[0, 100])))
    # the 95 % interval as an error bar over each bar; the label sits past the interval's end
    errors = base.mark_rule(color=CI_COLOUR, strokeWidth=1.5).encode(x="ci_low:Q", x2="ci_high:Q")
    labels = base.mark_text(align="left", dx=4, fontSize=11).encode(x="label_at:Q", text="value:N")
    return alt.layer(bars, errors, labels).transform_calculate(
        label_at="max(datum.ci_high || 0, datum.percent_bar)").properties(width=width)


def percentage_bars(report: FindingsReport, rows: pd.DataFrame, *, title: str, width: int = 320,
                    filter_text: str = "") -> alt.LayerChart:
    """Horizontal percentage bars, one per finding (overall entries), each with its 95 %
    interval as an error bar, count and denominator beside it and in the tooltip."""
    rows = rows[rows["group"].isna()]
    return _bars(rows, width=width).properties(title=alt.TitleParams(
        title, subtitle=subtitle(report, filter_text=filter_text), anchor="start"))


def group_dots(report: FindingsReport, rows: pd.DataFrame, *, title: str, by_label: str, width: int = 420,
               filter_text: str = "") -> alt.VConcatChart:
    """Each group's percentage as a dot with its 95 % interval, against the whole inspection's
    figure (a red line), one panel per finding stacked down the page: as wide as one chart
    whatever the number of groups (more groups make it taller, never wider). A filled dot
    marks a group whose difference from the rest is clear (its interval excludes 0)."""
    panels = []
    for key in dict.fromkeys(rows["bar"]):
        these = rows[rows["bar"] == key]
        groups = _slim(these[these["group"].notna()], "group_label", "differs").assign(
            clear=lambda d: d["differs"].map({True: "differs from the rest", False: "no clear difference"}))
        overall = these.loc[these["group"].isna(), ["percent", "value"]]
        base = alt.Chart(groups).encode(
            y=alt.Y("group_label:N", sort=None, title=None, axis=alt.Axis(labelLimit=220)),
            tooltip=[alt.Tooltip("group_label:N", title=by_label), *_tooltip()])
        rules = base.mark_rule(color=CI_COLOUR).encode(
            x=alt.X("ci_low:Q", title="Percent (dot) and 95% interval (line)", scale=alt.Scale(domain=[0, 100])),
            x2="ci_high:Q")
        dots = base.mark_point(size=60, color=BAR_COLOUR).encode(
            x="percent:Q", fill=alt.Fill("clear:N", title=None, scale=alt.Scale(
                domain=["differs from the rest", "no clear difference"], range=[BAR_COLOUR, "white"])))
        layers = [rules, dots]
        if len(overall) and overall["percent"].notna().any():
            layers.append(alt.Chart(overall).mark_rule(color=OVERALL_COLOUR, strokeDash=[4, 3]).encode(
                x="percent:Q", tooltip=[alt.Tooltip("value:N", title="Whole inspection")]))
        panels.append(alt.layer(*layers).properties(width=width, title=alt.TitleParams(key, anchor="start",
                                                                                       fontSize=12)))
    return alt.vconcat(*panels).properties(title=alt.TitleParams(
        title, subtitle=subtitle(report, f"Each {by_label} against the whole inspection (dashed line)",
                                 filter_text=filter_text), anchor="start"))


def met_questions(rows: pd.DataFrame) -> list[str]:
    """Questions answered fully met / partially met / not met."""
    overall = rows[rows["group"].isna()]
    return [q for q, answers in overall.groupby("id", sort=False)["answer"] if set(MET) <= set(answers)]


def met_stacked(report: FindingsReport, rows: pd.DataFrame, *, title: str, width: int = 420) -> alt.Chart:
    """One stacked bar per met question: fully, partially and not met as shares of its
    denominator (not applicable left out, as the report counts), counts on the segments."""
    rows = rows[rows["group"].isna() & rows["answer"].isin(MET) & rows["id"].isin(met_questions(rows))].copy()
    rows["question"] = rows["label"] + " (n=" + rows["denominator"].astype(str) + ")"
    rows["met"] = rows["answer"].map(MET_LABELS)
    rows["order"] = rows["answer"].map({code: i for i, code in enumerate(MET)})
    rows = rows[["id", "answer", "question", "met", "order", "label", "count", "denominator", "percent", "not_applicable"]]
    base = alt.Chart(rows).encode(
        y=alt.Y("question:N", sort=None, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        x=alt.X("sum(count):Q", stack="normalize", title="Share of the cases asked",
                axis=alt.Axis(format="%")),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("label:N", title="Question"), alt.Tooltip("met:N", title="Answer"),
                 alt.Tooltip("count:Q", title="Count"), alt.Tooltip("denominator:Q", title="Denominator"),
                 alt.Tooltip("percent:Q", title="Percent"),
                 alt.Tooltip("not_applicable:Q", title="Not applicable")])
    bars = base.mark_bar().encode(color=alt.Color("met:N", title=None, sort=[MET_LABELS[c] for c in MET],
                                                  scale=alt.Scale(domain=[MET_LABELS[c] for c in MET],
                                                                  range=list(MET_COLOURS))))
    labels = base.mark_text(color="white", dx=-4, align="right", fontSize=11).encode(
        text=alt.Text("count:Q"))
    return alt.layer(bars, labels).properties(
        width=width, title=alt.TitleParams(title, subtitle=subtitle(report), anchor="start"))


def warm_up() -> None:
    """Start vl-convert's rendering engine with a one-point chart: its first rendering in a
    process takes about 2 s (the engine starting), later ones about 0.1 s, so the page warms
    it in the background before anyone asks for a PNG or SVG."""
    vl_convert.vegalite_to_svg('{"data": {"values": [{"a": 1}]}, "mark": "point", '
                               '"encoding": {"x": {"field": "a", "type": "quantitative"}}}')


def png(chart: alt.TopLevelMixin, scale: float = 2) -> bytes:
    """The chart as a PNG for the report (``scale`` 2: sharp when printed)."""
    return vl_convert.vegalite_to_png(chart.to_json(), scale=scale)


def svg(chart: alt.TopLevelMixin) -> str:
    return vl_convert.vegalite_to_svg(chart.to_json())


# A page download's PNG is rendered at twice its size (sharp when printed) up to this many
# pixels; a taller chart (the dot plot of 43 forces, 741 x 2831) gets a smaller scale, never
# under 1. Rasterising is proportional to the pixels: at scale 2 that chart was 8.4 million
# pixels and half the PNG's time (bench/chart_downloads.py, docs/findings-uncertainty.md).
PNG_PIXELS = 4_000_000
_SVG_SIZE = re.compile(r'<svg[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"')


def spec_png(spec_json: str, scale: float = 2) -> bytes:
    """A PNG of a Vega-Lite spec already serialised (the page keeps its charts' specs)."""
    return svg_png(vl_convert.vegalite_to_svg(spec_json), scale)


def svg_png(svg: str, scale: float = 2) -> bytes:
    """The SVG vl-convert drew, rasterised (what ``vegalite_to_png`` does in one call) at
    ``scale``, less for a chart too large for ``PNG_PIXELS`` at that scale."""
    size = _SVG_SIZE.search(svg[:2000])
    if size:
        pixels = float(size.group(1)) * float(size.group(2))
        scale = min(scale, max(1.0, math.sqrt(PNG_PIXELS / pixels)))
    return vl_convert.svg_to_png(svg, scale=scale)


def spec_svg(spec_json: str) -> str:
    return vl_convert.vegalite_to_svg(spec_json)


def headline(rows: pd.DataFrame) -> list[str]:
    """The bars charted by default: the findings the report writes a sentence for (else the
    first ten), overall entries, less the fully / partially / not met answers, which have their
    own stacked chart."""
    overall = rows[rows["group"].isna()]
    reported = overall.loc[overall["reported"] & ~overall["answer"].isin(MET), "bar"]
    return list(dict.fromkeys(reported)) or list(dict.fromkeys(overall["bar"]))[:10]


MULTIPLES = 3  # findings shown side by side per group by default


def default_charts(report: FindingsReport, title: str, group_labels: dict[str, str] | None = None, *,
                   by_label: str = "", filter_text: str = "") -> list[tuple[str, alt.TopLevelMixin]]:
    """The Findings page's charts as it first shows them — the headline bars, with a
    breakdown the first three findings per group against the whole inspection, and the fully /
    partially / not met bars — as (title, chart); the draft report prints these."""
    rows = frame(report, group_labels)
    chosen = headline(rows)
    picked = rows[rows["bar"].isin(chosen)]
    out: list[tuple[str, alt.TopLevelMixin]] = [
        (f"{title}: findings", percentage_bars(report, picked, title=f"{title}: findings", filter_text=filter_text))]
    if report.by and report.groups:
        few = rows[rows["bar"].isin(chosen[:MULTIPLES])]
        label = by_label or report.by
        name = f"{title}: findings by {label}"
        out.append((name, group_dots(report, few, title=name, by_label=label, filter_text=filter_text)))
    if met_questions(rows):
        name = f"{title}: fully, partially and not met"
        out.append((name, met_stacked(report, rows, title=name)))
    return out
