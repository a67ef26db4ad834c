"""Findings as charts (Vega-Lite specs), built without Streamlit (the Findings page shows them; tests
validate them against the Vega-Lite schema; ``png`` and ``svg`` render them for the report with
vl-convert, no browser needed).

Every chart states its n: the title's subtitle gives the complete cases counted (and drafts
left out, and any filter), each bar carries "count/denominator (percent%)", and the tooltip
repeats the count, the denominator, the percent and the not-known and not-applicable cases.
Every percentage carries its Wilson 95 % interval (an error bar, or the line through a dot),
and a figure over fewer than 10 cases says so on its label. Bars are labelled with the short
labels of ``criteria/`` (``fieldwork.short_labels``); the full question is in the tooltip.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import TYPE_CHECKING

import pandas as pd
import vl_convert

from fieldwork.services.findings import FindingsReport
from fieldwork.short_labels import short_labels

if TYPE_CHECKING:
    import altair as alt

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

# The charts are written as Vega-Lite specs (dicts), the spec Altair would make for the same
# chart (tests/test_charts.py validates them against the Vega-Lite schema). Building them with
# Altair cost a cold draw of the Findings page about 0.25 s of CPU at 470 cases by force:
# every layer, concat and property deep-copies its sub-charts, and each shorthand encoding
# hashes the whole schema; a dict costs nothing of that (docs/findings-uncertainty.md).
SCHEMA_URL = "https://vega.github.io/schema/vega-lite/v6.4.1.json"  # altair 6's Vega-Lite
CONFIG = {"view": {"continuousWidth": 300, "continuousHeight": 300}}  # altair's default theme
Spec = dict  # a Vega-Lite spec, as JSON-ready dicts and lists


def _slim(rows: pd.DataFrame, *extra: str) -> pd.DataFrame:
    return rows[[c for c in dict.fromkeys([*extra, *TOOLTIP_FIELDS]) if c in rows.columns]]


def _records(data: pd.DataFrame) -> list[dict]:
    """The rows as JSON values, a missing value (NaN) as null, as Altair writes a frame."""
    return [{k: None if isinstance(v, float) and v != v else v for k, v in row.items()}
            for row in data.to_dict("records")]


def _dataset(datasets: dict, data: pd.DataFrame) -> dict:
    """Put the rows in the spec's ``datasets`` under the name Altair gives them (a hash of the
    values), and return the reference to them."""
    values = _records(data)
    name = "data-" + hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:32]
    datasets[name] = values
    return {"name": name}


def _title(text: str, subtitle: list[str] | None = None, **more) -> dict:
    return {"text": text, "anchor": "start", **more, **({"subtitle": subtitle} if subtitle is not None else {})}


def _field(name: str, kind: str = "quantitative", **more) -> dict:
    return {**more, "field": name, "type": kind}


def _tooltip() -> list[dict]:
    return [_field("label", "nominal", title="Question"), _field("answer_label", "nominal", title="Answer"),
            _field("count", title="Count"), _field("denominator", title="Denominator"),
            _field("percent", title="Percent"), _field("ci_low", title="95% interval from"),
            _field("ci_high", title="95% interval to"), _field("not_known", title="Not known"),
            _field("not_applicable", title="Not applicable"),
            _field("text", "nominal", title="As the report writes it")]


def _nominal_y(name: str, label_limit: int) -> dict:
    return {"axis": {"labelLimit": label_limit}, "field": name, "sort": None, "title": None, "type": "nominal"}


def _top(spec: dict, datasets: dict) -> Spec:
    return {"config": CONFIG, **spec, "$schema": SCHEMA_URL, "datasets": datasets}


def percentage_bars(report: FindingsReport, rows: pd.DataFrame, *, title: str, width: int = 320,
                    filter_text: str = "") -> Spec:
    """Horizontal percentage bars, one per finding (overall entries), each with its 95 %
    interval as an error bar, count and denominator beside it and in the tooltip."""
    rows = rows[rows["group"].isna()]
    data = _slim(rows, "bar", "value").assign(percent_bar=rows["percent"].fillna(0))

    def layer(mark: dict, **encoding) -> dict:
        return {"mark": mark, "encoding": {**encoding, "tooltip": _tooltip(), "y": _nominal_y("bar", LABEL_LIMIT)}}

    bars = layer({"type": "bar", "color": BAR_COLOUR}, x=_field(
        "percent_bar", scale={"domain": [0, 100]}, title="Percent of the denominator"))
    # the 95 % interval as an error bar over each bar; the label sits past the interval's end
    errors = layer({"type": "rule", "color": CI_COLOUR, "strokeWidth": 1.5}, x=_field("ci_low"),
                   x2={"field": "ci_high"})
    labels = layer({"type": "text", "align": "left", "dx": 4, "fontSize": 11}, text=_field("value", "nominal"),
                   x=_field("label_at"))
    datasets: dict = {}
    return _top({"layer": [bars, errors, labels], "data": _dataset(datasets, data),
                 "title": _title(title, subtitle(report, filter_text=filter_text)),
                 "transform": [{"calculate": "max(datum.ci_high || 0, datum.percent_bar)", "as": "label_at"}],
                 "width": width}, datasets)


def group_dots(report: FindingsReport, rows: pd.DataFrame, *, title: str, by_label: str, width: int = 420,
               filter_text: str = "") -> Spec:
    """Each group's percentage as a dot with its 95 % interval, against the whole inspection's
    figure (a red line), one panel per finding stacked down the page: as wide as one chart
    whatever the number of groups (more groups make it taller, never wider). A filled dot
    marks a group whose difference from the rest is clear (its interval excludes 0)."""
    datasets: dict = {}
    panels = []
    for key in dict.fromkeys(rows["bar"]):
        these = rows[rows["bar"] == key]
        groups = _slim(these[these["group"].notna()], "group_label", "differs").assign(
            clear=lambda d: d["differs"].map({True: "differs from the rest", False: "no clear difference"}))
        overall = these.loc[these["group"].isna(), ["percent", "value"]]
        data = _dataset(datasets, groups)
        tooltip = [_field("group_label", "nominal", title=by_label), *_tooltip()]
        y = _nominal_y("group_label", 220)
        rules = {"data": data, "mark": {"type": "rule", "color": CI_COLOUR}, "encoding": {
            "tooltip": tooltip, "x": _field("ci_low", scale={"domain": [0, 100]},
                                            title="Percent (dot) and 95% interval (line)"),
            "x2": {"field": "ci_high"}, "y": y}}
        dots = {"data": data, "mark": {"type": "point", "color": BAR_COLOUR, "size": 60}, "encoding": {
            "fill": _field("clear", "nominal", scale={"domain": ["differs from the rest", "no clear difference"],
                                                      "range": [BAR_COLOUR, "white"]}, title=None),
            "tooltip": tooltip, "x": _field("percent"), "y": y}}
        if len(overall) and overall["percent"].notna().any():
            line = {"data": _dataset(datasets, overall),
                    "mark": {"type": "rule", "color": OVERALL_COLOUR, "strokeDash": [4, 3]},
                    "encoding": {"tooltip": [_field("value", "nominal", title="Whole inspection")],
                                 "x": _field("percent")}}
            panel = {"layer": [rules, dots, line]}
        else:  # no whole-inspection figure (no cases asked): the two layers share the panel's data
            panel = {"layer": [{k: v for k, v in layer.items() if k != "data"} for layer in (rules, dots)],
                     "data": data}
        panels.append({**panel, "title": _title(key, fontSize=12), "width": width})
    return _top({"vconcat": panels, "title": _title(title, subtitle(
        report, f"Each {by_label} against the whole inspection (dashed line)", filter_text=filter_text))},
        datasets)


def met_questions(rows: pd.DataFrame) -> list[str]:
    """Questions answered fully met / partially met / not met."""
    overall = rows[rows["group"].isna()]
    return [q for q, answers in overall.groupby("id", sort=False)["answer"] if set(MET) <= set(answers)]


def met_stacked(report: FindingsReport, rows: pd.DataFrame, *, title: str, width: int = 420,
                filter_text: str = "") -> Spec:
    """One stacked bar per met question: fully, partially and not met as shares of its
    denominator (not applicable left out, as the report counts), counts on the segments."""
    rows = rows[rows["group"].isna() & rows["answer"].isin(MET) & rows["id"].isin(met_questions(rows))].copy()
    rows["question"] = rows["label"] + " (n=" + rows["denominator"].astype(str) + ")"
    rows["met"] = rows["answer"].map(MET_LABELS)
    rows["order"] = rows["answer"].map({code: i for i, code in enumerate(MET)})
    rows = rows[["id", "answer", "question", "met", "order", "label", "count", "denominator", "percent", "not_applicable"]]
    datasets: dict = {}
    encoding = {
        "order": _field("order"),
        "tooltip": [_field("label", "nominal", title="Question"), _field("met", "nominal", title="Answer"),
                    _field("count", title="Count"), _field("denominator", title="Denominator"),
                    _field("percent", title="Percent"), _field("not_applicable", title="Not applicable")],
        "x": {"aggregate": "sum", "axis": {"format": "%"}, "field": "count", "stack": "normalize",
              "title": "Share of the cases asked", "type": "quantitative"},
        "y": _nominal_y("question", LABEL_LIMIT)}
    names = [MET_LABELS[c] for c in MET]
    bars = {"mark": {"type": "bar"}, "encoding": {
        "color": _field("met", "nominal", scale={"domain": names, "range": list(MET_COLOURS)}, sort=names,
                        title=None), **encoding}}
    labels = {"mark": {"type": "text", "align": "right", "color": "white", "dx": -4, "fontSize": 11},
              "encoding": {**encoding, "text": _field("count")}}
    return _top({"layer": [bars, labels], "data": _dataset(datasets, rows),
                 "title": _title(title, subtitle(report, filter_text=filter_text)), "width": width}, datasets)


def warm_up() -> None:
    """Start vl-convert's rendering engine with a one-point chart: its first rendering in a
    process takes about 2 s (the engine starting), later ones about 0.1 s, so the page warms
    it in the background before anyone asks for a PNG or SVG."""
    vl_convert.vegalite_to_svg('{"data": {"values": [{"a": 1}]}, "mark": "point", '
                               '"encoding": {"x": {"field": "a", "type": "quantitative"}}}')


def _json(chart: Spec | alt.TopLevelMixin) -> str:
    return json.dumps(chart) if isinstance(chart, dict) else chart.to_json()


def png(chart: Spec | alt.TopLevelMixin, scale: float = 2) -> bytes:
    """The chart (a spec, or an Altair chart: the numbers' box plots) as a PNG for the report
    (``scale`` 2: sharp when printed)."""
    return vl_convert.vegalite_to_png(_json(chart), scale=scale)


def svg(chart: Spec | alt.TopLevelMixin) -> str:
    return vl_convert.vegalite_to_svg(_json(chart))


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
                   by_label: str = "", filter_text: str = "") -> list[tuple[str, Spec]]:
    """The Findings page's charts as it first shows them — the headline bars, with a
    breakdown the first three findings per group against the whole inspection, and the fully /
    partially / not met bars — as (title, chart); the draft report prints these."""
    rows = frame(report, group_labels)
    chosen = headline(rows)
    picked = rows[rows["bar"].isin(chosen)]
    out: list[tuple[str, Spec]] = [
        (f"{title}: findings", percentage_bars(report, picked, title=f"{title}: findings", filter_text=filter_text))]
    if report.by and report.groups:
        few = rows[rows["bar"].isin(chosen[:MULTIPLES])]
        label = by_label or report.by
        name = f"{title}: findings by {label}"
        out.append((name, group_dots(report, few, title=name, by_label=label, filter_text=filter_text)))
    if met_questions(rows):
        name = f"{title}: fully, partially and not met"
        out.append((name, met_stacked(report, rows, title=name, filter_text=filter_text)))
    return out
