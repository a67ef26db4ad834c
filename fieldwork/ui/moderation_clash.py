"""Moderation page: two leads saving agreed answers on one case (walk 23, F20).

The page holds, per case, what the lead saw stored for each question when they opened it
(``moderation_choices.stamps``), until a save of theirs succeeds: every press states it, so a
choice that would replace an agreed answer another lead saved since is refused in words
(``moderation_choices.ChoicesChanged``) with nothing written. The refusal is kept here and drawn
under the buttons the lead pressed, each question with both answers and Keep mine / Keep the
stored one; Save these choices then makes the same press again (Save or Finish) with the lead's
decision. Keeping the stored one puts it in the question's box. docs/stale-saves.md.
"""

from __future__ import annotations

import streamlit as st

from fieldwork.services import moderation_choices as choices
from fieldwork.services import second_marking
from fieldwork.ui import components

SEEN = "mod_seen"  # (marking id, {slot: stamp}) as the lead opened the case, or last saved it
CLASH = "mod_clash"  # {"marking", "clashes", "picks", "finishing"} of a refused press
BOXES = "mod_boxes"  # {widget key: value} to put in the boxes before they are drawn (Keep the stored one)
MINE, STORED = "mine", "stored"


def box_key(marking_id: int, slot: str) -> str:
    return f"mod_{marking_id}_{slot}"


def opened(view: second_marking.Moderation) -> dict[str, str | None]:
    """What this lead saw stored for each question of the case (held from their first look at
    it until a save of theirs; opening another case forgets it)."""
    held = st.session_state.get(SEEN)
    if not held or held[0] != view.marking_id:
        held = st.session_state[SEEN] = (view.marking_id, choices.stamps(view))
        pending = st.session_state.get(CLASH)
        if pending and pending["marking"] != view.marking_id:
            st.session_state.pop(CLASH)
    for key, value in st.session_state.pop(BOXES, {}).items():  # before the boxes are drawn
        st.session_state[key] = value
    return held[1]


def saved(session, user, marking_id: int) -> None:
    """A save of this lead's went through: what they see now is what is stored (read in the
    save's own transaction), and nothing is pending any more."""
    st.session_state[SEEN] = (marking_id, choices.stamps(second_marking.moderation(session, user, marking_id)))
    st.session_state.pop(CLASH, None)


def forget() -> None:
    st.session_state.pop(SEEN, None)
    st.session_state.pop(CLASH, None)


def refused(exc: choices.ChoicesChanged, marking_id: int, picks: dict, finishing: bool) -> None:
    st.session_state[CLASH] = {"marking": marking_id, "clashes": exc.clashes, "picks": dict(picks),
                               "finishing": finishing}


def pending(marking_id: int) -> dict | None:
    clash = st.session_state.get(CLASH)
    return clash if clash and clash["marking"] == marking_id else None


def changed_since(view: second_marking.Moderation, seen: dict) -> None:
    """Said before the lead saves: agreed answers were saved by someone else after they opened
    the case. Gone once their next save goes through (or they resolve a clash)."""
    if pending(view.marking_id):
        return
    others = [d for d in view.disagreements if choices.stamp(d) != seen.get(d.slot)]
    if not others:
        return
    who = ", ".join(sorted({d.agreed_by or "another lead" for d in others}))
    st.info(f"{who} saved agreed answers to {len(others)} question(s) after you opened this case ("
            + "; ".join(f"{d.where}: {dict(d.options).get(d.agreed, d.agreed)}" for d in others)
            + "). Your boxes still hold your choices; saving asks which to keep where they differ.",
            icon=":material/group:")


def choose(marking_id: int) -> tuple[dict, dict, bool] | None:
    """The refusal in words with both answers per question, and the lead's decision for each.
    Returns (picks, seen, finishing) for the press to make again once every question is
    decided and Save these choices pressed; None otherwise."""
    clash = pending(marking_id)
    if not clash:
        return None
    st.warning("Your agreed answers were **not saved**: another lead saved agreed answers to "
               f"{len(clash['clashes'])} of these question(s) after you opened the case. For each, keep yours "
               "or the stored one; your other choices are saved with them.", icon=":material/call_split:")
    decided = {}
    for c in clash["clashes"]:
        when = f" at {c.stored_at:%H:%M}" if c.stored_at else ""
        st.markdown(f"{c.where} — yours: **{c.mine_label}**; saved by {c.stored_by}{when}: **{c.stored_label}**")
        decided[c.slot] = st.radio(
            c.where, [MINE, STORED], index=None, horizontal=True, key=f"mod_clash_{marking_id}_{c.slot}",
            label_visibility="collapsed",
            format_func={MINE: f"Keep mine ({c.mine_label})", STORED: f"Keep the stored one ({c.stored_label})"}.get)
    label = "Save these choices and finish" if clash["finishing"] else "Save these choices"
    if not components.pressed(label, key=f"mod_clash_save_{marking_id}", type="primary"):
        return None
    if any(v is None for v in decided.values()):
        st.error("Choose Keep mine or Keep the stored one for each question above.")
        return None
    picks, seen = dict(clash["picks"]), dict(st.session_state[SEEN][1])
    boxes = {}
    for c in clash["clashes"]:
        seen[c.slot] = c.stamp  # stated as seen now: a save by a third lead since is a clash again
        if decided[c.slot] == STORED:
            picks[c.slot] = c.stored  # no change: nothing written for it
            boxes[box_key(marking_id, c.slot)] = c.stored
    st.session_state[BOXES] = boxes
    return picks, seen, clash["finishing"]
