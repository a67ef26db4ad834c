"""A case read-only, drawn the same wherever it is opened: the Case (read-only) page a lead
reaches from a finding's cases, and the Assess page once an assessment is complete (or is not
the viewer's to change). One component, so both show the same thing:

* every section that asks something, its questions in order, each answer in words (a
  choice's label, several choices' labels), a question the skip logic asked but nobody
  answered as "—";
* a repeat group's section one row per entry and question, the entry named ("Incident 1",
  "Incident 2 › PIN issued 1", ``fieldwork/questionnaire/entries.py``);
* the evidence note beside each answer, where the viewer may read notes (the assessment's own
  inspector, a lead, an admin: ``notes_visible``); otherwise no note column at all;
* the case examples marked on this case (``case_examples.of_assessment``).

Tables, not disabled widgets: the whole case on one screen, every sentence wrapping, nothing
that looks editable. ``rows`` is the pure part (what each section's table holds), tested
without Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from fieldwork import db
from fieldwork.questionnaire import entries as repeat_entries
from fieldwork.questionnaire.model import Question, Questionnaire
from fieldwork.services import case_examples
from fieldwork.services.assessments import AssessmentView
from fieldwork.services.permissions import Actor
from fieldwork.ui import answer_widgets, session

UNANSWERED = "—"
# st.dataframe wraps a cell's text only in rows taller than 64 px (fieldwork/ui/findings_panels.py)
ROW_HEIGHT = 84
COLUMNS = {"entry": st.column_config.TextColumn(width="small"),
           "question": st.column_config.TextColumn(width="large"),
           "answer": st.column_config.TextColumn(width="medium"),
           "evidence note": st.column_config.TextColumn(width="large")}


@dataclass(frozen=True)
class SectionRows:
    id: str
    title: str
    rows: list[dict]  # the table: [entry,] question, answer[, evidence note]


def notes_visible(actor: Actor, view: AssessmentView) -> bool:
    """Evidence notes are for the assessment's own inspector and for leads and admins (an
    inspector never reads another's: a second marker scores blind)."""
    return actor.name == view.inspector or actor.is_lead


def answer_in_words(questionnaire: Questionnaire, question: Question, value) -> str:
    """A stored value as a person reads it: a choice's label, several choices' labels."""
    if value in (None, ""):
        return UNANSWERED
    if question.is_single_choice:
        return questionnaire.label_of(question.name, str(value))
    if question.is_multiple_choice:
        return ", ".join(questionnaire.label_of(question.name, c) for c in str(value).split())
    return str(value)


def rows(view: AssessmentView, *, with_notes: bool) -> list[SectionRows]:
    """Each section that asks something of this case, with its table's rows."""
    q = view.questionnaire
    worked = repeat_entries.Entries(q, q.with_calculations(view.answers), view.instances)
    out = []
    for section in q.sections:
        places = [e.path for e in worked.under(section.repeat)] if section.repeat else [""]
        shown = [(i, x, repeat_entries.slot(i, x.name)) for i in places for x in q.questions_in(section.id)
                 if answer_widgets.asks(x)]
        shown = [(i, x, k) for i, x, k in shown if k in worked.asked or k in view.answers]
        if not shown:
            continue
        table = []
        for instance, question, slot in shown:
            row = {"entry": repeat_entries.title(q, instance)} if section.repeat else {}
            row["question"] = question.label
            row["answer"] = answer_in_words(q, question, view.answers.get(slot, worked.values.get(slot)))
            if with_notes:
                row["evidence note"] = view.notes.get(slot, "")
            table.append(row)
        out.append(SectionRows(section.id, section.title, table))
    return out


def examples(actor: Actor, view: AssessmentView) -> list[case_examples.Example]:
    with db.session_scope(session.engine()) as s:
        return case_examples.of_assessment(s, actor, view.uid)


def show(actor: Actor, view: AssessmentView, *, key: str) -> None:
    """Draw the case read-only; ``key`` makes its tables' keys unique on the page."""
    with_notes = notes_visible(actor, view)
    sections = rows(view, with_notes=with_notes)
    if not sections:
        st.info("This questionnaire asks nothing for this case.")
    for section in sections:
        with st.container(key=f"{key}_{section.id}"):  # a handle for the browser journeys
            st.subheader(section.title)
            # every row on screen (no scrolling inside a section): the case reads top to bottom
            st.dataframe(section.rows, hide_index=True, key=f"{key}_{section.id}_table", column_config=COLUMNS,
                         row_height=ROW_HEIGHT, height="content")
    marked = examples(actor, view)
    if marked:
        st.subheader("Case examples")
        for example in marked:
            listed = ", ".join(example.criteria) or "no criterion"
            st.markdown(f"**{example.title}** (criteria {listed}; marked by {example.created_by})")
            st.text(example.narrative)  # a narrative is never read as markdown
