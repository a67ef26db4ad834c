"""One rule for characters, applied by the app, imports and bundles alike: NUL and other
control characters are refused with the row and column (tab and newline only in notes), and
nothing stored can make an export fail."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import audit_log, bundles, characters, findings, findings_formats, importing
from exports import exporting
from tests.assess_helpers import INSPECTOR1, add
from tests.db_snapshot import snapshot
from tests.laptops import LEAD_ACTOR, databases, export, random_answers, score  # noqa: F401 (fixture)
from tests.test_bundles import rewrite
from tests.wide_helpers import csv_bytes, case_review_rows, xlsx_bytes

CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\x85", "\x9f", "\ud800", "\uffff"]
# Characters a person may well type or paste, each of which an exporter must carry
ALLOWED = "tab\there\nnew line · “quotes” ‘é’ — 𝒜 emoji 🙂 \u2028 \u200f rtl \U0001f469\u200d\U0001f4bb \ufffd ='=1+2 @sum -x"


@pytest.mark.parametrize("char", CONTROLS)
def test_the_rule_refuses_controls_everywhere_and_allows_tab_and_newline_only_in_notes(char):
    assert characters.problem(f"abc{char}def") and characters.problem(f"abc{char}def", multiline=True)
    assert "character 4" in characters.problem(f"abc{char}def")
    assert characters.problem("a\tb") and characters.problem("a\nb")
    assert characters.problem("a\tb\r\nc", multiline=True) is None


def _save(engine, uid, changes):
    from fieldwork.services import assessments

    with db.session_scope(engine) as s:
        version = assessments.load(s, INSPECTOR1, uid).version
        return assessments.save(s, INSPECTOR1, uid, version, changes)


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x9f"])
def test_the_app_refuses_a_control_character_in_a_note(engine, char):
    with db.session_scope(engine) as s:
        uid = add(s).assessment_uid
    before = snapshot(engine)
    with pytest.raises(ProblemError) as caught:
        _save(engine, uid, {"vps_taken": ("no", f"MG5 p.2{char}")})
    problem = caught.value.problems[0]
    assert problem.code == characters.BAD_CHARACTER and problem.item == "vps_taken" and problem.field == "note"
    assert "evidence note holds" in problem.message
    assert snapshot(engine) == before
    _save(engine, uid, {"vps_taken": ("no", "MG5 p.2\tline one\nline two")})  # tab and newline are kept


def test_adding_a_case_refuses_a_control_character_in_its_context(engine):
    before = snapshot(engine)
    with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:
        add(s, plea="guilty\x00")
    assert characters.BAD_CHARACTER in {p.code for p in caught.value.problems}
    assert snapshot(engine) == before


CELLS = [("note:vps_taken", "MG5\x01 p.2"), ("meta:inspector", "inspector1\x1b"), ("force", "durham\x85")]


XLSX_CELLS = [("note:vps_taken", "MG5\x80 p.2"), ("meta:inspector", "inspector1\x9f"), ("force", "durham\x85")]


# A NUL in the first 64 KiB refuses the CSV as binary; past it, the cell rule names its row and
# column. XML 1.0 cannot carry C0 controls at all (an .xlsx's _x0001_ is read as that text), so
# the .xlsx cases are C1 controls, which it can.
@pytest.mark.parametrize("kind,column,value", [("csv", c, v) for c, v in CELLS]
                         + [("xlsx", c, v) for c, v in XLSX_CELLS]
                         + [("csv", "note:vps_taken", "x" * 70_000 + "\x00")])
def test_an_import_refuses_a_control_character_with_its_row_and_column(engine, column, value, kind):
    with db.session_scope(engine) as s:
        rows = case_review_rows(s, 3)
    rows[1][column] = value
    data = csv_bytes(rows) if kind == "csv" else xlsx_bytes(rows)
    before = snapshot(engine)
    with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:
        importing.import_file(s, LEAD_ACTOR, "case_review", data, f"cases.{kind}")
    found = [p for p in caught.value.problems if p.code == characters.BAD_CHARACTER]
    assert [(p.row, p.field) for p in found] == [(3, column)]
    assert snapshot(engine) == before


@pytest.mark.parametrize("where", ["note", "inspector", "value"])
def test_a_bundle_refuses_a_control_character_even_with_its_checksum_recomputed(databases, where):
    laptop, lead = databases("laptop"), databases("lead")
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, 1), notes={"vps_taken": "MG5"})
    content = export(laptop, LEAD_ACTOR)

    def poison(payload):
        a = payload["assessments"][0]
        if where == "inspector":
            a["inspector"] = "inspector1\x07"
        else:
            answer = next(x for x in a["answers"] if x["question"] == "vps_taken")
            answer[where] = answer[where] + "\x00"

    before = snapshot(lead)
    with pytest.raises(ProblemError) as caught, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, rewrite(content, poison, fix_checksum=True), "laptop.zip")
    assert characters.BAD_CHARACTER in {p.code for p in caught.value.problems}
    assert snapshot(lead) == before


def test_a_deeply_nested_bundle_is_refused_with_a_message(databases):
    laptop, lead = databases("laptop"), databases("lead")
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, 1))
    deep = export(laptop, LEAD_ACTOR)
    import hashlib
    import json
    import zipfile

    data = b'{"cases":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with zipfile.ZipFile(io.BytesIO(deep)) as z:
        manifest = json.loads(z.read(bundles.MANIFEST))
    manifest["sha256"] = hashlib.sha256(data).hexdigest()
    bundles.seal_manifest(manifest)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(bundles.MANIFEST, json.dumps(manifest))
        z.writestr(bundles.PAYLOAD, data)
    with pytest.raises(ProblemError) as caught, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, out.getvalue(), "deep.zip")
    assert caught.value.problems[0].code == bundles.CORRUPT


def _every_export(engine) -> dict[str, bytes]:
    out = {}
    with db.session_scope(engine) as s:
        out["xlsx"] = exporting.export_workbook(s, LEAD_ACTOR, "case_review", with_notes=True)
        out["xlsx_plain"] = exporting.export_workbook(s, LEAD_ACTOR, "case_review")
        for labels in (False, True):
            out[f"csv_labels_{labels}"] = exporting.export_csv(s, LEAD_ACTOR, "case_review", labels=labels,
                                                               with_notes=True, bom=labels)
        out["bundle"] = bundles.export_bundle(s, LEAD_ACTOR).content
        out["audit_csv"] = audit_log.export_csv(s, LEAD_ACTOR)
        out["audit_xlsx"] = audit_log.export_xlsx(s, LEAD_ACTOR)
        out["findings_csv"] = findings_formats.to_csv(findings.compute(s, "case_review")).encode()
        out["findings_json"] = findings_formats.to_json(findings.compute(s, "case_review")).encode()
    return out


def test_every_value_the_app_stores_goes_through_every_exporter(engine):
    answers = random_answers(engine, 3)
    notes = {k: f"{k}: {ALLOWED}" for k in answers}
    score(engine, "inspector1", "HS-0001", answers, notes=notes)
    exported = _every_export(engine)
    wb = load_workbook(io.BytesIO(exported["xlsx"]), read_only=True)
    cells = {c for row in wb["responses"].iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert f"vps_taken: {ALLOWED}" in cells  # carried whole: tab, newline, emoji, quotes, formula-like text
    assert all(exported.values())
    assert ALLOWED in exported["csv_labels_False"].decode("utf-8").replace("\r\n", "\n")


def test_a_control_character_stored_before_the_rule_still_exports(engine):
    score(engine, "inspector1", "HS-0001", random_answers(engine, 4), notes={"vps_taken": "MG5"})
    with db.session_scope(engine) as s:  # a row written by an older version, or by hand
        s.execute(text("UPDATE answer SET note = 'MG5' || char(1) || 'p.2' WHERE question = 'vps_taken'")
                  if engine.dialect.name == "sqlite" else
                  text("UPDATE answer SET note = 'MG5' || chr(1) || 'p.2' WHERE question = 'vps_taken'"))
    exported = _every_export(engine)
    wb = load_workbook(io.BytesIO(exported["xlsx"]), read_only=True)
    cells = {c for row in wb["responses"].iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert "MG5\ufffdp.2" in cells


def test_a_utf32_file_is_refused_as_the_readme_says(engine):
    import codecs

    with db.session_scope(engine) as s:
        rows = case_review_rows(s, 2)
    data = codecs.BOM_UTF32_LE + csv_bytes(rows).decode("utf-8").encode("utf-32-le")
    before = snapshot(engine)
    with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:
        importing.import_file(s, LEAD_ACTOR, "case_review", data, "cases.csv")
    assert caught.value.problems[0].code == importing.BAD_ENCODING and "UTF-32" in caught.value.problems[0].message
    assert snapshot(engine) == before
