"""Agreement over the entries of repeat groups (docs/repeats.md "Second marking over entries"),
counted in SQL and checked against a plain re-count of the pairs as written:

* a question asked in a repeat compares the n-th entry of one marker with the n-th of the
  other (``incident[2]/pin[1]`` with ``incident[2]/pin[1]``); its pairs are those entries;
* how many entries each marker recorded in a case is an item of its own, ``count(REPEAT)``;
* an applicable answer in an entry only one marker recorded is listed apart
  (``in_entries_first_only`` / ``in_entries_second_only``), never in a table, never dropped.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update
from sqlmodel import Session

from exports import agreement as agreement_export
from fieldwork import db
from fieldwork.questionnaire import entries
from fieldwork.services import agreement, inspections, second_marking
from fieldwork.services.store import CaseRecord, add_complete_assessments
from models import SECOND, Assessment, SecondMarking
from tests.laptops import LEAD_ACTOR
from tests.marking_repeat_helpers import QUESTIONNAIRE, add_form

Pair = tuple[dict, dict]  # (first marker's answers, second's): slot -> code, None for a blank row


def write_pairs(session, pairs: list[Pair]) -> None:
    """Second-marked pairs written straight to the tables (as tests/test_agreement.py does)."""
    inspection = inspections.inspection_by_code(session)
    version = inspections.current_version(session, QUESTIONNAIRE)

    def record(i: int, answers: dict, who: str, offset: int) -> CaseRecord:
        by_entry: dict[str, dict] = {}
        for key, value in answers.items():
            instance, name = entries.split(key)
            if instance:
                by_entry.setdefault(instance, {})[name] = value
        return CaseRecord(f"RP-{i:04d}", {k: v for k, v in answers.items() if "/" not in k}, inspector=who,
                          uid=f"{i + offset:032x}", entries=by_entry)

    firsts = [record(i, a, "inspector1", 0) for i, (a, _) in enumerate(pairs)]
    seconds = [record(i, b, "inspector2", 10**6) for i, (_, b) in enumerate(pairs)]
    for records in (firsts, seconds):
        add_complete_assessments(session, inspection_id=inspection.id, version=version, records=records,
                                 created_by="t")
    session.execute(update(Assessment).where(Assessment.inspector == "inspector2").values(purpose=SECOND, counted=False))
    for first, second in zip(firsts, seconds):
        case_id = session.execute(Assessment.__table__.select().where(Assessment.uid == first.uid)).mappings().one()["case_id"]
        session.add(SecondMarking(inspection_id=inspection.id, questionnaire=QUESTIONNAIRE, case_id=case_id,
                                  primary_uid=first.uid, second_uid=second.uid, first_inspector="inspector1",
                                  second_inspector="inspector2", assigned_by="lead1"))
    session.flush()


PAIRS: list[Pair] = [
    # the same incident and PIN, judged alike
    ({"charged": "yes", "incident[1]/attended": "yes", "incident[1]/pin[1]/served": "yes"},
     {"charged": "yes", "incident[1]/attended": "yes", "incident[1]/pin[1]/served": "yes"}),
    # attended judged otherwise; only the second recorded a PIN
    ({"charged": "no", "incident[1]/attended": "no"},
     {"charged": "no", "incident[1]/attended": "yes", "incident[1]/pin[1]/served": "no"}),
    # only the first recorded a second incident
    ({"charged": "yes", "incident[1]/attended": "yes", "incident[2]/attended": "no"},
     {"charged": "no", "incident[1]/attended": "yes"}),
    # neither recorded an incident
    ({"charged": "no"}, {"charged": "no"}),
]


def item(report, name):
    return next(q for q in report.questions if q.question == name)


def test_entries_are_paired_by_path_and_the_number_of_entries_is_an_item(session):
    add_form(session)
    write_pairs(session, PAIRS)
    report = agreement.report(session, QUESTIONNAIRE)
    assert [q.question for q in report.questions] == ["charged", "count(incident)", "attended", "count(pin)", "served"]

    incidents = item(report, "count(incident)")
    assert incidents.kind == agreement.ENTRY_COUNT and incidents.unit == agreement.CASES
    assert incidents.categories == ["0", "1", "2"]
    assert incidents.table == [[1, 0, 0], [0, 2, 0], [0, 1, 0]]  # rows: first marker's number of incidents
    assert (incidents.pairs, incidents.n, incidents.agreements) == (4, 4, 3)
    assert incidents.label == "Incident: entries recorded in the case"
    pins = item(report, "count(pin)")
    assert pins.table == [[2, 1], [0, 1]] and pins.agreements == 3  # every PIN of the case counted

    attended = item(report, "attended")
    assert attended.unit == agreement.ENTRIES and attended.repeat == "incident"
    assert attended.pairs == 3  # incident 1 of the three cases where both recorded one
    assert attended.table == [[2, 0], [1, 0]] and attended.agreements == 2  # rows yes, no
    assert (attended.unmatched_first, attended.unmatched_second) == (1, 0)  # the second case's incident 2
    served = item(report, "served")
    assert (served.pairs, served.n, served.agreements, served.unmatched_first, served.unmatched_second) == (
        1, 1, 1, 0, 1)

    charged = item(report, "charged")
    assert (charged.unit, charged.pairs, charged.n, charged.agreements) == (agreement.CASES, 4, 4, 3)
    # the overall row pools the questions; the answers listed apart are counted there too
    assert (report.applicable, report.agreements) == (4 + 3 + 1, 3 + 2 + 1)
    overall = report.rows()[-1]
    assert (overall["in_entries_first_only"], overall["in_entries_second_only"]) == (1, 1)


def test_the_csv_and_the_page_rows_say_the_unit_and_what_is_listed_apart(session):
    add_form(session)
    write_pairs(session, PAIRS)
    report = agreement.report(session, QUESTIONNAIRE)
    lines = agreement_export.to_csv(report).decode("utf-8").splitlines()
    header = lines[0].split(",")
    assert header[-4:] == ["unit", "in_entries_first_only_answers", "in_entries_second_only_answers", "flagged"]
    attended = next(line.split(",") for line in lines if line.startswith("attended,"))
    assert attended[header.index("unit")] == "entries" and attended[-3:-1] == ["1", "0"]
    shown = {r["Variable"]: r for r in agreement_export.display_rows(report)}
    assert shown["served"]["Unit"] == "entries" and shown["served"]["In one marking's entries only"] == 1


def test_the_existing_case_level_figures_do_not_move(session):
    """A questionnaire without repeats: no count items, every pair a case, nothing apart."""
    report = agreement.report(session, "case_review")
    assert all(q.kind == agreement.QUESTION and q.unit == agreement.CASES for q in report.questions)
    assert report.unmatched_first == report.unmatched_second == 0


# --- against a plain re-count ------------------------------------------------------------------


def _recount(pairs: list[Pair]):
    """What the report should say, counted the plain way over the pairs as written."""
    def instances(answers, repeat):
        return {entries.split(k)[0] for k in answers
                if entries.split(k)[0] and entries.steps(entries.split(k)[0])[-1][0] == repeat}

    counts = {}
    for repeat in ("incident", "pin"):
        table: dict[tuple[int, int], int] = {}
        for a, b in pairs:
            key = (len(instances(a, repeat)), len(instances(b, repeat)))
            table[key] = table.get(key, 0) + 1
        counts[repeat] = table
    questions = {}
    for name, repeat in (("attended", "incident"), ("served", "pin")):
        cells, units, apart = {}, 0, [0, 0]
        for a, b in pairs:
            ia, ib = instances(a, repeat), instances(b, repeat)
            units += len(ia & ib)
            for i in ia | ib:
                va, vb = a.get(f"{i}/{name}"), b.get(f"{i}/{name}")
                if i in ia and i in ib:
                    if va and vb:
                        cells[(va, vb)] = cells.get((va, vb), 0) + 1
                else:
                    apart[0] += bool(va) and i in ia
                    apart[1] += bool(vb) and i in ib
        questions[name] = (cells, units, apart)
    return counts, questions


def _marking(draw) -> dict:
    answers: dict = {"charged": draw(st.sampled_from(["yes", "no"]))}
    for i in range(1, draw(st.integers(0, 3)) + 1):
        attended = draw(st.sampled_from(["yes", "no", None]))  # None: added, left blank
        answers[f"incident[{i}]/attended"] = attended
        for j in range(1, (draw(st.integers(0, 2)) if attended == "yes" else 0) + 1):
            answers[f"incident[{i}]/pin[{j}]/served"] = draw(st.sampled_from(["yes", "no", None]))
    return answers


@st.composite
def collections(draw) -> list[Pair]:
    return [(_marking(draw), _marking(draw)) for _ in range(draw(st.integers(1, 8)))]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=collections())
def test_any_pairs_count_right_against_a_plain_recount(engine, pairs):
    with db.session_scope(engine) as s:
        if QUESTIONNAIRE not in inspections.questionnaire_ids(s, inspections.inspection_by_code(s)):
            add_form(s)
    with Session(engine) as s:  # written, counted, rolled back: each example starts from nothing
        try:
            write_pairs(s, pairs)
            report = agreement.report(s, QUESTIONNAIRE)
            differing = {r.case_ref: r.disagreements for r in second_marking.markings(s, LEAD_ACTOR)}
        finally:
            s.rollback()
    # the Second marking page's "answers differing": every slot answered otherwise, entries included
    assert differing == {f"RP-{i:04d}": sum((a.get(k) or "") != (b.get(k) or "") for k in {*a, *b})
                         for i, (a, b) in enumerate(pairs)}
    counts, questions = _recount(pairs)
    for repeat, table in counts.items():
        found = item(report, f"count({repeat})")
        got = {(int(found.categories[i]), int(found.categories[j])): n
               for i, row in enumerate(found.table) for j, n in enumerate(row) if n}
        assert got == table and found.pairs == len(pairs)
    for name, (cells, units, apart) in questions.items():
        found = item(report, name)
        got = {(found.categories[i], found.categories[j]): n
               for i, row in enumerate(found.table) for j, n in enumerate(row) if n}
        assert got == cells
        assert found.pairs == units
        assert found.n + found.first_only + found.second_only + found.neither == units
        assert [found.unmatched_first, found.unmatched_second] == apart
        if found.n:
            assert found.observed == pytest.approx(sum(n for (x, y), n in cells.items() if x == y) / found.n)
