"""Summaries of times, date-times and calculations: earliest, median (the lower middle value)
and latest for times; a calculate summarised as a number when every value is one, and
otherwise named and skipped in words."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fieldwork.services import findings_formats, summaries
from tests.test_every_type import FORM, csv_of, import_rows, load_form, quartiles, report, wide_rows

WITH_TEXT_CALC = FORM.replace(
    "|        | acknowledge                | checked ",
    "|        | calculate                  | ref_upper       |                            |                     |"
    "                     | concat('ref ', ${case_ref})     |                     |          |\n"
    "|        | acknowledge                | checked ")


def test_times_date_times_and_numeric_calculations_are_summarised(engine):
    load_form(engine, WITH_TEXT_CALC)
    rows = wide_rows(40, seed=5)
    import_rows(engine, csv_of(rows))
    result = report(engine, by="force")
    summary = {(x["id"], x["group"]): x for x in result.summaries}
    for group in (None, "durham", "gwent", "kent"):
        mine = [r for r in rows if group is None or r["force"] == group]
        times = sorted(f"{r['report_time']}:00" for r in mine)
        got = summary[("report_time", group)]
        assert (got["type"], got["n"], got["earliest"], got["latest"]) == ("time", len(times), times[0], times[-1])
        assert got["median"] == times[(len(times) - 1) // 2]
        moments = sorted(r["first_contact"] for r in mine)
        got = summary[("first_contact", group)]
        assert (got["type"], got["n"], got["earliest"], got["latest"]) == ("datetime", len(moments), moments[0],
                                                                           moments[-1])
        # days to charge is worked out on import: a number for every charged case
        days = [Decimal((date.fromisoformat(r["charged_on"]) - date.fromisoformat(_iso(r["reported_on"]))).days)
                for r in mine if "charged_on" in r]
        got = summary[("days_to_charge", group)]
        assert (got["type"], got["n"]) == ("number", len(days))
        assert [Decimal(str(got[k])) for k in ("min", "median", "max")] == [
            quartiles(days)[k].normalize() for k in (0, 2, 4)]
    skipped = [x for x in result.summaries if x["id"] == "ref_upper"]
    assert skipped == [{"id": "ref_upper", "group": None, "type": "skipped", "n": 40, "why": summaries.NOT_NUMBERS}]
    assert findings_formats.summary_text(skipped[0]) == "not summarised: its values are not all numbers"
    assert "kind" in findings_formats.to_csv(result).splitlines()[0]


def _iso(text: str) -> str:
    if "/" in text:
        d, m, y = text.split("/")
        return f"{y}-{m}-{d}"
    return text
