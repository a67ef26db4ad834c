"""Evidence: interviews, focus groups, documents, data returns, victim research and
observations, each with coded excerpts — for the forces the inspector may see. Documents are
referenced, never uploaded. Sources are roles and organisations, never names."""

from datetime import date

import pandas as pd
import streamlit as st

from fieldwork import db
from fieldwork.catalog import load_catalog
from fieldwork.problems import ProblemError
from fieldwork.services import evidence, evidence_csv
from fieldwork.services.evidence import EvidenceInput, ExcerptInput
from fieldwork.ui import components, privacy_confirm, session
from fieldwork.ui.components import show_problems
from models.evidence import EVIDENCE_KINDS

user = session.require(session.INSPECTOR, session.LEAD)
engine = session.engine()
FORM_N = "evidence_form_n"  # bumped after a save, so the form starts empty again
EXCERPTS_N = "evidence_excerpts_n"  # how many excerpt rows the form shows
SAVED = "evidence_saved"  # what was just saved (and its warnings), said once after the rerun
ADD = "ev_add"  # the add form, for the privacy question asked before saving
# The date box's window. Streamlit's default is the last ten years, and a date typed outside the
# window is never sent: the box kept its old value and an older interview was saved dated today
# (walk 24, W10). So the box opens empty, takes any day from 2000 (the command line takes these
# too), and a box holding no date is refused by name rather than filled in for the person.
EARLIEST = date(2000, 1, 1)
DATE_HELP = (f"The day the evidence was gathered, from {EARLIEST:%-d %B %Y} to today. A date outside these "
             "is not taken: the box stays empty and Save says so.")

st.title("Evidence")
with db.session_scope(engine) as s:
    inspection, framework, codebook = evidence.context(s, session.current_inspection(s).code)
catalog = load_catalog()
force_labels = components.force_labels(user.sees_force)
area_labels = {c.code: c.label for c in catalog.codes.cps_areas}
criteria = framework.specific_ids
code_labels = {c.code: c.label for c in (codebook.codes if codebook else ())}
criterion_option = components.criterion_option(framework)  # cut at a word with "…"; the full text shown below
st.caption(f"{inspection.name} · interviews, focus groups, documents and other evidence beside the case files. "
           "Describe a source by role and organisation, never by name.")

saved = st.session_state.pop(SAVED, None)
if saved:
    st.success(f"Saved {saved['ref']}, dated {saved['held_on']:%-d %B %Y}, with {saved['excerpts']} excerpt(s).",
               icon=":material/check_circle:")  # the date said back: the one stored
    for w in saved["warnings"]:
        st.warning(f"Check this: {w}. Remove personal details if they are there.", icon=":material/warning:")


def date_box(where, value: date | None, *, key: str) -> date | None:
    """The evidence's date, or None when the box holds none (never a day the person did not
    give). An item already dated before EARLIEST (the command line allows it) keeps its date."""
    earliest = min(EARLIEST, value) if value else EARLIEST
    held_on = where.date_input("Date", value=value, min_value=earliest, max_value=date.today(), key=key,
                               format="YYYY-MM-DD", help=DATE_HELP)
    if held_on is None:
        where.caption(f"No date in the box: type or choose one from {earliest:%-d %B %Y} to today.")
    return held_on


def save_checked(form: str, data: EvidenceInput, texts: list[str], anyway: bool, write, problems_key: str):
    """Every field checked at once before anything is written (F22), with the service's own
    check: refusals and privacy warnings together; a warning alone saves nothing until the person
    presses Save anyway for that exact text. Returns the saved item, or None."""
    _, problems, warnings = evidence.check(data, user, framework, codebook)
    if problems:
        privacy_confirm.clear(form)
        show_problems(ProblemError(problems, "the evidence was not saved"), key=problems_key)
        for w in warnings:
            st.warning(f"Check this too: {w}. Remove personal details if they are there.", icon=":material/shield:")
    elif warnings and not anyway:
        privacy_confirm.hold(form, warnings, texts)
        st.rerun()
    else:
        try:
            with db.session_scope(engine) as s:
                item, warnings = write(s)
        except ProblemError as exc:
            show_problems(exc, key=problems_key)
        else:
            privacy_confirm.clear(form)
            st.session_state[SAVED] = {"ref": item.ref, "held_on": item.held_on, "excerpts": len(data.excerpts),
                                       "warnings": [] if anyway else warnings}  # seen and saved anyway
            return item
    return None


# --- add ----------------------------------------------------------------------------------
def _one_more_excerpt() -> None:
    st.session_state[EXCERPTS_N] = st.session_state.get(EXCERPTS_N, 1) + 1


# A fragment: "Another excerpt" (and every other change in the form) reruns the form alone, not
# the router and the whole list of evidence below it (2.4 s in the browser on a loaded machine,
# for three empty boxes: docs/waits.md). A save reruns the whole app, so the list shows it.
@st.fragment
def add_form() -> None:
    n = st.session_state.setdefault(FORM_N, 0)
    with st.expander("Add evidence", expanded=True, icon=":material/add:"):
        cols = st.columns(3)
        kind = cols[0].selectbox("Kind", EVIDENCE_KINDS, format_func=evidence.KIND_LABELS.get, key=f"ev_kind_{n}")
        held_on = date_box(cols[1], None, key=f"ev_date_{n}")
        ref = cols[2].text_input("Your reference (optional)", key=f"ev_ref_{n}", max_chars=40, placeholder="EV-0001")
        cols = st.columns(2)
        force = cols[0].selectbox("Force", list(force_labels), index=None, format_func=force_labels.get,
                                  key=f"ev_force_{n}", placeholder="None (a CPS Area, or national)")
        area = cols[1].selectbox("CPS Area", list(area_labels), index=None, format_func=area_labels.get,
                                 key=f"ev_area_{n}", placeholder="None")
        source = st.text_input("Source (role and organisation, never a name)", key=f"ev_source_{n}", max_chars=200,
                               placeholder="e.g. force stalking SPOC; focus group: six response officers")
        chosen = st.multiselect("Criteria it bears on", criteria, key=f"ev_criteria_{n}", format_func=criterion_option)
        components.criteria_in_full(framework, chosen)
        summary = st.text_area("Summary", key=f"ev_summary_{n}", max_chars=evidence.MAX_SUMMARY)
        reference = ""
        if kind in ("document", "data_return"):
            reference = st.text_input("Where the document is held (it is referenced, not uploaded)",
                                      key=f"ev_reference_{n}", max_chars=evidence.MAX_REFERENCE)
        st.markdown("**Coded excerpts**")
        count = st.session_state.setdefault(EXCERPTS_N, 1)
        excerpts = []
        for i in range(count):
            c1, c2 = st.columns(2)
            criterion = c1.selectbox(f"Excerpt {i + 1}: criterion", criteria, index=None, key=f"ev_ex_crit_{n}_{i}",
                                     format_func=criterion_option)
            components.criteria_in_full(framework, criterion, where=c1)
            code = c2.selectbox(f"Excerpt {i + 1}: code", list(code_labels), index=None, format_func=code_labels.get,
                                key=f"ev_ex_code_{n}_{i}")
            text = st.text_area(f"Excerpt {i + 1}: passage", key=f"ev_ex_text_{n}_{i}", height=80,
                                max_chars=evidence.MAX_EXCERPT)
            if criterion or code or text.strip():
                excerpts.append(ExcerptInput(criterion or "", code or "", text))
        texts = [source, summary, reference, *(e.text for e in excerpts)]
        anyway = privacy_confirm.ask(ADD, texts, what="the source, summary and excerpts")  # warned: ask first
        cols = st.columns([1, 1, 2])
        cols[0].button("Another excerpt", key="ev_more", icon=":material/add:", on_click=_one_more_excerpt)
        if components.pressed("Save evidence", key="ev_save", container=cols[1], type="primary",
                              icon=":material/save:") or anyway:
            data = EvidenceInput(kind=kind, held_on=held_on, force=force, cps_area=area, source=source, summary=summary,
                                 criteria=chosen, reference=reference, ref=ref, excerpts=excerpts)
            if save_checked(ADD, data, texts, anyway,
                            lambda s: evidence.add_evidence(s, user, data, inspection=inspection), "ev_problems"):
                st.session_state[FORM_N] = n + 1
                st.session_state[EXCERPTS_N] = 1
                st.rerun()


add_form()


def edit_form(v) -> None:
    """Change an item: its fields and excerpts (an excerpt keeps its identity, so judgements
    citing it still do); a change made meanwhile elsewhere is refused."""
    k = f"{v.uid}_{v.revision}"
    with st.form(f"ev_edit_form_{k}"):
        held_on = date_box(st, v.held_on, key=f"ev_e_date_{k}")
        source = st.text_input("Source", v.source, max_chars=200, key=f"ev_e_source_{k}")
        summary = st.text_area("Summary", v.summary, key=f"ev_e_summary_{k}", max_chars=evidence.MAX_SUMMARY)
        chosen = st.multiselect("Criteria", criteria, default=[c for c in v.criteria if c in criteria],
                                key=f"ev_e_criteria_{k}", format_func=criterion_option)
        components.criteria_in_full(framework, chosen)
        reference = st.text_input("Reference", v.reference, key=f"ev_e_reference_{k}",
                                  max_chars=evidence.MAX_REFERENCE)
        kept = []
        for i, e in enumerate([*v.excerpts, None]):
            c1, c2, c3 = st.columns([1, 1, 1])
            criterion = c1.selectbox(f"Excerpt {i + 1}: criterion", criteria, key=f"ev_e_crit_{k}_{i}",
                                     index=criteria.index(e.criterion) if e and e.criterion in criteria else None,
                                     format_func=criterion_option)
            components.criteria_in_full(framework, criterion, where=c1)
            code = c2.selectbox(f"Excerpt {i + 1}: code", list(code_labels), format_func=code_labels.get,
                                index=list(code_labels).index(e.code) if e and e.code in code_labels else None,
                                key=f"ev_e_code_{k}_{i}")
            remove = e is not None and c3.checkbox("Remove", key=f"ev_e_rm_{k}_{i}")
            text = st.text_area(f"Excerpt {i + 1}: passage", e.text if e else "", key=f"ev_e_text_{k}_{i}",
                                height=80, max_chars=evidence.MAX_EXCERPT)
            if not remove and (e is not None or criterion or code or text.strip()):
                kept.append(ExcerptInput(criterion or "", code or "", text, e.uid if e else ""))
        submitted = components.pressed("Save changes", key="evidence_save_changes_submit", form=True)
    texts = [source, summary, reference, *(e.text for e in kept)]
    anyway = privacy_confirm.ask(f"ev_edit_{k}", texts, what="the source, summary and excerpts")
    if submitted or anyway:
        data = EvidenceInput(kind=v.kind, held_on=held_on, force=v.force, cps_area=v.cps_area, source=source,
                             summary=summary, criteria=chosen, reference=reference, ref=v.ref, excerpts=kept)
        if save_checked(f"ev_edit_{k}", data, texts, anyway, lambda s: evidence.update_evidence(
                s, user, v.uid, data, expected_revision=v.revision, inspection=inspection), f"ev_e_problems_{k}"):
            st.rerun()


# --- the evidence -------------------------------------------------------------------------
cols = st.columns(2)
only_force = cols[0].selectbox("Show force", list(force_labels), index=None, format_func=force_labels.get,
                               key="ev_filter_force", placeholder="All you may see")
only_criterion = cols[1].selectbox("Show criterion", criteria, index=None, key="ev_filter_criterion",
                                   placeholder="All criteria", format_func=criterion_option)
components.criteria_in_full(framework, only_criterion, where=cols[1])
with db.session_scope(engine) as s:
    views = evidence.list_evidence(s, user, inspection=inspection, force=only_force,
                                   criterion=only_criterion)
st.subheader(f"{len(views)} evidence item(s)")
for v in views:
    where = force_labels.get(v.force) or area_labels.get(v.cps_area) or "National"
    with st.expander(f"{v.ref} · {v.kind_label} · {where} · {v.held_on:%d %b %Y} · {v.source}"):
        st.caption(f"Criteria {', '.join(v.criteria) or 'none'} · added by {v.created_by}"
                   + (f" · held at: {v.reference}" if v.reference else ""))
        if v.summary:
            st.write(v.summary)
        if v.excerpts:
            st.dataframe(pd.DataFrame([{"criterion": e.criterion, "code": e.code_label, "passage": e.text}
                                       for e in v.excerpts]), hide_index=True, width="stretch",
                         key=f"ev_excerpts_{v.uid}")
        if (user.is_lead or v.created_by == user.name) and st.toggle("Change", key=f"ev_edit_{v.uid}"):
            edit_form(v)

# --- files --------------------------------------------------------------------------------
with st.expander("Import or export a CSV", icon=":material/upload_file:"):
    st.caption("One row per excerpt; rows with the same evidence_ref are one item. Columns: "
               + ", ".join(evidence_csv.CSV_COLUMNS) + ". All or nothing: a file with any bad row imports nothing.")
    upload = components.uploader("Evidence CSV", type=["csv"], key="ev_upload")
    if upload is not None and components.pressed("Import", key="ev_import"):
        try:
            with db.session_scope(engine) as s:
                result = evidence_csv.import_csv(s, user, upload.getvalue(), file_name=upload.name,
                                             inspection=inspection)
        except ProblemError as exc:
            show_problems(exc, key="ev_import_problems")
        else:
            st.success(f"Imported {result.items} item(s) with {result.excerpts} excerpt(s) from {upload.name}.")
            for w in result.warnings:
                st.warning(w)
    if components.pressed("Prepare the CSV of the evidence shown", key="ev_export"):
        with db.session_scope(engine) as s:
            st.session_state["ev_export_data"] = evidence_csv.export_csv(
                s, user, inspection=inspection, force=only_force, criterion=only_criterion,
                file_name="evidence.csv")
    if st.session_state.get("ev_export_data"):
        st.download_button("Download evidence.csv", st.session_state["ev_export_data"], file_name="evidence.csv",
                           mime="text/csv", key="ev_download")
