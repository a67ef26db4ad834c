"""The draw: per force, a stratified simple random sample without replacement from the
force's sampling frame, with an ordered reserve list per stratum.

Method (written on the Sample page, in ``fieldwork sample draw`` and docs/sampling.md):

1. The frame's cases are split into strata by the attributes chosen (e.g. plea × domestic
   abuse); with none, the frame is one stratum.
2. The force's target ``n`` is allocated to the strata: *proportional* — ``n × N_h / N``,
   rounded by the largest-remainder method — or *equal* — the same number in each stratum
   (a stratum smaller than its share gives all its cases and the rest is shared among the
   others). Remainders are given in an order set by the seed, never by stratum name.
3. Within each stratum the cases are put in the order of SHA-256(seed ":" case reference),
   computed here in Python from the frame, never with the database's random(). Ordering by
   independent uniform keys is a uniformly random permutation, so the first ``n_h`` are a
   simple random sample without replacement: every case of the stratum has the selection
   probability ``n_h / N_h``. The rest, in the same order, are the stratum's reserve list.

The same frame, seed and settings therefore draw the same cases on any machine and on SQLite
or PostgreSQL. Drawn cases enter the Cases register (a draft for the inspector named) with
their context filled in from the frame. A frame is drawn from once: a second draw over an
existing sample is refused. An exclusion (``sampling_exclusions.exclude``) takes the
stratum's next reserve in.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import insert, select
from sqlmodel import Session

from fieldwork import audit
from fieldwork.catalog import load_catalog
from fieldwork.problem_codes import (
    ALREADY_DRAWN, ALREADY_IN_REGISTER as IN_REGISTER, BAD_CASE_REF as BAD_REFERENCE, BAD_INSPECTOR,
    BAD_SAMPLE_SETTING as BAD_SETTING, FRAME_TOO_SMALL, MISSING_STRATUM_VALUE as MISSING_STRATUM, NO_FRAME,
    NO_TARGET,
)
from fieldwork.problems import Problem, ProblemError
from fieldwork.services import accounts, actor_check, inspections, permissions, privacy, sampling_register
from fieldwork.services.permissions import Actor
from fieldwork.services.sampling_frames import CASE_REF, FORCE
from models import (CaseFile, FrameCase, Inspection, SampleDraw, SampleEntry, SampleFrame, User)
from models.sampling import RESERVE, SAMPLE

PROPORTIONAL, EQUAL = "proportional", "equal"
ALLOCATIONS = (PROPORTIONAL, EQUAL)
MAX_SEED = 10**18
METHOD = ("Stratified simple random sampling without replacement: within each stratum the frame's cases are "
          "ordered by SHA-256 of the seed and the case reference, and the first n_h are drawn, so each case has "
          "the selection probability n_h / N_h; the rest, in that order, are the stratum's reserves.")
DRAWN = "sample.drawn"


# --- the method, pure -------------------------------------------------------------------


def order_key(seed: int, case_ref: str) -> str:
    """A case's place in its stratum's draw order: uniform, independent per case, the same everywhere."""
    return hashlib.sha256(f"{seed}:{case_ref}".encode("utf-8")).hexdigest()


def stratum_key(strata: tuple[str, ...], attributes: dict) -> str:
    return "; ".join(f"{s}={attributes.get(s, '')}" for s in strata)


def allocate(sizes: dict[str, int], n: int, method: str, seed: int) -> dict[str, int]:
    """n_h per stratum, summing to min(n, N). Remainders go to strata in an order set by the
    seed (largest remainder first for proportional), so no stratum is favoured by its name."""
    n = min(n, sum(sizes.values()))
    if n <= 0:
        return dict.fromkeys(sizes, 0)
    seeded = sorted(sizes, key=lambda h: order_key(seed, "stratum:" + h))
    if method == PROPORTIONAL:
        total = sum(sizes.values())
        quotas = {h: Fraction(n * sizes[h], total) for h in sizes}
        out = {h: int(q) for h, q in quotas.items()}
        rest = n - sum(out.values())
        for h in sorted(seeded, key=lambda h: -(quotas[h] - out[h]))[:rest]:  # stable: ties in seeded order
            out[h] += 1
        return out
    out = dict.fromkeys(sizes, 0)
    rest = n
    while rest:  # water-filling: an equal share each, a small stratum gives what it has
        open_ = [h for h in seeded if out[h] < sizes[h]]
        share = rest // len(open_)
        if share == 0:
            for h in open_[:rest]:
                out[h] += 1
            break
        for h in open_:
            give = min(share, sizes[h] - out[h])
            out[h] += give
            rest -= give
    return out


def stratify(cases: list[tuple[int, str, dict]], strata: tuple[str, ...], seed: int, target: int,
             allocation: str) -> list["StratumPlan"]:
    """The whole method on plain data: (id, case_ref, attributes) -> each stratum's size,
    allocation and draw order (the first ``allocated`` drawn, the rest its reserves)."""
    groups: dict[str, list[tuple[int, str, dict]]] = {}
    for c in cases:
        groups.setdefault(stratum_key(strata, c[2]), []).append(c)
    sizes = {h: len(g) for h, g in groups.items()}
    alloc = allocate(sizes, target, allocation, seed)
    return [StratumPlan(h, sizes[h], alloc[h], sorted(groups[h], key=lambda c: (order_key(seed, c[1]), c[1])))
            for h in sorted(groups)]


# --- planning a draw --------------------------------------------------------------------


@dataclass
class StratumPlan:
    key: str
    frame_size: int  # N_h
    allocated: int  # n_h
    order: list[tuple[int, str, dict]]  # (frame_case_id, case_ref, attributes) in draw order

    @property
    def drawn(self) -> list[tuple[int, str, dict]]:
        return self.order[:self.allocated]

    @property
    def reserves(self) -> list[tuple[int, str, dict]]:
        return self.order[self.allocated:]


@dataclass
class ForcePlan:
    force: str
    frame_id: int
    frame_size: int
    target: int
    strata: list[StratumPlan]


@dataclass
class DrawPlan:
    questionnaire: str
    seed: int
    allocation: str
    strata: tuple[str, ...]
    inspector: str | None
    forces: list[ForcePlan] = field(default_factory=list)
    method: str = METHOD
    written: bool = False


def default_target(inspection: Inspection, questionnaire_id: str, force: str) -> int:
    """The inspection's own sample size for the force (16, 32 for Greater Manchester; 6 / 9 PIN)."""
    spec = load_catalog().inspections.get(inspection.code)
    plan = spec.sample(questionnaire_id) if spec else None
    return plan.target(force) if plan else 0


def _inspector_problem(session: Session, name: str | None, forces: list[str]) -> Problem | None:
    if not name:
        return Problem(BAD_INSPECTOR, "name the inspector whose draft each drawn case becomes", field="inspector")
    user = session.execute(select(User).where(User.name == accounts.normalise_name(name))).scalar()
    if user is None or not user.active or user.role not in (permissions.INSPECTOR, permissions.LEAD):
        return Problem(BAD_INSPECTOR, f"{name!r} is not an active inspector or lead account", field="inspector")
    covered = tuple(json.loads(user.forces or "[]"))
    missing = [f for f in forces if covered and f not in covered]
    if missing and user.role != permissions.LEAD:
        return Problem(BAD_INSPECTOR, f"{name} does not cover {', '.join(missing)}", field="inspector")
    return None


def plan(session: Session, actor: Actor, questionnaire_id: str, *, seed: int, strata=(), allocation: str = PROPORTIONAL,
         forces=None, targets: dict[str, int] | None = None, inspector: str | None = None,
         inspection: inspections.InspectionRef = None) -> DrawPlan:
    """Work out the draw without writing anything (the dry run). Refused with every problem."""
    permissions.require_role(actor, permissions.LEADS, "draw the sample")
    inspection = inspections.resolve(session, inspection)
    strata = tuple(dict.fromkeys(s.strip() for s in strata if s and s.strip()))
    targets = dict(targets or {})
    problems: list[Problem] = []
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < MAX_SEED:
        problems.append(Problem(BAD_SETTING, "the seed must be a whole number from 0 to 10^18 (note it: it redraws "
                                "the same sample)", field="seed"))
    if allocation not in ALLOCATIONS:
        problems.append(Problem(BAD_SETTING, f"allocation must be {' or '.join(ALLOCATIONS)}", field="allocation"))
    if problems:
        raise ProblemError(problems, "nothing was drawn")
    frames = {f.force: f for f in session.execute(select(SampleFrame).where(
        SampleFrame.inspection_id == inspection.id, SampleFrame.questionnaire == questionnaire_id)).scalars()}
    drawn = set(session.execute(select(SampleDraw.frame_id)).scalars())
    if forces:
        forces = list(dict.fromkeys(forces))
        for f in forces:
            if f not in frames:
                problems.append(Problem(NO_FRAME, f"there is no {questionnaire_id} sampling frame for {f}: import one "
                                        "first", field=FORCE, item=f, item_kind="force"))
            elif frames[f].id in drawn:
                problems.append(Problem(ALREADY_DRAWN, f"the {f} sample has already been drawn: a second draw over "
                                        "an existing sample is refused (exclude unusable cases instead: the next "
                                        "reserve takes each one's place)", field=FORCE, item=f, item_kind="force"))
    else:
        forces = sorted(f for f, frame in frames.items() if frame.id not in drawn)
        if not forces:
            problems.append(Problem(ALREADY_DRAWN if frames else NO_FRAME,
                                    f"every {questionnaire_id} frame has been drawn from already" if frames else
                                    f"there is no {questionnaire_id} sampling frame: import one first"))
    for f in targets:
        if f not in forces:
            problems.append(Problem(BAD_SETTING, f"a target is given for {f}, which is not drawn", field="target",
                                    item=f, item_kind="force"))
    out = DrawPlan(questionnaire_id, seed, allocation, strata, inspector)
    for f in forces:
        if f not in frames or frames[f].id in drawn:
            continue
        out.forces.append(_force_plan(session, inspection, questionnaire_id, frames[f], seed, strata, allocation,
                                      targets.get(f), problems))
    if problems:
        raise ProblemError(problems, "nothing was drawn")
    return out


def _force_plan(session: Session, inspection: Inspection, questionnaire_id: str, frame: SampleFrame, seed: int,
                strata: tuple[str, ...], allocation: str, target: int | None, problems: list[Problem]) -> ForcePlan:
    target = default_target(inspection, questionnaire_id, frame.force) if target is None else target
    rows = [(cid, ref, json.loads(attrs), row) for cid, ref, attrs, row in session.execute(
        select(FrameCase.id, FrameCase.case_ref, FrameCase.attributes, FrameCase.row)
        .where(FrameCase.frame_id == frame.id))]
    where = dict(field="target", item=frame.force, item_kind="force")
    if target <= 0:
        problems.append(Problem(NO_TARGET, f"the inspection sets no sample size for {frame.force}: give a target",
                                **where))
    elif target > len(rows):
        problems.append(Problem(FRAME_TOO_SMALL, f"the frame holds {len(rows)} case(s), fewer than the target "
                                f"{target}", **where))
    held = sorted({k for _, _, attrs, _ in rows for k in attrs})
    for s in strata:
        blank = sorted(row for _, _, attrs, row in rows if not attrs.get(s))
        if rows and len(blank) == len(rows):
            problems.append(Problem(MISSING_STRATUM, f"the {frame.force} frame has no attribute {s!r} (it has: "
                                    f"{', '.join(held) or 'none'})", field=s))
        elif blank:
            shown = ", ".join(map(str, blank[:20])) + (f" and {len(blank) - 20} more" if len(blank) > 20 else "")
            problems.append(Problem(MISSING_STRATUM, f"{len(blank)} case(s) of the {frame.force} frame have no "
                                    f"{s!r} (rows {shown} of {frame.source}): every case needs a value of each "
                                    "attribute stratified on", field=s))
    plans = stratify([(cid, ref, attrs) for cid, ref, attrs, _ in rows], strata, seed,
                     0 if problems else max(target, 0), allocation)
    if not problems:
        # checked again as the cases enter the register: the rule may have tightened since the import
        refused = [f"{ref} ({fault})" for p in plans for _, ref, _ in p.order
                   if (fault := privacy.case_ref_problem(ref))]
        if refused:
            problems.append(Problem(BAD_REFERENCE, f"the {frame.force} frame holds references the Cases register now "
                                    f"refuses: {'; '.join(refused[:10])}{' …' if len(refused) > 10 else ''}; "
                                    "import the frame again with pseudonymous references", item=frame.force,
                                    item_kind="force"))
        chosen = {ref.lower() for p in plans for _, ref, _ in p.drawn}
        clash = sorted(ref for ref in session.execute(select(CaseFile.case_ref).where(
            CaseFile.inspection_id == inspection.id, CaseFile.questionnaire == questionnaire_id)).scalars()
            if ref.lower() in chosen)
        if clash:
            problems.append(Problem(IN_REGISTER, f"{', '.join(clash)}, drawn for {frame.force}, already in the Cases "
                                    "register (added by hand?): take them out of the frame and import it again",
                                    item=frame.force, item_kind="force"))
    return ForcePlan(frame.force, frame.id, len(rows), target, plans)


# --- writing ----------------------------------------------------------------------------


def draw(session: Session, actor: Actor, questionnaire_id: str, *, seed: int, strata=(),
         allocation: str = PROPORTIONAL, forces=None, targets: dict[str, int] | None = None,
         inspector: str | None = None, inspection: inspections.InspectionRef = None, dry_run: bool = False) -> DrawPlan:
    """Plan the draw and, unless a dry run, record it and enter the drawn cases in the register."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    inspection = inspections.resolve(session, inspection)
    result = plan(session, actor, questionnaire_id, seed=seed, strata=strata, allocation=allocation, forces=forces,
                  targets=targets, inspector=inspector, inspection=inspection)
    problem = _inspector_problem(session, inspector, [f.force for f in result.forces])
    if problem and (inspector or not dry_run):  # a dry run may leave the inspector to choose later
        raise ProblemError([problem], "nothing was drawn")
    if dry_run:
        return result
    owner = accounts.normalise_name(inspector)
    version = inspections.current_version(session, questionnaire_id)
    for fp in result.forces:
        row = SampleDraw(frame_id=fp.frame_id, target=fp.target, strata=json.dumps(list(result.strata)),
                         allocation=allocation, seed=str(seed), inspector=owner, drawn_by=actor.name)
        session.add(row)
        session.flush()
        case_ids = sampling_register.enter(session, actor, inspection, version,
                                           [(ref, fp.force, attrs) for sp in fp.strata for _, ref, attrs in sp.drawn],
                                           owner)
        # every frame case, in its stratum's order: Core INSERTs, one ORM object each would dominate the draw
        session.execute(insert(SampleEntry.__table__), [
            {"draw_id": row.id, "frame_case_id": cid, "stratum": sp.key, "position": position,
             "role": SAMPLE if position <= sp.allocated else RESERVE,
             "case_id": case_ids[ref] if position <= sp.allocated else None, "replaces_entry_id": None}
            for sp in fp.strata for position, (cid, ref, _) in enumerate(sp.order, start=1)])
        audit.record(session, actor.name, DRAWN, inspection_id=inspection.id, questionnaire=questionnaire_id,
                     force=fp.force, seed=seed, target=fp.target, allocation=allocation, strata=list(result.strata),
                     frame_cases=fp.frame_size, drawn=sum(s.allocated for s in fp.strata), inspector=owner)
    session.flush()
    result.written = True
    return result


def owners(session: Session) -> list[str]:
    """The accounts a drawn case's draft can go to: active inspectors and leads."""
    return list(session.execute(select(User.name).where(
        User.active, User.role.in_((permissions.INSPECTOR, permissions.LEAD))).order_by(User.name)).scalars())


def stratifiable(session: Session, questionnaire_id: str, *, inspection: inspections.InspectionRef = None) -> list[str]:
    """The attributes the frames not drawn yet hold (what a draw can stratify on)."""
    inspection = inspections.resolve(session, inspection)
    maps = session.execute(select(SampleFrame.column_map).outerjoin(SampleDraw, SampleDraw.frame_id == SampleFrame.id)
                           .where(SampleFrame.inspection_id == inspection.id,
                                  SampleFrame.questionnaire == questionnaire_id, SampleDraw.id.is_(None))).scalars()
    fields = {t for m in maps for t in json.loads(m).values()}
    return sorted(fields - {"", CASE_REF, FORCE})
