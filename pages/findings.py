"""Findings: the report's percentages from the complete assessments, as charts and as the
report's sentences under each inspection criterion, for lead inspectors."""

import streamlit as st

from fieldwork import charts, db, summary_charts
from fieldwork.problems import ProblemError
from fieldwork.services import demo, findings, findings_formats, inspections, merge
from fieldwork.ui import components, session
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
    if st.button("Load demonstration data", key="findings_load_demo", type="primary"):
        bar = st.progress(0.0, text="Loading the demonstration data")
        try:
            with db.session_scope(session.engine()) as s:
                loaded = demo.load(s, actor=user.name, inspection_code=inspection.code,
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
qid = st.selectbox("Questionnaire", qids, index=qids.index("case_review") if "case_review" in qids else 0,
                   key="findings_questionnaire")
with db.session_scope(session.engine()) as s:
    q = inspections.load_questionnaire(s, qid)

single = [x.name for x in q.single_choice_questions]
offered = [v for v in FILTERS if v in single]
filters = {}
if offered:
    for column, name in zip(st.columns(len(offered)), offered):
        labels = {c.code: c.label for c in q.options(name)}
        chosen = column.multiselect(q.question(name).label, list(labels), format_func=labels.get,
                                    key=f"findings_filter_{qid}_{name}", placeholder="All")
        if chosen:
            filters[name] = chosen
by_choices = [None] + single
by = st.selectbox("Break down by", by_choices, index=by_choices.index("force") if "force" in single else 0,
                  format_func=lambda n: "No breakdown" if n is None else f"{q.question(n).label} ({n})",
                  key=f"findings_by_{qid}")

try:
    with db.session_scope(session.engine()) as s:
        report = findings.compute(s, qid, inspection_code=inspection.code, by=by, filters=filters)
        framework = findings.framework_for(s, inspection.code)
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
rows = charts.frame(report, group_labels)
overall = rows[rows["group"].isna()]
keys = list(dict.fromkeys(overall["bar"]))
headline = charts.headline(rows)  # the same default the draft report's charts use


def chart_with_downloads(chart, name: str, key: str) -> None:
    """The chart, and PNG and SVG downloads rendered only when asked for (vl-convert)."""
    st.altair_chart(chart, key=f"{key}_chart")
    left, right, _ = st.columns([1, 1, 4])
    left.download_button("Download PNG", data=lambda: charts.png(chart), file_name=f"{name}.png",
                         mime="image/png", key=f"{key}_png", icon=":material/image:")
    right.download_button("Download SVG", data=lambda: charts.svg(chart), file_name=f"{name}.svg",
                          mime="image/svg+xml", key=f"{key}_svg", icon=":material/draw:")


tab_charts, tab_numbers, tab_criteria, tab_all, tab_report = st.tabs(
    ["Charts", "Numbers and dates", "By inspection criterion", "All findings", "Draft report"])
with tab_numbers:
    summarised = list(dict.fromkeys(x["id"] for x in report.summaries))
    if not summarised:
        st.caption("This questionnaire has no number or date questions.")
    for name in summarised:
        data = summary_charts.frame(report.summaries, name, group_labels)
        if data.empty:
            st.caption(f"{q.question(name).label}: no answers yet.")
            continue
        chart_with_downloads(summary_charts.box(data, title=q.question(name).label), f"{qid}-{name}",
                             f"summary_{name}")
        st.dataframe([{"group": x["group"] or "all cases", **{k: v for k, v in x.items() if k not in ("id", "group")}}
                      for x in report.summaries if x["id"] == name], hide_index=True, key=f"summary_table_{name}")

with tab_charts:
    chosen = st.multiselect("Findings to chart", keys, default=headline, key=f"findings_chart_{qid}")
    if chosen:
        picked = rows[rows["bar"].isin(chosen)]
        chart_with_downloads(charts.percentage_bars(report, picked, title=f"{q.title}: findings"),
                             f"{qid}-findings", "findings_bars")
        if by and report.groups:
            few = st.multiselect(f"Findings side by side for each value of {by}", chosen, default=chosen[:3],
                                 key=f"findings_multiples_{qid}_{by}")
            if few:
                chart_with_downloads(charts.small_multiples(report, rows[rows["bar"].isin(few)],
                                                            title=f"{q.title}: by {by}", by_label=by),
                                     f"{qid}-by-{by}", "findings_multiples")
    if charts.met_questions(rows):
        chart_with_downloads(charts.met_stacked(report, rows, title=f"{q.title}: fully, partially and not met"),
                             f"{qid}-met", "findings_met")

with tab_criteria:
    only_headline = st.toggle("Only the findings the report writes a sentence for", value=True,
                              key="findings_criteria_headline")
    for item in findings.by_criterion(report, framework, headline_only=only_headline):
        st.markdown(f"**{item.id}** {item.text}")
        if not item.findings:
            st.caption(f"No {qid} finding evidences this criterion (interviews and documents do).")
            continue
        st.dataframe([{"finding": f.label + (f" – {f.answer_label}" if f.answer else ""), "count": f.count,
                       "denominator": f.denominator, "percent": f.percent,
                       "as the report writes it": " ".join([f.text, *f.footnotes])} for f in item.findings],
                     hide_index=True, key=f"findings_criterion_{item.id}")

with tab_all:
    st.dataframe(rows.drop(columns=["bar", "value"]), hide_index=True, key="findings_all")
    left, right, _ = st.columns([1, 1, 4])
    left.download_button("Findings JSON", data=findings_formats.to_json(report),
                         file_name=f"{qid}-findings.json", mime="application/json", key="findings_json")
    right.download_button("Findings CSV", data=findings_formats.to_csv(report),
                          file_name=f"{qid}-findings.csv", mime="text/csv", key="findings_csv")

with tab_report:
    draft_report_block(user, inspection, qid, by, filters)
