"""Every record a bundle carries is checked as the case and assessment records are (issue 17's
gap, stop 23): the evidence log and the criterion judgements — an item, its excerpts, a
judgement, its links and past grades — go through the same one reading per field kind
(``fieldwork.services.bundle_records``): characters by kind of field, lengths, the source's
name rule, and a time ahead of this clock kept with a warning. A refusal names the record, the
field and the reason in words, and leaves the lead's database byte-identical."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from fieldwork import cli, db
from fieldwork.problems import ProblemError
from fieldwork.services import bundle_evidence, evidence, judgements
from fieldwork.ui.components import sentence
from models import EvidenceConflict, EvidenceItem, Judgement, utcnow
from tests.db_snapshot import snapshot
from tests.evidence_helpers import DURHAM_INSPECTOR, LEAD1, add_interview, interview
from tests.laptops import databases, export  # noqa: F401 (fixture)
from tests.test_bundle_evidence import judge, merge
from tests.test_bundles import rewrite

AHEAD = (utcnow() + timedelta(days=30)).replace(microsecond=0)
OVERRIDE, ZWSP = "\u202e", "\u200b"


@pytest.fixture
def laptop_bundle(databases):
    """(the bundle of a laptop holding one interview EV-0001 with two excerpts and a judgement
    citing it, the lead's database)"""
    laptop, lead = databases("laptop"), databases("lead")
    with db.session_scope(laptop) as s:
        item = add_interview(s, DURHAM_INSPECTOR, ref="EV-0001")
    uid = judge(laptop, LEAD1, "partially_met", evidence_uids=[item.uid])
    judge(laptop, LEAD1, "not_met", version=1, evidence_uids=[item.uid])  # a past grade in its history
    assert uid
    return export(laptop, LEAD1), lead


def _refused(lead, content: bytes) -> str:
    before = snapshot(lead)
    with pytest.raises(ProblemError) as caught:
        merge(lead, content)
    assert snapshot(lead) == before  # nothing merged: byte-identical
    return " | ".join(sentence(p) for p in caught.value.problems)


def _item(payload) -> dict:
    return payload["evidence"][0]


def _judgement(payload) -> dict:
    return payload["judgements"][0]


# (where, how to change the payload, the words the refusal must hold)
REFUSED = [
    ("a note holding U+202E: the summary",
     lambda p: _item(p).update(summary="Interview notes \u202eseton"),
     "Evidence EV-0001: its summary holds U+202E RIGHT-TO-LEFT OVERRIDE at character 17, which makes text display "
     "in another order than it is stored"),
    ("a note holding U+202E: an excerpt's passage",
     lambda p: _item(p)["excerpts"][1].update(text="Officers do not \u2067always\u2069 complete it."),
     "Evidence EV-0001: excerpt 2's text holds U+2067 RIGHT-TO-LEFT ISOLATE"),
    ("a note holding U+202E: a judgement's rationale",
     lambda p: _judgement(p).update(rationale="not met on the \u202eecnedive"),
     "Judgement durham 3.1: its rationale holds U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("a note holding U+202E: a past grade's rationale",
     lambda p: _judgement(p)["history"][0].update(rationale="first \u202eview"),
     "Judgement durham 3.1: past grade 1's rationale holds U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("an invisible character in the source's name",
     lambda p: _item(p).update(source="force stalking\u200b SPOC"),
     "Evidence EV-0001: its source holds U+200B ZERO WIDTH SPACE at character 15, which cannot be seen: a name or "
     "reference holding it reads the same as one without it: remove it"),
    ("an invisible character in who recorded it",
     lambda p: _item(p).update(created_by="inspector2\u2060"),
     "its created_by holds U+2060 WORD JOINER"),
    ("an invisible character in the judge's name",
     lambda p: _judgement(p).update(judged_by="lead1\ufeff"),
     "Judgement durham 3.1: its judged_by holds U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("a reordering character in the evidence reference",
     lambda p: _item(p).update(ref="EV-\u202e1000"),
     "its ref holds U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("a no-break space in a link's target",
     lambda p: _judgement(p)["links"][0].__setitem__(1, _judgement(p)["links"][0][1][:10] + "\u00a0"),
     "Judgement durham 3.1: link 1's target holds U+00A0 NO-BREAK SPACE"),
    ("a control character in the reference (one line of text)",
     lambda p: _item(p).update(reference="shelf 3\x1b[2J"),
     "Evidence EV-0001: its reference holds the control character U+001B"),
    ("an over-long summary",
     lambda p: _item(p).update(summary="x" * (evidence.MAX_SUMMARY + 1)),
     f"Evidence EV-0001: its summary is {evidence.MAX_SUMMARY + 1:,} characters long; at most "
     f"{evidence.MAX_SUMMARY:,} are kept"),
    ("an over-long source",
     lambda p: _item(p).update(source="force stalking SPOC " * 11),
     "Evidence EV-0001: its source is 220 characters long; at most 200 are kept"),
    ("an over-long excerpt",
     lambda p: _item(p)["excerpts"][0].update(text="y" * (evidence.MAX_EXCERPT + 1)),
     f"excerpt 1's text is {evidence.MAX_EXCERPT + 1:,} characters long; at most {evidence.MAX_EXCERPT:,}"),
    ("an over-long rationale",
     lambda p: _judgement(p).update(rationale="z" * (judgements.MAX_RATIONALE + 1)),
     f"Judgement durham 3.1: its rationale is {judgements.MAX_RATIONALE + 1:,} characters long"),
    ("a source that holds personal details",
     lambda p: _item(p).update(source="victim's mother, mobile 07700 900123"),
     "Evidence EV-0001: the source looks as if it holds a phone number: describe the source by role and "
     "organisation"),
    ("a time no laptop recorded",
     lambda p: _judgement(p).update(judged_at="9999-12-31T23:59:59+00:00"),
     "Judgement durham 3.1: its judged_at '9999-12-31T23:59:59+00:00' is not a time the laptop could have recorded"),
    ("a held_on that is no date",
     lambda p: _item(p).update(held_on="2016-13-45"),
     "Evidence EV-0001: its held_on '2016-13-45' is not a date (YYYY-MM-DD)"),
    ("a version beyond 64 bits",
     lambda p: _judgement(p).update(version=2 ** 63),
     "Judgement durham 3.1: its version must be a whole number from 1 to"),
]


@pytest.mark.parametrize("change,words", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_a_refused_field_is_named_in_words_and_nothing_is_merged(laptop_bundle, change, words):
    content, lead = laptop_bundle
    said = _refused(lead, rewrite(content, change, fix_checksum=True))
    assert words in said, said


def test_every_fault_of_every_record_is_named_at_once(laptop_bundle):
    content, lead = laptop_bundle

    def spoil(p):
        _item(p).update(summary="a \u202e b", source="SPOC\u200b")
        _judgement(p).update(rationale="r" * (judgements.MAX_RATIONALE + 1))
        p["assessments"] = []
    said = _refused(lead, rewrite(content, spoil, fix_checksum=True))
    assert said.count("Evidence EV-0001:") == 2 and "Judgement durham 3.1:" in said, said


def test_any_script_and_emoji_are_kept_in_notes(laptop_bundle):
    content, lead = laptop_bundle
    summary = ("MG5 p.2 \U0001f469\u200d\U0001f4bb \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 and "
               "\u05e9\u05dc\u05d5\u05dd\u200f 12\n\tsecond line")
    rationale = "\u0915\u094d\u200d\u0937 and \U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"

    def kept(p):
        _item(p).update(summary=summary)
        _judgement(p).update(rationale=rationale)
    report = merge(lead, rewrite(content, kept, fix_checksum=True))
    assert report.evidence.evidence["add"] == 1 and report.evidence.judgements["add"] == 1
    with db.session_scope(lead) as s:
        assert s.execute(select(EvidenceItem.summary)).scalar_one() == summary
        assert s.execute(select(Judgement.rationale)).scalar_one() == rationale


def _stored(engine, sql: str):
    with engine.connect() as c:
        value = c.execute(text(sql)).scalar()
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if isinstance(value, datetime) and value.tzinfo is None else value


def _ahead(p):
    _item(p).update(created_at=AHEAD.isoformat(), updated_at=AHEAD.isoformat(), held_on=AHEAD.date().isoformat())
    _judgement(p).update(judged_at=AHEAD.isoformat())


def test_times_30_days_ahead_are_kept_with_a_warning_per_kind_of_time(laptop_bundle):
    content, lead = laptop_bundle
    report = merge(lead, rewrite(content, _ahead, fix_checksum=True))
    assert report.evidence.evidence["add"] == 1 and report.evidence.judgements["add"] == 1
    said = {(w.item, w.field): w.message for w in report.warnings if w.code == "bundle_time_ahead"}
    assert set(said) == {("EV-0001", "created_at"), ("EV-0001", "updated_at"), ("EV-0001", "held_on"),
                         ("durham 3.1", "judged_at")}, said
    assert said[("durham 3.1", "judged_at")].startswith(
        f"the judgements' judged_at {AHEAD.isoformat()} lies more than a day ahead of this computer's clock ("), said
    assert "kept as the laptop recorded it" in said[("EV-0001", "held_on")]
    assert {w.item_kind for w in report.warnings} == {"evidence", "judgement"}
    assert _stored(lead, "SELECT judged_at FROM judgement") == AHEAD  # as the laptop recorded it
    assert _stored(lead, "SELECT updated_at FROM evidence_item") == AHEAD


def test_no_decision_of_the_evidence_merge_reads_the_times(databases):
    """An older revision of an item sent with times far ahead is still older: the lead's later
    copy stays and the database is byte-identical."""
    laptop, lead = databases("laptop"), databases("lead")
    with db.session_scope(laptop) as s:
        add_interview(s, DURHAM_INSPECTOR, ref="EV-0001")
    first = export(laptop, LEAD1)
    with db.session_scope(laptop) as s:
        [view] = evidence.list_evidence(s, LEAD1)
        evidence.update_evidence(s, DURHAM_INSPECTOR, view.uid, interview(summary="read again", ref="EV-0001"),
                                 expected_revision=view.revision)
    merge(lead, export(laptop, LEAD1))
    before = snapshot(lead)
    report = merge(lead, rewrite(first, _ahead_item, fix_checksum=True))
    assert report.evidence.evidence["older"] == 1 and not report.evidence.changed
    assert any(w.code == "bundle_time_ahead" for w in report.warnings)
    assert snapshot(lead) == before


def _ahead_item(p):
    _item(p).update(created_at=AHEAD.isoformat(), updated_at=AHEAD.isoformat())


def test_a_conflict_keeps_only_the_fields_a_record_holds(databases):
    """What a merge keeps beside the lead's copy is what was checked: a key no evidence item
    holds is never stored."""
    laptop, lead = databases("laptop"), databases("lead")
    with db.session_scope(laptop) as s:
        add_interview(s, DURHAM_INSPECTOR, ref="EV-0001")
    merge(lead, export(laptop, LEAD1))
    for engine, summary in ((laptop, "changed on the laptop"), (lead, "changed here")):
        with db.session_scope(engine) as s:
            [view] = evidence.list_evidence(s, LEAD1)
            evidence.update_evidence(s, LEAD1, view.uid, interview(summary=summary, ref="EV-0001"),
                                     expected_revision=view.revision)
    content = rewrite(export(laptop, LEAD1), lambda p: _item(p).update(hidden="\u202e" * 50), fix_checksum=True)
    assert merge(lead, content).evidence.evidence["conflict"] == 1
    with db.session_scope(lead) as s:
        kept = s.execute(select(EvidenceConflict.content)).scalar_one()
        [conflict] = bundle_evidence.open_conflicts(s, LEAD1)
    assert "hidden" not in kept and conflict.incoming["summary"] == "changed on the laptop"


def test_the_app_refuses_what_a_bundle_refuses(engine):
    """The same field kinds in the app: a summary with U+202E and a source with U+200B are refused
    when evidence is added, a rationale with U+202E when a lead judges; emoji are kept."""
    before = snapshot(engine)
    with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:
        add_interview(s, DURHAM_INSPECTOR, ref="EV-0001", summary="notes \u202eseton", source="SPOC\u200b")
    said = " | ".join(sentence(p) for p in caught.value.problems)
    assert "the summary holds U+202E RIGHT-TO-LEFT OVERRIDE" in said and "the source holds U+200B" in said, said
    with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:
        judgements.judge(s, LEAD1, unit_type="force", unit="durham", criterion="3.1", grade="met",
                         rationale="met \u202eno")
    assert "the rationale holds U+202E RIGHT-TO-LEFT OVERRIDE" in str(caught.value)
    assert snapshot(engine) == before
    with db.session_scope(engine) as s:
        add_interview(s, DURHAM_INSPECTOR, summary="MG5 \U0001f469\u200d\U0001f4bb")


def test_the_cli_warns_of_times_ahead_and_refuses_in_words(laptop_bundle, tmp_path, capsys):
    content, lead = laptop_bundle
    url = lead.url.render_as_string(hide_password=False)
    bad = tmp_path / "spoofed.fwbundle.zip"
    bad.write_bytes(rewrite(content, lambda p: _item(p).update(source="SPOC\u200b"), fix_checksum=True))
    before = snapshot(lead)
    assert cli.main(["--db", url, "bundle", "import", str(bad)]) != 0
    err = capsys.readouterr().err
    assert "evidence 'EV-0001': column 'source': its source holds U+200B ZERO WIDTH SPACE" in err, err
    assert "Traceback" not in err
    assert snapshot(lead) == before
    ahead = tmp_path / "ahead.fwbundle.zip"
    ahead.write_bytes(rewrite(content, _ahead, fix_checksum=True))
    assert cli.main(["--db", url, "bundle", "import", str(ahead)]) == 0
    err = capsys.readouterr().err
    assert (f"fieldwork: warning: ahead.fwbundle.zip: judgement 'durham 3.1': column 'judged_at': the judgements' "
            f"judged_at {AHEAD.isoformat()} lies more than a day ahead") in err, err


def test_an_evidence_csv_refuses_them_by_row_and_field(engine):
    """The CSV import goes through the app's check (evidence.check), so the same field kinds."""
    from fieldwork.services import evidence_csv
    from tests.test_evidence import CSV_OK

    bad = CSV_OK.replace("force stalking SPOC", "force stalking\u200b SPOC").replace(
        "Risk forms left blank", "Risk forms \u202eknalb")
    before = snapshot(engine)
    with pytest.raises(ProblemError) as caught, db.session_scope(engine) as s:
        evidence_csv.import_csv(s, LEAD1, bad.encode(), file_name="notes.csv")
    named = {(p.row, p.field, p.code) for p in caught.value.problems}
    assert named == {(2, "source", "bad_character"), (3, "excerpt_text", "bad_character")}, caught.value
    said = " | ".join(sentence(p) for p in caught.value.problems)
    assert "the source holds U+200B ZERO WIDTH SPACE" in said and "the excerpt's passage holds U+202E" in said, said
    assert snapshot(engine) == before
