"""The case register of an inspection: adding a case (with its first, draft assessment) and
listing the cases with their status and the progress of each force against the sample.

A case's force is its primary assessment's answer to ``force`` (the case file itself holds
only the pseudonymous reference). Its status is counted in the database from its
assessments: *complete* when a counted assessment is complete, *draft* once its scoring has
started (anything saved after the case was added), *not started* before that. A second
marking in progress does not make a case started: the register follows the scoring that counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Mapping

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from fieldwork import audit, contract
from fieldwork.catalog import SamplePlan, load_catalog
from fieldwork.problem_codes import BAD_CASE_REF, DUPLICATE_CASE_REF, NOT_CONTEXT, UNKNOWN_QUESTIONNAIRE
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire import case_facts
from fieldwork.questionnaire.defaults import with_defaults
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.services import assessments, inspections, permissions, privacy
from fieldwork.services.permissions import Actor
from fieldwork.services import actor_check, characters
from models import COMPLETE, DRAFT, PRIMARY, SECOND, Answer, Assessment, CaseFile, Inspection
from models.sampling import SampleDraw, SampleEntry, SampleExclusion, SampleFrame

NOT_STARTED = "not_started"
STATUSES = {NOT_STARTED: "not started", DRAFT: "draft", COMPLETE: "complete"}  # code -> label
CASE_REF = contract.CASE_REF
FORCE = case_facts.FORCE
CPS_AREA = case_facts.CPS_AREA

# Problem codes.
MISSING_ANSWER = assessments.MISSING_ANSWER


@dataclass(frozen=True)
class NewCase:
    case_id: int
    case_ref: str
    assessment_uid: str


@dataclass(frozen=True)
class CaseRow:
    case_id: int
    case_ref: str
    questionnaire: str
    force: str | None
    status: str  # a STATUSES code
    inspectors: tuple[str, ...]
    updated_at: datetime | None  # the last save to any of its assessments
    # an imported ODK Central / KoboToolbox submission: who sent it and when ("" otherwise)
    submitted_by: str = ""
    submitted_at: str = ""
    review_state: str = ""  # ODK Central's ReviewState (approved, hasIssues, ...), "" otherwise


@dataclass(frozen=True)
class ForceProgress:
    questionnaire: str
    force: str | None
    complete: int
    cases: int  # in the register
    target: int  # the sample's target for the force (0: not in the sample)
    # complete cases of the force's drawn sample (its drawn cases and their replacements); None
    # when no sample was drawn for the force, and every case of the register counts towards the target
    sampled_complete: int | None = None

    @property
    def towards_target(self) -> int:
        """Complete cases that count towards the target, never more than the target: a drawn
        sample's own cases, else any of the force's (walk 23: "17 of 16" while the 16 drawn were
        not started, the 17 being cases outside the draw)."""
        done = self.complete if self.sampled_complete is None else self.sampled_complete
        return min(done, self.target)

    @property
    def outside(self) -> int:
        """Complete cases that do not count towards the target: outside the drawn sample, or past it."""
        return self.complete - self.towards_target


@dataclass
class Register:
    inspection: Inspection
    rows: list[CaseRow]
    progress: list[ForceProgress] = field(default_factory=list)


def context_questions(questionnaire: Questionnaire) -> list[str]:
    """The questions asked when a case is added, in the form's order: the context section's and
    the facts checked here (force, CPS Area) wherever the form puts them, less the case
    reference, calculations and metadata (fieldwork/questionnaire/case_facts.py)."""
    return [q.name for q in case_facts.asked_at_add(questionnaire)]


def _label(questionnaire: Questionnaire, name: str) -> str:
    return f"“{questionnaire.question(name).label or name}”" if questionnaire.has_question(name) else repr(name)


def _questionnaire_of_inspection(session: Session, inspection: Inspection, questionnaire_id: str) -> None:
    known = inspections.questionnaire_ids(session, inspection)
    if questionnaire_id not in known:
        raise ProblemError([Problem(UNKNOWN_QUESTIONNAIRE, f"{inspection.name} has no questionnaire "
                                    f"{questionnaire_id!r} (it has: {', '.join(known) or 'none'})",
                                    field="questionnaire", item=questionnaire_id)])


def add_case(session: Session, actor: Actor, *, inspection: inspections.InspectionRef, questionnaire_id: str,
             case_ref: str, context: Mapping[str, str | None]) -> NewCase:
    """Add a case to the register with a draft primary assessment owned by the actor, scored
    on the questionnaire's current version, holding the context answers given. A blank CPS
    Area takes the force's. Refused, with every problem named, for a case reference that is
    not pseudonymous or already in the register, an unknown question or code, or no force."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    # the case comes with a draft for the actor to score: inspectors and leads score, admins do not
    permissions.require_role(actor, (permissions.INSPECTOR, permissions.LEAD), "add a case")
    inspection = inspections.resolve(session, inspection)
    _questionnaire_of_inspection(session, inspection, questionnaire_id)
    version = inspections.current_version(session, questionnaire_id)
    questionnaire = inspections.questionnaire_of(version)

    problems: list[Problem] = []
    ref = (case_ref or "").strip()
    fault = privacy.case_ref_problem(ref, inspection.case_ref_pattern)
    if fault:
        problems.append(Problem(BAD_CASE_REF, f"case reference: {fault}", field=CASE_REF))
    else:
        clash = session.execute(select(CaseFile.case_ref).where(
            CaseFile.inspection_id == inspection.id, CaseFile.questionnaire == questionnaire_id,
            func.lower(CaseFile.case_ref) == ref.lower())).scalar()
        if clash is not None:
            problems.append(Problem(DUPLICATE_CASE_REF, f"{clash} is already in the register for {questionnaire_id}: "
                                    "each case is entered once", field=CASE_REF, item=ref))

    allowed = context_questions(questionnaire)
    given = {k: v for k, v in context.items() if k != CASE_REF}
    problems += characters.problems(given, texts=list(given))  # the one rule for characters (imports, bundles too)
    problems += [Problem(NOT_CONTEXT, f"{_label(questionnaire, k)} is not asked when a case is added (asked then: "
                         f"{', '.join(_label(questionnaire, n) for n in allowed) or 'only the case reference'})",
                         field=k, item=k) for k in given if k not in allowed]
    values, faults = assessments.check_answers(questionnaire, {k: v for k, v in given.items() if k in allowed})
    problems += [Problem(p.code, p.message, field=p.item, item=p.item) for p in faults]
    values = {k: v for k, v in values.items() if v is not None}
    force = values.get(FORCE)
    if questionnaire.has_question(CPS_AREA) and CPS_AREA not in values and force:
        area = load_catalog().codes.force_area.get(force)
        if area in questionnaire.codes(CPS_AREA):
            values[CPS_AREA] = area  # the CPS Area the force sits in, unless told otherwise
    if questionnaire.has_question(FORCE) and not force and FORCE not in {p.field for p in problems}:
        problems.append(Problem(MISSING_ANSWER, "choose the force: the register and the sample count cases by force",
                                field=FORCE, item=FORCE))
    problems += [Problem(p.code, p.message, field=p.item, item=p.item)
                 for p in [*assessments.not_asked(questionnaire, values, list(values)),
                           *assessments.outside_filters(questionnaire, values)]]
    if problems:
        raise ProblemError(problems, "the case was not added")
    if force:
        permissions.require_force(actor, force, "add cases for a force you do not cover")
    values = with_defaults(questionnaire, values)  # a new form starts with its defaults, as in ODK
    values.update(case_facts.worked_out(questionnaire, values))  # calculations: worked out, never typed

    case_file = CaseFile(inspection_id=inspection.id, questionnaire=questionnaire_id, case_ref=ref,
                         created_by=actor.name)
    session.add(case_file)
    try:
        session.flush()
    except IntegrityError:  # someone added the same reference (in any letter case) a moment ago
        raise ProblemError([Problem(DUPLICATE_CASE_REF, f"{ref} was added to the register for {questionnaire_id} "
                                    "by someone else a moment ago: each case is entered once", field=CASE_REF,
                                    item=ref)], "the case was not added") from None
    assessment = Assessment(case_id=case_file.id, questionnaire_version_id=version.id, inspector=actor.name,
                            status=DRAFT, purpose=PRIMARY, counted=True)
    session.add(assessment)
    session.flush()
    session.add_all(Answer(assessment_id=assessment.id, question=k, value=v) for k, v in values.items())
    where = dict(inspection_id=inspection.id, case_ref=ref)
    audit.record(session, actor.name, audit.CASE_CREATED, questionnaire=questionnaire_id, **where)
    audit.record(session, actor.name, audit.ASSESSMENT_CREATED, assessment_uid=assessment.uid,
                 questionnaire=questionnaire_id, version=version.version, purpose=PRIMARY, answers=len(values), **where)
    session.flush()
    return NewCase(case_file.id, ref, assessment.uid)


# --- the register -------------------------------------------------------------------------


def _case_summary():
    """Per case: its force, how far its scoring has got (0 not started, 1 draft, 2 complete),
    the last save, and who holds an assessment of it."""
    started = and_(Assessment.purpose != SECOND, or_(Assessment.version > 1, Assessment.status == COMPLETE))
    rank = func.max(case((and_(Assessment.status == COMPLETE, Assessment.counted), 2), (started, 1), else_=0))
    state = (select(Assessment.case_id.label("case_id"), rank.label("rank"),
                    func.max(Assessment.updated_at).label("updated_at"))
             .group_by(Assessment.case_id).subquery("case_state"))
    force = (select(Assessment.case_id.label("case_id"),
                    # the primary scoring's force; another assessment's only when there is no primary answer
                    func.coalesce(func.max(case((Assessment.purpose == PRIMARY, Answer.value))),
                                  func.max(Answer.value)).label("force"))
             .join(Answer, Answer.assessment_id == Assessment.id)
             .where(Answer.question == FORCE, Answer.value.is_not(None))
             .group_by(Assessment.case_id).subquery("case_force"))
    who = select(Assessment.case_id.label("case_id"), Assessment.inspector.label("inspector")).distinct().subquery()
    names = (select(who.c.case_id, func.aggregate_strings(who.c.inspector, "\n").label("inspectors"))
             .group_by(who.c.case_id).subquery("case_inspectors"))
    return state, force, names


def _status(rank):
    return case((rank == 2, COMPLETE), (rank == 1, DRAFT), else_=NOT_STARTED)


def _scope(query, actor: Actor, inspection: Inspection, force_col, *, questionnaire: str | None,
           forces: Iterable[str]):
    query = query.where(CaseFile.inspection_id == inspection.id)
    # a case excluded from a drawn sample leaves the register (a reserve takes its place);
    # the Sample page and report keep it (fieldwork/services/sampling.py)
    query = query.where(CaseFile.id.not_in(
        select(SampleEntry.case_id).join(SampleExclusion, SampleExclusion.entry_id == SampleEntry.id)
        .where(SampleEntry.case_id.is_not(None))))  # NOT IN over a NULL would hide every case
    if questionnaire:
        query = query.where(CaseFile.questionnaire == questionnaire)
    if forces:
        query = query.where(force_col.in_(list(forces)))
    if actor.forces and not actor.is_lead:  # an inspector restricted to some forces sees only those
        query = query.where(force_col.in_(list(actor.forces)))
    return query


def register(session: Session, actor: Actor, *, inspection: inspections.InspectionRef = None,
             questionnaire: str | None = None, forces: Iterable[str] = (), statuses: Iterable[str] = (),
             inspector: str | None = None, reference: str | None = None) -> Register:
    """The cases of an inspection, filtered, with per-force progress against the sample.
    Progress follows the questionnaire and force filters (not status, inspector or reference:
    it is the sample's progress). ``reference``: cases whose reference contains it, any case.
    The account is read again as it stands now (its force limits)."""
    actor = actor_check.at_write(session, actor)
    inspection = inspections.resolve(session, inspection)
    forces, statuses = list(forces), list(statuses)
    state, force, names = _case_summary()
    status = _status(func.coalesce(state.c.rank, 0))
    joined = (select().select_from(CaseFile).outerjoin(state, state.c.case_id == CaseFile.id)
              .outerjoin(force, force.c.case_id == CaseFile.id))

    rows_q = _scope(joined.add_columns(CaseFile.id, CaseFile.case_ref, CaseFile.questionnaire, force.c.force, status,
                                       names.c.inspectors, state.c.updated_at, CaseFile.source_submitted_by,
                                       CaseFile.source_submitted_at, CaseFile.source_review_state)
                    .outerjoin(names, names.c.case_id == CaseFile.id),
                    actor, inspection, force.c.force, questionnaire=questionnaire, forces=forces)
    if statuses:
        rows_q = rows_q.where(status.in_(statuses))
    if inspector:
        rows_q = rows_q.where(exists().where(Assessment.case_id == CaseFile.id, Assessment.inspector == inspector))
    if reference and reference.strip():
        rows_q = rows_q.where(func.lower(CaseFile.case_ref).contains(reference.strip().lower(), autoescape=True))
    rows = [CaseRow(cid, ref, qid, frc, st, tuple(sorted((who or "").split("\n"))) if who else (), upd, by or "",
                    at or "", review or "")
            for cid, ref, qid, frc, st, who, upd, by, at, review in
            session.execute(rows_q.order_by(CaseFile.questionnaire, CaseFile.case_ref)).all()]

    complete = func.sum(case((status == COMPLETE, 1), else_=0))
    drawn = CaseFile.id.in_(select(SampleEntry.case_id).where(SampleEntry.case_id.is_not(None)))
    sampled = func.sum(case((and_(status == COMPLETE, drawn), 1), else_=0))  # of a drawn sample
    progress_q = _scope(joined.add_columns(CaseFile.questionnaire, force.c.force, complete, func.count(), sampled)
                        .group_by(CaseFile.questionnaire, force.c.force),
                        actor, inspection, force.c.force, questionnaire=questionnaire, forces=forces)
    counted = {(qid, frc): (int(done or 0), int(n), int(in_sample or 0))
               for qid, frc, done, n, in_sample in session.execute(progress_q).all()}
    return Register(inspection, rows, _progress(session, actor, inspection, counted, questionnaire, forces))


def sample_totals(progress: Iterable[ForceProgress]) -> tuple[int, int, int]:
    """(complete towards the sample, the sample's target, complete beyond a force's target): a
    force past its target counts its target, so the sample is never "113 of 112" complete; a force
    whose sample was drawn counts only its drawn cases towards it."""
    progress = list(progress)
    done = sum(p.towards_target for p in progress if p.target)
    return done, sum(p.target for p in progress), sum(p.complete for p in progress) - done


def latest_draft(session: Session, actor: Actor, *, inspection: inspections.InspectionRef = None) -> CaseRow | None:
    """The actor's own case that is not complete where their day resumes: the draft saved most
    recently, else (none started) the case not started added most recently. Its ``status`` says
    which, in the register's words."""
    rows = register(session, actor, inspection=inspection, inspector=actor.name, statuses=[DRAFT, NOT_STARTED]).rows
    return max(rows, key=lambda r: (r.status == DRAFT, str(r.updated_at or "")), default=None)


def _progress(session: Session, actor: Actor, inspection: Inspection, counted: dict, questionnaire: str | None,
              forces: list[str]) -> list[ForceProgress]:
    """Join the counts with the sample's targets: every force in the sample appears, started or not."""
    spec = load_catalog().inspections.get(inspection.code)
    out = []
    for qid in [questionnaire] if questionnaire else inspections.questionnaire_ids(session, inspection):
        plan = spec.sample(qid) if spec else None
        targeted = _sampled_forces(plan)
        drawn = _drawn_targets(session, inspection, qid)  # a drawn sample's own target beats the plan's
        keys = dict.fromkeys([*targeted, *drawn, *(f for q, f in counted if q == qid)])
        for frc in keys:
            if (forces and frc not in forces) or (frc is not None and not actor.sees_force(frc)):
                continue
            done, n, in_sample = counted.get((qid, frc), (0, 0, 0))
            target = drawn.get(frc, plan.target(frc) if plan and frc else 0)
            out.append(ForceProgress(qid, frc, done, n, target, in_sample if frc in drawn else None))
    return out


def _drawn_targets(session: Session, inspection: Inspection, questionnaire: str) -> dict[str, int]:
    """force -> the target of its drawn sample (fieldwork/services/sampling.py)."""
    return dict(session.execute(select(SampleFrame.force, SampleDraw.target).join(
        SampleDraw, SampleDraw.frame_id == SampleFrame.id).where(
        SampleFrame.inspection_id == inspection.id, SampleFrame.questionnaire == questionnaire)).all())


def _sampled_forces(plan: SamplePlan | None) -> list[str]:
    """The forces a sample plan sets a target for: every force when it has a default target."""
    if plan is None:
        return []
    every = [c.code for c in load_catalog().codes.forces] if plan.default_target > 0 else list(plan.targets)
    return [f for f in every if plan.target(f) > 0]


def filter_options(session: Session, actor: Actor, inspection: inspections.InspectionRef = None
                   ) -> tuple[Inspection, list[str], list[str], list[str]]:
    """(inspection, questionnaires, forces, inspectors) to offer as the register's filters:
    the forces in the sample or the register, the inspectors holding an assessment."""
    inspection = inspections.resolve(session, inspection)
    questionnaires = inspections.questionnaire_ids(session, inspection)
    spec = load_catalog().inspections.get(inspection.code)
    in_sample = {f for plan in (spec.samples if spec else ()) for f in _sampled_forces(plan)}
    in_register = set(session.execute(
        select(Answer.value).join(Assessment, Assessment.id == Answer.assessment_id)
        .join(CaseFile, CaseFile.id == Assessment.case_id)
        .where(CaseFile.inspection_id == inspection.id, Answer.question == FORCE, Answer.value.is_not(None))
        .distinct()).scalars())
    forces = sorted(f for f in in_sample | in_register if actor.sees_force(f))
    inspectors = list(session.execute(
        select(Assessment.inspector).join(CaseFile, CaseFile.id == Assessment.case_id)
        .where(CaseFile.inspection_id == inspection.id).distinct().order_by(Assessment.inspector)).scalars())
    return inspection, questionnaires, forces, inspectors
