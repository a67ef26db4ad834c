"""Second marking against the accounts: a proposal names only active accounts whose forces
cover the case; an assignment to someone who may not see the case is refused on that row
before anything is written, and the valid rows can be assigned on their own; agreement says
"too few pairs to judge" under the minimum number of pairs and flags only above it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fieldwork import db
from fieldwork.problems import ProblemError
from fieldwork.services import agreement, second_marking
from models import SecondMarking
from fieldwork.services import accounts
from fieldwork.services.permissions import command_line_actor
from tests.accounts_helpers import make_user
from tests.test_agreement import _pairs
from tests.conftest import filled_template
from tests.laptops import LEAD_ACTOR, random_answers, score


def _fill(engine) -> dict[str, str]:
    forces = ["avon_and_somerset"] * 3 + ["durham"] * 3
    uids = {}
    for n, force in enumerate(forces, 1):
        who = "inspector1" if n % 2 else "inspector2"
        uids[f"HS-{n:04d}"] = score(engine, who, f"HS-{n:04d}", random_answers(engine, seed=n, force=force))
    with db.session_scope(engine) as s:
        make_user(s, "inspector3", forces=("durham", "gwent"))
        make_user(s, "inspector4")
        make_user(s, "inspector5")
    with db.session_scope(engine) as s:
        accounts.set_active(s, command_line_actor(), "inspector5", False)
    return uids


@pytest.fixture
def database_template(database_template, request):
    """A test that asks for ``filled`` starts from a copy of its cases and accounts, made once
    per run (tests/conftest.py)."""
    if "filled" not in request.fixturenames:
        return database_template
    return filled_template("second-marking-accounts", _fill)[0]


@pytest.fixture
def filled(engine):
    """Avon and Somerset and Durham cases scored by inspector1 and inspector2 (no accounts for
    them: the demo's names); accounts for inspector3 (Durham and Gwent only) and inspector4 (all),
    inspector5's disabled: (engine, case_ref -> uid)."""
    return engine, dict(filled_template("second-marking-accounts", _fill)[1])


def sample(engine):
    with db.session_scope(engine) as s:
        return second_marking.draw_sample(s, LEAD_ACTOR, "case_review", seed=2017, percent=100)


def test_proposals_name_only_active_accounts_that_cover_the_case(filled):
    engine, _ = filled
    drawn = sample(engine)
    with db.session_scope(engine) as s:
        markers = second_marking.second_markers(s)
        proposal = second_marking.propose(drawn.items, markers, second_marking.current_load(s),
                                          second_marking.marker_accounts(s))
    assert markers == ["inspector3", "inspector4"]  # inspector1 and 2 scored but have no account; 5 is disabled
    for item in drawn.items:
        who = proposal[item.primary_uid]
        assert who in ("inspector3", "inspector4")
        if item.force == "avon_and_somerset":
            assert who == "inspector4"  # inspector3 covers Durham and Gwent only


def test_a_row_for_someone_who_may_not_see_the_case_is_refused_alone_and_the_rest_can_go(filled):
    engine, uids = filled
    chosen = {uids["HS-0001"]: "inspector3",  # Avon and Somerset: not inspector3's
              uids["HS-0002"]: "inspector1",  # no account
              uids["HS-0004"]: "inspector3"}  # Durham: fine
    with db.session_scope(engine) as s, pytest.raises(ProblemError) as caught:
        second_marking.assign(s, LEAD_ACTOR, chosen)
    problems = {p.item: p for p in caught.value.problems}
    assert set(problems) == {"HS-0001", "HS-0002"}
    assert problems["HS-0001"].code == second_marking.FORCE_NOT_COVERED
    assert "covers only Durham Constabulary, Gwent Police" in problems["HS-0001"].message
    assert problems["HS-0002"].code == second_marking.UNKNOWN_INSPECTOR
    with db.session_scope(engine) as s:
        assert s.execute(select(func.count()).select_from(SecondMarking)).scalar_one() == 0  # nothing written
        assert {p.item for p in second_marking.check_assignments(s, LEAD_ACTOR, chosen)} == {"HS-0001", "HS-0002"}
        made = second_marking.assign(s, LEAD_ACTOR, {uids["HS-0004"]: "inspector3"})
    assert [m.second_inspector for m in made] == ["inspector3"]


@pytest.mark.parametrize("pairs, judged", [(1, False), (agreement.MIN_PAIRS - 1, False), (agreement.MIN_PAIRS, True)])
def test_agreement_judges_only_from_the_minimum_number_of_pairs(session, pairs, judged):
    # half the pairs disagree: kappa far under the threshold whatever the number
    rows = [({"avoidable_delay": "yes"}, {"avoidable_delay": "yes" if i % 2 else "no"}) for i in range(pairs)]
    _pairs(session, rows)
    report = agreement.report(session, "case_review")
    delay = next(q for q in report.questions if q.question == "avoidable_delay")
    assert delay.too_few is not judged
    assert delay.flagged is judged
    assert (delay in report.too_few) is not judged
    assert next(r for r in report.rows() if r["question"] == "avoidable_delay")["judgement"] == (
        "flagged" if judged else "too few pairs to judge")
