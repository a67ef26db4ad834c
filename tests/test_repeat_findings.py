"""Findings over the entries of repeat groups (issue 12), counted in SQL, against a plain
re-count of what was collected: per repeat the cases with an entry and the entries in all; per
question asked in a repeat, entries (unit ``entries``) and cases with at least one entry
(unit ``cases``)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldwork import db, startup
from fieldwork.problems import ProblemError
from fieldwork.services import findings, findings_formats, repeat_findings
from tests import foreign_exports as fx
from tests.test_repeat_files import import_bytes, load_form


def percent(count, denominator):
    return None if not denominator else (200 * count + denominator) // (2 * denominator)


def recount(result, subs, *, force=None):
    """Every repeat figure against a count over the submissions as collected."""
    subs = [s for s in subs if force is None or s["answers"]["force"] == force]
    group = force
    pins = [p for s in subs for p in s["pin"]]
    with_pin = [s for s in subs if s["pin"]]
    entry = result.get("pin", None, group)
    assert (entry.kind, entry.unit, entry.count, entry.denominator, entry.entries) == (
        "repeat", "cases", len(with_pin), len(subs), len(pins))
    served = [p for p in pins if "pin_served" in p]
    for code in fx.SERVED:
        by_entries = result_unit(result, "pin_served", code, group, "entries")
        assert (by_entries.count, by_entries.denominator) == (sum(p["pin_served"] == code for p in served),
                                                               len(served))
        by_cases = result_unit(result, "pin_served", code, group, "cases")
        answering = [s for s in subs if any("pin_served" in p for p in s["pin"])]
        assert (by_cases.count, by_cases.denominator) == (
            sum(any(p.get("pin_served") == code for p in s["pin"]) for s in subs), len(answering))
        assert by_cases.percent == percent(by_cases.count, by_cases.denominator)
    contacts = [c for s in subs for i in s["incident"] for c in i["contact"]]
    made = result_unit(result, "contact_made", "yes", group, "entries")
    assert (made.count, made.denominator) == (sum(c["contact_made"] == "yes" for c in contacts), len(contacts))
    incidents = result.get("incident", None, group)
    assert incidents.entries == sum(len(s["incident"]) for s in subs)
    dates = {x["id"]: x for x in result.summaries if x["group"] == group}["pin_date"]
    assert (dates["unit"], dates["n"]) == ("entries", len(pins))
    if pins:
        assert (dates["earliest"], dates["latest"]) == (min(p["pin_date"] for p in pins), max(p["pin_date"] for p in pins))
    # the case-level questions still count cases, once each
    charged = result_unit(result, "charged", "yes", group, "cases")
    assert (charged.count, charged.denominator) == (sum(s["answers"]["charged"] == "yes" for s in subs), len(subs))


def result_unit(result, id, answer, group, unit):
    found = [f for f in result.findings if (f.id, f.answer, f.group, f.unit) == (id, answer, group, unit)]
    assert len(found) == 1, (id, answer, group, unit, found)
    return found[0]


def test_repeat_findings_count_entries_and_cases_right_against_a_plain_recount(engine):
    load_form(engine)
    subs = fx.repeat_submissions(40, seed=21)
    import_bytes(engine, fx.odk_repeat_zip(subs), "pins.zip")
    with db.session_scope(engine) as s:
        overall = findings.compute(s, fx.REPEAT_QUESTIONNAIRE)
        by_force = findings.compute(s, fx.REPEAT_QUESTIONNAIRE, by="force")
    recount(overall, subs)
    recount(by_force, subs)
    for force in ("durham", "gwent", "kent"):
        recount(by_force, subs, force=force)
    pin = overall.get("pin", None)
    assert pin.text.startswith("PIN issued: in ") and f"{pin.entries} in all" in pin.text


def test_every_findings_entry_says_its_unit_in_json_csv_and_text(engine):
    load_form(engine)
    import_bytes(engine, fx.odk_repeat_zip(fx.repeat_submissions(12)), "pins.zip")
    with db.session_scope(engine) as s:
        report = findings.compute(s, fx.REPEAT_QUESTIONNAIRE)
    data = json.loads(findings_formats.to_json(report))
    assert {f["unit"] for f in data["findings"]} == {"cases", "entries"}
    assert all(f["unit"] in ("cases", "entries") for f in data["findings"])
    assert "entries" in next(f for f in data["findings"] if f["id"] == "pin")
    csv_text = findings_formats.to_csv(report)
    assert ",differs_from_rest,unit," in csv_text.splitlines()[0]  # in its place; labels appended after it
    assert "[entries]" in findings_formats.to_text(report)


def test_a_breakdown_by_a_question_asked_per_entry_is_refused_by_name(engine):
    load_form(engine)
    with db.session_scope(engine) as s, pytest.raises(ProblemError) as err:
        findings.compute(s, fx.REPEAT_QUESTIONNAIRE, by="pin_served")
    (problem,) = err.value.problems
    assert problem.code == repeat_findings.BY_ENTRY_VARIABLE and "repeat group 'pin'" in problem.message


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), n=st.integers(1, 25))
def test_any_collection_counts_right(tmp_path, seed, n):
    """Any set of submissions, nested entries and none at all included: the same figures as a
    plain recount (a fresh database per example)."""
    from tests.conftest import PG_URL, _drop_pg_database, new_database_url

    url = new_database_url(tmp_path, f"h{seed}_{n}", prepared=True)
    engine = startup.open_engine(url)
    try:
        load_form(engine)
        subs = fx.repeat_submissions(n, seed=seed)
        import_bytes(engine, fx.kobo_repeat_xlsx(subs), "pins.xlsx")
        with db.session_scope(engine) as s:
            recount(findings.compute(s, fx.REPEAT_QUESTIONNAIRE, by="force"), subs)
    finally:
        db.dispose_all()
        if PG_URL:
            _drop_pg_database(url)


def test_the_findings_page_shows_entries_and_cases_with_an_entry(engine, db_url, monkeypatch):
    from tests.apptest import page

    load_form(engine)
    import_bytes(engine, fx.odk_repeat_zip(fx.repeat_submissions(15)), "pins.zip")
    at = page("pages/findings.py", db_url, monkeypatch, user="lead1", role="lead", timeout=60).run()
    at.selectbox(key="findings_questionnaire").set_value(fx.REPEAT_QUESTIONNAIRE).run()
    assert not at.exception  # the charts tab, first, with repeat findings in the report
    at.session_state["findings_view"] = "All findings"  # only the open tab runs
    at.run()
    assert not at.exception
    names = [str(n) for d in at.dataframe if "finding" in d.value for n in d.value["finding"]]
    assert any(n.endswith("(entries)") for n in names)
    assert any(n.endswith("(cases with an entry)") for n in names)
