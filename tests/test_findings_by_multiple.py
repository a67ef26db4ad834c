"""``fieldwork findings --by`` a select_multiple question: each option's group is the cases
that ticked it (groups overlap), counted against a plain re-count."""

from __future__ import annotations

from decimal import Decimal

from fieldwork.cli import main
from tests.test_every_type import BEHAVIOURS, csv_of, import_rows, load_form, quartiles, report, wide_rows


def test_findings_by_a_select_multiple_count_each_options_cases(engine, db_url, capsys):
    load_form(engine)
    rows = wide_rows(50, seed=11)
    import_rows(engine, csv_of(rows))
    result = report(engine, by="behaviours")
    ticked = {code: [r for r in rows if code in r.get("behaviours", "").split()] for code in [*BEHAVIOURS, "na"]}
    assert result.groups == {code: len(mine) for code, mine in ticked.items() if mine}
    assert sum(result.groups.values()) > len([r for r in rows if r.get("behaviours")])  # they overlap
    for code, mine in ticked.items():
        if not mine:
            continue
        charged = result.get("charged", "yes", code)
        assert (charged.count, charged.denominator) == (sum(r["charged"] == "yes" for r in mine), len(mine))
        force = result.get("force", "kent", code)
        assert force.count == sum(r["force"] == "kent" for r in mine)
        # the option entries of another select_multiple, and of itself, within the group
        own = result.get("behaviours", code, code)
        assert own.count == len(mine)
        hours = [Decimal(r["hours_to_visit"]) for r in mine if "hours_to_visit" in r]
        got = next(x for x in result.summaries if x["id"] == "hours_to_visit" and x["group"] == code)
        assert got["n"] == len(hours) and Decimal(str(got["median"])) == quartiles(hours)[2].normalize()
    overall = result.get("charged", "yes", None)
    assert overall.count == sum(r["charged"] == "yes" for r in rows)
    assert main(["findings", "timeliness", "--by", "behaviours", "--format", "text", "--db", db_url]) == 0
    assert "following" in capsys.readouterr().out
