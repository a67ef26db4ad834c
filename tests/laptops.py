"""Helpers for the laptop tests: score cases through the real services (add the case, save
the answers, mark complete) on a database of its own, as an inspector on a laptop does."""

from __future__ import annotations

import random

import pytest

from fieldwork import db, startup
from fieldwork.services import assessments, bundles, cases, inspections, synthetic
from fieldwork.services.permissions import ADMIN, INSPECTOR, LEAD, Actor
from sqlmodel import select

from models import User
from tests.conftest import PG_URL, _drop_pg_database, new_database_url

LEAD_ACTOR = Actor("lead1", LEAD)
TEAM = ("inspector1", "inspector2", "inspector3", "inspector4")  # accounts on every database made here
LEADS = ("lead1", "lead2")
ADMIN_ACTOR = Actor("admin1", ADMIN)


def inspector(name: str) -> Actor:
    return Actor(name, INSPECTOR)


def random_answers(engine, seed: int, questionnaire: str = "case_review", **fixed) -> dict[str, str]:
    """A valid, complete set of answers (skip logic honoured); ``fixed`` answers win, and the
    questions they make irrelevant are dropped."""
    with db.session_scope(engine) as s:
        q = inspections.load_questionnaire(s, questionnaire)
    given = {**synthetic.answers(q, random.Random(seed)), **fixed}
    asked = q.relevant_names(given)
    rnd = random.Random(seed + 1)
    for question in q.questions:  # a fixed answer may open a question the random ones skipped
        if question.name in asked and question.name not in given and question.is_single_choice:
            given[question.name] = rnd.choice(q.codes(question.name))
    asked = q.relevant_names(given)
    return {k: v for k, v in given.items() if k in asked}


def score(engine, who: str, case_ref: str, answers: dict[str, str], *, complete: bool = True,
          notes: dict[str, str] | None = None, questionnaire: str = "case_review") -> str:
    """Add the case, answer it and (by default) mark it complete; returns the assessment uid."""
    actor = inspector(who)
    notes = notes or {}
    with db.session_scope(engine) as s:
        q = inspections.load_questionnaire(s, questionnaire)
        context = {k: v for k, v in answers.items() if k in cases.context_questions(q)}
        uid = cases.add_case(s, actor, inspection=None, questionnaire_id=questionnaire, case_ref=case_ref,
                             context=context).assessment_uid
    rest = {k: (v, notes.get(k)) for k, v in answers.items() if k not in context}
    rest.update({k: (answers.get(k), n) for k, n in notes.items() if k not in rest and k in context})
    return edit(engine, who, uid, rest, complete=complete)


def edit(engine, who: str, uid: str, changes: dict, *, complete: bool = True) -> str:
    """Save changes ({question: (value, note)}), reopening first if complete; then complete again."""
    actor = inspector(who)
    with db.session_scope(engine) as s:
        view = assessments.load(s, actor, uid)
        version = view.version
        if view.status == "complete":
            version = assessments.reopen(s, actor, uid, version).version
        if changes:
            version = assessments.save(s, actor, uid, version, changes).version
        if complete:
            assessments.mark_complete(s, actor, uid, version)
    return uid


def team_accounts(engine):
    """The TEAM's accounts on this database (those missing): the lead's server holds its
    inspectors' accounts, as a merge requires (a bundle's inspector must be an account)."""
    with db.session_scope(engine) as s:
        held = set(s.exec(select(User.name)).all())
        s.add_all(User(name=n, role=INSPECTOR, password_hash="!") for n in TEAM if n not in held)
        # and the leads who judge on a laptop: a grade is given by an account (bundle_evidence)
        s.add_all(User(name=n, role=LEAD, password_hash="!") for n in LEADS if n not in held)
    return engine


def export(engine, actor: Actor, **kwargs) -> bytes:
    with db.session_scope(engine) as s:
        return bundles.export_bundle(s, actor, **kwargs).content


def merge(engine, content: bytes, name: str = "laptop.fwbundle.zip", actor: Actor = LEAD_ACTOR):
    with db.session_scope(engine) as s:
        return bundles.import_bundle(s, actor, content, name)


@pytest.fixture
def databases(tmp_path):
    """make(name) -> a prepared engine on a database of its own (a laptop, the lead's server):
    a copy of the run's prepared template (tests/conftest.py), opened as the app opens its
    database, where preparing each afresh cost about 0.3 s of CPU a database."""
    urls = []

    def make(name: str):
        url = new_database_url(tmp_path, name, prepared=True)
        urls.append(url)
        return team_accounts(startup.open_engine(url))

    yield make
    db.dispose_all()
    if PG_URL:
        for url in urls:
            _drop_pg_database(url)
