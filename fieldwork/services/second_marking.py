"""Second marking: a reproducible random sample of complete assessments, a blind second
scoring of each by another inspector, and the moderation that agrees the answers.

1. **Sample** (``draw_sample``): from the complete, counted primary assessments not yet
   second-marked, per force, a percentage (rounded up, so every force with cases gives at
   least one) or a number of cases, drawn with a seed. The same seed, rule and data draw the
   same cases: each force's candidates are sorted by case reference and drawn with their own
   ``random.Random(f"{seed}:{force}")``, independent of database order.
2. **Assign** (``propose`` then ``assign``): each sampled case goes to a second inspector,
   never the first marker, spreading the work evenly. Assigning creates a draft
   ``purpose='second'``, ``counted=false`` assessment owned by the second inspector, its
   context answers (the case facts, not judgments) copied from the first marking. The second
   inspector scores it on the Assess page, which opens only the actor's own assessment of a
   case, so the first scores stay hidden (``assessments.load`` refuses another inspector's).
3. **Moderate** (``moderation``, ``agree``, ``finish``): once both are complete the lead sees
   every question they answered differently, side by side with both evidence notes, and
   records the agreed answer (audited as ``moderation`` with who agreed it). Finishing
   writes an ``agreed`` assessment — complete, counted — that takes the primary's place in
   findings (the primary stays, ``counted=false``): findings use the agreed answers.

Agreement statistics over the pairs are ``fieldwork.services.agreement``.

Repeat groups: the second inspector records the case's entries blind (none is copied);
moderation pairs the n-th entry of one marking with the n-th of the other, names each
disagreement's entry, and records each decision for its question in its entry only
(``fieldwork.services.marking_slots``, docs/repeats.md).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case as sql_case, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from fieldwork import audit, contract
from fieldwork.catalog import load_catalog
from fieldwork.contract import CONTEXT_SECTION
from fieldwork.problem_codes import (
    ALREADY_MODERATED, ALREADY_SECOND_MARKED as ALREADY_SAMPLED, BAD_SAMPLE, FORCE_NOT_COVERED, NOTHING_TO_SAMPLE,
    NOT_A_DISAGREEMENT, NOT_A_SECOND_MARKER, NOT_ELIGIBLE, NOT_READY_FOR_MODERATION as NOT_READY,
    NO_SECOND_MARKER, SAME_INSPECTOR, UNDECIDED, UNKNOWN_INSPECTOR, UNKNOWN_QUESTIONNAIRE,
    UNKNOWN_SECOND_MARKING as UNKNOWN_MARKING,
)
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire import entries
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.services import agreement, assessments, inspections, marking_slots, permissions
from fieldwork.services.permissions import INSPECTOR, LEAD, Actor
from fieldwork.services import actor_check
from models import (AGREED, COMPLETE, DRAFT, PRIMARY, SECOND, Answer, Assessment, CaseFile, Inspection,
                    ModerationDecision, QuestionnaireVersion, SecondMarking, User, utcnow)

FORCE = "force"
NOT_ASKED = ""  # the agreed "answer" for a question the agreed answers do not ask


@dataclass(frozen=True)
class SampleItem:
    force: str | None
    case_id: int
    case_ref: str
    primary_uid: str
    first_inspector: str


@dataclass
class Sample:
    rule: str  # how it was drawn, in words, kept with each assignment
    items: list[SampleItem]
    eligible: dict[str | None, int]  # force -> candidates


def _candidates(session: Session, inspection_id: int, questionnaire_id: str) -> list[SampleItem]:
    """Complete, counted primary assessments not yet second-marked nor in an open conflict."""
    force = aliased(Answer)
    rows = session.execute(
        select(force.value, CaseFile.id, CaseFile.case_ref, Assessment.uid, Assessment.inspector)
        .join(CaseFile, CaseFile.id == Assessment.case_id)
        .outerjoin(force, and_(force.assessment_id == Assessment.id, force.question == FORCE))
        .outerjoin(SecondMarking, SecondMarking.primary_uid == Assessment.uid)
        .where(CaseFile.inspection_id == inspection_id, CaseFile.questionnaire == questionnaire_id,
               Assessment.status == COMPLETE, Assessment.counted, Assessment.purpose == PRIMARY,
               Assessment.conflict.is_(False), SecondMarking.id.is_(None))
        .order_by(CaseFile.case_ref, Assessment.uid)).all()
    return [SampleItem(*r) for r in rows]


def draw_sample(session: Session, actor: Actor, questionnaire_id: str, *, seed: int, percent: float | None = None,
                number: int | None = None, forces: list[str] | None = None,
                inspection: inspections.InspectionRef = None) -> Sample:
    """The cases to second-mark: per force, ``percent`` of its candidates (rounded up) or
    ``number`` of them (all of them if it has fewer). Reproducible from the seed."""
    permissions.require_role(actor, permissions.LEADS, "draw a second-marking sample")
    problems = []
    if (percent is None) == (number is None):
        problems.append(Problem(BAD_SAMPLE, "give either a percentage or a number of cases per force", field="size"))
    if percent is not None and not 0 < percent <= 100:
        problems.append(Problem(BAD_SAMPLE, "the percentage must be above 0 and at most 100", field="percent"))
    if number is not None and number < 1:
        problems.append(Problem(BAD_SAMPLE, "the number of cases per force must be at least 1", field="number"))
    if isinstance(seed, bool) or not isinstance(seed, int):
        problems.append(Problem(BAD_SAMPLE, "the seed must be a whole number (note it: it redraws the sample)",
                                field="seed"))
    if problems:
        raise ProblemError(problems, "the sample was not drawn")
    inspection = inspections.resolve(session, inspection)
    by_force: dict[str | None, list[SampleItem]] = {}
    for item in _candidates(session, inspection.id, questionnaire_id):
        if not forces or item.force in forces:
            by_force.setdefault(item.force, []).append(item)
    items = []
    for force_code in sorted(by_force, key=lambda f: (f is None, f or "")):
        pool = by_force[force_code]
        k = min(len(pool), number if number is not None else math.ceil(len(pool) * percent / 100))
        items += sorted(random.Random(f"{seed}:{force_code}").sample(pool, k), key=lambda i: i.case_ref)
    size = f"{number} case(s)" if number is not None else f"{percent:g}%"
    rule = f"{size} per force, seed {seed}" + (f", forces {', '.join(map(_force_name, forces))}" if forces else "")
    return Sample(rule, items, {f: len(p) for f, p in by_force.items()})


def marker_accounts(session: Session) -> dict[str, Actor]:
    """Active inspector and lead accounts, with the forces each may see."""
    from fieldwork.services.accounts import actor_of

    return {u.name: actor_of(u) for u in session.execute(
        select(User).where(User.active, User.role.in_((INSPECTOR, LEAD)))).scalars()}


def second_markers(session: Session, inspection: inspections.InspectionRef = None) -> list[str]:
    """Who can second-mark: the active inspector and lead accounts. Only where the database has
    no account at all (a laptop used from the command line) anyone who has scored in this
    inspection: a name without an account can never open the case it is given."""
    inspection = inspections.resolve(session, inspection)
    names = set(marker_accounts(session))
    if not session.execute(select(func.count()).select_from(User).where(User.active)).scalar_one():
        names |= set(session.execute(select(Assessment.inspector).join(CaseFile, CaseFile.id == Assessment.case_id)
                                     .where(CaseFile.inspection_id == inspection.id)
                                     .distinct()).scalars())
    return sorted(n for n in names if n and not n.startswith("os:"))


def propose(items: list[SampleItem], markers: list[str], load: dict[str, int] | None = None,
            accounts: dict[str, Actor] | None = None) -> dict[str, str | None]:
    """primary uid -> second inspector: never the first marker, never someone whose account does
    not cover the case's force (``accounts``: name -> Actor, see ``marker_accounts``), the least
    loaded first (ties by name, so the proposal is the same each time). None where nobody can."""
    load = dict(load or {})
    out: dict[str, str | None] = {}
    for item in items:
        others = [m for m in markers if m != item.first_inspector and _may_see(accounts, m, item.force)]
        choice = min(others, key=lambda m: (load.get(m, 0), m)) if others else None
        out[item.primary_uid] = choice
        if choice:
            load[choice] = load.get(choice, 0) + 1
    return out


def _may_see(accounts: dict[str, Actor] | None, name: str, force: str | None) -> bool:
    if accounts is None:  # no accounts to go by (the command line on a laptop)
        return True
    actor = accounts.get(name)
    return actor is not None and actor.sees_force(force)


def current_load(session: Session, inspection: inspections.InspectionRef = None) -> dict[str, int]:
    """Second markings not yet moderated, per second inspector."""
    inspection = inspections.resolve(session, inspection)
    return dict(session.execute(select(SecondMarking.second_inspector, func.count())
                                .where(SecondMarking.inspection_id == inspection.id, SecondMarking.agreed_uid.is_(None))
                                .group_by(SecondMarking.second_inspector)).all())


# --- a whole draw, checked before anything is written (the command line) ---------------------------


@dataclass
class Plan:
    sample: Sample
    proposal: dict[str, str]  # primary uid -> second inspector, for every sampled case


def questionnaire_problem(session: Session, questionnaire_id: str,
                          inspection: inspections.InspectionRef = None) -> Problem | None:
    """A problem if the inspection has no such questionnaire (a typo would otherwise draw nothing)."""
    inspection = inspections.resolve(session, inspection)
    known = inspections.questionnaire_ids(session, inspection)
    if questionnaire_id in known:
        return None
    return Problem(UNKNOWN_QUESTIONNAIRE, f"{inspection.name} has no questionnaire {questionnaire_id!r} "
                   f"(it has: {', '.join(known) or 'none'})", item=questionnaire_id,
                   item_kind="questionnaire")


def marker_problems(session: Session, names: list[str], inspection: inspections.InspectionRef = None) -> list[Problem]:
    """Every named second inspector who may not second-mark: a disabled or admin account, or a
    name with no account. Where the database has no accounts yet (laptops), a name must be one
    that has scored in this inspection, so a typo is caught rather than assigned work."""
    inspection = inspections.resolve(session, inspection)
    users = {u.name: u for u in session.execute(select(User).where(User.name.in_(names))).scalars()} if names else {}
    any_accounts = session.execute(select(func.count()).select_from(User).where(User.active)).scalar_one() > 0
    markers = second_markers(session, inspection)
    if any_accounts:  # ``assign`` then takes only accounts: offer only those in the message
        markers = sorted(session.execute(select(User.name).where(User.active, User.role.in_((INSPECTOR, LEAD))))
                         .scalars())
    problems = []
    for name in names:
        user = users.get(name)
        if user is not None and not user.active:
            problems.append(Problem(NOT_A_SECOND_MARKER, f"the account {name} is disabled", item=name,
                                    item_kind="inspector"))
        elif user is not None and user.role not in (INSPECTOR, LEAD):
            problems.append(Problem(NOT_A_SECOND_MARKER, f"{name} is an {user.role} account, not an inspector or "
                                    "lead: it cannot score cases", item=name, item_kind="inspector"))
        elif user is None and (any_accounts or name not in markers):
            problems.append(Problem(UNKNOWN_INSPECTOR, f"no inspector {name!r} (second markers: "
                                    f"{', '.join(markers) or 'none yet'})", item=name, item_kind="inspector"))
    return problems


def plan(session: Session, actor: Actor, questionnaire_id: str, markers: list[str], *, seed: int,
         percent: float | None = None, number: int | None = None, forces: list[str] | None = None,
         inspection: inspections.InspectionRef = None) -> Plan:
    """``draw_sample`` (the same draw as the Second marking page) and ``propose`` over the named
    second inspectors with the ``current_load``, checked as a whole: every problem with the
    questionnaire, the rule, the inspectors, a force with nothing to draw, and each case whose
    only named second inspector marked it first, together. Writes nothing; ``assign`` does."""
    permissions.require_role(actor, permissions.LEADS, "draw a second-marking sample")
    inspection = inspections.resolve(session, inspection)
    names = list(dict.fromkeys(markers))
    problems = [p for p in [questionnaire_problem(session, questionnaire_id, inspection)] if p]
    bad_names = marker_problems(session, names, inspection)
    if not names:
        bad_names.append(Problem(NO_SECOND_MARKER, "name at least one second inspector", field="second_inspector"))
    try:
        sample = draw_sample(session, actor, questionnaire_id, seed=seed, percent=percent, number=number,
                             forces=forces, inspection=inspection)
    except ProblemError as exc:
        raise ProblemError(problems + exc.problems + bad_names, exc.summary) from None
    if problems:  # an unknown questionnaire draws nothing: no point saying so too
        raise ProblemError(problems + bad_names, "the sample was not drawn")
    problems = bad_names
    for force_code in forces or []:
        if force_code not in sample.eligible:
            problems.append(Problem(NOTHING_TO_SAMPLE, "no complete case of this force is waiting for a second "
                                    "marking", item=force_code, item_kind="force"))
    if not sample.items and not forces:
        problems.append(Problem(NOTHING_TO_SAMPLE, "no complete case is waiting for a second marking (complete "
                                "first markings not already second-marked nor in an unresolved conflict)",
                                item=questionnaire_id, item_kind="questionnaire"))
    usable = [n for n in names if n not in {p.item for p in bad_names}]
    accounts = marker_accounts(session) or None
    proposal = propose(sample.items, usable, current_load(session, inspection), accounts)
    if usable:  # with nobody usable the problems above already say why
        problems += [Problem(SAME_INSPECTOR, f"nobody named can second-mark it: {i.first_inspector} marked it "
                             f"first, and no other named inspector's account covers {i.force or 'cases without a force'}"
                             ": name another", field="second_inspector", item=i.case_ref,
                             item_kind="case") for i in sample.items if proposal[i.primary_uid] is None]
    if problems:
        raise ProblemError(problems, "the sample was not drawn")
    return Plan(sample, proposal)


def assign(session: Session, actor: Actor, assignments: dict[str, str], *, rule: str = "",
           inspection: inspections.InspectionRef = None) -> list[SecondMarking]:
    """Create the blind second markings: {primary uid: second inspector}. All or nothing."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    permissions.require_role(actor, permissions.LEADS, "assign second markings")
    inspection = inspections.resolve(session, inspection)
    rows, cases = _assessed_cases(session, assignments)
    problems = assignment_problems(session, rows, cases, assignments, inspection)
    if problems:
        raise ProblemError(problems, "no second marking was assigned")
    return _create(session, actor, rows, cases, assignments, rule, inspection)


def check_assignments(session: Session, actor: Actor, assignments: dict[str, str],
                      inspection: inspections.InspectionRef = None) -> list[Problem]:
    """Every problem ``assign`` would refuse, each naming its case (``item``): the page assigns
    the rows without one and keeps the others for the lead to change."""
    permissions.require_role(actor, permissions.LEADS, "assign second markings")
    inspection = inspections.resolve(session, inspection)
    rows, cases = _assessed_cases(session, assignments)
    return assignment_problems(session, rows, cases, assignments, inspection)


def _assessed_cases(session: Session, assignments: dict[str, str]) -> tuple[dict, dict]:
    """The assessments an assignment names ({uid: Assessment}) and their cases ({id: CaseFile})."""
    rows = {a.uid: a for a in session.execute(select(Assessment).where(
        Assessment.uid.in_(list(assignments)))).scalars()}
    cases = {c.id: c for c in session.execute(select(CaseFile).where(
        CaseFile.id.in_([a.case_id for a in rows.values()]))).scalars()}
    return rows, cases


def _force_name(code: str) -> str:
    """A force as a lead reads it ("Durham Constabulary"), from the contract's code list."""
    return next((c.label for c in load_catalog().codes.forces if c.code == code), code)


def assignment_problems(session: Session, rows: dict, cases: dict, assignments: dict[str, str],
                        inspection: Inspection) -> list[Problem]:
    uids = list(assignments)
    taken = set(session.execute(select(SecondMarking.primary_uid).where(SecondMarking.primary_uid.in_(uids))).scalars())
    accounts = marker_accounts(session)
    any_accounts = session.execute(select(func.count()).select_from(User).where(User.active)).scalar_one() > 0
    forces = dict(session.execute(select(Answer.assessment_id, Answer.value).where(
        Answer.assessment_id.in_([a.id for a in rows.values()]), Answer.question == FORCE)).all())
    problems = []
    for uid, second in assignments.items():
        a = rows.get(uid)
        ref = cases[a.case_id].case_ref if a is not None else uid
        if a is None or cases[a.case_id].inspection_id != inspection.id:
            problems.append(Problem(NOT_ELIGIBLE, "no such assessment in this inspection", item=ref, item_kind="case"))
        elif a.purpose != PRIMARY or a.status != COMPLETE or not a.counted:
            problems.append(Problem(NOT_ELIGIBLE, "only a complete, counted first marking can be second-marked",
                                    item=ref, item_kind="case"))
        elif uid in taken:
            problems.append(Problem(ALREADY_SAMPLED, "is already second-marked", item=ref, item_kind="case"))
        if not second:
            problems.append(Problem(NO_SECOND_MARKER, "choose a second inspector", item=ref, item_kind="case",
                                    field="second_inspector"))
        elif a is not None and second == a.inspector:
            problems.append(Problem(SAME_INSPECTOR, f"{second} marked it first: a second marking needs another "
                                    "inspector", item=ref, item_kind="case", field="second_inspector"))
        elif any_accounts and second not in accounts:
            problems.append(Problem(UNKNOWN_INSPECTOR, f"{second} has no active inspector or lead account, so could "
                                    "never open the case: choose someone with an account", item=ref,
                                    item_kind="case", field="second_inspector"))
        elif a is not None and any_accounts and not accounts[second].sees_force(forces.get(a.id)):
            problems.append(Problem(
                FORCE_NOT_COVERED,
                f"{second}'s account covers only {', '.join(_force_name(f) for f in accounts[second].forces)}, not "
                f"{_force_name(forces.get(a.id)) if forces.get(a.id) else 'a case without a force'}: they could "
                "never see this case",
                item=ref, item_kind="case", field="second_inspector"))
    return problems


def _create(session: Session, actor: Actor, rows: dict, cases: dict, assignments: dict[str, str], rule: str,
            inspection: Inspection) -> list[SecondMarking]:
    created = []
    for uid, second in assignments.items():
        primary = rows[uid]
        q = inspections.questionnaire_of(session.get(QuestionnaireVersion, primary.questionnaire_version_id))
        context = [n for n in (x.name for x in q.questions_in(CONTEXT_SECTION)) if n != contract.CASE_REF]
        # the case's facts, never an entry: the second marker records the entries blind
        copied = session.execute(select(Answer.question, Answer.value).where(
            Answer.assessment_id == primary.id, Answer.question.in_(context), Answer.instance == "",
            Answer.value.is_not(None))).all()
        draft = Assessment(case_id=primary.case_id, questionnaire_version_id=primary.questionnaire_version_id,
                           inspector=second, status=DRAFT, purpose=SECOND, counted=False)
        session.add(draft)
        session.flush()
        session.add_all(Answer(assessment_id=draft.id, question=q_, value=v) for q_, v in copied)
        case = cases[primary.case_id]
        marking = SecondMarking(inspection_id=inspection.id, questionnaire=case.questionnaire, case_id=case.id,
                                primary_uid=uid, second_uid=draft.uid, first_inspector=primary.inspector,
                                second_inspector=second, sample_rule=rule[:200], assigned_by=actor.name)
        session.add(marking)
        audit.record(session, actor.name, audit.SECOND_MARKING, inspection_id=inspection.id, case_ref=case.case_ref,
                     assessment_uid=draft.uid, step="assigned", first=primary.inspector, second=second, rule=rule,
                     context_copied=len(copied))
        created.append(marking)
    session.flush()
    return created


# --- the state of each second marking -----------------------------------------------------------


AWAITING = "awaiting second marking"
TO_MODERATE = "to moderate"
MODERATED = "moderated"


@dataclass(frozen=True)
class MarkingRow:
    id: int
    case_ref: str
    questionnaire: str
    first_inspector: str
    second_inspector: str
    state: str
    disagreements: int | None  # questions answered differently (once both are complete)
    decided: int
    assigned_at: datetime
    sample_rule: str


def markings(session: Session, actor: Actor, *, questionnaire: str | None = None,
             inspection: inspections.InspectionRef = None) -> list[MarkingRow]:
    permissions.require_role(actor, permissions.LEADS, "see second markings")
    inspection = inspections.resolve(session, inspection)
    first, second = aliased(Assessment), aliased(Assessment)
    query = (select(SecondMarking, CaseFile.case_ref, first.id, first.status, second.id, second.status)
             .join(CaseFile, CaseFile.id == SecondMarking.case_id)
             .join(first, first.uid == SecondMarking.primary_uid)
             .join(second, second.uid == SecondMarking.second_uid)
             .where(SecondMarking.inspection_id == inspection.id)
             .order_by(CaseFile.questionnaire, CaseFile.case_ref))
    if questionnaire:
        query = query.where(SecondMarking.questionnaire == questionnaire)
    rows = session.execute(query).all()
    ready = {m.id for m, _, _, fs, _, ss in rows if fs == COMPLETE and ss == COMPLETE}
    differing = _disagreement_counts(session, sorted(ready))
    decided = dict(session.execute(select(ModerationDecision.marking_id, func.count())
                                   .where(ModerationDecision.marking_id.in_([m.id for m, *_ in rows]))
                                   .group_by(ModerationDecision.marking_id)).all()) if rows else {}
    out = []
    for m, ref, _, fs, _, ss in rows:
        state = MODERATED if m.agreed_uid else TO_MODERATE if m.id in ready else AWAITING
        out.append(MarkingRow(m.id, ref, m.questionnaire, m.first_inspector, m.second_inspector, state,
                              differing.get(m.id, 0) if m.id in ready else None, decided.get(m.id, 0),
                              m.assigned_at, m.sample_rule))
    return out


def state_counts(session: Session, actor: Actor, *, questionnaire: str | None = None,
                 inspection: inspections.InspectionRef = None) -> dict[str, int]:
    """{state: second markings in it}, the states ``markings`` gives each row (awaiting second
    marking, to moderate, moderated), counted in the database: what the draft report says of
    the cases still to moderate, as the Second marking page does under its table."""
    permissions.require_role(actor, permissions.LEADS, "see second markings")
    inspection = inspections.resolve(session, inspection)
    first, second = aliased(Assessment), aliased(Assessment)
    state = sql_case((SecondMarking.agreed_uid.is_not(None), MODERATED),
                 (and_(first.status == COMPLETE, second.status == COMPLETE), TO_MODERATE), else_=AWAITING)
    query = (select(state, func.count()).select_from(SecondMarking)
             .join(first, first.uid == SecondMarking.primary_uid)
             .join(second, second.uid == SecondMarking.second_uid)
             .where(SecondMarking.inspection_id == inspection.id).group_by(state))
    if questionnaire:
        query = query.where(SecondMarking.questionnaire == questionnaire)
    return {name: int(n) for name, n in session.execute(query).all()}


def _disagreement_counts(session: Session, marking_ids: list[int]) -> dict[int, int]:
    """marking id -> slots (questions, in each entry of a repeat group) the two markings answer
    differently (one side blank counts, so does an answer in an entry the other did not record),
    in the database."""
    if not marking_ids:
        return {}
    first, second = aliased(Assessment), aliased(Assessment)
    pairs = (select(SecondMarking.id.label("pair"), first.id.label("first_id"), second.id.label("second_id"))
             .join(first, first.uid == SecondMarking.primary_uid)
             .join(second, second.uid == SecondMarking.second_uid)
             .where(SecondMarking.id.in_(marking_ids))).subquery()
    asked, a1, a2 = agreement.paired_answers(pairs)
    return dict(session.execute(
        agreement.joined(select(asked.c.pair, func.count()).select_from(asked), asked, a1, a2)
        .where(asked.c.question != contract.CASE_REF, func.coalesce(a1.value, "") != func.coalesce(a2.value, ""))
        .group_by(asked.c.pair)).all())


# --- moderation -----------------------------------------------------------------------------------


@dataclass
class Disagreement:
    question: str
    label: str
    section: str
    first_value: str | None
    second_value: str | None
    first_note: str
    second_note: str
    options: list[tuple[str, str]]  # (code, label) the lead may choose, NOT_ASKED last
    agreed: str | None = None  # NOT_ASKED for "not asked", None while undecided
    agreed_by: str | None = None
    instance: str = ""  # the entry of a repeat group it is in ("incident[2]/pin[1]"), "" outside one
    entry: str = ""  # that entry in words ("Incident 2 › PIN issued 1"), "" outside one
    agreed_at: datetime | None = None  # when the agreed answer was last saved (moderation_choices: who saved since)

    @property
    def decided(self) -> bool:
        return self.agreed is not None

    @property
    def slot(self) -> str:
        """The question in its entry (``incident[2]/when``): what a decision is recorded for."""
        return entries.slot(self.instance, self.question)

    @property
    def where(self) -> str:
        """The question as a person names it, with its entry: "Incident 2: “Date of incident”"."""
        return f"{self.entry}: “{self.label}”" if self.entry else f"“{self.label}”"


@dataclass
class Moderation:
    marking_id: int
    case_ref: str
    questionnaire: Questionnaire
    first_inspector: str
    second_inspector: str
    ready: bool  # both markings complete
    finished: bool
    agreed_uid: str | None
    disagreements: list[Disagreement] = field(default_factory=list)
    moderated_by: str | None = None  # who finished it, and when (None while it is open)
    moderated_at: datetime | None = None

    @property
    def finished_words(self) -> str:
        """Who finished the moderation and when, as a person reads it."""
        when = f" on {self.moderated_at:%d %b %Y} at {self.moderated_at:%H:%M}" if self.moderated_at else ""
        return f"{self.moderated_by or 'another lead'} finished moderating {self.case_ref}{when}"

    @property
    def undecided(self) -> list[Disagreement]:
        return [d for d in self.disagreements if not d.decided]


def _marking(session: Session, marking_id: int) -> SecondMarking:
    marking = session.get(SecondMarking, marking_id)
    if marking is None:
        raise ProblemError([Problem(UNKNOWN_MARKING, "no such second marking: reload the page")])
    return marking


def _assessment(session: Session, uid: str) -> Assessment:
    return session.execute(select(Assessment).where(Assessment.uid == uid)).scalars().one()


def moderation(session: Session, actor: Actor, marking_id: int) -> Moderation:
    """The case's disagreements side by side, with both evidence notes and any agreed answers.
    Inside a repeat group each entry is compared with the other marker's entry of the same
    instance path (the n-th with the n-th); a disagreement names its entry."""
    permissions.require_role(actor, permissions.LEADS, "moderate second markings")
    marking = _marking(session, marking_id)
    first, second = _assessment(session, marking.primary_uid), _assessment(session, marking.second_uid)
    q = inspections.questionnaire_of(session.get(QuestionnaireVersion, first.questionnaire_version_id))
    case = session.get(CaseFile, marking.case_id)
    view = Moderation(marking.id, case.case_ref, q, marking.first_inspector, marking.second_inspector,
                      first.status == COMPLETE and second.status == COMPLETE, marking.agreed_uid is not None,
                      marking.agreed_uid, moderated_by=marking.moderated_by, moderated_at=marking.moderated_at)
    if not view.ready:
        return view
    a1, a2 = marking_slots.answers(session, first.id), marking_slots.answers(session, second.id)
    decisions = {entries.slot(d.instance, d.question): d for d in session.execute(
        select(ModerationDecision).where(ModerationDecision.marking_id == marking.id)).scalars()}
    for key in marking_slots.ordered(q, set(a1) | set(a2)):
        instance, name = entries.split(key)
        question = q.question(name)
        v1, n1 = a1.get(key, (None, ""))
        v2, n2 = a2.get(key, (None, ""))
        if name == contract.CASE_REF or (v1 or None) == (v2 or None):
            continue
        options = [(c.code, c.label) for c in q.options(name)] if question.is_single_choice else \
            [(v, v) for v in dict.fromkeys(x for x in (v1, v2) if x)]
        decision = decisions.get(key)
        view.disagreements.append(Disagreement(
            name, question.label, question.section, v1, v2, n1, n2, options + [(NOT_ASKED, "(not asked)")],
            None if decision is None else (decision.agreed_value or NOT_ASKED),
            decision.agreed_by if decision else None, instance, entries.title(q, instance) if instance else "",
            decision.agreed_at if decision else None))
    return view


def still_open(session: Session, actor: Actor, marking_id: int) -> Moderation:
    """The moderation as it stands; refused, saying who finished it and when, if it is finished
    (another lead may have finished it while this one was choosing agreed answers)."""
    view = moderation(session, actor, marking_id)
    if view.finished:
        raise ProblemError([Problem(ALREADY_MODERATED, f"{view.finished_words}: findings count those agreed "
                                    "answers, and yours were not saved", item=view.case_ref, item_kind="case")],
                           "your agreed answers were not saved")
    return view


def agree(session: Session, actor: Actor, marking_id: int, question: str, value: str, *, instance: str = "",
          replaces: str | None = None) -> None:
    """Record the agreed answer to one disagreement (``NOT_ASKED`` for "not asked"): the
    question, in the entry ``instance`` of a repeat group ("" outside one), and in that entry
    only. A later call for the same question and entry replaces it; each is audited with who
    agreed it (and the entry; ``replaces``: whose agreed answer a lead kept theirs over)."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    view = still_open(session, actor, marking_id)
    if not view.ready:
        raise ProblemError([Problem(NOT_READY, "both markings must be complete before moderation",
                                    item=view.case_ref, item_kind="case")])
    found = next((d for d in view.disagreements if d.question == question and d.instance == instance), None)
    key = entries.slot(instance, question)
    if found is None:
        where = f" in {entries.title(view.questionnaire, instance)}" if instance and entries.is_path(instance) else ""
        raise ProblemError([Problem(NOT_A_DISAGREEMENT, f"the two markings agree on this question{where}",
                                    item=key)])
    stored = None
    if value != NOT_ASKED:
        q = view.questionnaire.question(question)
        stored, fault = assessments.normalise(view.questionnaire, q, value)
        if fault or stored is None:
            raise ProblemError([Problem(assessments.UNKNOWN_CODE, fault or "choose an answer", item=key)])
    decision = session.execute(select(ModerationDecision).where(
        ModerationDecision.marking_id == marking_id, ModerationDecision.question == question,
        ModerationDecision.instance == instance)).scalars().first()
    if decision is None:
        decision = ModerationDecision(marking_id=marking_id, question=question, instance=instance,
                                      first_value=found.first_value, second_value=found.second_value,
                                      agreed_by=actor.name)
    decision.agreed_value, decision.agreed_by, decision.agreed_at = stored, actor.name, utcnow()
    session.add(decision)
    is_code = view.questionnaire.question(question).is_single_choice  # codes only in the trail, never free text
    marking = _marking(session, marking_id)
    audit.record(session, actor.name, audit.MODERATION, inspection_id=marking.inspection_id, case_ref=view.case_ref,
                 assessment_uid=marking.primary_uid, question=question,
                 old_value=found.first_value if is_code else None, new_value=stored if is_code else None,
                 step="agreed", second=found.second_value if is_code else None,
                 **({"instance": instance} if instance else {}),  # which entry of a repeat group
                 **({"replaces": replaces} if replaces else {}))
    session.flush()


def finish(session: Session, actor: Actor, marking_id: int) -> str:
    """Write the agreed assessment once every disagreement is decided; it takes the primary's
    place in findings. Returns its uid. Refused, naming every question, while any is undecided
    or the agreed answers leave a required question unanswered."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    view = moderation(session, actor, marking_id)
    if view.finished:
        raise ProblemError([Problem(ALREADY_MODERATED, f"moderation is finished already: {view.finished_words}",
                                    item=view.case_ref, item_kind="case")])
    if not view.ready:
        raise ProblemError([Problem(NOT_READY, "both markings must be complete before moderation",
                                    item=view.case_ref, item_kind="case")])
    if view.undecided:
        raise ProblemError([Problem(UNDECIDED, f"no agreed answer yet for {d.where}", item=d.slot)
                            for d in view.undecided], "moderation is not finished")
    marking = _marking(session, marking_id)
    first, second = _assessment(session, marking.primary_uid), _assessment(session, marking.second_uid)
    a1, a2 = marking_slots.answers(session, first.id), marking_slots.answers(session, second.id)
    q = view.questionnaire
    agreed = {key: v for key, (v, _) in a1.items() if v is not None}
    for d in view.disagreements:
        agreed.pop(d.slot, None)
        if d.agreed != NOT_ASKED:
            agreed[d.slot] = d.agreed
    # an entry every answer of which was agreed as not asked goes; the later ones move down
    moved = marking_slots.closed_up(agreed)
    origin = {new: old for old, new in moved.items()}  # where each agreed answer's notes are found
    agreed = {moved[key]: v for key, v in agreed.items()}
    case = session.get(CaseFile, marking.case_id)
    answers = {**agreed, contract.CASE_REF: case.case_ref} if q.has_question(contract.CASE_REF) else dict(agreed)
    instances = {entries.split(key)[0] for key in answers} - {""}
    # an agreed answer may hide a question the first marker answered (in an entry: that entry's)
    cleared = entries.Entries(q, answers, instances).irrelevant()
    for key in cleared:
        agreed.pop(key, None)
        answers.pop(key, None)
    problems = [p for p in assessments.completion_problems(q, answers, instances)]
    if problems:
        raise ProblemError(problems, "the agreed answers are not complete: record agreed answers for these")

    now = utcnow()
    row = Assessment(case_id=first.case_id, questionnaire_version_id=first.questionnaire_version_id,
                     inspector=actor.name, status=COMPLETE, purpose=AGREED, counted=first.counted,
                     completed_at=now)
    session.add(row)
    session.flush()
    notes = {}
    for key, value in agreed.items():
        was = origin.get(key, key)  # the slot both markings hold it in, before entries moved down
        (v1, n1), (v2, n2) = a1.get(was, (None, "")), a2.get(was, (None, ""))
        if value == v1 and (n1 or value != v2):
            notes[key] = n1
        elif value == v2:
            notes[key] = n2
        else:  # agreed on neither's answer: keep both notes as the evidence considered
            notes[key] = "\n".join(f"{who}: {n}" for who, n in ((marking.first_inspector, n1),
                                                                (marking.second_inspector, n2)) if n)
    session.add_all(Answer(assessment_id=row.id, question=entries.split(key)[1], instance=entries.split(key)[0],
                           value=value, note=notes.get(key, "")) for key, value in agreed.items())
    first.counted = False  # the agreed answers take its place in findings; it stays, for agreement and the record
    session.add(first)
    marking.agreed_uid, marking.moderated_by, marking.moderated_at = row.uid, actor.name, now
    session.add(marking)
    changed = sum((d.agreed or None) != (d.first_value or None) for d in view.disagreements)  # NOT_ASKED is ""
    audit.record(session, actor.name, audit.MODERATION, inspection_id=marking.inspection_id, case_ref=case.case_ref,
                 assessment_uid=row.uid, step="finished", disagreements=len(view.disagreements),
                 changed_from_first=changed, cleared=len(cleared))
    session.flush()
    return row.uid


def second_marked_uids(session: Session, inspection_id: int, questionnaire: str | None = None) -> set[str]:
    """Assessments of second-marked cases that findings may count: the primary, or after
    moderation the agreed one (exports mark them)."""
    query = select(SecondMarking.primary_uid, SecondMarking.agreed_uid).where(
        SecondMarking.inspection_id == inspection_id)
    if questionnaire:
        query = query.where(SecondMarking.questionnaire == questionnaire)
    return {u for pair in session.execute(query).all() for u in pair if u}

