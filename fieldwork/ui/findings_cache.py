"""The Findings page's figures and chart specs, kept between draws while the data is unchanged.

Where the page's time went (issue 13, docs/findings-uncertainty.md): counting the findings
(the pivot's SQL compiled anew for each filter, then every finding's sentence rendered) and
building the Altair charts (layer and concat construction deep-copies every sub-chart, and
``to_dict`` validates the whole spec against the Vega-Lite JSON schema: most of a chart's
time). Both depend only on the request and the data, so both are kept in ``st.cache_data``,
shared by every session of the server, keyed on:

* the database URL, inspection, questionnaire, breakdown and filters, and
* a **data version**: one aggregate over the questionnaire's assessments in the inspection
  (how many, the sum of their optimistic-lock versions, the latest change and completion,
  which of them are complete and which counted), the answer table's highest row id and the
  questionnaire's latest version (its wording). Every
  save raises its assessment's version; an import, a merge or a moderation adds rows or flips
  ``status`` / ``counted``; so any change that can move a figure changes the version, and
  the next draw counts afresh. The entries also expire after ``TTL`` seconds, a bound on
  any change that slipped past the version.

Charts are built once per (request, data version, selection) as Vega-Lite specs (dicts:
``fieldwork/charts.py``, tested against the schema in ``tests/test_charts.py``) and drawn
from the spec; PNG and SVG downloads render the same spec.
"""

from __future__ import annotations

import json
import os

import streamlit as st

from fieldwork import charts, db, startup
from fieldwork.services import findings
from fieldwork.services.data_version import data_version

TTL = 600  # seconds: the longest a figure is kept, whatever the data version says


def request_key(inspection, questionnaire_id: str, by: str | None, filters: dict[str, list[str]]) -> tuple:
    """Everything a cached figure depends on, hashable: (url, inspection, questionnaire, by,
    filters, data version)."""
    url = db.database_url(os.environ.get(db.ENV_URL))  # as the page's session.engine() finds it
    with db.session_scope(startup.open_engine(url)) as s:
        version = data_version(s, inspection.id, questionnaire_id)
    return (url, inspection.code, questionnaire_id, by,
            tuple(sorted((k, tuple(v)) for k, v in filters.items())), version)


# The findings and their table are kept as objects (st.cache_resource), not pickled copies
# (st.cache_data): every read of a cache_data entry unpickles it, and a draw reads the report
# and its table once for the page and again inside each chart's spec: at 10,000 cases by force
# those copies (4,600 findings) were a sixth of a cold draw. Nothing changes them in place:
# the page and the charts filter into new frames (met_stacked copies before adding columns).
@st.cache_resource(max_entries=32, ttl=TTL, show_spinner=False)
def report(key: tuple) -> findings.FindingsReport:
    """The findings of ``key`` (``request_key``); a ProblemError is raised, never kept."""
    url, inspection_code, questionnaire_id, by, filters, _ = key
    with db.session_scope(startup.open_engine(url)) as s:
        return findings.compute(s, questionnaire_id, inspection=inspection_code, by=by,
                                filters={k: list(v) for k, v in filters})


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False)
def framework(url: str, inspection_code: str):
    with db.session_scope(startup.open_engine(url)) as s:
        return findings.framework_for(s, inspection_code)


@st.cache_resource(max_entries=32, ttl=TTL, show_spinner=False)
def rows(key: tuple, group_labels: tuple = ()):
    """``charts.frame`` of the report: one row per finding, as the charts and pickers read it."""
    return charts.frame(report(key), dict(group_labels))


@st.cache_data(max_entries=128, ttl=TTL, show_spinner=False)
def chart_spec(key: tuple, kind: str, picked: tuple[str, ...], title: str, *, group_labels: tuple = (),
               by_label: str = "", filter_text: str = "") -> dict:
    """One chart of the page as a Vega-Lite spec: ``kind`` bars, dots or met; ``picked`` the
    bars charted (their labels)."""
    rep = report(key)
    table = rows(key, group_labels)
    chosen = table[table["bar"].isin(picked)]
    if kind == "bars":
        return charts.percentage_bars(rep, chosen, title=title, filter_text=filter_text)
    if kind == "dots":
        return charts.group_dots(rep, chosen, title=title, by_label=by_label, filter_text=filter_text)
    return charts.met_stacked(rep, table, title=title, filter_text=filter_text)


@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False)
def _svg(spec_json: str) -> str:
    """A chart drawn once for both downloads: the PNG is this SVG rasterised, so the second
    download of a chart skips Vega's drawing (half of a PNG's time)."""
    return charts.spec_svg(spec_json)


def clear() -> None:
    """Forget every kept figure, table and chart (as after a change to the data)."""
    for kept in (report, framework, rows, chart_spec, _svg):
        kept.clear()


def drop_drawings() -> None:
    """Forget the drawings kept for downloads (bench/chart_downloads.py times first downloads)."""
    _svg.clear()


def png(spec: dict) -> bytes:
    return charts.svg_png(_svg(json.dumps(spec)))


def svg(spec: dict) -> str:
    return _svg(json.dumps(spec))

