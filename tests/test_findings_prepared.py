"""The findings command's short way (fieldwork.findings_prepared): statements prepared at the
start, run through sqlite3 without SQLAlchemy, print exactly what ``findings.compute`` counts;
wherever they cannot be used the command takes the whole way and still prints the same."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from fieldwork import cli, db, findings_prepared, start_stamp
from fieldwork.services import findings, findings_statements, inspections
from fieldwork.services.findings_formats import to_csv, to_json, to_text
from tests import test_findings_properties as props
from tests.forms import build


def _sqlite(engine) -> bool:
    return engine.dialect.name == "sqlite"


def _expected(engine, questionnaire: str, **kwargs) -> str:
    with db.session_scope(engine) as s:
        return to_json(findings.compute(s, questionnaire, **kwargs))


def _prepare(engine) -> int:
    """What a start does: statements for every attached questionnaire's current version."""
    with db.session_scope(engine) as s:
        return findings_statements.store(s, start_stamp.fingerprint())


@pytest.mark.parametrize("questionnaire", ["case_review", "pin_review"])
def test_the_demonstration_data_counted_the_short_way_is_what_the_service_counts(demo_engine, db_url, capsys,
                                                                                 questionnaire):
    expected = _expected(demo_engine, questionnaire)
    report = findings_prepared.overall(db_url, questionnaire)
    if not _sqlite(demo_engine):  # a server database: always the whole way
        assert report is None
    else:
        assert report is not None and to_json(report) == expected
        with db.session_scope(demo_engine) as s:
            assert report.drafts_excluded == findings.compute(s, questionnaire).drafts_excluded
    assert cli.main(["--db", db_url, "findings", questionnaire]) == 0
    assert capsys.readouterr().out == expected


def test_csv_and_text_are_the_same_either_way(demo_engine, db_url, capsys):
    with db.session_scope(demo_engine) as s:
        report = findings.compute(s, "case_review")
    for form, write in (("csv", to_csv), ("text", to_text)):
        assert cli.main(["--db", db_url, "findings", "case_review", "--format", form]) == 0
        assert capsys.readouterr().out == write(report)


LOADED = """
import io, json, sys
from fieldwork import cli
out, sys.stdout = sys.stdout, io.StringIO()
code = cli.main(sys.argv[1:])
printed, sys.stdout = sys.stdout.getvalue(), out
print(json.dumps({"code": code, "printed": printed,
                  "loaded": sorted({m.split(".")[0] for m in sys.modules} & {"sqlalchemy", "sqlmodel", "models"})}))
"""


def test_the_short_way_imports_no_sqlalchemy_and_a_breakdown_takes_the_whole_way(demo_engine, db_url):
    def run(*args):
        done = subprocess.run([sys.executable, "-c", LOADED, "--db", db_url, "findings", "case_review", *args],
                              capture_output=True, text=True, timeout=120)
        return json.loads(done.stdout)

    plain = run()
    assert plain["code"] == 0 and plain["printed"] == _expected(demo_engine, "case_review")
    assert plain["loaded"] == ([] if _sqlite(demo_engine) else ["models", "sqlalchemy", "sqlmodel"])
    by_force = run("--by", "force")
    assert by_force["loaded"] == ["models", "sqlalchemy", "sqlmodel"]
    assert by_force["printed"] == _expected(demo_engine, "case_review", by="force")
    filtered = run("--filter", "domestic_abuse=yes")
    assert filtered["printed"] == _expected(demo_engine, "case_review", filters={"domestic_abuse": ["yes"]})


def test_statements_made_by_other_code_or_for_another_version_are_not_used(demo_engine, db_url):
    if not _sqlite(demo_engine):
        with db.session_scope(demo_engine) as s:
            assert findings_statements.store(s, start_stamp.fingerprint()) == 0  # none on a server database
            assert s.execute(text("SELECT count(*) FROM prepared_findings")).scalar() == 0
        assert findings_prepared.overall(db_url, "case_review") is None
        return
    assert findings_prepared.overall(db_url, "case_review") is not None
    with db.session_scope(demo_engine) as s:  # a start by other code: another stamp
        s.execute(text("UPDATE start_stamp SET fingerprint = 'other code'"))
    assert findings_prepared.overall(db_url, "case_review") is None
    with db.session_scope(demo_engine) as s:
        start_stamp.record(s)
        s.execute(text("UPDATE prepared_findings SET fingerprint = 'other code'"))
    assert findings_prepared.overall(db_url, "case_review") is None
    assert _prepare(demo_engine) == 2  # the next start makes them again, for both questionnaires
    assert findings_prepared.overall(db_url, "case_review") is not None
    with db.session_scope(demo_engine) as s:  # a reader of another format of the stored JSON
        s.execute(text("UPDATE prepared_findings SET statements = json_set(statements, '$.format', 99)"))
    assert findings_prepared.overall(db_url, "case_review") is None


def test_a_questionnaire_version_added_since_the_start_takes_the_whole_way(engine, db_url, capsys):
    q = props.questionnaire()
    with db.session_scope(engine) as s:
        inspections.add_questionnaire(s, q, inspections.inspection_by_code(s), actor="test")
    props.store(engine, [{"status": "complete", "counted": True,
                          "answers": {"grp": "x", "qa": "yes", "qb": "no", "qc": "fully_met"}}])
    assert findings_prepared.overall(db_url, props.QID) is None  # none prepared for it yet
    assert _prepare(engine) == (1 if _sqlite(engine) else 0)
    assert (findings_prepared.overall(db_url, props.QID) is not None) == _sqlite(engine)
    newer = build(props.SURVEY, choices=props.CHOICES, indicators=props.INDICATORS,
                  settings={"form_id": props.QID, "version": "2", "framework": "harassment_stalking_2017"})
    with db.session_scope(engine) as s:
        inspections.add_questionnaire(s, newer, inspections.inspection_by_code(s), actor="test")
    assert findings_prepared.overall(db_url, props.QID) is None  # version 2 is the current one now
    assert cli.main(["--db", db_url, "findings", props.QID]) == 0
    assert capsys.readouterr().out == _expected(engine, props.QID)


def test_unknown_names_take_the_whole_way_which_says_what_is_wrong(engine, db_url, capsys):
    assert findings_prepared.overall(db_url, "no_such_form") is None
    assert findings_prepared.overall(db_url, "case_review", "no_such_inspection") is None
    assert cli.main(["--db", db_url, "findings", "no_such_form"]) == 1
    assert "no questionnaire 'no_such_form'" in capsys.readouterr().err
    assert cli.main(["--db", db_url, "--inspection", "no_such_inspection", "findings", "case_review"]) == 1
    assert "no inspection 'no_such_inspection'" in capsys.readouterr().err
    named = findings_prepared.overall(db_url, "case_review", "living_in_fear_2017")
    assert (named is not None) == _sqlite(engine)
    assert findings_prepared.overall("sqlite:////no/such/file.db", "case_review") is None


WITH_MULTIPLE = """
| type                   | name  | label |
| select_one yes_no      | qa    | A     |
| select_multiple yes_no | qm    | M     |
"""
WITH_NUMBER = """
| type              | name  | label |
| select_one yes_no | qa    | A     |
| integer           | n     | N     |
"""


@pytest.mark.parametrize("form", ["repeat", "multiple", "number"])
def test_what_the_statements_do_not_count_is_never_prepared(form):
    from tests import repeat_helpers

    q = repeat_helpers.build() if form == "repeat" else build(
        WITH_MULTIPLE if form == "multiple" else WITH_NUMBER, settings={"form_id": "other", "version": "1"})
    assert not findings_statements.preparable(q)
    assert findings_statements.preparable(props.questionnaire())


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.lists(props.case_strategy, max_size=25))
def test_random_cases_counted_the_short_way_equal_a_plain_recount(engine, db_url, cases):
    """Drafts, uncounted cases, blanks and stale codes: with few outsiders the counts are taken
    by the complement, with many joined to the population; both as the report's rules say."""
    q = props.questionnaire()
    with db.session_scope(engine) as s:
        if not s.execute(text(f"SELECT 1 FROM questionnaire_version WHERE questionnaire = '{props.QID}'")).first():
            inspections.add_questionnaire(s, q, inspections.inspection_by_code(s), actor="test")
    _prepare(engine)
    props.store(engine, cases)
    report = findings_prepared.overall(db_url, props.QID)
    if not _sqlite(engine):
        assert report is None
        return
    cases_n, _, expected = props.recount(q, cases, None, {})
    assert report.cases == cases_n
    got = {(f.id, f.answer, f.group): (f.count, f.denominator, f.percent, f.not_known, f.not_applicable)
           for f in report.findings}
    assert got == expected
    assert to_json(report) == _expected(engine, props.QID)
    assert report.drafts_excluded == sum(c["status"] == "draft" and c["counted"] for c in cases)
