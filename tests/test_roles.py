"""Who may do what, at the core: each service refuses the roles it does not admit with
PermissionDenied, whatever page or command calls it. (The pages' own checks are in
tests/pages/test_page_roles.py.)"""

from __future__ import annotations

import pytest

from fieldwork import db, startup
from fieldwork.problems import ProblemError
from fieldwork.services import (
    accounts, assessments, audit_log, bundles, cases, importing, merge, second_marking,
)
from exports import exporting
from fieldwork.services.permissions import ADMIN, INSPECTOR, LEAD, LEADS, ROLES, Actor, PermissionDenied
from models import User
from tests.laptops import random_answers, score
from tests.wide_helpers import case_review_rows, csv_bytes

CONTEXT = {"force": "durham", "domestic_abuse": "yes", "offence_charged": "stalking_s4a", "plea": "guilty",
           "charged_by": "cps", "digital_element": "no"}


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One database with a complete case scored by inspector1 and a bundle of it, shared by
    the module's tests: each action runs in a transaction that is rolled back."""
    from tests.conftest import PG_URL, _drop_pg_database, new_database_url

    url = new_database_url(tmp_path_factory.mktemp("roles"), "roles")
    engine = startup.open_engine(url)
    with db.session_scope(engine) as s:  # a bundle merges only the work of an account (issue 17)
        s.add_all(User(name=n, role=INSPECTOR, password_hash="!") for n in ("inspector1", "inspector2"))
    uid = score(engine, "inspector1", "HS-0001", random_answers(engine, seed=1, **CONTEXT))
    with db.session_scope(engine) as s:
        bundle = bundles.export_bundle(s, Actor("inspector1", INSPECTOR)).content
        rows = case_review_rows(s, 1, prefix="HS-9")
    yield {"engine": engine, "uid": uid, "bundle": bundle, "csv": csv_bytes(rows)}
    db.dispose_all()
    if PG_URL:
        _drop_pg_database(url)


ACTIONS = {
    "add a case": ((INSPECTOR, LEAD), lambda s, a, w: cases.add_case(
        s, a, inspection=None, questionnaire_id="case_review", case_ref="HS-0777", context=CONTEXT)),
    "read another inspector's assessment": (LEADS, lambda s, a, w: assessments.load(s, a, w["uid"])),
    "change another inspector's assessment": ((), lambda s, a, w: assessments.save(
        s, a, w["uid"], 2, {"vps_taken": ("no", None)})),
    "reopen another inspector's assessment": ((), lambda s, a, w: assessments.reopen(s, a, w["uid"], 2)),
    "import a file": (LEADS, lambda s, a, w: importing.import_file(s, a, "case_review", w["csv"], "x.csv")),
    "export a workbook": (LEADS, lambda s, a, w: exporting.export_workbook(s, a, "case_review")),
    "export a CSV": (LEADS, lambda s, a, w: exporting.export_csv(s, a, "case_review")),
    "merge a bundle": (LEADS, lambda s, a, w: bundles.import_bundle(s, a, w["bundle"], "b.fwbundle.zip")),
    "see merge conflicts": (LEADS, lambda s, a, w: merge.open_conflicts(s, a)),
    "draw a second-marking sample": (LEADS, lambda s, a, w: second_marking.draw_sample(
        s, a, "case_review", seed=1, number=1)),
    "assign a second marking": (LEADS, lambda s, a, w: second_marking.assign(s, a, {w["uid"]: "inspector2"})),
    "see second markings": (LEADS, lambda s, a, w: second_marking.markings(s, a)),
    "read the audit trail": (LEADS, lambda s, a, w: audit_log.events(s, a)),
    "export the audit trail": (LEADS, lambda s, a, w: audit_log.export_csv(s, a)),
    "manage accounts": ((ADMIN,), lambda s, a, w: accounts.list_users(s, a)),
}
CASES = [(name, role) for name in ACTIONS for role in ROLES]


@pytest.mark.parametrize("name, role", CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_each_role_is_admitted_or_refused(world, name, role):
    allowed, action = ACTIONS[name]
    actor = Actor("inspector2" if role == INSPECTOR else f"{role}1", role)
    try:
        with db.session_scope(world["engine"]) as s:
            if role in allowed:
                action(s, actor, world)
            else:
                with pytest.raises(PermissionDenied):
                    action(s, actor, world)
            raise _Rollback
    except _Rollback:
        pass


def test_the_owner_changes_reopens_and_completes_their_own_assessment(world):
    owner = Actor("inspector1", INSPECTOR)
    try:
        with db.session_scope(world["engine"]) as s:
            view = assessments.load(s, owner, world["uid"])
            assert view.editable
            version = assessments.reopen(s, owner, world["uid"], view.version).version
            version = assessments.save(s, owner, world["uid"], version, {"avoidable_delay": ("yes", None)}).version
            assessments.mark_complete(s, owner, world["uid"], version)
            raise _Rollback
    except _Rollback:
        pass


def test_an_inspector_limited_to_some_forces_sees_and_adds_only_theirs(world):
    kent_only = Actor("inspector3", INSPECTOR, ("kent",))
    try:
        with db.session_scope(world["engine"]) as s:
            assert [r.case_ref for r in cases.register(s, Actor("inspector1", INSPECTOR)).rows] == ["HS-0001"]
            assert cases.register(s, kent_only).rows == []
            with pytest.raises(PermissionDenied):
                cases.add_case(s, kent_only, inspection=None, questionnaire_id="case_review", case_ref="HS-0778",
                               context=CONTEXT)
            cases.add_case(s, kent_only, inspection=None, questionnaire_id="case_review", case_ref="HS-0779",
                           context={**CONTEXT, "force": "kent"})
            assert [r.case_ref for r in cases.register(s, kent_only).rows] == ["HS-0779"]
            # a lead's forces do not narrow what a lead sees
            assert len(cases.register(s, Actor("lead2", LEAD, ("kent",))).rows) == 2
            raise _Rollback
    except _Rollback:
        pass


def test_an_inspectors_bundle_holds_only_their_own_work(world):
    """An inspector asking for another inspector's work gets their own, here none."""
    with pytest.raises(ProblemError) as refused:
        with db.session_scope(world["engine"]) as s:
            bundles.export_bundle(s, Actor("inspector2", INSPECTOR), inspector="inspector1")
    assert "inspector2" in str(refused.value)
