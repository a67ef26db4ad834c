"""Revisions carry what they held (fieldwork.services.revision_content): a bundle replaces the
lead's copy only if its chain holds the lead's current revision *with the lead's content*.
The forged-lineage attack of issue 17 — a bundle, checksum recomputed, claiming the lead's
revision as its parent with other answers — now keeps both and flags a conflict; and a note
of 30 MB in a bundle is refused with a message."""

from __future__ import annotations

import pytest
from sqlmodel import select

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import assessments, bundles, revision_content
from models import Assessment, MergeConflict, new_uid
from tests.db_snapshot import snapshot
from tests.laptops import LEAD_ACTOR, databases, edit, export, inspector, merge, random_answers, score  # noqa: F401
from tests.test_bundles import rewrite


def _lead_holds(lead, uid):
    with db.session_scope(lead) as s:
        view = assessments.load(s, LEAD_ACTOR, uid)
        return dict(view.answers), dict(view.notes), s.exec(
            select(Assessment.revision).where(Assessment.uid == uid)).one()


def _forge(first: bytes, lead_revision: str, *, content_hash) -> bytes:
    """The laptop's first bundle rewritten: a new revision whose parent is the lead's, two
    answers changed, its lineage naming the lead's revision, checksum recomputed."""
    def change(payload):
        a = payload["assessments"][0]
        a["parent_revision"], a["revision"] = lead_revision, new_uid()
        for x in a["answers"]:
            if x["question"] == "avoidable_delay":
                x["value"] = "yes" if x["value"] == "no" else "no"
                x["note"] = "changed by the bundle"
        claimed = content_hash(a) if content_hash else None
        payload["lineage"] = [{"lineage_uid": a["uid"], "revision": lead_revision, "parent_revision": None,
                               **({"content_hash": claimed} if claimed else {})}]
    return rewrite(first, change, fix_checksum=True)


@pytest.mark.parametrize("claim", ["no hash", "hash of the forged answers", "a made-up hash"])
def test_a_forged_lineage_no_longer_replaces_the_leads_answers(databases, claim):
    laptop, lead = databases("laptop"), databases("lead")
    uid = score(laptop, "inspector1", "HS-0001", random_answers(laptop, 5, avoidable_delay="no"))
    first = export(laptop, inspector("inspector1"))
    assert merge(lead, first).added == 1
    held = _lead_holds(lead, uid)
    revision = held[2]

    content_hash = {"no hash": None,
                    "hash of the forged answers": lambda a: revision_content.of_bundle_answers(a["answers"]),
                    "a made-up hash": lambda a: "ab" * 32}[claim]
    report = merge(lead, _forge(first, revision, content_hash=content_hash))

    assert (report.replaced, report.kept_both, report.conflicts) == (0, 1, 1)
    assert "conflict(s) were flagged" in report.summary()
    assert _lead_holds(lead, uid) == held  # the lead's answers and notes stand
    with db.session_scope(lead) as s:
        conflict = s.exec(select(MergeConflict)).one()
        here = s.exec(select(Assessment).where(Assessment.uid == uid)).one()
        copy = s.exec(select(Assessment).where(Assessment.uid == conflict.incoming_uid)).one()
    assert conflict.kept_uid == uid and here.counted and here.conflict and not copy.counted


def test_a_true_lineage_still_replaces_and_carries_the_hash(databases):
    laptop, lead = databases("laptop"), databases("lead")
    uid = score(laptop, "inspector1", "HS-0001", random_answers(laptop, 5, avoidable_delay="no"))
    merge(lead, export(laptop, inspector("inspector1")))
    edit(laptop, "inspector1", uid, {"avoidable_delay": ("yes", None)})
    report = merge(lead, export(laptop, inspector("inspector1")))
    assert (report.replaced, report.conflicts) == (1, 0)
    assert _lead_holds(lead, uid)[0]["avoidable_delay"] == "yes"


def test_a_lead_copy_changed_without_a_new_revision_is_not_overwritten(databases):
    """The laptop's chain names the lead's revision, but what the lead holds under it is not what
    the laptop recorded (changed here by hand): both are kept."""
    from sqlalchemy import text

    laptop, lead = databases("laptop"), databases("lead")
    uid = score(laptop, "inspector1", "HS-0001", random_answers(laptop, 5, avoidable_delay="no"))
    merge(lead, export(laptop, inspector("inspector1")))
    with lead.begin() as conn:
        conn.execute(text("UPDATE answer SET note = 'seen on file' WHERE question = 'avoidable_delay'"))
    edit(laptop, "inspector1", uid, {"avoidable_delay": ("yes", None)})
    report = merge(lead, export(laptop, inspector("inspector1")))
    assert (report.replaced, report.kept_both, report.conflicts) == (0, 1, 1)


def test_a_30_mb_note_in_a_bundle_is_refused_with_a_message(databases):
    laptop, lead = databases("laptop"), databases("lead")
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, 1))

    def change(payload):
        payload["assessments"][0]["answers"][0]["note"] = "x" * (30 * 1024 * 1024)

    content = rewrite(export(laptop, inspector("inspector1")), change, fix_checksum=True)
    before = snapshot(lead)
    with pytest.raises(ProblemError) as caught, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, content, "laptop.zip")
    message = " ".join(str(p) for p in caught.value.problems)
    assert "HS-0001" in message and f"{assessments.MAX_NOTE:,}" in message and "characters" in message
    assert len(message) < 2_000  # the note itself is never echoed back
    assert snapshot(lead) == before
