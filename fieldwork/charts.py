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
from fieldwork.short_labels import short_answer, short_labels

if TYPE_CHECKING:
    import altair as alt

MET = ("fully_met", "partially_met", "not_met")
MET_LABELS = {"fully_met": "Fully met", "partially_met": "Partially met", "not_met": "Not met"}
MET_COLOURS = ("#1b7837", "#f1a340", "#b2182b")  # distinguishable in greyscale and by most colour-blind readers
BAR_COLOUR = "#2c5d8f"
# pixels of a bar's label before it is cut short (the tooltip has it whole): at 420 the labels
# took all but 55 px of a 564 px column (a 1,024 px window, sidebar open) and the bars shrank
# to slivers; 240 holds every short label of the criteria ("Police charge: Code applied – Yes")
LABEL_LIMIT = 240
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
        # the answer's short label too: "Enhanced risk assessment – DASH", not cut at LABEL_LIMIT
        answer = f" – {short_answer(report.questionnaire, f.id, f.answer, f.answer_label)}" if f.answer is not None else ""
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
    # the questionnaire by its title is the chart's title: no code in brackets here
    lines = [f"n = {report.cases} complete case{'s' if report.cases != 1 else ''}; "
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
    """Each group's percentage as a dot with its 95 % interval (a line), against the whole
    inspection's figure (a red line), the findings one under another, each headed
    by its name and whole-inspection figure. A filled dot marks a group whose difference from
    the rest is clear (its interval excludes 0).

    One layered view, not a panel per finding: Vega-Lite sizes only a single or layered view to
    its container (Streamlit sets such a chart's width to the page's column; a stack of layered
    panels kept its fixed 805 px and ran past a 564 px column). More groups or findings make
    it taller, never wider. ``width`` is the downloads' plot width (vl-convert has no column).
    """
    parts = []
    for i, key in enumerate(dict.fromkeys(rows["bar"])):
        these = rows[rows["bar"] == key]
        overall = these[these["group"].isna() & these["percent"].notna()]
        whole = overall["percent"].iloc[0] if len(overall) else None
        heading = key + (f": whole inspection {overall['value'].iloc[0]}" if len(overall) else "")
        groups = _slim(these[these["group"].notna()], "group_label", "differs", "value").assign(
            clear=lambda d: d["differs"].map({True: "differs from the rest", False: "no clear difference"}),
            whole=whole, row=lambda d: f"{i:04d}" + d["group_label"],
            said=lambda d: key + ", " + d["group_label"] + ": " + d["value"])  # what a screen reader says
        # a row of its own for the finding's heading; each row's key begins with the finding's
        # number, which the axis's labels leave out (a group shows under every finding), so the
        # keys in order put each heading above its groups (the layers' data differ: their
        # union, not one data order, makes the rows)
        parts += [pd.DataFrame([{"row": f"{i:04d}", "heading": heading}]), groups]
    datasets: dict = {}
    data = _dataset(datasets, pd.concat(parts, ignore_index=True))
    tooltip = [_field("group_label", "nominal", title=by_label), *_tooltip()]
    said = _field("said", "nominal")  # each mark's description for a screen reader: words, not the row's key
    y = {"axis": {"labelExpr": "substring(datum.value, 4)", "labelLimit": 220, "ticks": False, "domain": False,
                  "aria": False},  # its labels would be read with their keys; the marks say each group
         "field": "row", "sort": "ascending", "title": None, "type": "nominal"}
    x = _field("ci_low", scale={"domain": [0, 100]}, title="Percent (dot) and 95% interval (line)",
               axis={"orient": "top"})
    rules = {"mark": {"type": "rule", "color": CI_COLOUR}, "encoding": {
        "tooltip": tooltip, "x": x, "x2": {"field": "ci_high"}, "y": y, "description": said}}
    dots = {"mark": {"type": "point", "color": BAR_COLOUR, "size": 60, "opacity": 1}, "encoding": {
        "fill": _field("clear", "nominal", scale={"domain": ["differs from the rest", "no clear difference"],
                                                  "range": [BAR_COLOUR, "white"]}, title=None,
                       legend={"orient": "bottom", "direction": "horizontal"}),
        "tooltip": tooltip, "x": _field("percent"), "y": y, "description": said}}
    whole_line = {"mark": {"type": "tick", "orient": "vertical", "color": OVERALL_COLOUR, "thickness": 2},
                  "encoding": {"tooltip": [_field("whole", title="Whole inspection (percent)")],
                               "x": _field("whole"), "y": y, "description": said}}
    headings = {"mark": {"type": "text", "align": "left", "baseline": "middle", "fontSize": 12, "fontWeight": "bold"},
                "transform": [{"filter": "isValid(datum.heading)"}],
                "encoding": {"text": _field("heading", "nominal"), "x": {"value": 0}, "y": y,
                             "description": _field("heading", "nominal")}}
    return _top({"layer": [rules, dots, whole_line, headings], "data": data, "width": width,
                 "height": {"step": 20}, "title": _title(title, subtitle(
                     report, f"Each {by_label} against the whole inspection (red line)", filter_text=filter_text))},
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
    # the short label (the whole question, cut at LABEL_LIMIT, read "Did the charging decision
    # (MG3) include a pro…"); the tooltip keeps the whole question
    shorts = short_labels(report.questionnaire)
    rows["question"] = [shorts.get(q) or label for q, label in zip(rows["id"], rows["label"])]
    rows["question"] += " (n=" + rows["denominator"].astype(str) + ")"
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
                        title=None, legend={"orient": "bottom", "direction": "horizontal"}), **encoding}}
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
