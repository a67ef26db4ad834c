"""The Judgements page's "Merge conflicts": what a bundle brought beside a judgement or evidence
item changed here too. A judgement's two sides stand side by side in words — grade, who judged
it and when, the rationale and what it cites — and after Take the bundle's / Keep what is here
the page says what was done (walk 24, W18: codes, one side's rationale, and no word after)."""

from __future__ import annotations

import streamlit as st

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import bundle_evidence, evidence, judgement_conflicts
from fieldwork.ui import components, session
from fieldwork.ui.components import show_problems

DONE = "jd_conflict_done"  # what the last choice did, said once after the rerun


def _side(where, title: str, side: judgement_conflicts.Side | None) -> None:
    where.markdown(f"**{title}**")
    if side is None:
        where.caption("No longer here.")
        return
    when = f", {components.local_time(side.judged_at)}" if side.judged_at else ""  # as the cell's grade says it
    where.markdown(f"**{side.grade_label}** — judged by {side.judged_by}{when}")
    where.caption("Rationale: " + (side.rationale or "none given"))
    where.caption("Cites: " + ("; ".join(side.cites) if side.cites else "nothing"))


def _done(c: bundle_evidence.ConflictView, words: judgement_conflicts.JudgementConflict | None, take: bool) -> str:
    if words is not None:
        chosen = words.bundle if take else words.here
        grade = f" ({chosen.grade_label}, by {chosen.judged_by})" if chosen else ""
        return (f"{words.cell}: the bundle's judgement{grade} now stands; the one that was here is kept in its "
                "history." if take else
                f"{words.cell}: the judgement here{grade} stands; the bundle's is set aside.")
    ref = c.incoming.get("ref") or "The evidence item"
    return (f"{ref}: the bundle's version now stands." if take
            else f"{ref}: the version here stands; the bundle's is set aside.")


def draw(user, engine, inspection) -> None:
    components.flash(DONE, icon=":material/check_circle:")
    with db.session_scope(engine) as s:
        conflicts = bundle_evidence.open_conflicts(s, user, inspection=inspection)
        if not conflicts:
            return
        described = {w.id: w for w in judgement_conflicts.describe(s, user, conflicts, inspection=inspection)}
    with st.expander(f"Merge conflicts: {len(conflicts)} kept for you to resolve", expanded=True,
                     icon=":material/call_split:"):
        st.caption("A bundle brought a version of a judgement or evidence item that was also changed here (or a "
                   "judgement of a cell already judged here). What is here stands until you choose.")
        for c in conflicts:
            words = described.get(c.id)
            with st.container(border=True, key=f"jd_conflict_{c.id}"):
                if words is not None:
                    st.markdown(f"**{words.cell}** {words.criterion_text}")
                    here, bundle = st.columns(2)
                    _side(here, "Here", words.here)
                    _side(bundle, "The bundle's", words.bundle)
                else:
                    kind = evidence.KIND_LABELS.get(c.incoming.get("kind"), c.incoming.get("kind"))
                    st.markdown(f"**{c.incoming.get('ref')}** ({kind}) — changed here and on a laptop")
                if user.role != session.LEAD:
                    continue  # only leads resolve
                b1, b2 = st.columns(2)  # each button under the side it keeps
                keep = components.pressed("Keep what is here", key=f"jd_conflict_keep_{c.id}", container=b1)
                take = components.pressed("Take the bundle's", key=f"jd_conflict_take_{c.id}", container=b2)
                if take or keep:
                    try:
                        with db.session_scope(engine) as s:
                            bundle_evidence.resolve(s, user, c.id, take=take)
                    except ProblemError as exc:
                        show_problems(exc, key=f"jd_conflict_problems_{c.id}")
                    else:
                        st.session_state[DONE] = _done(c, words, take)
                        st.rerun()
