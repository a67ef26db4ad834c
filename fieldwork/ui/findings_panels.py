"""Parts of the Findings page: the cases behind a figure, the case examples under a criterion
and the sample-size planner. Kept here so pages/findings.py stays a short script."""

from __future__ import annotations

import re
from dataclasses import replace

import streamlit as st

from fieldwork import db, stats
from fieldwork.problems import ProblemError
from fieldwork.services import case_examples, tracing
from fieldwork.services.findings import Finding, FindingsReport
from fieldwork.services.findings_formats import SMALL_N_CAUTION, difference_text, interval_text
from fieldwork.short_labels import short
from fieldwork.ui import components, session



def finding_name(f: Finding, questionnaire_id: str = "") -> str:
    """The short label where the criteria give one ("Avoidable delay – Yes")."""
    name = short(questionnaire_id, f.id, f.label) + (f" – {f.answer_label}" if f.answer else "")
    if f.unit == "entries":  # a question asked once per entry of a repeat group, counted by entries
        return name + " (entries)"
    if f.repeat:  # a repeat group itself, or a question in one counted by cases with at least one entry
        return name + " (cases with an entry)"
    return name


def table_row(f: Finding, group_label: str | None = None, questionnaire_id: str = "") -> dict:
    """One finding as a table row: the figure, its interval and its cautions in words."""
    row = {"finding": finding_name(f, questionnaire_id)}
    if group_label is not None:
        row["group"] = group_label
    row.update({"count": f.count, "denominator": f.denominator, "percent": f.percent,
                "95% interval": interval_text(f).removeprefix("95% CI "),
                "caution": SMALL_N_CAUTION if f.small_n and f.denominator else ""})
    if f.group is not None:
        row["against the rest"] = difference_text(f)
    row["as the report writes it"] = as_written(f)
    return row


def as_written(f: Finding) -> str:
    """The report's sentence, then each footnote as a note of its own: the sentences are
    written as fragments without a full stop ("in 70 of 88 applicable cases (80 percent)"), so
    a footnote run on after a space read as part of them."""
    out = f.text
    for note in f.footnotes:
        out = out.rstrip()
        out += ("" if out.endswith((".", "!", "?")) else ".") + " Note: " + note
    return out


def folded(f: Finding) -> bool:
    """An answer no counted case holds and the report writes no sentence for ("Force – Bedfordshire
    Police: 0 of 17"): listed under the grid, not in it. A force question alone has 43 of them,
    which stood before any finding the report writes (walk 23, F19)."""
    return f.answer is not None and f.count == 0 and not f.reported


def arranged(report: FindingsReport) -> tuple[list[Finding], list[Finding]]:
    """The overall entries as the grid shows them: those the report writes a sentence for
    first, then every other figure, each in questionnaire order; and apart, the folded ones.
    Nothing the report prints is folded away."""
    overall = report.overall()
    shown = [f for f in overall if f.reported] + [f for f in overall if not f.reported and not folded(f)]
    return shown, [f for f in overall if folded(f)]


def cases_panel(user, inspection, q, report: FindingsReport, by: str | None, filters: dict,
                group_labels: dict[str, str], by_label: str = "") -> None:
    """Pick a figure; see every case in its denominator, those in its count first, each with a
    link that opens it read-only."""
    shown, none_hold = arranged(report)  # opens on the first finding the report writes (walk 23, F19)
    overall = [*shown, *none_hold]
    keys = list(dict.fromkeys((f.id, f.answer) for f in overall))
    names = {(f.id, f.answer): finding_name(f, q.id) for f in reversed(overall)}
    picked = st.selectbox("Finding", keys, format_func=names.get, key=f"findings_cases_{q.id}")
    chosen = dict(filters)
    group = None
    if by and report.groups:
        groups = [None, *report.groups]
        group = st.selectbox(by_label or short(q.id, by, q.question(by).label), groups, key=f"findings_cases_group_{q.id}_{by}",
                             format_func=lambda g: "All cases" if g is None else group_labels.get(g, g))
        if group is not None:
            chosen[by] = [group]
    try:
        with db.session_scope(session.engine()) as s:
            trace = tracing.cases_behind(s, user, q.id, picked[0], picked[1], inspection=inspection,
                                         filters=chosen, with_notes=True)
    except ProblemError as exc:
        components.show_problems(exc, key="findings_cases_problems")
        return
    st.markdown(f"**{trace.count}** of **{trace.denominator}** cases — the count first, then the rest of the "
                "denominator.")
    if not trace.cases:
        return
    link = lambda c: (f"/case_view?assessment={c.assessment_uid}&finding={trace.finding}"  # noqa: E731
                      + (f"&answer={trace.answer}" if trace.answer else ""))
    # the force (or CPS Area) as a lead names it, never its code (walk 23, F6 and F19)
    place = next((v for v in tracing.GROUP_VARIABLES if q.has_question(v)), None)
    forces = {**components.force_labels(), **({o.code: o.label for o in q.options(place)} if place else {})}
    st.dataframe([{"case": c.case_ref, "in the count": c.in_count, "force": forces.get(c.force, c.force),
                   "inspector": c.inspector,
                   # an indicator has no answer, most cases no note: "—", not an empty cell
                   "answer": c.answer_label or c.answer or None, "evidence note": c.note or None, "open": link(c)}
                  for c in trace.cases], hide_index=True, key="findings_cases_table", placeholder=components.EMPTY,
                 column_config={"open": st.column_config.LinkColumn("open", display_text="read-only"),
                                "evidence note": st.column_config.TextColumn(width="large")})
    # the download leaves evidence notes out, as the exports do by default
    plain = replace(trace, cases=[replace(c, note="") for c in trace.cases])
    st.download_button("Cases CSV (no evidence notes)", data=tracing.to_csv(plain),
                       file_name=f"{q.id}-{picked[0]}{'-' + picked[1] if picked[1] else ''}-cases.csv",
                       mime="text/csv", key="findings_cases_csv", icon=":material/download:")
    by_ref = {c.case_ref: c for c in trace.cases}
    ref = st.selectbox("Open a case read-only", list(by_ref), key="findings_cases_open")
    c = by_ref[ref]
    # a plain link (a new tab keeps the findings open; the session cookie signs it in)
    st.markdown(f":material/visibility: [Open {ref} read-only]({link(c)})")


def _remove_example(user, example_id: int) -> None:
    try:
        with db.session_scope(session.engine()) as s:
            case_examples.remove(s, user, example_id)
    except ProblemError as exc:
        st.session_state["findings_example_problem"] = exc


def examples_under(user, examples_by_criterion: dict, criterion_id: str) -> None:
    """Each example listed under this criterion, in a box, with a button that removes it
    (from every criterion it is listed under)."""
    for e in examples_by_criterion.get(criterion_id, []):
        with st.container(border=True):
            st.markdown(f"**Case example: {e.case_ref}** ({e.force or ''}) — {e.title}")
            st.write(e.narrative)
            st.caption(f"marked by {e.created_by}")
            st.button("Remove this example", key=f"findings_example_remove_{e.id}_{criterion_id}",
                      on_click=_remove_example, args=(user, e.id), icon=":material/delete:")


def load_examples(user, q, inspection, framework) -> dict:
    with db.session_scope(session.engine()) as s:
        return case_examples.by_criterion(case_examples.list_examples(s, user, q.id, inspection=inspection),
                                          framework)


def chart_picker(options: list[str], default: list[str], key: str) -> list[str]:
    """The "Findings to chart" box, every chip whole. Streamlit shows at most four and a half
    rows of chips and scrolls the rest, the half row cut at the box's lower edge on purpose as
    a hint; a lead read those half chips as a fault (walk 23, F19). The charted findings are
    few (the report's 32 by default), so this one box grows to hold them all: a style for the
    box's own class (Streamlit's ``st-key-`` + the key, as its frontend spells it)."""
    box = "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())
    st.html(f"<style>.{box} div:has(> [data-testid='stMultiSelectTagsContainer']) "
            "{max-height: none !important;}</style>")
    return st.multiselect("Findings to chart", options, default=default, key=key, wrap=True)


def plan_panel(groups: int, key: str = "plan_groups") -> None:
    """How many case files per force and in all for the margin the lead wants; ``groups``: the
    forces the inspection samples, the number a lead starts from."""
    a, b, c, d = st.columns(4)
    margin = a.number_input("Margin wanted (± points)", 1.0, 50.0, 10.0, 1.0, key="plan_margin")
    expected = b.number_input("Expected percentage", 0.0, 100.0, 50.0, 5.0, key="plan_expected",
                              help="50 if you have no idea: it needs the most cases")
    confidence = c.selectbox("Confidence", [95, 90, 99], key="plan_confidence", format_func=lambda x: f"{x}%")
    n_groups = d.number_input("Forces", 1, 100, max(groups, 1), 1, key=key,
                              help="The forces the inspection samples for this questionnaire")
    plan = stats.sample_size(margin, expected, confidence=confidence, groups=int(n_groups))
    head, *rest = stats.plan_text(plan).splitlines()
    st.markdown(head + "\n\n" + "\n".join(f"- {line.strip()}" for line in rest))
