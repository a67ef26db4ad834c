"""The sample's own report: per force and stratum, the frame size, the target, the cases
drawn, excluded (by reason) and taken in from the reserves, and how many are assessed —
counted in the database with GROUP BY. Optional weighting of a finding back to the frames.

Weighting (off by default: the report's figures are unweighted, as the inspection printed
them). Where the allocation was not proportional (equal allocation "balances" plea × domestic
abuse whatever their shares in the frame), each stratum's cases stand for N_h / n_h frame
cases. The weighted share of an answer is the stratified estimator Σ_h (N_h / N) · p_h, where
p_h is the share among the stratum's assessed cases asked the question (``na`` left out, as in
findings) and N the frame cases of the strata that have such cases (a stratum with none is
left out and said so).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from fieldwork.services import inspections
from fieldwork.services.permissions import Actor
from fieldwork.services.sampling import default_target
from fieldwork.services.sampling_exclusions import REASONS
from fieldwork.short_labels import short
from models import (COMPLETE, Answer, Assessment, CaseFile, FrameCase, SampleDraw, SampleEntry,
                    SampleExclusion, SampleFrame)
from models.sampling import RESERVE, SAMPLE

NOT_DRAWN = "(not drawn yet)"


@dataclass
class StratumRow:
    force: str
    stratum: str  # "" when the draw was not stratified; NOT_DRAWN for a frame not drawn from
    frame: int  # N_h
    target: int  # n_h allocated (the force's target for a frame not drawn yet)
    drawn: int  # picked by the draw
    excluded: dict[str, int] = field(default_factory=dict)  # reason -> cases
    replaced: int = 0  # reserves taken in for excluded cases
    in_sample: int = 0  # in the register now: drawn + replaced − excluded
    assessed: int = 0  # of those, with a complete counted assessment
    reserves_left: int = 0

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())

    @property
    def shortfall(self) -> int:
        return max(self.target - self.in_sample, 0) if self.stratum != NOT_DRAWN else 0

    @property
    def weight(self) -> float | None:
        """Frame cases each sampled case stands for (N_h / n_h), for weighting findings."""
        return self.frame / self.in_sample if self.in_sample and self.stratum != NOT_DRAWN else None


@dataclass
class SampleReport:
    questionnaire: str
    rows: list[StratumRow]
    draws: dict[str, dict]  # force -> seed, allocation, strata, drawn_by, drawn_at, inspector

    def force_total(self, force: str) -> StratumRow:
        rows = [r for r in self.rows if r.force == force]
        total = StratumRow(force, "all", 0, 0, 0)
        for r in rows:
            total.frame += r.frame
            total.target += r.target
            total.drawn += r.drawn
            for k, v in r.excluded.items():
                total.excluded[k] = total.excluded.get(k, 0) + v
            total.replaced += r.replaced
            total.in_sample += r.in_sample
            total.assessed += r.assessed
            total.reserves_left += r.reserves_left
        return total


def _assessed_cases():
    return (select(Assessment.case_id).where(Assessment.status == COMPLETE, Assessment.counted)
            .distinct().subquery("assessed"))


def report(session: Session, actor: Actor, questionnaire_id: str, *,
           inspection: inspections.InspectionRef = None) -> SampleReport:
    inspection = inspections.resolve(session, inspection)
    excluded = SampleExclusion.id.is_not(None)
    assessed = _assessed_cases()
    in_register = and_(SampleEntry.case_id.is_not(None), SampleExclusion.id.is_(None))
    summed = lambda cond: func.sum(case((cond, 1), else_=0))  # noqa: E731
    q = (select(SampleFrame.force, SampleEntry.stratum, func.count(),
                summed(SampleEntry.role == SAMPLE), summed(SampleEntry.replaces_entry_id.is_not(None)),
                summed(in_register), summed(and_(in_register, assessed.c.case_id.is_not(None))),
                summed(and_(SampleEntry.role == RESERVE, SampleEntry.case_id.is_(None))))
         .select_from(SampleEntry).join(SampleDraw, SampleDraw.id == SampleEntry.draw_id)
         .join(SampleFrame, SampleFrame.id == SampleDraw.frame_id)
         .outerjoin(SampleExclusion, SampleExclusion.entry_id == SampleEntry.id)
         .outerjoin(assessed, assessed.c.case_id == SampleEntry.case_id)
         .where(SampleFrame.inspection_id == inspection.id, SampleFrame.questionnaire == questionnaire_id)
         .group_by(SampleFrame.force, SampleEntry.stratum))
    rows: dict[tuple[str, str], StratumRow] = {}
    for force, stratum, n, drawn, replaced, now, done, left in session.execute(q).all():
        rows[(force, stratum)] = StratumRow(force, stratum, int(n), int(drawn), int(drawn), {}, int(replaced),
                                            int(now), int(done), int(left))
    reasons = (select(SampleFrame.force, SampleEntry.stratum, SampleExclusion.reason, func.count())
               .select_from(SampleExclusion).join(SampleEntry, SampleEntry.id == SampleExclusion.entry_id)
               .join(SampleDraw, SampleDraw.id == SampleEntry.draw_id)
               .join(SampleFrame, SampleFrame.id == SampleDraw.frame_id)
               .where(SampleFrame.inspection_id == inspection.id, SampleFrame.questionnaire == questionnaire_id)
               .group_by(SampleFrame.force, SampleEntry.stratum, SampleExclusion.reason))
    for force, stratum, reason, n in session.execute(reasons).all():
        rows[(force, stratum)].excluded[reason] = int(n)
    draws = {}
    for frame, draw in session.execute(select(SampleFrame, SampleDraw).outerjoin(
            SampleDraw, SampleDraw.frame_id == SampleFrame.id).where(
            SampleFrame.inspection_id == inspection.id, SampleFrame.questionnaire == questionnaire_id)).all():
        if draw is None:
            rows[(frame.force, NOT_DRAWN)] = StratumRow(
                frame.force, NOT_DRAWN, frame.cases, default_target(inspection, questionnaire_id, frame.force), 0)
        else:
            draws[frame.force] = {"seed": draw.seed, "allocation": draw.allocation, "strata": draw.strata,
                                  "target": draw.target, "drawn_by": draw.drawn_by, "drawn_at": draw.drawn_at,
                                  "inspector": draw.inspector}
    out = [r for key, r in sorted(rows.items()) if actor.sees_force(r.force)]
    return SampleReport(questionnaire_id, out, {f: d for f, d in draws.items() if actor.sees_force(f)})


TABLE_HEADER = ("force", "stratum", "frame", "target", "drawn", "excluded", "excluded_by_reason", "replaced",
                "in_sample", "assessed", "reserves_left", "shortfall", "weight")


def table_row(r: StratumRow) -> tuple:
    """A report row as the command line's CSV and the workbook's ``sample`` sheet write it."""
    return (r.force, r.stratum, r.frame, r.target, r.drawn, r.excluded_total,
            "; ".join(f"{k} {v}" for k, v in sorted(r.excluded.items())), r.replaced, r.in_sample, r.assessed,
            r.reserves_left, r.shortfall, round(r.weight, 3) if r.weight else None)


def reason_label(code: str) -> str:
    return REASONS.get(code, code)


def attribute_words(q, name: str) -> str:
    """A frame's attribute as a reader reads it: its question's short label ("Domestic abuse"),
    or the name a lead gave a column of their own, in words."""
    return short(q.id, name, q.question(name).label) if q.has_question(name) else name.replace("_", " ")


def stratum_words(q, key: str) -> str:
    """A stratum's key (``sampling.stratum_key``: "plea=guilty; domestic_abuse=no") as the
    Findings page words filters: "Plea: Guilty; Domestic abuse: No"."""
    if not key:
        return "(one stratum)"
    if key == NOT_DRAWN:
        return key
    parts: list[list[str]] = []
    for piece in key.split("; "):
        name, sep, value = piece.partition("=")
        if not sep and parts:  # a value of a lead's own column that holds "; "
            parts[-1][1] += "; " + piece
        else:
            parts.append([name, value])
    return "; ".join(f"{attribute_words(q, name)}: "
                     + ((q.label_of(name, value) if q.has_question(name) else value) or "(blank)")
                     for name, value in parts)


# --- weighting --------------------------------------------------------------------------


@dataclass
class WeightedShare:
    code: str
    count: int
    denominator: int
    percent: float | None  # unweighted, as findings count it
    weighted_percent: float | None  # Σ_h (N_h / N) p_h over the strata with a denominator
    strata_used: int
    strata_left_out: int


def weighted(session: Session, actor: Actor, questionnaire_id: str, question: str, *, force: str | None = None,
             inspection: inspections.InspectionRef = None) -> list[WeightedShare]:
    """Unweighted and weighted shares of each code of a single-choice question over the drawn
    sample's assessed cases (one force, or every drawn force pooled over their frames)."""
    inspection = inspections.resolve(session, inspection)
    questionnaire = inspections.load_questionnaire(session, questionnaire_id)
    codes = questionnaire.codes(question)
    stratum = (SampleFrame.force + "|" + SampleEntry.stratum).label("stratum")
    base = (select(stratum, Answer.value, func.count())
            .select_from(SampleEntry).join(SampleDraw, SampleDraw.id == SampleEntry.draw_id)
            .join(SampleFrame, SampleFrame.id == SampleDraw.frame_id)
            .outerjoin(SampleExclusion, SampleExclusion.entry_id == SampleEntry.id)
            .join(Assessment, Assessment.case_id == SampleEntry.case_id)
            .join(Answer, Answer.assessment_id == Assessment.id)
            .where(SampleFrame.inspection_id == inspection.id, SampleFrame.questionnaire == questionnaire_id,
                   SampleExclusion.id.is_(None), Assessment.status == COMPLETE, Assessment.counted,
                   Answer.question == question, Answer.value.is_not(None), Answer.value != "na")
            .group_by(SampleFrame.force, SampleEntry.stratum, Answer.value))
    sizes_q = (select(stratum, func.count()).select_from(SampleEntry)
               .join(SampleDraw, SampleDraw.id == SampleEntry.draw_id)
               .join(SampleFrame, SampleFrame.id == SampleDraw.frame_id)
               .where(SampleFrame.inspection_id == inspection.id, SampleFrame.questionnaire == questionnaire_id)
               .group_by(SampleFrame.force, SampleEntry.stratum))
    if force:
        base, sizes_q = base.where(SampleFrame.force == force), sizes_q.where(SampleFrame.force == force)
    counts: dict[str, dict[str, int]] = {}
    for h, value, n in session.execute(base).all():
        if value in codes:
            counts.setdefault(h, {})[value] = int(n)
    sizes = {h: int(n) for h, n in session.execute(sizes_q).all()
             if actor.sees_force(h.split("|", 1)[0])}
    used = [h for h in sizes if sum(counts.get(h, {}).values())]
    population = sum(sizes[h] for h in used)
    out = []
    for code in codes:
        count = sum(counts.get(h, {}).get(code, 0) for h in used)
        den = sum(sum(counts.get(h, {}).values()) for h in used)
        share = sum(sizes[h] / population * counts[h].get(code, 0) / sum(counts[h].values()) for h in used) \
            if population else None
        out.append(WeightedShare(code, count, den, round(100 * count / den, 1) if den else None,
                                 round(100 * share, 1) if share is not None else None, len(used),
                                 len(sizes) - len(used)))
    return out


# --- lists for the Sample page --------------------------------------------------------------


@dataclass(frozen=True)
class SampledCase:
    case_ref: str
    force: str
    stratum: str
    replaces: str | None  # the excluded case it took the place of


@dataclass(frozen=True)
class ExclusionRow:
    case_ref: str
    force: str
    stratum: str
    reason: str
    detail: str
    replacement: str | None
    excluded_by: str
    excluded_at: object


def sampled_cases(session: Session, actor: Actor, questionnaire_id: str, *,
                  inspection: inspections.InspectionRef = None) -> list[SampledCase]:
    """The drawn cases in the register now (replacements included, exclusions not)."""
    inspection = inspections.resolve(session, inspection)
    replaced = FrameCase.__table__.alias("replaced_case")
    earlier = SampleEntry.__table__.alias("replaced_entry")
    rows = session.execute(
        select(CaseFile.case_ref, SampleFrame.force, SampleEntry.stratum, replaced.c.case_ref)
        .select_from(SampleEntry).join(CaseFile, CaseFile.id == SampleEntry.case_id)
        .join(SampleDraw, SampleDraw.id == SampleEntry.draw_id).join(SampleFrame, SampleFrame.id == SampleDraw.frame_id)
        .outerjoin(SampleExclusion, SampleExclusion.entry_id == SampleEntry.id)
        .outerjoin(earlier, earlier.c.id == SampleEntry.replaces_entry_id)
        .outerjoin(replaced, replaced.c.id == earlier.c.frame_case_id)
        .where(SampleFrame.inspection_id == inspection.id, SampleFrame.questionnaire == questionnaire_id,
               SampleExclusion.id.is_(None))
        .order_by(SampleFrame.force, SampleEntry.stratum, SampleEntry.position)).all()
    return [SampledCase(*r) for r in rows if actor.sees_force(r[1])]


def exclusions(session: Session, actor: Actor, questionnaire_id: str, *,
               inspection: inspections.InspectionRef = None) -> list[ExclusionRow]:
    inspection = inspections.resolve(session, inspection)
    gone = FrameCase.__table__.alias("gone")
    took = SampleEntry.__table__.alias("took")
    took_case = FrameCase.__table__.alias("took_case")
    rows = session.execute(
        select(gone.c.case_ref, SampleFrame.force, SampleEntry.stratum, SampleExclusion.reason,
               SampleExclusion.detail, took_case.c.case_ref, SampleExclusion.excluded_by, SampleExclusion.excluded_at)
        .select_from(SampleExclusion).join(SampleEntry, SampleEntry.id == SampleExclusion.entry_id)
        .join(gone, gone.c.id == SampleEntry.frame_case_id)
        .join(SampleDraw, SampleDraw.id == SampleEntry.draw_id).join(SampleFrame, SampleFrame.id == SampleDraw.frame_id)
        .outerjoin(took, took.c.id == SampleExclusion.replacement_entry_id)
        .outerjoin(took_case, took_case.c.id == took.c.frame_case_id)
        .where(SampleFrame.inspection_id == inspection.id, SampleFrame.questionnaire == questionnaire_id)
        .order_by(SampleExclusion.excluded_at, SampleExclusion.id)).all()
    return [ExclusionRow(*r) for r in rows if actor.sees_force(r[1])]


def reserves(session: Session, actor: Actor, questionnaire_id: str, *, inspection: inspections.InspectionRef = None,
             per_stratum: int = 5) -> list[tuple[str, str, int, str]]:
    """(force, stratum, position, case_ref) of the next reserves of each stratum, in order."""
    inspection = inspections.resolve(session, inspection)
    rows = session.execute(
        select(SampleFrame.force, SampleEntry.stratum, SampleEntry.position, FrameCase.case_ref)
        .select_from(SampleEntry).join(FrameCase, FrameCase.id == SampleEntry.frame_case_id)
        .join(SampleDraw, SampleDraw.id == SampleEntry.draw_id).join(SampleFrame, SampleFrame.id == SampleDraw.frame_id)
        .where(SampleFrame.inspection_id == inspection.id, SampleFrame.questionnaire == questionnaire_id,
               SampleEntry.role == RESERVE, SampleEntry.case_id.is_(None))
        .order_by(SampleFrame.force, SampleEntry.stratum, SampleEntry.position)).all()
    out, seen = [], Counter()
    for force, stratum, position, ref in rows:
        if actor.sees_force(force) and seen[(force, stratum)] < per_stratum:
            seen[(force, stratum)] += 1
            out.append((force, stratum, position, ref))
    return out
