"""The Audit page (leads, admins): the trail with filters, a page at a time, downloads."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from fieldwork import audit, db
from models import AuditEvent
from tests.apptest import page


def fill(engine, n_old=0):
    now = datetime.now(timezone.utc)
    with db.session_scope(engine) as s:
        audit.record(s, "inspector1", audit.CASE_CREATED, case_ref="HS-0001")
        audit.record(s, "inspector1", audit.ANSWER_CHANGED, case_ref="HS-0001", question="vps_taken",
                     old_value="no", new_value="yes")
        audit.record(s, "inspector2", audit.CASE_CREATED, case_ref="HS-0002")
        for i in range(n_old):
            s.add(AuditEvent(at=now - timedelta(days=90), actor="inspector3", action=audit.SIGN_IN))


def audit_page(db_url, monkeypatch):
    return page("pages/audit.py", db_url, monkeypatch, user="lead1", role="lead").run()


def test_the_trail_of_the_last_30_days_is_shown(engine, db_url, monkeypatch):
    fill(engine, n_old=2)
    at = audit_page(db_url, monkeypatch)
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame["What"]) == ["case added", "answer changed", "case added"]  # words, not codes
    assert "**3** events match" in at.markdown[0].value


def test_every_action_the_app_records_has_words(engine, db_url, monkeypatch):
    """Every action passed to audit.record anywhere in the source has its words on the page."""
    import re
    from pathlib import Path

    from fieldwork import audit_words

    root = Path(__file__).resolve().parents[2]
    sources = {p: p.read_text() for p in [*root.joinpath("fieldwork").rglob("*.py"), *root.joinpath("pages").glob("*.py")]}
    everything = "\n".join(sources.values())
    codes = set()
    for path, source in sources.items():
        for name in re.findall(r"audit\.record\(\s*[^,]+,\s*[^,]+,\s*(?:audit\.|[a-z_]+\.)?([A-Z_]+)", source):
            # defined in this module, else in the one it imports it from (audit.py or another service)
            values = re.findall(rf'^{name} = "([^"]+)"', source, re.M) or sorted(
                {v for v in re.findall(rf'^{name} = "([^"]+)"', everything, re.M) if "." in v or v in vars(audit).values()})
            assert len(values) == 1, f"{path.name}: {name}"
            codes |= set(values)
    assert len(codes) > 30 and codes - set(audit_words.WORDS) == set()
    at = audit_page(db_url, monkeypatch)
    assert at.multiselect(key="audit_actions").format_func(audit.SIGN_IN_FAILED) == "sign-in refused"


def test_the_check_says_which_role_the_app_runs_as(engine, db_url, monkeypatch):
    fill(engine)
    at = audit_page(db_url, monkeypatch)
    at.button(key="audit_verify").click().run()
    assert "whole" in at.success[0].value
    assert any("no roles" in c.value or "Connected as" in c.value for c in at.caption)


def test_filters_narrow_the_trail(engine, db_url, monkeypatch):
    fill(engine, n_old=2)
    at = audit_page(db_url, monkeypatch)
    at.selectbox(key="audit_actor").select("inspector1").run()
    at.multiselect(key="audit_actions").set_value([audit.ANSWER_CHANGED]).run()
    frame = at.dataframe[0].value
    assert list(frame["Change"]) == ["vps_taken: no → yes"]
    at.multiselect(key="audit_actions").set_value([]).run()
    at.text_input(key="audit_case_ref").input("HS-0002").run()
    assert len(at.dataframe[0].value) == 0
    at.selectbox(key="audit_actor").select("(everyone)").run()
    assert len(at.dataframe[0].value) == 1
    at.text_input(key="audit_case_ref").input("").run()
    at.selectbox(key="audit_actor").select("inspector3").run()
    today = date.today()
    at.date_input(key="audit_dates").set_value((today - timedelta(days=100), today)).run()
    assert len(at.dataframe[0].value) == 2


def test_a_long_trail_is_shown_a_page_at_a_time(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        for i in range(150):
            audit.record(s, "inspector1", audit.ANSWER_CHANGED, case_ref=f"HS-{i:04d}")
    at = audit_page(db_url, monkeypatch)
    assert len(at.dataframe[0].value) == 100
    at.number_input(key="audit_page").set_value(2).run()
    assert len(at.dataframe[0].value) == 50


def downloads_disabled(at) -> list[bool]:
    return [button.proto.disabled for button in at.get("download_button")]


def test_downloads_are_offered_only_when_rows_match(engine, db_url, monkeypatch):
    at = audit_page(db_url, monkeypatch)
    assert not at.exception
    assert "**0** events match" in at.markdown[0].value
    assert downloads_disabled(at) == [True, True]
    fill(engine)
    at.run()
    assert downloads_disabled(at) == [False, False]


def test_each_row_reads_in_words_whole(engine, db_url, monkeypatch):
    """Walk 23, F19: columns in words, no "None", no raw JSON, readable local times, the
    detail of an "account changed" row readable on the page; the CSV keeps the contract's."""
    import json

    from fieldwork.services import audit_log
    from fieldwork.ui.components import tables

    with db.session_scope(engine) as s:
        audit.record(s, "admin1", audit.USER_CHANGED, account="inspector4", change="added", role="inspector",
                     forces=["durham", "gwent"])
        audit.record(s, "inspector1", audit.STATUS_CHANGED, case_ref="HS-0001", old_value="draft",
                     new_value="complete", version=3)
        audit.record(s, "lead1", audit.SIGN_IN_FAILED, failures=1, reason="wrong_password")
    at = audit_page(db_url, monkeypatch)
    assert not at.exception
    shown = at.dataframe[0]
    frame = shown.value.set_index("What")
    config = json.loads(shown.proto.columns)
    visible = [c for c in shown.value.columns if not config.get(c, {}).get("hidden")]
    assert {"When", "Who", "Case", "Change", "Details"} <= set(visible)
    assert not {"case_ref", "assessment_uid", "old_value", "id", "Inspection"} & set(visible)
    assert shown.proto.placeholder == tables.EMPTY  # an empty cell reads "—"
    assert "None" not in {str(v) for v in shown.value[visible].to_numpy().ravel() if v is not None}
    assert frame.loc["account changed", "Details"] == ("account: inspector4; change: added; "
                                                       "forces: Durham Constabulary, Gwent Police; role: inspector")
    assert frame.loc["status changed (complete / reopened)", "Change"] == "status: draft → complete"
    assert frame.loc["sign-in refused", "Details"] == "failures: 1; reason: wrong password"
    assert all("{" not in str(v) for v in shown.value["Details"])
    when = datetime.strptime(frame.loc["sign-in refused", "When"], "%d %b %Y %H:%M:%S")
    assert abs(when - datetime.now()) < timedelta(minutes=5)  # this computer's time, not UTC's "+00:00"
    with db.session_scope(engine) as s:  # the download keeps the contract's columns, codes and JSON
        header = audit_log.export_csv(s, audit_log_actor(), audit_log.AuditFilter()).decode("utf-8-sig").splitlines()[0]
    assert header == ",".join(audit_log.COLUMNS)


def audit_log_actor():
    from fieldwork.services.permissions import Actor

    return Actor("lead1", "lead")
