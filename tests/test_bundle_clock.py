"""A bundle's times more than a day ahead of the lead's clock (issue 17, stop 22). No decision of
the merge reads them — it replaces, keeps both or skips by revisions — so the work is kept as
the laptop recorded it, with a warning naming the field and the time (as ODK Central keeps a
device's times), never refused."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from fieldwork import cli, db
from fieldwork.problems import ProblemError
from fieldwork.services import bundles
from models import utcnow
from tests.db_snapshot import snapshot
from tests.laptops import LEAD_ACTOR, databases, edit, export, random_answers, score  # noqa: F401 (fixture)
from tests.test_bundle_manifest import _resealed
from tests.test_bundles import rewrite

AHEAD = (utcnow() + timedelta(days=30)).replace(microsecond=0)


def _ahead(payload, *, answers: bool = True) -> None:
    for a in payload["assessments"]:
        a["updated_at"] = a["completed_at"] = AHEAD.isoformat()
        for x in a["answers"] if answers else []:
            x["updated_at"] = AHEAD.isoformat()


def _stored_time(engine, sql: str) -> datetime:
    with engine.connect() as c:
        value = c.execute(text(sql)).scalar()
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def test_times_ahead_are_kept_with_a_warning_naming_the_field_and_the_time(databases):
    laptop, lead = databases("laptop"), databases("lead")
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, 1))
    content = rewrite(export(laptop, LEAD_ACTOR), lambda p: _ahead(p, answers=False), fix_checksum=True)
    with db.session_scope(lead) as s:
        report = bundles.import_bundle(s, LEAD_ACTOR, content, "laptop.zip")
    assert report.added == 1
    said = {w.field: w.message for w in report.warnings if w.code == "bundle_time_ahead"}
    assert set(said) == {"updated_at", "completed_at"}
    assert said["completed_at"].startswith(f"the assessments' completed_at {AHEAD.isoformat()} lies more than a day "
                                           "ahead of this computer's clock ("), said
    assert "kept as the laptop recorded it" in said["completed_at"] and "check the clock" in said["completed_at"]
    assert {w.item for w in report.warnings} == {"HS-0001"}
    assert _stored_time(lead, "SELECT completed_at FROM assessment") == AHEAD  # as the laptop recorded it


def test_many_times_ahead_make_one_warning_per_kind(databases):
    laptop, lead = databases("laptop"), databases("lead")
    for i in range(1, 4):
        score(laptop, "inspector1", f"HS-000{i}", random_answers(laptop, i))
    content = rewrite(export(laptop, LEAD_ACTOR), _ahead, fix_checksum=True)
    with db.session_scope(lead) as s:
        report = bundles.import_bundle(s, LEAD_ACTOR, content, "laptop.zip")
    ahead = [w for w in report.warnings if w.code == "bundle_time_ahead"]
    assert sorted(w.field for w in ahead) == ["completed_at", "updated_at", "updated_at"]  # assessments', answers'
    answers = next(w for w in ahead if "the answers'" in w.message)
    assert f" of the answers' updated_at times lie (the latest {AHEAD.isoformat()}) more than a day ahead" \
        in answers.message, answers.message


def test_a_manifest_exported_ahead_is_kept_with_a_warning(databases):
    laptop, lead = databases("laptop"), databases("lead")
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, 1))

    def ahead(m):
        m["created_at"] = AHEAD.isoformat()
    with db.session_scope(lead) as s:
        report = bundles.import_bundle(s, LEAD_ACTOR, _resealed(export(laptop, LEAD_ACTOR), ahead), "laptop.zip")
    assert [w.message.split(" lies")[0] for w in report.warnings] == [f"the manifest's created_at {AHEAD.isoformat()}"]


def test_no_decision_of_the_merge_reads_the_times(databases):
    """An older revision sent with times far ahead is still older: the lead's later work stays,
    and the database is byte-identical."""
    laptop, lead = databases("laptop"), databases("lead")
    uid = score(laptop, "inspector1", "HS-0001", random_answers(laptop, 1))
    first = export(laptop, LEAD_ACTOR)
    edit(laptop, "inspector1", uid, {"vps_taken": ("no", "MG5 p.2 read again")})
    with db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, export(laptop, LEAD_ACTOR), "later.zip")
    before = snapshot(lead)
    stale = rewrite(first, _ahead, fix_checksum=True)
    with db.session_scope(lead) as s:
        report = bundles.import_bundle(s, LEAD_ACTOR, stale, "earlier.zip")
    assert report.older == 1 and not report.replaced and not report.kept_both and not report.changed
    assert any(w.code == "bundle_time_ahead" for w in report.warnings)
    assert snapshot(lead) == before


def test_the_cli_prints_the_warning_and_merges(databases, tmp_path, capsys):
    laptop, lead = databases("laptop"), databases("lead")
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, 1))
    path = tmp_path / "laptop.fwbundle.zip"
    path.write_bytes(rewrite(export(laptop, LEAD_ACTOR), lambda p: _ahead(p, answers=False), fix_checksum=True))
    assert cli.main(["--db", lead.url.render_as_string(hide_password=False), "bundle", "import", str(path)]) == 0
    out = capsys.readouterr()
    assert (f"fieldwork: warning: laptop.fwbundle.zip: case 'HS-0001': column 'completed_at': the assessments' "
            f"completed_at {AHEAD.isoformat()} lies more than a day ahead") in out.err, out.err
    assert "1 assessment(s) added" in out.out


def test_a_time_no_computer_can_show_is_still_refused(databases):
    laptop, lead = databases("laptop"), databases("lead")
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, 1))
    content = rewrite(export(laptop, LEAD_ACTOR), lambda p: p["assessments"][0].update(
        updated_at="9999-12-31T23:59:59+00:00"), fix_checksum=True)
    before = snapshot(lead)
    with pytest.raises(ProblemError) as caught, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, content, "laptop.zip")
    assert "after 9998, which cannot be shown in every time zone" in str(caught.value)
    assert snapshot(lead) == before
