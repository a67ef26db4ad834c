"""Tried as a new user would (issue 12): forms with repeat groups written as ODK and
KoboToolbox users write them — a household-style roster whose entries are counted by
repeat_count, with position(..) and skip logic inside each entry; a log of hearings inside a
group, with a group and a select_multiple inside the repeat and count() at the case level —
are added with ``fieldwork questionnaire import``, and their ODK Central zip and KoboToolbox
xlsx (written from the tools' layouts, tests/foreign_exports.py) import unchanged with
``fieldwork import``, and count right against a plain re-count."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from fieldwork import db
from fieldwork.cli import main
from fieldwork.services import findings, inspections
from models import Answer, Assessment, CaseFile
from tests.foreign_exports import instance_id
from tests import foreign_exports as fx
from tests.xlsform_collection import xlsx

ROSTER = """
| survey |
|        | type              | name      | label                         | required | constraint          | relevant                       | repeat_count | calculation     |
|        | start             | start     |                               |          |                     |                                |              |                 |
|        | end               | end       |                               |          |                     |                                |              |                 |
|        | integer           | hh_size   | How many victims were named?  | yes      | . > 0 and . <= 6    |                                |              |                 |
|        | begin repeat      | victim    | Victim                        |          |                     |                                | ${hh_size}   |                 |
|        | calculate         | victim_no |                               |          |                     |                                |              | position(..)    |
|        | integer           | age       | Age                           | yes      | . >= 0 and . < 110  |                                |              |                 |
|        | select_one yes_no | vulnerable| Vulnerable?                   | yes      |                     |                                |              |                 |
|        | select_one yes_no | referred  | Referred to an advocate?      | yes      |                     | ${vulnerable} = 'yes'          |              |                 |
|        | end repeat        |           |                               |          |                     |                                |              |                 |
|        | calculate         | n_victims |                               |          |                     |                                |              | count(${victim})|
| choices |
|         | list_name | name | label |
|         | yes_no    | yes  | Yes   |
|         | yes_no    | no   | No    |
| settings |
|          | form_id     | version    |
|          | roster      | 2024031501 |
"""

HEARINGS = """
| survey |
|        | type                  | name           | label               | required | relevant                   | calculation       |
|        | start                 | start          |                     |          |                            |                   |
|        | end                   | end            |                     |          |                            |                   |
|        | select_one area       | cps_area       | CPS Area            | yes      |                            |                   |
|        | begin group           | court          | At court            |          |                            |                   |
|        | begin repeat          | hearing        | Hearing             |          |                            |                   |
|        | date                  | hearing_date   | Date of the hearing | yes      |                            |                   |
|        | select_multiple issue | issues         | Issues raised       |          |                            |                   |
|        | begin group           | result         | Result              |          |                            |                   |
|        | select_one outcome    | outcome        | Outcome             | yes      |                            |                   |
|        | text                  | adjourn_reason | Why adjourned       |          | ${outcome} = 'adjourned'   |                   |
|        | end group             |                |                     |          |                            |                   |
|        | end repeat            |                |                     |          |                            |                   |
|        | end group             |                |                     |          |                            |                   |
|        | calculate             | n_hearings     |                     |          |                            | count(${hearing}) |
| choices |
|         | list_name | name       | label              |
|         | area      | north_west | North West         |
|         | area      | wessex     | Wessex             |
|         | issue     | bail       | Bail               |
|         | issue     | disclosure | Disclosure         |
|         | issue     | witness    | Witness attendance |
|         | outcome   | adjourned  | Adjourned          |
|         | outcome   | plea       | Guilty plea        |
|         | outcome   | trial      | Trial              |
| settings |
|          | form_id   | form_title        | version |
|          | hearings  | Hearings at court | 3       |
"""


def _submission(rnd, i, answers, entries):
    started = datetime(2024, 6, 1, 9, tzinfo=timezone.utc) + timedelta(hours=rnd.randrange(2000))
    return {"answers": answers, "entries": entries, "uuid": instance_id(rnd),
            "id": 3000 + i, "start": started, "end": started + timedelta(minutes=20),
            "submitted": started + timedelta(hours=1), "by": f"enumerator{i % 2 + 1}"}


def roster_submissions(n: int, seed: int = 1) -> list[dict]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        size = rnd.randrange(1, 5)
        entries = {}
        for k in range(1, size + 1):
            entry = {"victim_no": str(k), "age": str(rnd.randrange(14, 90)), "vulnerable": rnd.choice(["yes", "no"])}
            if entry["vulnerable"] == "yes":
                entry["referred"] = rnd.choice(["yes", "no"])
            entries[f"victim[{k}]"] = entry
        out.append(_submission(rnd, i, {"hh_size": str(size), "n_victims": str(size)}, entries))
    return out


def hearing_submissions(n: int, seed: int = 2) -> list[dict]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        entries = {}
        count = rnd.randrange(0, 4)
        for k in range(1, count + 1):
            entry = {"hearing_date": (date(2023, 1, 1) + timedelta(days=rnd.randrange(300))).isoformat(),
                     "outcome": rnd.choice(["adjourned", "plea", "trial"])}
            issues = [c for c in ("bail", "disclosure", "witness") if rnd.random() < 0.4]
            if issues or rnd.random() < 0.5:
                entry["issues"] = " ".join(issues)
            if entry["outcome"] == "adjourned":
                entry["adjourn_reason"] = rnd.choice(["Defence not ready", "Witness absent", "Court time"])
            entries[f"hearing[{k}]"] = {k2: v for k2, v in entry.items() if v != ""}
        out.append(_submission(rnd, i, {"cps_area": rnd.choice(["north_west", "wessex"]),
                                         "n_hearings": str(count)}, entries))
    return out


def stored(engine, questionnaire: str) -> dict[str, dict[str, dict[str, str]]]:
    out: dict = {}
    with db.session_scope(engine) as s:
        rows = s.execute(select(CaseFile.case_ref, Answer.instance, Answer.question, Answer.value)
                         .join(Assessment, Assessment.case_id == CaseFile.id)
                         .join(Answer, Answer.assessment_id == Assessment.id)
                         .where(CaseFile.questionnaire == questionnaire)).all()
    for ref, instance, question, value in rows:
        if value is not None and question not in ("start", "end"):
            out.setdefault(ref, {}).setdefault(instance, {})[question] = value
    return out


FORMS = {"roster": (ROSTER, roster_submissions, "Victims"), "hearings": (HEARINGS, hearing_submissions,
                                                                         "Hearings at court")}


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("tool", ["odk", "kobo"])
def test_a_real_form_with_repeats_and_its_export_import_unchanged(form, tool, engine, db_url, tmp_path, capsys):
    markdown, make, title = FORMS[form]
    path = tmp_path / f"{form}.xlsx"
    path.write_bytes(xlsx(markdown))
    assert main(["questionnaire", "import", str(path), "--db", db_url]) == 0, capsys.readouterr()
    with db.session_scope(engine) as s:
        q = inspections.questionnaire_of(inspections.current_version(s, form))
    subs = make(25)
    export = tmp_path / (f"{form}.zip" if tool == "odk" else f"{form}.xlsx")
    export.write_bytes(fx.odk_zip_for(q, subs, form_id=form) if tool == "odk" else fx.kobo_xlsx_for(q, subs, title=title))
    assert main(["import", form, str(export), "--db", db_url]) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert f"imported 25 complete {form}" in out and "entr" in out
    got = stored(engine, form)
    for s in subs:
        expected = {"": s["answers"], **s["entries"]}
        assert got[s["uuid"]] == expected, s["uuid"]
    with db.session_scope(engine) as s:
        report = findings.compute(s, form)
    repeat = q.repeats[0].name
    entries = [e for s in subs for p, e in s["entries"].items()]
    line = report.get(repeat, None)
    assert (line.count, line.denominator, line.entries) == (sum(bool(s["entries"]) for s in subs), 25, len(entries))
    if form == "roster":
        referred = [e for e in entries if "referred" in e]
        f = next(f for f in report.findings if (f.id, f.answer, f.unit, f.group) == ("referred", "yes", "entries",
                                                                                        None))
        assert (f.count, f.denominator) == (sum(e["referred"] == "yes" for e in referred), len(referred))
    else:
        asked = [e for e in entries if "issues" in e]
        f = next(f for f in report.findings if (f.id, f.answer, f.unit, f.group) == ("issues", "bail", "entries",
                                                                                      None))
        assert (f.count, f.denominator) == (sum("bail" in e["issues"].split() for e in asked), len(asked))
