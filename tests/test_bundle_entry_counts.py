"""A laptop's bundle is held to the form's number of entries (repeat_count, min, max) by the
import's own check (fieldwork/services/entry_counts.py): the same case, sent once as a bundle
(checksum recomputed) and once as a KoboToolbox xlsx, is refused with the same words. Entries the
app holds without a stored row (a counted or minimum entry not answered yet, the blank rows of
entries cleared when the count fell) are the app's own and merge."""

from __future__ import annotations

import pytest

from fieldwork import db
from fieldwork.problem_codes import TOO_FEW_ENTRIES, TOO_MANY_ENTRIES, WRONG_ENTRY_COUNT
from fieldwork.problems import ProblemError
from fieldwork.services import bundles, cases, importing
from tests.db_snapshot import snapshot
from tests.laptops import LEAD_ACTOR, databases, export, inspector, merge  # noqa: F401 (fixture)
from tests.test_bundles import rewrite
from tests.test_repeat_entries import Scorer
from tests.test_repeat_entry_counts import kobo_xlsx, load

COUNT_CODES = {WRONG_ENTRY_COUNT, TOO_FEW_ENTRIES, TOO_MANY_ENTRIES}


def scored(engine, answers: dict[str, str], pins: int = 1, complete: bool = True) -> str:
    """HS-0001 scored through the app on a laptop: the case's answers, then the entries'."""
    who = inspector("inspector1")
    with db.session_scope(engine) as s:
        uid = cases.add_case(s, who, inspection=None, questionnaire_id="hearings", case_ref="HS-0001",
                             context={}).assessment_uid
    tab = Scorer(engine, uid, who)
    tab.version = tab.view().version
    tab.save(**{k: v for k, v in answers.items() if "[" not in k})
    for _ in range(pins - 1):  # the first PIN is the form's minimum: it is there already
        tab.add("pin")
    if any("[" in k for k in answers):
        tab.save(**{k.replace("/", "__"): v for k, v in answers.items() if "[" in k})
    if complete:
        tab.complete()
    return uid


@pytest.fixture
def laptop_and_lead(databases):
    laptop, lead = databases("laptop"), databases("lead")
    load(laptop)
    load(lead)
    return laptop, lead


def _counts(problems) -> set[tuple]:
    return {(p.code, p.field, p.message) for p in problems if p.code in COUNT_CODES}


FORGERIES = {  # a change to the laptop's bundle, and the same case as KoboToolbox writes it
    "a third hearing where the count fixes two": (
        lambda a: a["answers"].append({"question": "outcome", "instance": "hearing[3]", "value": "adjourned"}),
        ("HS-0001", "2", "yes", ["adjourned", "sentenced", "adjourned"], ["yes"], [])),
    "the count lowered under the hearings held": (
        lambda a: next(x for x in a["answers"] if x["question"] == "n_hearings").update(value="1"),
        ("HS-0001", "1", "yes", ["adjourned", "sentenced"], ["yes"], [])),
    "three PINs where the form allows two": (
        lambda a: a["answers"].extend({"question": "served", "instance": f"pin[{n}]", "value": "no"} for n in (2, 3)),
        ("HS-0001", "2", "yes", ["adjourned", "sentenced"], ["yes", "no", "no"], [])),
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_bundle_and_an_import_refuse_the_same_case_with_the_same_words(laptop_and_lead, forgery):
    laptop, lead = laptop_and_lead
    scored(laptop, {"n_hearings": "2", "police": "yes", "hearing[1]/outcome": "adjourned",
                    "hearing[2]/outcome": "sentenced", "pin[1]/served": "yes"})
    change, as_imported = FORGERIES[forgery]
    forged = rewrite(export(laptop, LEAD_ACTOR), lambda payload: change(payload["assessments"][0]), fix_checksum=True)
    before = snapshot(lead)
    with pytest.raises(ProblemError) as by_bundle, db.session_scope(lead) as s:
        bundles.import_bundle(s, LEAD_ACTOR, forged, "laptop.zip")
    with pytest.raises(ProblemError) as by_import, db.session_scope(lead) as s:
        importing.import_file(s, LEAD_ACTOR, "hearings", kobo_xlsx([as_imported]), "hearings.xlsx")
    assert snapshot(lead) == before  # nothing half-written either way
    assert _counts(by_bundle.value.problems) == _counts(by_import.value.problems) != set()
    assert all(p.item == "HS-0001" for p in by_bundle.value.problems if p.code in COUNT_CODES)
    # the completion check's own "has 3 entries" is not said twice in other words
    assert len([p for p in by_bundle.value.problems if p.code == TOO_MANY_ENTRIES]) <= 1


def test_entries_the_app_holds_without_a_row_merge(laptop_and_lead):
    """The second hearing the count fixes, not answered yet, and the form's minimum PIN: the app
    holds them as blank entries, so the bundle is not refused for lacking their rows."""
    laptop, lead = laptop_and_lead
    uid = scored(laptop, {"n_hearings": "2", "police": "yes", "hearing[1]/outcome": "adjourned"}, complete=False)
    merge(lead, export(laptop, LEAD_ACTOR))
    with db.session_scope(lead) as s:
        assert bundles.Assessment is not None and s.exec(
            bundles.select(bundles.Assessment).where(bundles.Assessment.uid == uid)).first() is not None


def test_entries_cleared_when_the_count_fell_merge(laptop_and_lead):
    """The app clears the answers of hearings beyond a lowered count but keeps their blank rows."""
    laptop, lead = laptop_and_lead
    uid = scored(laptop, {"n_hearings": "2", "police": "yes", "hearing[1]/outcome": "adjourned",
                          "hearing[2]/outcome": "sentenced", "pin[1]/served": "yes"}, complete=False)
    tab = Scorer(laptop, uid, inspector("inspector1"))
    tab.version = tab.view().version
    tab.save(n_hearings="1")
    assert "hearing[2]" in tab.view().instances  # the row is kept, blank
    merge(lead, export(laptop, LEAD_ACTOR))
