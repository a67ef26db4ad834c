"""Assess: score one case, section by section; every answer and note is saved as it is made.

The case is the URL's ``?case=ID`` (so a refresh or a bookmark comes back to it), else the
inspector's most recently saved draft; the section on screen is ``&section=risk``, so Back and
Forward move between sections (docs/assess-address.md). A case in the address that is not the
user's is refused in words, and no case opens until one is picked. Only the signed-in user's
own assessment of the case is shown: a second marker never sees the first marker's answers.
"""

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from fieldwork import db
from fieldwork.services import assessments, cases, inspections, own_assessments
from fieldwork.ui import assess_access, assess_address, questionnaire_form, session

user = session.require(session.INSPECTOR, session.LEAD)
PICK = "assess_case"

st.title("Assess")
with db.session_scope(session.engine()) as s:
    inspection = session.current_inspection(s)
    mine = cases.register(s, user, inspection=inspection, inspector=user.name).rows
    # the user's own assessment of each: a case second-marked reads "complete" (its first marking)
    own = own_assessments.own(s, user, inspection=inspection)

by_id = {r.case_id: r for r in mine}
wanted = st.query_params.get(assess_address.CASE, "")
refused = bool(wanted) and not (wanted.isdigit() and int(wanted) in by_id)
if refused:  # say which kind of "not yours" in words, and open no case until one is picked
    st.warning(assess_access.refusal(user, wanted, inspection) + (" Choose one of your cases below." if mine else ""))
    st.session_state[PICK] = None
elif wanted:
    st.session_state[PICK] = int(wanted)
if not mine:
    st.info("You have no cases to score yet: add one on the Cases page.")
    st.stop()


def unfinished(row: cases.CaseRow) -> bool:
    """The user's own scoring of the case is not complete (a second marking waiting counts)."""
    return own[row.case_id].status != own_assessments.COMPLETE_LABEL if row.case_id in own else \
        row.status != cases.COMPLETE


def last_saved(row: cases.CaseRow) -> str:
    return str(own[row.case_id].updated_at if row.case_id in own else row.updated_at or "")


if not refused and st.session_state.get(PICK) not in by_id:
    # resume where the inspector stopped: the draft saved most recently
    drafts = sorted((r for r in mine if unfinished(r)), key=last_saved, reverse=True)
    st.session_state[PICK] = (drafts[0] if drafts else mine[0]).case_id


def _picked() -> None:
    if st.session_state[PICK] is not None:
        assess_address.show_case(st.session_state[PICK])  # before the run reads it back


# labels that never change while the page is open (a browser resets a select box whose labels change)
with db.session_scope(session.engine()) as s:
    titles = {qid: inspections.load_questionnaire(s, qid).title or qid for qid in {r.questionnaire for r in mine}}
# what the user does on it ("second marking") never changes while the page is open; its status does
purpose = {cid: f" · {own_assessments.PURPOSE_WORDS[o.purpose]}" for cid, o in own.items()
           if own_assessments.PURPOSE_WORDS.get(o.purpose)}
case_id = st.selectbox("Case", list(by_id), key=PICK, on_change=_picked,
                       format_func=lambda cid: f"{by_id[cid].case_ref} · {titles[by_id[cid].questionnaire]}"
                                               f"{purpose.get(cid, '')}",
                       placeholder="Choose one of your cases",
                       help="Your cases. The address bar keeps the case and its section, so a refresh comes back "
                            "here and Back returns to the section before.")
if case_id is None:
    st.stop()
assess_address.show_case(case_id)

with db.session_scope(session.engine()) as s:
    uid = assessments.own_assessment(s, user, case_id)
# every full run shows what is stored; a change inside the form reruns the form alone
view = questionnaire_form.load(user, uid)["view"]
# Back, Forward, a reload or a link: the section the address names (the form writes it on each switch)
questionnaire_form.open_section(uid, assess_address.wanted_section(view.questionnaire))
st.caption(f"{view.case_ref} · {view.questionnaire.title} (version {view.questionnaire.version}) · "
           f"{view.purpose} assessment by {view.inspector}")


def next_steps() -> None:
    """After Mark complete: on to the next draft (the one saved most recently), or the register."""
    drafts = sorted((r for r in mine if unfinished(r) and r.case_id != case_id), key=last_saved, reverse=True)
    cols = st.columns(2)
    links = [("pages/assess.py", f"Next draft: {drafts[0].case_ref}", ":material/arrow_forward:",
              {"case": str(drafts[0].case_id)}, f"assess?case={drafts[0].case_id}")] if drafts else []
    links.append(("pages/cases.py", "The Cases register", ":material/folder_open:", None, "cases"))
    if not drafts:
        cols[0].caption("You have no other draft.")
    for col, (path, label, icon, params, address) in zip(cols[2 - len(links):], links):
        try:
            col.page_link(path, label=label, icon=icon, query_params=params)
        except StreamlitPageNotFoundError:  # the page run on its own, without the router's navigation
            col.markdown(f"[{label}](/{address})")


questionnaire_form.assessment_form(user, uid, next_steps=next_steps)
