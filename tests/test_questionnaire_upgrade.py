"""A database made with case_review 2017.1 opens under 2017.2 (the finding sentences reworded
so that they read right for counts of 0 and 1), as a lead's laptop does after an update: the
new version is stored beside the old, nothing is refused, and the cases scored under 2017.1
are counted with the new sentences."""

from __future__ import annotations

import re
import shutil

from sqlmodel import select

from fieldwork import catalog, db, start_stamp, startup
from fieldwork.services import findings, inspections, store, synthetic

from tests.conftest import new_database_url
from models import QuestionnaireVersion


def _criteria_as_2017_1(tmp_path):
    """The criteria folder as it was under 2017.1: its version number and its count-blind wording."""
    copy = tmp_path / "criteria"
    shutil.copytree(catalog.criteria_dir(), copy)
    path = copy / "questionnaires" / "case_review.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('version = "2017.2"', 'version = "2017.1"').replace("{count} case{count|s}", "{count} cases")
    path.write_text(text, encoding="utf-8")
    return copy


def _forget_caches():
    catalog.load_catalog.cache_clear()
    start_stamp._fingerprint.cache_clear()


def test_a_database_scored_under_2017_1_counts_under_2017_2(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDWORK_CRITERIA_DIR", str(_criteria_as_2017_1(tmp_path)))
    _forget_caches()
    url = new_database_url(tmp_path)
    try:
        engine = startup.open_engine(url)
        with db.session_scope(engine) as s:
            version = inspections.current_version(s, "case_review")
            assert version.version == "2017.1"
            inspection = inspections.inspection_by_code(s)
            store.add_complete_assessments(
                s, inspection_id=inspection.id, version=version,
                records=synthetic.records(inspections.questionnaire_of(version), 5, prefix="UPG"), created_by="test")
        with db.session_scope(engine) as s:
            before = findings.compute(s, "case_review")
        db.dispose_all()

        monkeypatch.delenv("FIELDWORK_CRITERIA_DIR")  # the update: this checkout's criteria
        _forget_caches()
        engine = startup.open_engine(url)  # no "already stored with different content"
        with db.session_scope(engine) as s:
            stored = s.exec(select(QuestionnaireVersion.version).where(QuestionnaireVersion.questionnaire == "case_review")
                            .order_by(QuestionnaireVersion.id)).all()
            assert stored == ["2017.1", "2017.2"]
            after = findings.compute(s, "case_review")
    finally:
        _forget_caches()
    assert (before.version, after.version) == ("2017.1", "2017.2")
    assert after.cases == before.cases == 5
    assert [(f.id, f.answer, f.count, f.denominator) for f in after.findings] == \
           [(f.id, f.answer, f.count, f.denominator) for f in before.findings]
    one = re.compile(r"(?<!of )(?<!the )\b1 cases\b")  # "in 1 cases"; "1 of (the) 1 cases" reads as English
    reworded = [(old.text, new.text) for old, new in zip(before.findings, after.findings) if one.search(old.text)]
    assert reworded  # five cases make some count of one
    assert not [new for _, new in reworded if one.search(new)]
