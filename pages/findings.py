"""Findings: the report's percentages from the complete assessments, as charts and as the
report's sentences under each inspection criterion, for lead inspectors."""

import threading

import pandas as pd
import streamlit as st

from fieldwork import charts, db, short_labels, summary_charts
from fieldwork.problems import ProblemError
from fieldwork.services import demo, findings, findings_formats, inspections, merge, sample_forces
from fieldwork.ui import components, findings_cache, findings_grid, findings_panels, session
from fieldwork.ui.draft_report import draft_report_block

FILTERS = ("force", "cps_area", "domestic_abuse", "offence_charged")  # offered where the questionnaire has them

user = session.require(session.LEAD, session.ADMIN)
st.title("Findings")

with db.session_scope(session.engine()) as s:
    inspection = session.current_inspection(s)
    qids = inspections.questionnaire_ids(s, inspection)
    can_load_demo = demo.can_load(s, inspection.code)

if can_load_demo:
    st.info(f"{inspection.name} holds no cases yet. Findings appear here as inspectors complete assessments; "
            "to see how they look, load the demonstration data: 112 synthetic case file reviews and 270 PIN "
            "reviews that reproduce the report's figures (pseudonymous, no real case).")
    if components.pressed("Load demonstration data", key="findings_load_demo", type="primary"):
        bar = st.progress(0.0, text="Loading the demonstration data")
        try:
            with db.session_scope(session.engine()) as s:
                loaded = demo.load(s, actor=user.name, inspection=inspection,
                                   progress=lambda d, t: bar.progress(d / t))
        except ProblemError as exc:
            components.show_problems(exc, key="findings_demo_problems")
        else:
            st.session_state["findings_demo_loaded"] = loaded
            st.rerun()
if loaded := st.session_state.pop("findings_demo_loaded", None):
    st.success("Demonstration data loaded: " + ", ".join(f"{n} {q}" for q, n in loaded.items()) + ".")

if not qids:
    st.warning("This inspection has no questionnaire.")
    st.stop()
with db.session_scope(session.engine()) as s:
    titles = {q: inspections.load_questionnaire(s, q).title or q for q in qids}
qid = components.questionnaire_picker(qids, key=components.kept.restore("findings_questionnaire", valid=qids),
                                     titles=titles)
components.kept.keep("findings_questionnaire")
with db.session_scope(session.engine()) as s:
    q = inspections.load_questionnaire(s, qid)

single = [x.name for x in q.single_choice_questions]
offered = [v for v in FILTERS if v in single]
# every variable in words, never its code: the short label, told apart where two share it
names = short_labels.variable_names(q, single)
filters = {}
if offered:
    for column, name in zip(st.columns(len(offered)), offered):
        labels = {c.code: c.label for c in q.options(name)}
        widget = components.kept.restore(f"findings_filter_{qid}_{name}", valid=labels)
        chosen = column.multiselect(names[name], list(labels), format_func=labels.get, help=q.question(name).label,
                                    key=widget, placeholder="All")
        components.kept.keep(widget)
        if chosen:
            filters[name] = chosen
by_choices = [None] + single
widget = components.kept.restore(f"findings_by_{qid}", valid=single)
by = st.selectbox("Break down by", by_choices, index=by_choices.index("force") if "force" in single else 0,
                  format_func=lambda n: "No breakdown" if n is None else names[n], key=widget)
components.kept.keep(widget)

try:  # kept between draws while the data is unchanged (fieldwork/ui/findings_cache.py)
    key = findings_cache.request_key(inspection, qid, by, filters)
    report = findings_cache.report(key)
    framework = findings_cache.framework(key[0], inspection.code)
except ProblemError as exc:
    components.show_problems(exc, key="findings_problems")
    st.stop()

drafts = report.drafts_excluded
st.info(f"**{report.cases}** complete case{'s' if report.cases != 1 else ''} counted. "
        f"**{drafts}** draft assessment{'s' if drafts != 1 else ''} left out: findings count complete "
        "assessments only.", icon=":material/info:")
with db.session_scope(session.engine()) as s:  # merges that kept a case twice (issue 6)
    conflicted = merge.unresolved_count(s, inspection.id, qid)
if conflicted:
    st.warning(f"{conflicted} case(s) await the lead's choice on the Conflicts page. {merge.WHILE_UNRESOLVED}")
if report.cases == 0:
    st.stop()

group_labels = {c.code: c.label for c in q.options(by)} if by else {}
by_label = names[by] if by else ""
filter_text = short_labels.filters_in_words(q, filters)
rows = findings_cache.rows(key, tuple(sorted(group_labels.items())))
overall = rows[rows["group"].isna()]
keys = list(dict.fromkeys(overall["bar"]))
headline = charts.headline(rows)  # the same default the draft report's charts use


def chart_with_downloads(chart, name: str, key: str) -> None:
    """The chart (a Vega-Lite spec, or an Altair chart), and PNG and SVG downloads rendered only
    when asked for (vl-convert)."""
    if isinstance(chart, dict):
        st.vega_lite_chart(spec=chart, key=f"{key}_chart")
        to_png, to_svg = (lambda: findings_cache.png(chart)), (lambda: findings_cache.svg(chart))
    else:
        st.altair_chart(chart, key=f"{key}_chart")
        to_png, to_svg = (lambda: charts.png(chart)), (lambda: charts.svg(chart))
    # on_click "ignore": a download does not rerun the page, whose run would compete with the
    # rendering for the same process
    components.download_row([
        components.Download("Download PNG", to_png, f"{name}.png", "image/png", f"{key}_png",
                            {"icon": ":material/image:", "on_click": "ignore"}),
        components.Download("Download SVG", to_svg, f"{name}.svg", "image/svg+xml", f"{key}_svg",
                            {"icon": ":material/draw:", "on_click": "ignore"})])


def show_charts() -> None:
    chosen = findings_panels.chart_picker(keys, headline, key=f"findings_chart_{qid}")
    labels = tuple(sorted(group_labels.items()))
    if chosen:
        chart_with_downloads(findings_cache.chart_spec(key, "bars", tuple(chosen), f"{q.title}: findings",
                                                       group_labels=labels, filter_text=filter_text),
                             f"{qid}-findings", "findings_bars")
        if by and report.groups:
            few = st.multiselect(f"Findings by {by_label}", chosen, default=chosen[:3],
                                 key=f"findings_multiples_{qid}_{by}")
            if few:
                chart_with_downloads(findings_cache.chart_spec(key, "dots", tuple(few),
                                                               f"{q.title}: findings by {by_label}",
                                                               group_labels=labels, by_label=by_label,
                                                               filter_text=filter_text),
                                     f"{qid}-by-{by}", "findings_multiples")
    if charts.met_questions(rows):
        chart_with_downloads(findings_cache.chart_spec(key, "met", (), f"{q.title}: fully, partially and not met",
                                                       group_labels=labels, filter_text=filter_text),
                             f"{qid}-met", "findings_met")
    warm_renderer()


@st.cache_resource(show_spinner=False)
def warm_renderer() -> bool:
    """Once per server process: start the PNG/SVG engine in the background (its first use takes
    about 2 s; warmed, a download is ready in about 0.1 s)."""
    threading.Thread(target=charts.warm_up, daemon=True, name="vl-convert warm-up").start()
    return True


def show_criteria() -> None:
    only_headline = st.toggle("Only the findings the report writes a sentence for", value=True,
                              key="findings_criteria_headline")
    if problem := st.session_state.pop("findings_example_problem", None):
        components.show_problems(problem, key="findings_example_problems")
    examples = findings_panels.load_examples(user, q, inspection, framework)
    for item in findings.by_criterion(report, framework, headline_only=only_headline):
        st.markdown(f"**{item.id}** {item.text}")
        if not item.findings:
            st.caption(f"No {qid} finding evidences this criterion: interviews, focus groups and documents do "
                       "(the Evidence page holds them; the Judgements page weighs them).")
        else:
            # a static table: the report's sentences wrap instead of being cut off
            st.table(pd.DataFrame([findings_panels.table_row(f, questionnaire_id=qid) for f in item.findings])
                     .set_index("finding"))
        findings_panels.examples_under(user, examples, item.id)


def show_all() -> None:
    st.caption("95% interval: the Wilson score interval of each percentage. A figure over fewer than 10 cases "
               "is marked with a caution. With a breakdown, each group is compared with the rest of the "
               "inspection (Newcombe's hybrid score interval for a difference of two proportions): a difference "
               "is called clear only when its 95% interval excludes 0.")
    findings_grid.show(report, qid, by_label, group_labels)
    components.download_row([
        components.Download("Findings JSON", lambda: findings_formats.to_json(report), f"{qid}-findings.json",
                            "application/json", "findings_json"),
        components.Download("Findings CSV", lambda: findings_formats.to_csv(report, group_labels),
                            f"{qid}-findings.csv",
                            "text/csv", "findings_csv")])


def show_numbers() -> None:
    """Each number and date question's distribution: a box per group from the summaries."""
    summarised = list(dict.fromkeys(x["id"] for x in report.summaries))
    if not summarised:
        st.caption("This questionnaire has no number or date questions.")
    for name in summarised:
        data = summary_charts.frame(report.summaries, name, group_labels)
        if data.empty:
            st.caption(f"{summary_charts.title(q, name)}: no answers yet.")
            continue
        chart_with_downloads(summary_charts.box(data, title=summary_charts.title(q, name)), f"{qid}-{name}",
                             f"summary_{name}")
        st.dataframe([{"group": group_labels.get(x["group"], x["group"]) if x["group"] else "All cases",
                       **{k: v for k, v in x.items() if k not in ("id", "group")}}
                      for x in report.summaries if x["id"] == name], hide_index=True, key=f"summary_table_{name}")


def show_cases() -> None:
    findings_panels.cases_panel(user, inspection, q, report, by, filters, group_labels, by_label)


def show_plan() -> None:
    with db.session_scope(session.engine()) as s:  # the inspection's forces, not the filtered groups
        forces = len(sample_forces.sampled_forces(s, qid, inspection=inspection)) or 1
    st.caption("How many case files to review for a margin of error you want, per force and in all "
               f"(Cochran 1977). Also: `fieldwork plan --margin 10 --groups {forces}`.")
    findings_panels.plan_panel(forces, key=f"plan_groups_{qid}")


TABS = {"Charts": show_charts, "Numbers and dates": show_numbers, "By inspection criterion": show_criteria,
        "All findings": show_all,
        "Cases behind a figure": show_cases, "Plan the sample": show_plan,
        "Draft report": lambda: draft_report_block(user, inspection, qid, by, filters)}
# Only the open tab runs (on_change="rerun"): building every tab's charts and tables on each
# draw was most of the page's time.
for tab, show in zip(st.tabs(list(TABS), key="findings_view", on_change="rerun"), TABS.values()):
    if tab.open:
        with tab:
            show()
