"""The Assess form's section of a repeat group: one box per entry ("Incident 2"), each with
its questions asked by that entry's own answers, a Remove (confirmed: its answers go and the
later entries are renumbered) and, under the entries, Add. A nested repeat's entries are shown
under each outer entry ("Incident 2 › PIN issued 1"), with an Add for each.

Only drawing lives here; what an entry asks and whether one may be added or removed is
``fieldwork.questionnaire.entries``, and the saves are the form's callbacks.
"""

from __future__ import annotations

from typing import Callable

import streamlit as st

from fieldwork import expr
from fieldwork.questionnaire import entries as repeat_entries
from fieldwork.questionnaire.model import Section
from fieldwork.ui import answer_widgets


def can_hold_entries(worked: repeat_entries.Entries, repeat: str) -> bool:
    """Whether the repeat's section has anything to show: an entry, or somewhere to add one."""
    return bool(worked.under(repeat)) or any(
        worked.add_refusal(repeat, parent) is None for parent in worked.parents(repeat))


def in_sentence(label: str) -> str:
    """A label inside a sentence: "Incident" → "incident", but "PIN" stays "PIN" (not "pIN") —
    a first word in capitals is an abbreviation (walk 24, W19)."""
    first = label.split(" ", 1)[0]
    return label if len(first) > 1 and first[1:2].isupper() else label[:1].lower() + label[1:]


def _count_words(worked: repeat_entries.Entries, repeat: str, parent: str) -> str:
    """Where the form sets the number of entries, which answer sets it, in words, never the XPath."""
    q = worked.questionnaire
    n = len(worked.under(repeat, parent))
    try:
        node = expr.parse(q.repeat(repeat).count)
    except expr.ExpressionError:
        node = None
    if isinstance(node, expr.Var) and q.has_question(node.name):
        return f"The number of entries follows the answer to “{q.question(node.name).label}” ({n})."
    return f"The form sets the number of entries ({n})."


def _add_label(worked: repeat_entries.Entries, repeat: str, parent: str) -> str:
    label = worked.questionnaire.repeat(repeat).label
    return f"Add {in_sentence(label)}" + (
        f" to {repeat_entries.title(worked.questionnaire, parent)}" if parent else "")


def _remove(ask: str, on_remove: Callable[[str], None], path: str) -> None:
    """Close the confirmation, then remove. Left open, it stayed over the entry that moved up
    into this box, offering the same red button: one more click removed that entry too (walk 24,
    W12). The confirmation tracks its state (``on_change="rerun"``) so that it can be closed."""
    st.session_state[ask] = False
    on_remove(path)


def draw(worked: repeat_entries.Entries, section: Section, *, editable: bool, key: Callable[[str, str], str],
         question: Callable, on_add: Callable[[str, str], None], on_remove: Callable[[str], None]) -> set[str]:
    """Draw the section's entries; return the slots drawn (for the note keeper and messages).
    ``question(q, slot, context)`` draws one answer; ``key(kind, name)`` names a widget."""
    q = worked.questionnaire
    repeat = q.repeat(section.repeat)
    drawn: set[str] = set()
    parents = [p for p in worked.parents(repeat.name) if worked.is_open(repeat.name, p) or worked.under(repeat.name, p)]
    if not parents:
        st.caption(f"No “{repeat.label}” is asked for this case.")
    for parent in parents:
        if parent:
            st.markdown(f"**{repeat_entries.title(q, parent)}**")
        entries = worked.under(repeat.name, parent)
        if not entries:
            st.caption(f"No {in_sentence(repeat.label)} recorded" + (f" in {repeat_entries.title(q, parent)}." if parent
                                                                 else " yet."))
        for entry in entries:
            with st.container(border=True, key=key("entry", entry.path)):
                # the name takes the room left by Remove, which keeps its own width (a fifth of
                # the box cut it to "Re…" at 1,024 px: walk 24, W12)
                head = st.container(horizontal=True, vertical_alignment="center", gap="small")
                name = repeat_entries.title(q, entry.path)
                head.markdown(f"**{name}**", width="stretch")
                if editable and worked.remove_refusal(entry.path) is None:
                    ask = key("remove_ask", entry.path)
                    with head.popover("Remove", icon=":material/delete:", key=ask, on_change="rerun"):
                        st.caption(f"Remove {name} and its answers? The entries after it are renumbered.")
                        st.button(f"Remove {name}", key=key("remove", entry.path), type="primary",
                                  on_click=_remove, args=(ask, on_remove, entry.path))
                context = worked.context(entry.path)
                asked = [x for x in q.questions_in(section.id)
                         if repeat_entries.slot(entry.path, x.name) in worked.asked and answer_widgets.asks(x)]
                if not asked:
                    st.caption("Nothing is asked in this entry.")
                for x in asked:
                    slot = repeat_entries.slot(entry.path, x.name)
                    drawn.add(slot)
                    question(x, slot, context)
        if editable and worked.add_refusal(repeat.name, parent) is None:
            st.button(_add_label(worked, repeat.name, parent), key=key("add", f"{repeat.name}@{parent}"),
                      icon=":material/add:", on_click=on_add, args=(repeat.name, parent))
        elif repeat.count and editable:
            st.caption(_count_words(worked, repeat.name, parent))
    return drawn
