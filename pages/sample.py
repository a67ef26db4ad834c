"""Sample: how the case files were chosen. Leads import each force's sampling frame and draw
the sample (a dry run first); anyone may read the sample's report, and an inspector excludes
an unusable drawn case, which the next reserve of its stratum replaces."""

import json

import pandas as pd
import streamlit as st

from fieldwork import db
from fieldwork.problems import Problem, ProblemError
from fieldwork.services import (
    inspections,
    sampling,
    sampling_exclusions,
    sampling_frames,
    sampling_report,
)
from fieldwork.ui import components, session
from fieldwork.ui.components import show_problems

user = session.require(session.INSPECTOR, session.LEAD, session.ADMIN)
engine = session.engine()
DONE = "sample_done"  # a message to show after the rerun
PLAN = "sample_plan"  # the dry run awaiting confirmation
MAP_N = "sample_map_n"  # bumped after an import, so the uploader starts empty

st.title("Sample")
st.caption("How the case files were chosen: each force's sampling frame, the random draw with its reserves, and "
           "every exclusion. " + sampling.METHOD)
components.flash(DONE, icon=":material/check_circle:")

with db.session_scope(engine) as s:
    inspection, titles = components.current_questionnaires(s)
force_labels = components.force_labels()
qid = components.questionnaire_picker(list(titles), key="sample_questionnaire", titles=titles)
with db.session_scope(engine) as s:
    questionnaire = inspections.load_questionnaire(s, qid)


def force_label(code: str) -> str:
    return force_labels.get(code, code)


def stratum(key: str) -> str:
    return sampling_report.stratum_words(questionnaire, key)


def attribute(name: str) -> str:
    return sampling_report.attribute_words(questionnaire, name)


# px, every column within the main column at 1,440 px with the sidebar open (about 980 px): names and
# strata wrap onto two lines, numbers keep their headers whole
REPORT_WIDTHS = {"Force": 150, "Stratum": 160, "Frame": 52, "Target": 56, "Drawn": 54, "Excluded": 116,
                 "Replaced": 70, "In sample": 72, "Assessed": 70, "Reserves left": 94, "Short by": 64}
DRY_RUN_WIDTHS = {"Force": 150, "Stratum": 170, "Frame": 56, "Drawn": 56, "Probability": 84, "Cases": 270,
                  "First reserves": 150}
EXCLUSION_WIDTHS = {"Case": 90, "Force": 150, "Stratum": 170, "Reason": 180, "Replaced by": 100, "By": 80,
                    "When": 130}


with db.session_scope(engine) as s:
    rep = sampling_report.report(s, user, qid, inspection=inspection)
    in_sample = sampling_report.sampled_cases(s, user, qid, inspection=inspection)
    excluded = sampling_report.exclusions(s, user, qid, inspection=inspection)

# --- the sample's report -----------------------------------------------------------------------
st.subheader("The sample")
if rep.rows:
    components.table(pd.DataFrame([{
        "Force": force_label(r.force), "Stratum": stratum(r.stratum), "Frame": r.frame,
        "Target": r.target, "Drawn": r.drawn,
        "Excluded": f"{r.excluded_total}" + (" (" + ", ".join(f"{sampling_report.reason_label(k).lower()} {v}"
                                                              for k, v in sorted(r.excluded.items())) + ")"
                                             if r.excluded else ""),
        "Replaced": r.replaced, "In sample": r.in_sample, "Assessed": r.assessed, "Reserves left": r.reserves_left,
        "Short by": r.shortfall or None,  # none short: "—"
    } for r in rep.rows]), key="sample_report", wide=["Force", "Stratum", "Excluded"], line_chars=22,
        column_config={c: st.column_config.Column(c, width=w) for c, w in REPORT_WIDTHS.items()})
    for force, d in rep.draws.items():
        shown = " × ".join(attribute(a) for a in json.loads(d["strata"])) or "none"
        st.caption(f"{force_label(force)}: drawn by {d['drawn_by']} on {components.local_time(d['drawn_at'])} — seed "
                   f"{d['seed']}, {d['allocation']} allocation, strata {shown}; drafts for {d['inspector']}")
    if in_sample or excluded:
        from exports.sample import cases_csv

        st.download_button("Drawn cases (CSV)", cases_csv(in_sample, excluded), f"sample_{qid}_cases.csv",
                           "text/csv", key="sample_cases_csv", icon=":material/download:",
                           help="The cases to pull from each force (replacements included) and the exclusions.")
else:
    st.info("No sampling frame yet." + (" Import one below." if user.is_lead else " The lead imports them."))

if rep.draws:
    with st.expander("The next reserves of each stratum, in draw order"):
        with db.session_scope(engine) as s:
            nxt = sampling_report.reserves(s, user, qid, inspection=inspection)
        components.table(pd.DataFrame([{"Force": force_label(f), "Stratum": stratum(h), "Order": p, "Case": r}
                                       for f, h, p, r in nxt]), key="sample_reserves", wide=["Stratum"])

if rep.draws and user.is_lead:
    with st.expander("Weight a finding back to the frames (off by default: the report's figures are unweighted)"):
        st.caption("Where the allocation was not proportional, each stratum's share is put back at its frame share: "
                   "Σ N_h/N · p_h over the strata with assessed cases (docs/sampling.md).")
        with db.session_scope(engine) as s:
            choices = [q.name for q in inspections.load_questionnaire(s, qid).single_choice_questions]
        asked = st.selectbox("Question", choices, index=None, key="sample_weight_question", placeholder="Choose",
                             format_func=attribute)
        if asked:
            with db.session_scope(engine) as s:
                shares = sampling_report.weighted(s, user, qid, asked, inspection=inspection)
            st.dataframe(pd.DataFrame([{"Answer": questionnaire.label_of(asked, w.code), "Count": w.count, "Denominator": w.denominator,
                                        "Percent (unweighted)": w.percent, "Percent (weighted)": w.weighted_percent}
                                       for w in shares]), hide_index=True, key="sample_weighted")

# --- exclusions ---------------------------------------------------------------------------------
st.subheader("Exclude an unusable case")
if in_sample and user.role in (session.INSPECTOR, session.LEAD, session.ADMIN):
    refs = {c.case_ref: c for c in in_sample}
    with st.form("sample_exclude_form"):
        cols = st.columns([2, 2, 3])
        ref = cols[0].selectbox("Drawn case", list(refs), index=None, key="sample_exclude_case",
                                placeholder="Choose a case",
                                format_func=lambda r: f"{r} · {force_label(refs[r].force)}")
        reason = cols[1].selectbox("Reason", list(sampling_exclusions.REASONS),
                                   format_func=sampling_exclusions.REASONS.__getitem__,
                                   key="sample_exclude_reason")
        detail = cols[2].text_input("Why (required for Other)", max_chars=200, key="sample_exclude_detail",
                                    help="A few words, never a name or other personal details.")
        go = components.pressed("Exclude and replace", key="sample_exclude_and_replace_submit", form=True, icon=":material/swap_horiz:")
    if go:
        try:
            if not ref:
                raise ProblemError([Problem(sampling_exclusions.NOT_IN_SAMPLE, "choose the drawn case to exclude")],
                                   "nothing was excluded")
            with db.session_scope(engine) as s:
                out = sampling_exclusions.exclude(s, user, ref, reason, detail, questionnaire=qid,
                                                  inspection=inspection)
        except ProblemError as exc:
            show_problems(exc, key="sample_exclude_problems")
        else:
            st.session_state[DONE] = (f"{out.case_ref} excluded ({sampling_exclusions.REASONS[out.reason]}); "
                                      + (f"{out.replacement} takes its place in the Cases register."
                                         if out.replacement else "no reserve is left in its stratum."))
            st.rerun()
else:
    st.caption("Once the sample is drawn, a case found unusable is excluded here; the next reserve replaces it.")
if excluded:
    components.table(pd.DataFrame([{
        "Case": e.case_ref, "Force": force_label(e.force), "Stratum": stratum(e.stratum),
        "Reason": sampling_exclusions.REASONS.get(e.reason, e.reason) + (f": {e.detail}" if e.detail else ""),
        "Replaced by": e.replacement or "(no reserve left)", "By": e.excluded_by,
        "When": components.local_time(e.excluded_at),
    } for e in excluded]), key="sample_exclusions", wide=["Force", "Stratum", "Reason"], line_chars=24,
        column_config={c: st.column_config.Column(c, width=w) for c, w in EXCLUSION_WIDTHS.items()})

if not user.is_lead:
    st.stop()

# --- frames ------------------------------------------------------------------------------------
st.subheader("Sampling frames")
with db.session_scope(engine) as s:
    frames = sampling_frames.frames(s, user, qid, inspection=inspection)
if frames:
    st.dataframe(pd.DataFrame([{
        "Force": force_label(f.force), "Cases": f.cases, "File": f.source, "Attributes": ", ".join(map(attribute, f.attributes)),
        "Imported by": f.imported_by, "Drawn": "yes" if f.drawn else "no"} for f in frames]),
        hide_index=True, width="stretch", key="sample_frames")
n = st.session_state.setdefault(MAP_N, 0)
upload = components.uploader("A force's list of eligible cases (.csv or .xlsx): a pseudonymous reference per row and "
                          "the attributes to balance on", type=["csv", "xlsx"],
                              key=f"sample_upload_{n}")
if upload is not None:
    try:
        table = sampling_frames.read_frame(upload.getvalue(), upload.name)
    except ProblemError as exc:
        show_problems(exc, key="sample_read_problems")
        st.stop()
    st.caption(f"{len(table.rows)} row(s). Confirm what each column holds: case_ref, force, a context question "
               f"({', '.join(sampling_frames.context_fields(questionnaire))}) or a name of your own; blank leaves the "
               "column out.")
    proposal = sampling_frames.propose_map(table.header, questionnaire)
    edited = st.data_editor(pd.DataFrame({"Column": list(proposal), "Field": list(proposal.values())}),
                            hide_index=True, disabled=["Column"], key=f"sample_map_{n}", width="stretch")
    st.dataframe(pd.DataFrame(table.preview(5)), hide_index=True, key="sample_preview")
    frc = None
    if "force" not in set(edited["Field"]):
        frc = st.selectbox("Force of every row", list(components.force_labels()), index=None,
                           format_func=force_label, key=f"sample_frame_force_{n}")
    if components.pressed("Import frame", type="primary", key="sample_import", icon=":material/upload_file:"):
        column_map = {row.Column: (row.Field or "").strip() for row in edited.itertuples()}
        try:
            with db.session_scope(engine) as s:
                result = sampling_frames.import_frame(s, user, qid, table, table.source, column_map=column_map,
                                                      force=frc, inspection=inspection)
        except ProblemError as exc:
            show_problems(exc, key="sample_import_problems")
        else:
            st.session_state[DONE] = (f"Imported {sum(result.forces.values())} case(s): "
                                      + ", ".join(f"{force_label(f)} {k}" for f, k in sorted(result.forces.items()))
                                      + (f" (replacing {', '.join(result.replaced)})" if result.replaced else ""))
            st.session_state[MAP_N] = n + 1
            st.rerun()

# --- the draw ----------------------------------------------------------------------------------
undrawn = [f.force for f in frames if not f.drawn]
if not undrawn:
    st.stop()
st.subheader("Draw the sample")
with db.session_scope(engine) as s:
    attributes = sampling.stratifiable(s, qid, inspection=inspection)
    names = sampling.owners(s)
with st.form("sample_draw_form"):
    forces = st.multiselect("Forces", undrawn, default=undrawn, format_func=force_label, key="sample_draw_forces")
    cols = st.columns(3)
    strata = cols[0].multiselect("Balance on (strata)", attributes, key="sample_draw_strata", format_func=attribute,
                                 default=[a for a in ("plea", "domestic_abuse") if a in attributes])
    allocation = cols[1].radio("Allocation", sampling.ALLOCATIONS, key="sample_draw_allocation", horizontal=True,
                               index=1, help="Equal: the same number in each stratum (the report's balance); "
                                             "proportional: as the frame is split.")
    seed = cols[2].number_input("Seed", min_value=0, value=2016, step=1, key="sample_draw_seed",
                                help="Note it: the same frame and seed draw the same cases.")
    tcols = st.columns(max(len(undrawn), 1))
    targets = {f: tcols[i].number_input(f"Target: {force_label(f)}", min_value=0, step=1, key=f"sample_target_{f}",
                                         value=sampling.default_target(inspection, qid, f))
               for i, f in enumerate(undrawn)}
    owner = st.selectbox("Drafts for", names, key="sample_draw_inspector",
                         index=names.index(user.name) if user.name in names else None,
                         help="Whose draft each drawn case becomes in the Cases register.")
    cols = st.columns(2)
    with cols[0]:
        dry = components.pressed("Dry run", key="sample_dry_run_submit", form=True, icon=":material/visibility:")
    with cols[1]:
        real = components.pressed("Draw", key="sample_draw_submit", form=True, type="primary", icon=":material/casino:")
if dry or real:
    try:
        with db.session_scope(engine) as s:
            result = sampling.draw(s, user, qid, seed=int(seed), strata=strata, allocation=allocation,
                                   forces=forces, targets={f: int(targets[f]) for f in forces}, inspector=owner,
                                   inspection=inspection, dry_run=bool(dry))
    except ProblemError as exc:
        show_problems(exc, key="sample_draw_problems")
    else:
        if real:
            st.session_state[DONE] = (f"Drawn: {sum(sp.allocated for fp in result.forces for sp in fp.strata)} "
                                      f"case(s) are in the Cases register as drafts for {owner}.")
            st.rerun()
        st.info("Dry run: nothing written. Draw with the same settings to draw exactly these cases.")
        components.table(pd.DataFrame([{
            "Force": force_label(fp.force), "Stratum": stratum(sp.key), "Frame": sp.frame_size,
            "Drawn": sp.allocated, "Probability": round(sp.allocated / sp.frame_size, 3),
            "Cases": ", ".join(r for _, r, _ in sp.drawn),
            "First reserves": ", ".join(r for _, r, _ in sp.reserves[:3]) or None,
        } for fp in result.forces for sp in fp.strata]), key="sample_dry_run",
            wide=["Force", "Stratum", "Cases", "First reserves"], line_chars=22,
            column_config={c: st.column_config.Column(c, width=w) for c, w in DRY_RUN_WIDTHS.items()})
