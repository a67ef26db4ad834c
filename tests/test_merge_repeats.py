"""The lead's merge of laptop bundles over the entries of repeat groups: an answer in an entry is
matched, compared and audited by question and instance path (the audit row names the entry),
and two laptops' entries of one case stand side by side, never one over the other."""

from __future__ import annotations

import json

from sqlmodel import select

from fieldwork import audit, db
from fieldwork.services import merge
from models import Answer, Assessment, AuditEvent
from tests.laptops import LEAD_ACTOR, databases, edit, export, inspector, merge as merge_into  # noqa: F401
from tests.marking_repeat_helpers import add_form, score
from tests.test_second_marking_repeats import FIRST, SECOND


def ready(*engines):
    for engine in engines:
        with db.session_scope(engine) as s:
            add_form(s)


def slots_of(engine, uid: str) -> dict[str, str | None]:
    with db.session_scope(engine) as s:
        rows = s.exec(select(Answer.question, Answer.instance, Answer.value).join(
            Assessment, Assessment.id == Answer.assessment_id).where(Assessment.uid == uid)).all()
    return {(f"{i}/{q}" if i else q): v for q, i, v in rows}


def merge_audit(engine, action: str) -> list[tuple[str, str | None, str | None, dict]]:
    with db.session_scope(engine) as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()
        return [(r.question, r.old_value, r.new_value, json.loads(r.detail)) for r in rows
                if json.loads(r.detail or "{}").get("via") == "merge"]


def test_a_later_edit_replaces_entry_by_entry_and_each_change_names_its_entry(databases):
    laptop, lead = databases("laptop"), databases("lead")
    ready(laptop, lead)
    uid = score(laptop, "inspector1", "HS-0001", FIRST)
    merge_into(lead, export(laptop, inspector("inspector1")))
    # the second incident's answer changes; the first incident's answer to the same question does not
    edit(laptop, "inspector1", uid, {"incident[2]/attended": ("yes", None),
                                     "incident[1]/pin[1]/served": ("yes", "PIN copy on file, p.4")})

    report = merge_into(lead, export(laptop, inspector("inspector1")))

    assert (report.replaced, report.conflicts) == (1, 0)
    assert slots_of(lead, uid) == slots_of(laptop, uid)
    assert slots_of(lead, uid)["incident[1]/attended"] == "yes" and slots_of(lead, uid)["incident[2]/attended"] == "yes"
    changed = merge_audit(lead, audit.ANSWER_CHANGED)
    assert [(q, old, new, d.get("instance")) for q, old, new, d in changed] == [
        ("attended", "no", "yes", "incident[2]")]
    noted = merge_audit(lead, audit.NOTE_CHANGED)
    assert [(q, d.get("instance")) for q, _, _, d in noted] == [("served", "incident[1]/pin[1]")]
    assert "PIN copy" not in json.dumps(noted)  # a note only as changed, never its text


def test_two_laptops_entries_of_one_case_stand_side_by_side(databases):
    laptop_a, laptop_b, lead = databases("a"), databases("b"), databases("lead")
    ready(laptop_a, laptop_b, lead)
    uid_a = score(laptop_a, "inspector1", "HS-0001", FIRST)  # two incidents
    uid_b = score(laptop_b, "inspector2", "HS-0001", SECOND)  # three, the first's PIN judged otherwise
    merge_into(lead, export(laptop_a, inspector("inspector1")))

    report = merge_into(lead, export(laptop_b, inspector("inspector2")))

    assert (report.added, report.conflicts) == (1, 1)
    assert slots_of(lead, uid_a) == slots_of(laptop_a, uid_a)  # nothing of one written over the other
    assert slots_of(lead, uid_b) == slots_of(laptop_b, uid_b)
    with db.session_scope(lead) as s:
        conflict, = merge.open_conflicts(s, LEAD_ACTOR)
    differing = conflict.differing()
    assert sorted(differing) == ["incident[1]/pin[1]/served", "incident[3]/attended", "incident[3]/when"]
    assert conflict.entry_of("incident[1]/pin[1]/served") == "Incident 1 › PIN 1"
    assert conflict.entry_of("incident[3]/when") == "Incident 3" and conflict.entry_of("charged") == ""
    sides = {side.uid: side for side in conflict.sides}
    assert sides[uid_a].answers["incident[1]/pin[1]/served"] == "yes"
    assert sides[uid_b].answers["incident[1]/pin[1]/served"] == "no"
    assert "incident[3]/when" not in sides[uid_a].answers


def test_a_wrong_code_in_an_entry_is_refused_naming_the_entry(databases):
    from fieldwork.services import bundles
    from tests.test_bundles import refused, rewrite

    laptop, lead = databases("laptop"), databases("lead")
    ready(laptop, lead)
    score(laptop, "inspector1", "HS-0001", FIRST)

    def wrong_code(payload):
        for answer in payload["assessments"][0]["answers"]:
            if (answer["question"], answer.get("instance")) == ("served", "incident[1]/pin[1]"):
                answer["value"] = "perhaps"

    error = refused(lead, rewrite(export(laptop, inspector("inspector1")), wrong_code, fix_checksum=True),
                    bundles.INVALID)
    problem = next(p for p in error.problems if "'perhaps'" in p.message)
    assert problem.field == "incident[1]/pin[1]/served" and "in Incident 1 › PIN 1" in problem.message


def test_the_same_assessment_given_another_third_incident_on_two_laptops_keeps_both(databases):
    """Each laptop added its own incident 3 to the same assessment: the second bundle to arrive
    diverged, so both versions are kept and flagged; neither incident 3 is written over."""
    from tests.laptops import ADMIN_ACTOR
    from tests.marking_repeat_helpers import fill
    from tests.test_repeat_entries import Scorer

    laptop, spare, lead = databases("laptop"), databases("spare"), databases("lead")
    ready(laptop, spare, lead)
    uid = score(laptop, "inspector1", "HS-0001", FIRST)
    first = export(laptop, inspector("inspector1"))
    merge_into(lead, first)
    merge_into(spare, first, actor=ADMIN_ACTOR)
    for engine, when in ((laptop, "2016-03-01"), (spare, "2016-04-12")):
        tab = Scorer(engine, uid, inspector("inspector1"))
        edit(engine, "inspector1", uid, {}, complete=False)  # reopened
        fill(tab, {"incident[3]/when": when, "incident[3]/attended": "no"})
        tab.complete()
    merge_into(lead, export(laptop, inspector("inspector1")))  # descends: replaces

    report = merge_into(lead, export(spare, inspector("inspector1")))  # diverged

    assert (report.kept_both, report.conflicts, report.replaced) == (1, 1, 0)
    with db.session_scope(lead) as s:
        conflict, = merge.open_conflicts(s, LEAD_ACTOR)
    assert conflict.differing() == ["incident[3]/when"]
    assert sorted(side.answers["incident[3]/when"] for side in conflict.sides) == ["2016-03-01", "2016-04-12"]
    assert conflict.entry_of("incident[3]/when") == "Incident 3"
