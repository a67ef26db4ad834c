"""A merge warns of what the import of the same rows would (issue 17, stop 22): a note that
looks as if it holds personal details draws the same warning, with the same case, field and
words, from `fieldwork bundle import` and the Bundles page as from an import. A warning never
stops the merge."""

from __future__ import annotations

from fieldwork import cli, db
from fieldwork.services import bundles, importing
from tests.laptops import LEAD_ACTOR, databases, export, random_answers, score  # noqa: F401 (fixture)
from tests.wide_helpers import LEAD_USER, csv_bytes

NOTES = {"vps_taken": "VPS taken; victim's mobile 07700 900123 on p.3"}


def _laptop_bundle(databases):
    laptop, lead = databases("laptop"), databases("lead")
    answers = random_answers(laptop, 1)
    score(laptop, "inspector1", "HS-0001", answers, notes=NOTES)
    return export(laptop, LEAD_ACTOR), lead, answers


def _said(problems) -> list[tuple]:
    return [(p.code, p.item, p.field, p.message) for p in problems]


def test_a_merge_warns_as_the_import_of_the_same_row_does(databases):
    content, lead, answers = _laptop_bundle(databases)
    row = {"case_ref": "HS-0001", **answers, "note:vps_taken": NOTES["vps_taken"], "meta:inspector": "inspector1"}
    with db.session_scope(lead) as s:
        imported = importing.check_file(s, LEAD_USER, "case_review", csv_bytes([row]), "cases.csv").warnings
        s.rollback()
    assert _said(imported) == [("note_personal_data", "HS-0001", "note:vps_taken",
                                "the note looks as if it holds a phone number: check it holds no personal details")]
    with db.session_scope(lead) as s:
        _, preview = bundles.preview(s, LEAD_ACTOR, content, "laptop.zip")
        s.rollback()
    assert _said(preview.warnings) == _said(imported)
    with db.session_scope(lead) as s:
        report = bundles.import_bundle(s, LEAD_ACTOR, content, "laptop.zip")
    assert _said(report.warnings) == _said(imported) and report.added == 1  # warned, and merged


def test_a_bundle_without_such_notes_warns_of_nothing(databases):
    laptop, lead = databases("laptop"), databases("lead")
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, 1), notes={"vps_taken": "MG5 p.2"})
    with db.session_scope(lead) as s:
        assert bundles.import_bundle(s, LEAD_ACTOR, export(laptop, LEAD_ACTOR), "laptop.zip").warnings == []


def test_the_cli_prints_the_warning(databases, tmp_path, capsys):
    content, lead, _ = _laptop_bundle(databases)
    path = tmp_path / "laptop.fwbundle.zip"
    path.write_bytes(content)
    url = lead.url.render_as_string(hide_password=False)
    for dry in (["--dry-run"], []):
        assert cli.main(["--db", url, "bundle", "import", str(path), *dry]) == 0
        err = capsys.readouterr().err
        assert ("fieldwork: warning: laptop.fwbundle.zip: case 'HS-0001': column 'note:vps_taken': the note looks as "
                "if it holds a phone number: check it holds no personal details") in err, err
