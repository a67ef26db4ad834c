"""Our wide export in KoboToolbox's and ODK Central's layouts: the columns those tools write,
and back in through the importer with identical answers (into a fresh database)."""

from __future__ import annotations

import csv
import io

import pytest

from fieldwork import db, startup
from fieldwork.cli import main
from fieldwork.problems import ProblemError
from fieldwork.services import findings, importing
from exports import exporting
from tests import foreign_exports as fx
from tests.apptest import page
from tests.conftest import new_database_url
from tests.test_odk_kobo import import_bytes, load_form
from tests.wide_helpers import LEAD_USER, answers_by_case


def imported(engine, n=15):
    load_form(engine)
    subs = fx.submissions(n, seed=21)
    import_bytes(engine, fx.kobo_csv(subs, delimiter=","), "submissions.csv")
    return subs


def export(engine, layout):
    with db.session_scope(engine) as s:
        return exporting.export_layout(s, LEAD_USER, fx.QUESTIONNAIRE, layout, file_name=f"out_{layout}.csv")


def test_kobo_layout_has_kobos_columns(engine):
    subs = imported(engine)
    data = export(engine, "kobo").decode()
    assert data.startswith('"')  # every cell quoted, as KoboToolbox writes
    rows = list(csv.DictReader(io.StringIO(data), delimiter=";"))
    header = list(rows[0])
    # the questionnaire's sections are the groups: nested groups give their innermost name
    assert {"case_ref", "context/force", "dates/reported_on", "charge/days_to_charge", "behaviours/following",
            "place/location", "_place/location_latitude", "_uuid", "_submission_time", "__version__",
            "_index"} <= set(header)
    by_uuid = {r["_uuid"]: r for r in rows}
    first = by_uuid[subs[0]["uuid"]]  # the instance id it came with
    assert first["case_ref"] == subs[0]["uuid"]
    assert first["_submission_time"] == subs[0]["submitted"].strftime("%Y-%m-%dT%H:%M:%S")
    ticked = subs[0]["answers"].get("behaviours", "").split()
    assert [first[f"behaviours/{c}"] for c in fx.BEHAVIOURS] == (
        [("1" if c in ticked else "0") for c in fx.BEHAVIOURS] if ticked else ["", "", ""])


def test_odk_layout_has_centrals_columns(engine):
    imported(engine)
    data = export(engine, "odk").decode()
    header = next(csv.reader(io.StringIO(data)))
    assert header[0] == "SubmissionDate" and header[-11:] == [
        "meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
        "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"]
    assert "place-location-Latitude" in header and "place-location" not in header
    assert "context-force" in header


@pytest.mark.parametrize("layout", ["kobo", "odk"])
def test_export_then_import_gives_identical_answers_and_findings(engine, tmp_path, layout):
    imported(engine)
    data = export(engine, layout)
    with db.session_scope(engine) as s:
        before = findings.compute(s, fx.QUESTIONNAIRE).to_dict()
    answers = answers_by_case(engine, fx.QUESTIONNAIRE)
    other = startup.open_engine(new_database_url(tmp_path, "other"))
    load_form(other)
    result = import_bytes(other, data, f"out_{layout}.csv")
    assert result.written == 15
    assert answers_by_case(other, fx.QUESTIONNAIRE) == answers
    with db.session_scope(other) as s:
        assert findings.compute(s, fx.QUESTIONNAIRE).to_dict() == before


def test_command_line_layout(engine, db_url, tmp_path, capsys):
    imported(engine, 4)
    out = tmp_path / "out.csv"
    assert main(["export", fx.QUESTIONNAIRE, str(out), "--layout", "odk", "--db", db_url]) == 0
    assert "in ODK Central's layout" in capsys.readouterr().out
    assert out.read_text().startswith("SubmissionDate,")
    assert main(["export", fx.QUESTIONNAIRE, str(tmp_path / "out.xlsx"), "--layout", "kobo", "--db", db_url]) != 0
    assert "--layout writes a .csv" in capsys.readouterr().err


def test_an_unknown_layout_is_refused(engine):
    imported(engine, 2)
    with pytest.raises(ProblemError):
        export(engine, "redcap")


def test_export_page_offers_both_layouts(engine, db_url, monkeypatch):
    from fieldwork.ui import session

    imported(engine, 3)
    at = page("pages/export.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.selectbox(key="export_questionnaire").set_value(fx.QUESTIONNAIRE).run()
    at.radio(key="export_format").set_value("kobo").run()
    assert not [c for c in at.checkbox if c.key == "export_notes"]  # those tools' exports carry no notes
    at.button(key="export_prepare").click().run()
    assert not at.exception
    prepared = at.session_state["export_prepared"]
    assert prepared["name"].endswith("_kobo_" + prepared["name"].rsplit("_", 1)[1])
    assert prepared["data"].startswith(b'"case_ref";"start";"end";"context/force";')
