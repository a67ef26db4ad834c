"""Judgements: the grid of forces (or CPS Areas) × criteria — each cell its grade, how many
kinds of evidence support it and its marks (thin, unevidenced, check) — the evidence behind
a cell, judging it (leads), one criterion across all forces, and which case-file findings
bear on which grade."""

import pandas as pd
import streamlit as st

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import evidence, inspections, judgements, triangulation
from fieldwork.services.judgements import FindingFigures, FindingRef
from fieldwork.ui import components, judgement_clash, merge_conflict_panel, session
from fieldwork.ui.components import show_problems
from models.evidence import AT_LEAST, BELOW, CASE_FILES, CPS_AREA, FORCE

user = session.require(session.LEAD, session.ADMIN)
engine = session.engine()
UNIT = "jd_unit"
CRITERION = "jd_criterion"
SAVED = "jd_saved"
MARK_TEXT = {"thin": "thin: one kind of evidence only", "unevidenced": "unevidenced: no evidence cited",
             "check": "check: the case-file findings point the other way"}
KIND_WORDS = {**{k: v.lower() for k, v in evidence.KIND_LABELS.items()}, CASE_FILES: "case files"}
GRID_WIDTH = 900  # px for the units' columns: the main column at 1,440 px with the sidebar open is ~980
NAME_ENDINGS = (" Police Service", " Constabulary", " Police")  # a header keeps the name, the tooltip all


def kinds_in_words(kinds) -> str:
    return ", ".join(KIND_WORDS.get(k, k.replace("_", " ")) for k in kinds)


def headers(units: list[tuple[str, str]]) -> dict[str, str]:
    """{full label: the grid's header}: "Avon and Somerset" for "Avon and Somerset Constabulary",
    so six forces fit beside the sidebar at 1,440 px; a name two units would share stays whole."""
    short = {}
    for _, label in units:
        short[label] = next((label[:-len(e)] for e in NAME_ENDINGS if label.endswith(e)), label)
    shared = {v for v in short.values() if list(short.values()).count(v) > 1}
    return {label: label if head in shared else head for label, head in short.items()}

st.title("Judgements")
with db.session_scope(engine) as s:
    inspection = session.current_inspection(s)
    framework = judgements.framework_of(inspection)
    questionnaire_ids = inspections.questionnaire_ids(s, inspection)
    questionnaires = {q: inspections.load_questionnaire(s, q) for q in questionnaire_ids}
st.caption(f"{inspection.name} · each specific criterion judged for each force and CPS Area from all the evidence: "
           "case files, interviews, focus groups and documents.")
saved = st.session_state.pop(SAVED, None)
if saved:
    st.success(saved["message"], icon=":material/check_circle:")
    for w in saved["warnings"]:
        st.warning(f"Check this: {w}.", icon=":material/warning:")

# --- what a merge kept for the lead ------------------------------------------------------
merge_conflict_panel.draw(user, engine, inspection)

unit_type = st.radio("Judge", [FORCE, CPS_AREA], horizontal=True, key="jd_unit_type",
                     format_func={FORCE: "Forces", CPS_AREA: "CPS Areas"}.get)
with db.session_scope(engine) as s:
    g = triangulation.grid(s, user, unit_type=unit_type, inspection=inspection)
labels = dict(g.units)

# --- the grid -----------------------------------------------------------------------------
st.subheader("Grid")
st.caption("Criteria down, forces (or CPS Areas) across. Each cell: the grade and how many kinds of evidence support it. " + "; ".join(MARK_TEXT.values())
           + ". Click a cell to open its evidence.")
# criteria down (as Table 1 lists them), forces across: the six forces of a review fit the page
head = headers(g.units)
frame = pd.DataFrame([[g.cell(u, c).symbol for u, _ in g.units] for c in g.criteria],
                     index=g.criteria, columns=[head[lbl] for _, lbl in g.units])
by_label = {head[lbl]: code for code, lbl in g.units}
# every unit's column within the main column at 1,440 px (Streamlit shares out any spare width);
# a cell's text longer than its column wraps onto a second line rather than being cut
column_px = max(100, GRID_WIDTH // max(len(g.units), 1))
row_px = 35 if all(len(v) * 7 <= column_px - 16 for v in frame.to_numpy().ravel()) else 68
event = st.dataframe(frame, key="jd_grid", on_select="rerun", selection_mode="single-cell", width="stretch",
                     row_height=row_px, height=row_px * len(g.criteria) + 38,  # every criterion in view
                     column_config={head[lbl]: st.column_config.TextColumn(head[lbl], width=column_px, help=lbl)
                                    for _, lbl in g.units})
clicked = [tuple(c) for c in event.selection.cells] if event and event.selection else []
if clicked and clicked[0] != st.session_state.get("jd_grid_opened"):
    # a newly clicked cell opens below (the pickers are drawn after the grid, so they may be set here)
    row, column = clicked[0]
    if 0 <= row < len(g.criteria) and column in by_label:
        st.session_state[UNIT], st.session_state[CRITERION] = by_label[column], g.criteria[row]
st.session_state["jd_grid_opened"] = clicked[0] if clicked else None
judged = sum(c.grade is not None for c in g.cells.values())
marked = {m: sum(m in c.marks for c in g.cells.values()) for m in MARK_TEXT}
st.caption(f"{judged} of {len(g.cells)} cells judged · " + ", ".join(f"{n} {m}" for m, n in marked.items()))


def _downloaded(fmt: str, name: str) -> None:
    with db.session_scope(engine) as s:
        triangulation.record_export(s, user, g, fmt, inspection=inspection, file_name=name)


components.download_row([
    components.Download(f"Grid as {fmt.upper()}", triangulation.grid_bytes(g, fmt), f"judgements_{unit_type}.{fmt}",
                        mime, f"jd_{fmt}", {"on_click": _downloaded, "args": (fmt, f"judgements_{unit_type}.{fmt}")})
    for fmt, mime in (("csv", "text/csv"), ("json", "application/json"))], widths=[1, 1])

# --- one cell -----------------------------------------------------------------------------
st.subheader("A cell and its evidence")
if st.session_state.get(UNIT) not in labels:
    st.session_state.pop(UNIT, None)
cols = st.columns(2)
unit = cols[0].selectbox("Force" if unit_type == FORCE else "CPS Area", list(labels), index=None,
                         format_func=labels.get, key=UNIT, placeholder="Choose, or click a cell")
criterion = cols[1].selectbox("Criterion", g.criteria, index=None, key=CRITERION, placeholder="Choose",
                              format_func=lambda c: f"{c} {framework.specific(c).text}")


def figure(f) -> str:
    if f.percent is None:
        return f.text
    ci = f" (95% CI {f.ci_low}–{f.ci_high}{', small n' if f.small_n else ''})" \
        if f.ci_low is not None and f.ci_high is not None else ""
    return f"{f.count} of {f.denominator} ({f.percent} percent){ci}: {f.text}"


if unit and criterion:
    cell = g.cell(unit, criterion)
    with db.session_scope(engine) as s:
        figures = FindingFigures(s, inspection)  # counted once, for the cell's findings and the picker's
        shown = judgements.view(s, user, unit_type=unit_type, unit=unit, criterion=criterion,
                                inspection=inspection, figures=figures)
        offered = [(figures.get(ref, unit_type, unit), ref, words) for ref, words
                   in judgements.findings_of_criterion(questionnaires.values(), criterion)]
        candidates = judgements.candidate_evidence(s, user, unit_type=unit_type, unit=unit, criterion=criterion,
                                                   inspection=inspection)
    st.markdown(f"**{labels[unit]} · {criterion}** {framework.specific(criterion).text}")
    if shown:
        marks = "; ".join(MARK_TEXT[m] for m in cell.marks)
        st.markdown(f"Grade: **{shown.grade_label}** · judged by {shown.judged_by} · "
                    f"{components.local_time(shown.judged_at)} · "
                    f"kinds of evidence: {kinds_in_words(cell.kinds) or 'none'}"
                    + (f" · **{marks}**" if marks else ""))
        for why in cell.checks:
            st.warning(why, icon=":material/rule:")
        st.write(shown.rationale)
        for item in shown.evidence:
            st.markdown(f"- {item.ref} · {item.kind_label} · {item.source} · {item.held_on:%d %b %Y}")
        for item, ex in shown.excerpts:
            st.markdown(f"- {item.ref} · {ex.criterion} · {ex.code_label}: “{ex.text}”")
        for f in shown.findings:
            st.markdown(f"- Case files · {f.label}: {figure(f)}")
        if len(shown.history) > 1:
            with st.expander("History"):
                grade_words = {gr.code: gr.label for gr in framework.scale}
                components.table(pd.DataFrame([{
                    "when": components.local_time(h["judged_at"]), "by": h["judged_by"],
                    "from": grade_words.get(h["old_grade"], h["old_grade"]),
                    "to": grade_words.get(h["grade"], h["grade"]),
                } for h in shown.history]), key="jd_history")
    else:
        st.info(f"Not judged yet. {cell.available} evidence item(s) about {labels[unit]} bear on {criterion}.")

    # --- judging (leads) ------------------------------------------------------------------
    if user.role != session.LEAD:
        st.caption("Only lead inspectors judge.")
    else:
        cell_key = judgement_clash.cell_key(unit_type, unit, criterion)
        opened = judgement_clash.opened_version(cell_key, shown)  # the form stays the one the lead opened
        key = f"{cell_key}_{opened}"

        def save(mine: dict, expected: int | None) -> None:
            try:
                with db.session_scope(engine) as s:
                    _, warnings = judgements.judge(
                        s, user, unit_type=unit_type, unit=unit, criterion=criterion, grade=mine["grade"] or "",
                        rationale=mine["rationale"], evidence=mine["evidence"], excerpts=mine["excerpts"],
                        findings=[FindingRef.parse(t) for t in mine["findings"]], expected_version=expected,
                        inspection=inspection)
            except ProblemError as exc:
                stored = None
                if judgement_clash.is_clash(exc):
                    with db.session_scope(engine) as s:  # the judgement as it stands now, beside the lead's
                        stored = judgements.view(s, user, unit_type=unit_type, unit=unit, criterion=criterion,
                                                 inspection=inspection)
                if stored is None:
                    show_problems(exc, key="jd_problems")
                    return
                judgement_clash.record(cell_key, mine, stored)
            else:
                judgement_clash.settle(cell_key)
                st.session_state[SAVED] = {"message": f"Judged {criterion} for {labels[unit]}: "
                                                      f"{framework.grade(mine['grade']).label}.", "warnings": warnings}
            st.rerun()

        choice = judgement_clash.choose(cell_key, lambda c: framework.grade(c).label)
        if choice == judgement_clash.MINE:
            clash = judgement_clash.pending(cell_key)
            save(clash["mine"], clash["version"])  # over the judgement the lead was shown in the refusal
        elif choice == judgement_clash.STORED:
            judgement_clash.settle(cell_key)
            st.rerun()
        judgement_clash.changed_since(cell_key, shown, opened)
        ev_options = {v.uid: f"{v.ref} · {v.kind_label} · {v.source}" for v in candidates}
        ex_options = {e.uid: f"{v.ref} · {e.criterion} · {e.code_label}: {e.text[:80]}"
                      for v in candidates for e in v.excerpts}
        # the figure first: a long question's option is cut at the picker's edge, never its figure
        finding_options = {ref.target: (f"{f.count} of {f.denominator} ({f.percent}%)" if f.percent is not None
                                        else "no figure yet") + " · "
                                       + f"{questionnaires[ref.questionnaire].title or ref.questionnaire} · {words}"
                           for f, ref, words in offered}
        with st.form(f"jd_form_{key}"):
            grades = [gr.code for gr in framework.scale]
            grade = st.radio("Grade", grades, index=grades.index(shown.grade) if shown else None, horizontal=True,
                             format_func=lambda c: framework.grade(c).label, key=f"jd_grade_{key}")
            rationale = st.text_area("Rationale", value=shown.rationale if shown else "", key=f"jd_rationale_{key}",
                                     max_chars=judgements.MAX_RATIONALE)
            chosen_ev = st.multiselect("Evidence items", list(ev_options), format_func=ev_options.get,
                                       default=[e.uid for e in shown.evidence if e.uid in ev_options] if shown else [],
                                       key=f"jd_ev_{key}")
            chosen_ex = st.multiselect("Coded excerpts", list(ex_options), format_func=ex_options.get,
                                       default=[e.uid for _, e in shown.excerpts if e.uid in ex_options]
                                       if shown else [], key=f"jd_ex_{key}")
            chosen_f = st.multiselect("Case-file findings (figures for this force)", list(finding_options),
                                      format_func=finding_options.get,
                                      default=[f.ref.target for f in shown.findings if f.ref.target in finding_options]
                                      if shown else [], key=f"jd_f_{key}")
            submitted = components.pressed("Save judgement", key="judgements_save_judgement_submit", form=True, type="primary", icon=":material/gavel:")
        if submitted:
            save({"grade": grade, "rationale": rationale, "evidence": list(chosen_ev), "excerpts": list(chosen_ex),
                  "findings": list(chosen_f)}, opened or None)

# --- one criterion across all forces ------------------------------------------------------
st.subheader("One criterion across all forces")
across = st.selectbox("Criterion", g.criteria, key="jd_across", index=None, placeholder="Choose",
                      format_func=lambda c: f"{c} {framework.specific(c).text}")
if across:
    components.table(pd.DataFrame([{
        "Force" if unit_type == FORCE else "CPS Area": c.unit_label, "grade": c.grade_label or "not judged",
        "kinds of evidence": kinds_in_words(c.kinds) or None, "marks": ", ".join(c.marks) or None,
        "evidence items": c.available, "judged by": c.judged_by,
    } for c in g.column(across)]), key="jd_across_table")

    with st.expander("Findings that bear on this criterion's grade", icon=":material/rule:"):
        with db.session_scope(engine) as s:
            rules = triangulation.bearings(s, inspection, across)
        for b in rules:
            c1, c2 = st.columns([4, 1])
            c1.write(f"{b.questionnaire} · {b.finding} {b.answer}: favourable "
                     f"{'at or above' if b.favourable_when == AT_LEAST else 'below'} {b.threshold} percent "
                     f"(set by {b.set_by})")
            if user.role == session.LEAD and components.pressed("Remove", key=f"jd_bearing_rm_{b.id}", container=c2):
                with db.session_scope(engine) as s:
                    triangulation.remove_bearing(s, user, b.id)
                st.rerun()
        if user.role == session.LEAD:
            options = {ref.target: words
                       for ref, words in judgements.findings_of_criterion(questionnaires.values(), across)}
            with st.form(f"jd_bearing_{across}"):
                target = st.selectbox("Finding", list(options), format_func=options.get, index=None,
                                      key=f"jd_bearing_f_{across}")
                c1, c2 = st.columns(2)
                when = c1.selectbox("Points favourably when the percent is", [AT_LEAST, BELOW],
                                    format_func={AT_LEAST: "at or above", BELOW: "below"}.get,
                                    key=f"jd_bearing_w_{across}")
                threshold = c2.number_input("Threshold (percent)", 0, 100, 75, key=f"jd_bearing_t_{across}")
                if components.pressed("Set", key=f"jd_bearing_{across}_set", form=True):
                    try:
                        with db.session_scope(engine) as s:
                            triangulation.set_bearing(s, user, criterion=across, ref=FindingRef.parse(target or "::"),
                                                      threshold=int(threshold), favourable_when=when,
                                                      inspection=inspection)
                    except ProblemError as exc:
                        show_problems(exc, key="jd_bearing_problems")
                    else:
                        st.rerun()
