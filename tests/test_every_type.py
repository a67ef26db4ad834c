"""Answers of every XLSForm type: imported from a wide CSV, counted right against a plain
re-count here, and exported (CSV and workbook) and re-imported with identical findings and
summaries. The questionnaire itself goes out as an XLSForm, converts with pyxform, and comes
back identical."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pyxform.xls2xform import convert

from fieldwork import db, startup
from fieldwork.catalog import load_catalog
from fieldwork.problems import ProblemError
from fieldwork.questionnaire.xlsform import export_xlsform, import_xlsform
from fieldwork.services import accounts, findings, importing, inspections
from exports import exporting
from fieldwork.services.permissions import command_line_actor
from tests.conftest import new_database_url
from tests.wide_helpers import LEAD_USER
from tests.xlsform_collection import ACCEPTED, xlsx

FORM = """
| survey |
|        | type                       | name            | label                      | relevant            | constraint          | calculation                      | parameters          | required |
|        | begin group                | context         | The case                   |                     |                     |                                  |                     |          |
|        | text                       | case_ref        | Case reference             |                     |                     |                                  |                     | yes      |
|        | select_one force           | force           | Force                      |                     |                     |                                  |                     | yes      |
|        | end group                  |                 |                            |                     |                     |                                  |                     |          |
|        | select_one yes_no          | charged         | Charged?                   |                     |                     |                                  |                     | yes      |
|        | date                       | reported_on     | Date first reported        |                     |                     |                                  |                     |          |
|        | begin group                | charge          | The charge                 | ${charged} = 'yes'  |                     |                                  |                     |          |
|        | date                       | charged_on      | Date charged               |                     | . >= ${reported_on} |                                  |                     | yes      |
|        | calculate                  | days_to_charge  |                            |                     |                     | ${charged_on} - ${reported_on}   |                     |          |
|        | end group                  |                 |                            |                     |                     |                                  |                     |          |
|        | integer                    | prior_incidents | Incidents before the report|                     | . >= 0              |                                  |                     |          |
|        | decimal                    | hours_to_visit  | Hours to the first visit   |                     |                     |                                  |                     |          |
|        | range                      | severity        | Severity                   |                     |                     |                                  | start=1 end=5 step=1|          |
|        | time                       | report_time     | Time of the report         |                     |                     |                                  |                     |          |
|        | datetime                   | first_contact   | First contact              |                     |                     |                                  |                     |          |
|        | select_multiple behaviours | behaviours      | Behaviours                 |                     |                     |                                  |                     |          |
|        | geopoint                   | location        | Where                      |                     |                     |                                  |                     |          |
|        | acknowledge                | checked         | File checked               |                     |                     |                                  |                     |          |
| choices |
|         | list_name  | name      | label        |
|         | force      | durham    | Durham       |
|         | force      | gwent     | Gwent        |
|         | force      | kent      | Kent         |
|         | yes_no     | yes       | Yes          |
|         | yes_no     | no        | No           |
|         | behaviours | following | Following    |
|         | behaviours | messaging | Messaging    |
|         | behaviours | social    | Social media |
|         | behaviours | loitering | Loitering    |
|         | behaviours | na        | Not applicable |
| settings |
|          | form_id    | version |
|          | timeliness | 1       |
"""
BEHAVIOURS = ["following", "messaging", "social", "loitering"]


def load_form(engine, markdown: str = FORM):
    with db.session_scope(engine) as s:
        inspection = inspections.inspection_by_code(s, None)
        return inspections.add_xlsform(s, xlsx(markdown), inspection, actor="test", name="timeliness.xlsx")


def wide_rows(n: int, seed: int = 3) -> list[dict]:
    rnd = random.Random(seed)
    rows = []
    for i in range(1, n + 1):
        reported = date(2016, 1, 1) + timedelta(days=rnd.randrange(300))
        row = {"case_ref": f"HS-{i:04d}", "force": rnd.choice(["durham", "gwent", "kent"]),
               "charged": rnd.choice(["yes", "no"]),
               # written as people write them: ISO or day/month/year; 4.20 and 4.2 alike
               "reported_on": reported.isoformat() if i % 3 else reported.strftime("%d/%m/%Y")}
        if row["charged"] == "yes":
            row["charged_on"] = (reported + timedelta(days=rnd.randrange(0, 90))).isoformat()
        if rnd.random() < 0.9:
            row["prior_incidents"] = str(rnd.randrange(0, 30))
        if rnd.random() < 0.9:
            row["hours_to_visit"] = rnd.choice(["0.1", "0.2", "4.20", "12.5", "3", "7.75", "0.30"])
        row["severity"] = str(rnd.randrange(1, 6))
        row["report_time"] = f"{rnd.randrange(24):02d}:{rnd.randrange(60):02d}"
        row["first_contact"] = f"{reported.isoformat()}T{rnd.randrange(24):02d}:15:00Z"
        if rnd.random() < 0.15:
            row["behaviours"] = "na"
        elif rnd.random() < 0.9:
            row["behaviours"] = " ".join(rnd.sample(BEHAVIOURS, rnd.randrange(1, 4)))
        row["location"] = "51.5 -0.12"
        row["checked"] = "OK"
        rows.append(row)
    return rows


def csv_of(rows: list[dict]) -> bytes:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    return buf.getvalue().encode()


def import_rows(engine, data: bytes, name: str = "cases.csv"):
    with db.session_scope(engine) as s:
        return importing.import_file(s, LEAD_USER, "timeliness", data, name)


def report(engine, by: str | None = None):
    with db.session_scope(engine) as s:
        return findings.compute(s, "timeliness", by=by)


def quartiles(values: list[Decimal]) -> list[Decimal]:
    """QUARTILE.INC, by hand."""
    values = sorted(values)
    out = []
    for k in range(5):
        h = (len(values) - 1) * Decimal(k) / 4
        low = int(h)
        nxt = values[min(low + 1, len(values) - 1)]
        out.append(values[low] + (nxt - values[low]) * (h - low))
    return out


def test_every_type_imports_and_counts_right(engine):
    load_form(engine)
    rows = wide_rows(60)
    import_rows(engine, csv_of(rows))
    result = report(engine, by="force")
    for group in (None, "durham", "gwent", "kent"):
        mine = [r for r in rows if group is None or r["force"] == group]
        asked = [r for r in mine if r.get("behaviours")]
        na = sum(r["behaviours"] == "na" for r in asked)
        for code in BEHAVIOURS:
            entry = result.get("behaviours", code, group)
            assert entry.count == sum(code in r["behaviours"].split() for r in asked)
            assert entry.denominator == len(asked) - na
            assert "need not add up to 100 percent" in entry.text
        summary = {(x["id"], x["group"]): x for x in result.summaries}
        hours = [Decimal(r["hours_to_visit"]) for r in mine if "hours_to_visit" in r]
        got = summary[("hours_to_visit", group)]
        expected = quartiles(hours)
        assert got["n"] == len(hours)
        assert [Decimal(str(got[k])) for k in ("min", "q1", "median", "q3", "max")] == [q.normalize() for q in expected]
        assert abs(Decimal(str(got["mean"])) - sum(hours) / len(hours)) < Decimal("0.0001")
        incidents = [Decimal(r["prior_incidents"]) for r in mine if "prior_incidents" in r]
        assert summary[("prior_incidents", group)]["median"] == float(quartiles(incidents)[2]) or \
            summary[("prior_incidents", group)]["median"] == int(quartiles(incidents)[2])
        charged = sorted(r["charged_on"] for r in mine if "charged_on" in r)
        dates = summary[("charged_on", group)]
        assert (dates["n"], dates["earliest"], dates["latest"]) == (len(charged), charged[0], charged[-1])


def test_stored_answers_are_canonical_and_calculations_recomputed(engine):
    load_form(engine)
    rows = wide_rows(12)
    rows[0].update(charged="yes", reported_on="01/02/2016", charged_on="2016-02-11", hours_to_visit="4.20",
                   behaviours="social following", report_time="9:05", days_to_charge="999")
    import_rows(engine, csv_of(rows))
    with db.session_scope(engine) as s:
        data = exporting.export_csv(s, LEAD_USER, "timeliness").decode()
    first = next(csv.DictReader(io.StringIO(data)))
    assert first["reported_on"] == "2016-02-01"
    assert first["hours_to_visit"] == "4.2"
    assert first["behaviours"] == "following social"  # in the answer set's order
    assert first["report_time"] == "09:05:00"
    assert first["days_to_charge"] == "10"  # worked out again, not the file's 999


def test_per_option_columns_are_read(engine):
    load_form(engine)
    data = ("case_ref,force,charged,behaviours/following,behaviours/messaging,behaviours/social\r\n"
            "HS-0001,kent,no,1,0,1\r\nHS-0002,kent,no,0,0,0\r\n").encode()
    import_rows(engine, data)
    result = report(engine)
    assert result.get("behaviours", "following").count == 1
    assert result.get("behaviours", "social").count == 1
    assert result.get("behaviours", "following").denominator == 1  # nothing ticked: not answered


def test_bad_values_of_every_type_are_named_by_row_and_column(engine):
    load_form(engine)
    data = ("case_ref,force,charged,reported_on,prior_incidents,hours_to_visit,severity,report_time,behaviours,"
            "location,checked\r\n"
            "HS-0001,kent,no,31/02/2016,2.5,four,9,25:00,following shouting,95 0,nope\r\n").encode()
    with pytest.raises(ProblemError) as err:
        import_rows(engine, data)
    fields = {p.field for p in err.value.problems if p.row == 2}
    assert fields >= {"reported_on", "prior_incidents", "hours_to_visit", "severity", "report_time", "behaviours",
                      "location", "checked"}


@pytest.mark.parametrize("how", ["csv", "xlsx"])
def test_export_and_reimport_give_identical_findings_and_summaries(engine, tmp_path, how):
    load_form(engine)
    import_rows(engine, csv_of(wide_rows(40)))
    with db.session_scope(engine) as s:
        data = (exporting.export_csv(s, LEAD_USER, "timeliness") if how == "csv"
                else exporting.export_workbook(s, LEAD_USER, "timeliness"))
    other = startup.open_engine(new_database_url(tmp_path, "again"))
    load_form(other)
    with db.session_scope(other) as s:  # meta:inspector must name an account there too (issue 17)
        accounts.add_user(s, command_line_actor(), LEAD_USER.name, LEAD_USER.role, "a long enough password 1")
    import_rows(other, data, f"again.{how}")
    for by in (None, "force"):
        assert report(other, by).to_contract() == report(engine, by).to_contract()


@pytest.mark.parametrize("name", ["every_type.xlsx", "functions.xlsx", "group_relevant.xlsx", "languages.xlsx"])
def test_xlsform_export_converts_with_pyxform_and_reimports_identically(name, tmp_path):
    catalog = load_catalog()
    kwargs = dict(frameworks=catalog.frameworks, shared_choices=catalog.codes.as_choice_lists(),
                  inspection_framework="harassment_stalking_2017")
    first = import_xlsform(xlsx(ACCEPTED[name]), name=name, **kwargs)
    out = export_xlsform(first, tmp_path / "out.xlsx")
    convert(xlsform=out.read_bytes(), file_type=".xlsx", form_name="data")  # raises if pyxform refuses it
    again = import_xlsform(out.read_bytes(), name="out.xlsx", **kwargs)
    assert again.to_dict() == first.to_dict()


def test_the_timeliness_form_round_trips_too(tmp_path):
    catalog = load_catalog()
    first = import_xlsform(xlsx(FORM), name="t.xlsx", frameworks=catalog.frameworks)
    out = export_xlsform(first, tmp_path / "t.xlsx")
    convert(xlsform=out.read_bytes(), file_type=".xlsx", form_name="data")
    assert import_xlsform(out.read_bytes(), name="t.xlsx", frameworks=catalog.frameworks).to_dict() == first.to_dict()


def test_the_workbook_has_a_summaries_sheet(engine):
    from openpyxl import load_workbook

    load_form(engine)
    import_rows(engine, csv_of(wide_rows(20)))
    with db.session_scope(engine) as s:
        data = exporting.export_workbook(s, LEAD_USER, "timeliness")
    wb = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(wb["summaries"].iter_rows(values_only=True))
    assert rows[0][:5] == ("variable", "label", "group", "kind", "n")
    expected = {(x["id"], x["group"]): x for x in report(engine).summaries}
    hours = next(r for r in rows if r[0] == "hours_to_visit" and r[2] is None)
    assert hours[4] == expected[("hours_to_visit", None)]["n"] and hours[7] == expected[("hours_to_visit", None)]["median"]
    assert any(r[0] == "charged_on" and r[2] == "kent" for r in rows)  # per force too
