"""A judgement citing evidence that neither side holds any longer is said in words a lead
understands, not as "cites evidence <32-hex id>" (stop 25, item 5)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import bundle_evidence, judgement_conflicts
from models import EvidenceExcerpt, EvidenceItem
from tests.evidence_helpers import LEAD1, LEAD2, add_interview
from tests.laptops import databases, export  # noqa: F401 (the fixture)
from tests.test_bundle_evidence import judge, merge


def _remove(engine, uid: str) -> None:
    """The item gone from this database (as by a restore from an older copy): its excerpts too."""
    with db.session_scope(engine) as s:
        item_id = s.execute(EvidenceItem.__table__.select().where(EvidenceItem.uid == uid)).first().id
        s.execute(delete(EvidenceExcerpt).where(EvidenceExcerpt.evidence_id == item_id))
        s.execute(delete(EvidenceItem).where(EvidenceItem.id == item_id))


def test_a_merge_refuses_a_judgement_citing_evidence_neither_side_holds_in_words(databases):
    laptop, lead = databases("laptop"), databases("lead")
    with db.session_scope(laptop) as s:
        cited = add_interview(s)
    judge(laptop, LEAD1, "met", evidence_uids=[cited.uid])
    _remove(laptop, cited.uid)
    with pytest.raises(ProblemError) as refused:
        merge(lead, export(laptop, LEAD1))
    [said] = [p.message for p in refused.value.problems if "cites" in p.message]
    assert said == ("the judgement cites an evidence item no longer held on either side, in the bundle or in this "
                    f"database (id {cited.uid[:8]}…): it may have been removed after the judgement was made")
    assert cited.uid not in said  # never the whole internal id


def test_a_judgement_conflict_names_evidence_gone_from_both_sides_in_words(databases):
    laptop, lead = databases("laptop"), databases("lead")
    with db.session_scope(lead) as s:
        cited = add_interview(s)
    judge(laptop, LEAD2, "met")
    judge(lead, LEAD1, "not_met", evidence_uids=[cited.uid])
    merge(lead, export(laptop, LEAD1))
    _remove(lead, cited.uid)
    with db.session_scope(lead) as s:
        [conflict] = judgement_conflicts.describe(s, LEAD1, bundle_evidence.open_conflicts(s, LEAD1))
    assert conflict.here.cites == [f"an evidence item no longer held on either side (id {cited.uid[:8]}…)"]
