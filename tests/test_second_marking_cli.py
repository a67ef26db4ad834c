"""``fieldwork second-marking sample|status``: the lead draws the second-marking sample and
follows it to moderation from the command line. The draw is the Second marking page's (the
same service call, so the same seed draws the same cases); every refusal writes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from fieldwork import audit, db
from fieldwork.catalog import InspectionSpec
from fieldwork.cli import main
from fieldwork.services import accounts, assessments, inspections, second_marking
from fieldwork.problems import ProblemError
from fieldwork.services.permissions import command_line_actor
from fieldwork.ui import session
from models import Answer, Assessment, AuditEvent, CaseFile, ModerationDecision, SecondMarking
from tests.accounts_helpers import cheap_hashing, make_user  # noqa: F401  (fixture)
from tests.apptest import page
from tests.conftest import filled_template
from tests.laptops import LEAD_ACTOR, edit, inspector, random_answers, score

INSPECTORS = ("inspector1", "inspector2", "inspector3")
FORCES = {"durham": 6, "gwent": 4, "kent": 2}


def run(capsys, db_url, *argv) -> tuple[int, str, str]:
    code = main(["--db", db_url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _fill(engine) -> dict[str, dict[str, str]]:
    out, n = {}, 0
    for force, count in FORCES.items():
        for _ in range(count):
            n += 1
            ref = f"HS-{n:04d}"
            out[ref] = random_answers(engine, seed=n, force=force, avoidable_delay="no", prevention_advice="yes")
            score(engine, INSPECTORS[n % 3], ref, out[ref])
    return out


@pytest.fixture
def database_template(database_template, request):
    """A test that asks for ``filled`` starts from a copy of the 12 first markings, scored once
    per run (tests/conftest.py)."""
    if "filled" not in request.fixturenames:
        return database_template
    return filled_template("second-marking-cli-12", _fill)[0]


@pytest.fixture
def filled(engine) -> dict[str, dict[str, str]]:
    """12 complete first markings over three forces, the three inspectors taking turns:
    case_ref -> its answers."""
    return {ref: dict(answers) for ref, answers in filled_template("second-marking-cli-12", _fill)[1].items()}


def counts(engine) -> dict[str, int]:
    """Rows in every table a sample or a moderation writes to."""
    with db.session_scope(engine) as s:
        return {t.__tablename__: s.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (SecondMarking, Assessment, Answer, AuditEvent, ModerationDecision)}


def page_draw(engine, **rule):
    """The draw the Second marking page makes (the same service call, the same arguments)."""
    with db.session_scope(engine) as s:
        return second_marking.draw_sample(s, LEAD_ACTOR, "case_review", **rule)


def test_the_same_seed_draws_the_same_sample_as_the_page(engine, db_url, filled, capsys):
    for argv, rule in ((["--percent", "25"], {"percent": 25.0}),
                       (["--number", "2", "--force", "durham", "--force", "kent"],
                        {"number": 2, "forces": ["durham", "kent"]})):
        sample = page_draw(engine, seed=2017, **rule)
        code, out, _ = run(capsys, db_url, "second-marking", "sample", "case_review", *argv, "--seed", "2017",
                           "--assign", "inspector1", "--assign", "inspector2", "--assign", "inspector3",
                           "--dry-run", "--format", "json")
        assert code == 0
        drawn = json.loads(out)
        assert [c["case_ref"] for c in drawn["cases"]] == [i.case_ref for i in sample.items]
        assert [c["force"] for c in drawn["cases"]] == [i.force for i in sample.items]
        assert drawn["rule"] == sample.rule and drawn["assigned"] is False
    assert counts(engine)["second_marking"] == 0  # dry runs wrote nothing

    sample = page_draw(engine, seed=7, percent=25.0)
    with db.session_scope(engine) as s:
        proposal = second_marking.propose(sample.items, list(INSPECTORS), second_marking.current_load(s))
    code, out, _ = run(capsys, db_url, "second-marking", "sample", "case_review", "--percent", "25", "--seed", "7",
                       "--assign", "inspector3", "--assign", "inspector1", "--assign", "INSPECTOR2")
    assert code == 0
    for item in sample.items:  # printed: case ref, force, first and second inspector
        assert f"{item.force}" in out and item.case_ref in out
        line = next(x for x in out.splitlines() if x.startswith(item.case_ref))
        assert line.split() == [item.case_ref, item.force, item.first_inspector, proposal[item.primary_uid]]
    assert "never to its first inspector" in out
    with db.session_scope(engine) as s:
        made = {m.primary_uid: m for m in s.execute(select(SecondMarking)).scalars()}
        events = s.execute(select(AuditEvent).where(AuditEvent.action == audit.SECOND_MARKING)).scalars().all()
    assert set(made) == {i.primary_uid for i in sample.items}
    assert {uid: m.second_inspector for uid, m in made.items()} == proposal
    assert all(m.second_inspector != m.first_inspector for m in made.values())
    assert all(m.sample_rule == "25% per force, seed 7" and m.assigned_by == audit.os_user() for m in made.values())
    assert sorted(e.case_ref for e in events) == sorted(i.case_ref for i in sample.items)
    assert {e.actor for e in events} == {audit.os_user()}

    # the assigned cases are no longer eligible: the same command now draws from the rest
    again = page_draw(engine, seed=7, percent=25.0)
    assert not {i.case_ref for i in again.items} & {i.case_ref for i in sample.items}


def test_every_refusal_names_its_problems_and_writes_nothing(engine, db_url, filled, capsys):
    sample = ["second-marking", "sample"]
    ok = ["--seed", "1", "--assign", "inspector2"]
    refused = [
        ([*sample, "case_reveiw", "--percent", "10", *ok], ["no questionnaire 'case_reveiw'"]),
        ([*sample, "case_review", "--percent", "0", *ok], ["percentage must be above 0"]),
        ([*sample, "case_review", "--percent", "150", *ok], ["percentage must be above 0"]),
        ([*sample, "case_review", "--percent", "nan", *ok], ["percentage must be above 0"]),
        ([*sample, "case_review", *ok], ["either a percentage or a number"]),
        ([*sample, "case_review", "--percent", "10", "--number", "2", *ok], ["either a percentage or a number"]),
        ([*sample, "case_review", "--number", "0", *ok], ["at least 1"]),
        ([*sample, "case_review", "--number", "2", "--seed", "1", "--assign", "inspector9"],
         ["no inspector 'inspector9'", "inspector1, inspector2, inspector3"]),
        ([*sample, "pin_review", "--number", "2", *ok], ["no complete case is waiting"]),
        ([*sample, "case_review", "--number", "2", "--force", "gotham", *ok], ["force 'gotham'"]),
        ([*sample, "case_review", "--number", "20", "--seed", "1", "--assign", "inspector1"],
         [f"case 'HS-{n:04d}'" for n in range(1, 13) if n % 3 == 0] + ["inspector1 marked it first"]),
        ([*sample, "case_review", "--number", "1", *ok, "--inspection", "nowhere"], ["no inspection 'nowhere'"]),
        # everything wrong at once: every problem named, not only the first
        ([*sample, "case_reveiw", "--percent", "150", "--seed", "1", "--assign", "inspector9"],
         ["no questionnaire", "percentage", "no inspector 'inspector9'"]),
        ([*sample, "case_review", "--percent", "150", "--seed", "1", "--assign", "inspector9"],
         ["percentage", "no inspector 'inspector9'"]),
    ]
    before = counts(engine)
    for argv, said in refused:
        code, out, err = run(capsys, db_url, *argv)
        assert code == 1, argv
        assert err.startswith("fieldwork: "), argv
        for words in said:
            assert words in err, (argv, words, err)
        assert counts(engine) == before, argv
    for argv in ([*sample, "case_review", "--percent", "ten", *ok], [*sample, "case_review", "--number", "2"]):
        with pytest.raises(SystemExit) as stopped:  # argparse: not a number / no --assign, with the usage
            main(["--db", db_url, *argv])
        assert stopped.value.code == 2
        assert counts(engine) == before


def test_only_inspector_and_lead_accounts_second_mark(engine, db_url, filled, capsys, cheap_hashing):  # noqa: F811
    with db.session_scope(engine) as s:
        make_user(s, "admin1", "admin")
        make_user(s, "inspector1")
        make_user(s, "inspector2")
        make_user(s, "lead1", "lead")
        make_user(s, "inspector3")
        accounts.set_active(s, command_line_actor(), "inspector3", False)
    before = counts(engine)
    code, _, err = run(capsys, db_url, "second-marking", "sample", "case_review", "--number", "1", "--seed", "3",
                       "--assign", "admin1", "--assign", "inspector3", "--assign", "inspector9")
    assert code == 1
    assert "admin1" in err and "admin account, not an inspector" in err
    assert "inspector 'inspector3': the account inspector3 is disabled" in err
    assert "no inspector 'inspector9' (second markers: inspector1, inspector2, lead1)" in err
    assert counts(engine) == before
    code, out, _ = run(capsys, db_url, "second-marking", "sample", "case_review", "--number", "1", "--seed", "3",
                       "--assign", "lead1", "--assign", "inspector2")
    assert code == 0 and "3 second marking(s) assigned" in out


def _second_mark(engine, marking: SecondMarking, answers: dict[str, str], **differ) -> None:
    """The second inspector scores the case blind (through the services, as on Assess)."""
    actor = inspector(marking.second_inspector)
    with db.session_scope(engine) as s:
        context = assessments.load(s, actor, marking.second_uid).answers
    edit(engine, marking.second_inspector, marking.second_uid,
         {k: (v, None) for k, v in {**answers, **differ}.items() if k not in context})


def test_status_follows_second_marking_and_moderation(engine, db_url, filled, capsys):
    code, out, _ = run(capsys, db_url, "second-marking", "status", "case_review")
    assert code == 0 and "no case is second-marked yet" in out
    assert run(capsys, db_url, "second-marking", "sample", "case_review", "--number", "1", "--force", "durham",
               "--force", "gwent", "--force", "kent", "--seed", "5", "--assign", "inspector1",
               "--assign", "inspector2", "--assign", "inspector3")[0] == 0
    with db.session_scope(engine) as s:
        rows = s.execute(select(SecondMarking, CaseFile.case_ref).join(CaseFile, CaseFile.id == SecondMarking.case_id)
                         .order_by(CaseFile.case_ref)).all()
        s.expunge_all()
    assert len(rows) == 3
    (agreed_case, agreed_ref), (differing_case, differing_ref), (waiting_case, waiting_ref) = rows
    _second_mark(engine, agreed_case, filled[agreed_ref])
    _second_mark(engine, differing_case, filled[differing_ref], avoidable_delay="yes", prevention_advice="no")

    code, out, _ = run(capsys, db_url, "second-marking", "status", "case_review")
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines()[2:] if line.startswith("HS-")}
    assert "second marked, awaiting moderation (0 disagreement(s))" in lines[agreed_ref]
    assert "second marked, awaiting moderation (2 disagreement(s))" in lines[differing_ref]
    assert lines[waiting_ref].endswith("awaiting second marking")
    assert "3 second-marked case(s) — 1 awaiting second marking · 2 awaiting moderation · 0 moderated" in out
    assert "Moderation page" in out

    with db.session_scope(engine) as s:  # the lead moderates (the Moderation page's service calls)
        second_marking.agree(s, LEAD_ACTOR, differing_case.id, "avoidable_delay", "yes")
    code, out, _ = run(capsys, db_url, "second-marking", "status", "case_review")
    assert "awaiting moderation (2 disagreement(s), 1 agreed)" in out
    with db.session_scope(engine) as s:
        second_marking.agree(s, LEAD_ACTOR, differing_case.id, "prevention_advice", "yes")
        second_marking.finish(s, LEAD_ACTOR, differing_case.id)
        second_marking.finish(s, LEAD_ACTOR, agreed_case.id)

    before = counts(engine)
    code, out, _ = run(capsys, db_url, "second-marking", "status", "case_review", "--format", "json")
    assert code == 0 and counts(engine) == before  # status only reads
    status = json.loads(out)
    assert status["counts"] == {"awaiting_second_marking": 1, "awaiting_moderation": 0, "moderated": 2}
    by_ref = {c["case_ref"]: c for c in status["cases"]}
    assert by_ref[differing_ref]["state"] == "moderated"
    assert by_ref[differing_ref]["disagreements"] == 2
    assert by_ref[waiting_ref] | {"assigned_at": None} == {
        "case_ref": waiting_ref, "first_inspector": waiting_case.first_inspector,
        "second_inspector": waiting_case.second_inspector, "state": "awaiting_second_marking",
        "disagreements": None, "agreed": 0, "sample_rule": ("1 case(s) per force, seed 5, forces Durham "
                                                                 "Constabulary, Gwent Police, Kent Police"),
        "assigned_at": None}

    code, _, err = run(capsys, db_url, "second-marking", "status", "case_reveiw")
    assert code == 1 and "no questionnaire 'case_reveiw'" in err


def test_inspection_option_is_honoured(engine, db_url, filled, capsys):
    with db.session_scope(engine) as s:
        inspections.add_inspection(s, InspectionSpec(id="stalking_follow_up_2019", name="Stalking follow-up",
                                                     title="", framework="harassment_stalking_2017",
                                                     questionnaires=("case_review",)))
    follow_up = ["--inspection", "stalking_follow_up_2019"]
    code, _, err = run(capsys, db_url, *follow_up, "second-marking", "sample", "case_review", "--number", "1",
                       "--seed", "1", "--assign", "inspector2", "--assign", "inspector3")
    assert code == 1 and "no complete case is waiting" in err  # its cases are not the default inspection's
    assert run(capsys, db_url, "second-marking", "sample", "case_review", "--number", "1", "--seed", "1",
               "--assign", "inspector2", "--assign", "inspector3")[0] == 0
    code, out, _ = run(capsys, db_url, "second-marking", "status", "case_review", *follow_up)
    assert code == 0 and "no case is second-marked yet" in out
    code, out, _ = run(capsys, db_url, "second-marking", "status", "case_review", "--inspection",
                       "living_in_fear_2017", "--format", "json")
    assert len(json.loads(out)["cases"]) == 3


def test_plan_is_the_page_draw_and_proposal_checked_as_a_whole(engine, filled):
    """The service the command uses: draw_sample and propose (with the current load), and
    every problem together."""
    with db.session_scope(engine) as s:
        planned = second_marking.plan(s, LEAD_ACTOR, "case_review", ["inspector1", "inspector2"], seed=9,
                                      percent=50.0)
        sample = second_marking.draw_sample(s, LEAD_ACTOR, "case_review", seed=9, percent=50.0)
        assert planned.sample.items == sample.items and planned.sample.rule == sample.rule
        assert planned.proposal == second_marking.propose(sample.items, ["inspector1", "inspector2"],
                                                          second_marking.current_load(s))
        with pytest.raises(ProblemError) as caught:
            second_marking.plan(s, LEAD_ACTOR, "case_review", [], seed=9, number=1, forces=["gotham"])
        assert {p.code for p in caught.value.problems} == {second_marking.NO_SECOND_MARKER,
                                                           second_marking.NOTHING_TO_SAMPLE}
        with pytest.raises(ProblemError):  # only a lead draws
            second_marking.plan(s, inspector("inspector1"), "case_review", ["inspector2"], seed=9, number=1)


@pytest.mark.slow
def test_the_command_draws_what_the_second_marking_page_draws(engine, db_url, filled, capsys, monkeypatch):
    """Through the page itself: its draw with the same rule and seed assigns exactly the cases
    the command's dry run showed."""
    code, out, _ = run(capsys, db_url, "second-marking", "sample", "case_review", "--percent", "25", "--seed", "11",
                       "--assign", "inspector1", "--assign", "inspector2", "--dry-run", "--format", "json")
    assert code == 0
    shown = [c["case_ref"] for c in json.loads(out)["cases"]]
    from tests.apptest import _account

    for name in ("inspector1", "inspector2", "inspector3"):  # second markers need accounts once the lead has one
        _account(db_url, name, session.INSPECTOR, ())
    at = page("pages/second_marking.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.number_input(key="sm_percent").set_value(25.0)
    at.number_input(key="sm_seed").set_value(11)
    next(b for b in at.button if b.label == "Draw sample").click().run()
    next(b for b in at.button if b.label.startswith("Assign ")).click().run()
    assert not at.exception, at.exception
    with db.session_scope(engine) as s:
        assigned = s.execute(select(CaseFile.case_ref).join(SecondMarking, SecondMarking.case_id == CaseFile.id)
                             .order_by(CaseFile.case_ref)).scalars().all()
    assert assigned == sorted(shown) and len(shown) == 4  # durham 2 of 6, gwent 1 of 4, kent 1 of 2
