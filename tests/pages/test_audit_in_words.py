"""The Audit page reads answer changes and details in words (walk 25, V4): the question as Assess
asks it and the answer's label, from the questionnaire version of the row's assessment; a second
marking's details as "first marker: …; case facts copied …"; never a note's text (the trail keeps
codes only, and the words come from the questionnaire, not from the case)."""

from __future__ import annotations

from fieldwork import audit_words, db
from fieldwork.services import inspections, second_marking
from tests.apptest import page
from tests.laptops import LEAD_ACTOR, random_answers, score

NOTE = "Crime report p4 shows the DASH was done on the day"


def test_answer_changes_and_second_marking_details_read_in_words(engine, db_url, monkeypatch):
    answers = random_answers(engine, seed=5, vps_taken="yes", avoidable_delay="no")
    uid = score(engine, "inspector1", "HS-0001", answers, notes={"vps_taken": NOTE})
    with db.session_scope(engine) as s:
        second_marking.assign(s, LEAD_ACTOR, {uid: "inspector2"}, rule="test")
        q = inspections.load_questionnaire(s, "case_review")
    at = page("pages/audit.py", db_url, monkeypatch, user="lead1", role="lead").run()
    assert not at.exception
    frame = at.dataframe[0].value
    changes = dict(zip(frame["What"] + "|" + frame["Change"].fillna(""), frame["Details"].fillna("")))
    vps = q.question("vps_taken").label
    mark = "" if vps.endswith("?") else ":"
    assert f"answer changed|{vps}{mark} — → {q.label_of('vps_taken', 'yes')}" in changes
    assert f"evidence note changed|{vps}" in changes
    # no code of a question in the change column where the questionnaire gives its words
    asked = [c for c in frame.loc[frame["What"] == "answer changed", "Change"]]
    assert asked and not any(c.split(":")[0] in {x.name for x in q.questions} for c in asked)
    (assigned,) = frame.loc[frame["What"] == "second marking assigned", "Details"]
    assert "first marker: inspector1" in assigned and "second marker: inspector2" in assigned
    assert "case facts copied from the first marking:" in assigned and "step: assigned" in assigned
    assert "context_copied" not in assigned
    shown = " ".join(str(v) for v in frame.to_numpy().ravel())
    assert NOTE not in shown and "Crime report" not in shown


def test_without_the_questionnaire_the_codes_read_as_before():
    assert audit_words.change_words("vps_taken", "no", "partially_met") == "vps_taken: no → partially met"
    assert audit_words.change_words("vps_taken", None, None) == "question: vps_taken"
    assert audit_words.detail_words('{"second": "yes", "step": "agreed"}') == "second marker: yes; step: agreed"


def test_a_moderated_answer_and_an_entry_read_by_their_labels(engine):
    with db.session_scope(engine) as s:
        q = inspections.load_questionnaire(s, "case_review")
    choice = next(x for x in q.single_choice_questions if len(q.options(x.name)) >= 2)
    first, second = (c.code for c in q.options(choice.name)[:2])
    detail = f'{{"step": "agreed", "second": "{second}"}}'
    assert audit_words.detail_words(detail, q, choice.name) == \
        f"step: agreed; second marker: {q.label_of(choice.name, second)}"
    assert audit_words.change_words(choice.name, first, None, "moderation", q).endswith(
        f"{q.label_of(choice.name, first)} → —")
    assert audit_words.change_words(None, "draft", "complete", "status.changed", q) == "status: draft → complete"



def test_an_answer_in_an_entry_names_the_entry():
    from tests.repeat_helpers import build

    q = build()
    assert audit_words.change_words("served", None, "yes", "answer.changed", q) == "Served in person: — → Yes"
    assert audit_words.detail_words('{"instance": "incident[2]/pin[1]"}', q, "served") == \
        "entry: Incident 2 › PIN issued 1"
