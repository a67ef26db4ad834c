"""Judgements: a graded judgement for each force (and CPS Area) × specific criterion, with its
rationale and the evidence it rests on (issue 14).

Only lead inspectors judge. The grade is a code of the framework's scale (``[[scale]]`` in
``criteria/frameworks/ID.toml``: met / partially met / not met for 2017). The evidence is
linked, not copied: evidence items and coded excerpts (by uid) about that force or Area (or
national), and case-file findings (``QUESTIONNAIRE:FINDING:ANSWER``) whose figures are read
for that force or Area whenever the judgement is shown, so they are always the current count.
A change of grade keeps the old one in ``judgement_history`` and the audit trail holds the
old and new grade (codes only; the rationale is case content and stays out of the audit).
Saving states the version it read: a judgement changed meanwhile by another lead is refused,
never overwritten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from fieldwork import audit
from fieldwork.catalog import load_catalog
from fieldwork.problem_codes import (
    BAD_CHARACTER, EVIDENCE_OF_ANOTHER_UNIT as OTHER_UNIT, JUDGEMENT_CHANGED as STALE, MISSING_RATIONALE, NO_SCALE,
    UNKNOWN_CRITERION, UNKNOWN_EVIDENCE, UNKNOWN_FINDING, UNKNOWN_GRADE, UNKNOWN_UNIT,
)
from fieldwork.problems import Problem, ProblemError
from fieldwork.services import evidence as evidence_service
from fieldwork.services import characters, inspections, permissions, privacy
from fieldwork.services.permissions import Actor
from fieldwork.services.queries import where_given
from fieldwork.services import actor_check
from models import (EvidenceExcerpt, EvidenceItem, Inspection, Judgement, JudgementHistory, JudgementLink,
                    RecordRevision, new_uid, utcnow)
from models.evidence import CPS_AREA, FORCE, LINK_EVIDENCE, LINK_EXCERPT, LINK_FINDING, UNIT_TYPES

JUDGERS = (permissions.LEAD,)  # only leads judge: a judgement is the lead inspector's professional call
JUDGEMENT_SET = "judgement.set"
MAX_RATIONALE = 10_000
NOTES = frozenset({"rationale"})  # notes of several lines for the one character rule, here and in bundles


@dataclass(frozen=True)
class FindingRef:
    questionnaire: str
    finding: str  # question name or indicator id
    answer: str = ""  # "" for an indicator

    @property
    def target(self) -> str:
        return f"{self.questionnaire}:{self.finding}:{self.answer}"

    @classmethod
    def parse(cls, target: str) -> "FindingRef":
        parts = (target.split(":") + ["", ""])[:3]
        return cls(*parts)


@dataclass
class LinkedFinding:
    ref: FindingRef
    label: str
    text: str  # the sentence, for this force or Area
    count: int | None
    denominator: int | None
    percent: int | None
    ci_low: float | None = None  # the Wilson interval, once findings carry it (issue 13)
    ci_high: float | None = None
    small_n: bool = False  # the denominator is under 10 (issue 13): a figure to read with care


@dataclass
class JudgementView:
    uid: str
    unit_type: str
    unit: str
    criterion: str
    grade: str
    grade_label: str
    rationale: str
    judged_by: str
    judged_at: object
    version: int
    evidence: list = field(default_factory=list)  # evidence_service.EvidenceView
    excerpts: list = field(default_factory=list)  # (EvidenceView, ExcerptView)
    findings: list[LinkedFinding] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)


def framework_of(inspection: Inspection):
    return load_catalog().frameworks[inspection.framework]


def unit_label(unit_type: str, code: str) -> str:
    codes = load_catalog().codes
    choices = codes.forces if unit_type == FORCE else codes.cps_areas
    return next((c.label for c in choices if c.code == code), code)


def unit_matches(unit_type: str, unit: str, item) -> bool:
    """Evidence (anything with ``force`` and ``cps_area``) bears on a force if it is about that
    force, its CPS Area as a whole, or is national; on a CPS Area if it is about that Area, one
    of its forces, or is national."""
    if item.force is None and item.cps_area is None:
        return True
    force_area = load_catalog().codes.force_area
    if unit_type == FORCE:
        return item.force == unit or (item.force is None and item.cps_area == force_area.get(unit))
    return item.cps_area == unit or force_area.get(item.force or "") == unit


def _check_target(unit_type: str, unit: str, criterion: str, grade: str, framework) -> list[Problem]:
    codes = load_catalog().codes
    problems = []
    if unit_type not in UNIT_TYPES:
        problems.append(Problem(UNKNOWN_UNIT, f"{unit_type!r} is not force or cps_area", field="unit_type"))
    else:
        known = {c.code for c in (codes.forces if unit_type == FORCE else codes.cps_areas)}
        if unit not in known:
            problems.append(Problem(UNKNOWN_UNIT, f"{unit[:60]!r} is not a {unit_type} code (contract section 6)",
                                    field=unit_type))
    if criterion not in framework.specific_ids:
        problems.append(Problem(UNKNOWN_CRITERION, f"{criterion[:20]!r} is not a specific criterion of {framework.id}",
                                field="criterion"))
    if not framework.scale:
        problems.append(Problem(NO_SCALE, f"framework {framework.id} has no judgement scale ([[scale]])",
                                field="grade"))
    elif framework.grade(grade) is None:
        problems.append(Problem(UNKNOWN_GRADE, f"{grade[:40]!r} is not a grade of the scale "
                                f"({', '.join(g.code for g in framework.scale)})", field="grade"))
    return problems


def findings_of_criterion(questionnaires, criterion: str) -> list[tuple[FindingRef, str]]:
    """Every finding a criterion can be judged on, with its words: each answer of a single-choice
    question that evidences the criterion ("Question: Answer"), and each indicator of it
    ("indicator: Label"), questionnaire by questionnaire."""
    out = []
    for q in questionnaires:
        for question in q.single_choice_questions:
            if criterion in question.criteria:
                out += [(FindingRef(q.id, question.name, option.code), f"{question.label}: {option.label}")
                        for option in q.options(question.name)]
        out += [(FindingRef(q.id, ind.id, ""), f"indicator: {ind.label}") for ind in q.indicators
                if criterion in ind.criteria]
    return out


def finding_problem(session: Session, ref: FindingRef) -> str | None:
    """Why a finding reference names no finding, or None."""
    try:
        q = inspections.load_questionnaire(session, ref.questionnaire)
    except ProblemError:
        return f"no questionnaire {ref.questionnaire!r}"
    if any(i.id == ref.finding for i in q.indicators):
        return None if not ref.answer else f"{ref.finding} is an indicator: it has no answer code"
    if not q.has_question(ref.finding) or not q.question(ref.finding).is_single_choice:
        return f"{ref.questionnaire} has no single-choice question or indicator {ref.finding!r}"
    if ref.answer not in q.codes(ref.finding):
        return f"{ref.answer!r} is not a code of {ref.finding} ({', '.join(q.codes(ref.finding))})"
    return None


def _links(session: Session, inspection: Inspection, unit_type: str, unit: str, evidence: list[str],
           excerpts: list[str], findings: list[FindingRef]) -> tuple[list[tuple[str, str]], list[Problem]]:
    problems, links = [], []
    items = {i.uid: i for i in session.execute(select(EvidenceItem).where(
        EvidenceItem.inspection_id == inspection.id, EvidenceItem.uid.in_(list(evidence) or [""]))).scalars()}
    rows = session.execute(select(EvidenceExcerpt, EvidenceItem).join(
        EvidenceItem, EvidenceItem.id == EvidenceExcerpt.evidence_id).where(
        EvidenceItem.inspection_id == inspection.id, EvidenceExcerpt.uid.in_(list(excerpts) or [""]))).all()
    found = {ex.uid: item for ex, item in rows}
    # (field, uids asked for, the evidence item each stands for, link kind, its name, how its unit is named)
    kinds = (("evidence", evidence, items, LINK_EVIDENCE, "evidence item", ""),
             ("excerpts", excerpts, found, LINK_EXCERPT, "excerpt", "the excerpt of "))
    for column, uids, item_of, link_kind, noun, whose in kinds:
        for uid in dict.fromkeys(uids):
            item = item_of.get(uid)
            if item is None:
                problems.append(Problem(UNKNOWN_EVIDENCE, f"no {noun} {uid[:32]!r} in this inspection", field=column,
                                        item=uid[:32], item_kind="evidence" if column == "evidence" else "excerpt"))
            elif not unit_matches(unit_type, unit, item):
                problems.append(Problem(OTHER_UNIT, f"{whose}{item.ref} is about {item.force or item.cps_area}, "
                                        f"not {unit}", field=column, item=item.ref, item_kind="evidence"))
            else:
                links.append((link_kind, uid))
    for ref in dict.fromkeys(findings):
        why = finding_problem(session, ref)
        if why:
            problems.append(Problem(UNKNOWN_FINDING, why, field="findings", item=ref.target, item_kind="finding"))
        else:
            links.append((LINK_FINDING, ref.target))
    return links, problems


def _grade_label(framework, code: str) -> str:
    grade = framework.grade(code)
    return grade.label if grade else code


def judge(session: Session, actor: Actor, *, unit_type: str, unit: str, criterion: str, grade: str,
          rationale: str, evidence: list[str] = (), excerpts: list[str] = (), findings: list[FindingRef] = (),
          expected_version: int | None = None,
          inspection: inspections.InspectionRef = None) -> tuple[Judgement, list[str]]:
    """Give (or change) the judgement of one force or CPS Area on one criterion, with the
    evidence it rests on. All or nothing; every problem named. Returns the judgement and the
    privacy warnings of the rationale. ``expected_version``: the version the lead read (None
    for a new judgement); a judgement changed since is refused."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    permissions.require_role(actor, JUDGERS, "judge a criterion (only lead inspectors judge)")
    inspection = inspections.resolve(session, inspection)
    framework = framework_of(inspection)
    rationale = (rationale or "").strip()
    problems = _check_target(unit_type, unit, criterion, grade, framework)
    if not rationale:
        problems.append(Problem(MISSING_RATIONALE, "give the rationale: why this grade, from which evidence",
                                field="rationale"))
    elif len(rationale) > MAX_RATIONALE:
        problems.append(Problem(MISSING_RATIONALE, f"the rationale is {len(rationale):,} characters; at most "
                                f"{MAX_RATIONALE:,}", field="rationale"))
    why = characters.problem(rationale, multiline=True)  # the one character rule, as bundles apply it
    if why:
        problems.append(Problem(BAD_CHARACTER, f"the rationale {why}", field="rationale"))
    links, found = _links(session, inspection, unit_type, unit, list(evidence), list(excerpts), list(findings))
    problems += found
    current = session.execute(select(Judgement).where(
        Judgement.inspection_id == inspection.id, Judgement.unit_type == unit_type, Judgement.unit == unit,
        Judgement.criterion == criterion)).scalars().first()
    now_label = _grade_label(framework, current.grade) if current is not None else ""
    if current is not None and expected_version is not None and current.version != expected_version:
        problems.append(Problem(STALE, f"{current.judged_by} changed this judgement since you opened it (now "
                                f"{now_label}): reload it and judge again", field="grade"))
    elif current is not None and expected_version is None and current.judged_by != actor.name:
        # a lead who did not see the existing judgement must not replace it unawares
        problems.append(Problem(STALE, f"{current.judged_by} has already judged this ({now_label}): open it "
                                "and change it from there", field="grade"))
    if problems:
        raise ProblemError(problems, "the judgement was not saved")
    warnings = [f"the rationale looks as if it holds {w}" for w in privacy.note_warnings(rationale)]
    old_grade = current.grade if current else None
    now = utcnow()
    if current is None:
        current = Judgement(inspection_id=inspection.id, unit_type=unit_type, unit=unit, criterion=criterion,
                            grade=grade, rationale=rationale, judged_by=actor.name, judged_at=now)
        session.add(current)
        session.flush()
    else:
        session.add(RecordRevision(kind="judgement", uid=current.uid, revision=current.revision,
                                   parent_revision=current.parent_revision))
        current.parent_revision, current.revision = current.revision, new_uid()
        current.grade, current.rationale, current.judged_by, current.judged_at = grade, rationale, actor.name, now
        current.version += 1
        for link in session.execute(select(JudgementLink).where(JudgementLink.judgement_id == current.id)).scalars():
            session.delete(link)
        session.flush()
    for kind, target in links:
        session.add(JudgementLink(judgement_id=current.id, kind=kind, target=target))
    session.add(JudgementHistory(judgement_uid=current.uid, grade=grade, old_grade=old_grade, rationale=rationale,
                                 links=json.dumps(links), judged_by=actor.name, judged_at=now,
                                 revision=current.revision))
    audit.record(session, actor.name, JUDGEMENT_SET, inspection_id=inspection.id, question=criterion,
                 old_value=old_grade, new_value=grade, judgement=current.uid, unit_type=unit_type, unit=unit,
                 evidence=sum(k == LINK_EVIDENCE for k, _ in links), excerpts=sum(k == LINK_EXCERPT for k, _ in links),
                 findings=sum(k == LINK_FINDING for k, _ in links))
    session.flush()
    return current, warnings


# --- reading -----------------------------------------------------------------------------


def judgements(session: Session, inspection: Inspection, *, unit_type: str | None = None, unit: str | None = None,
               criterion: str | None = None) -> list[Judgement]:
    query = where_given(select(Judgement).where(Judgement.inspection_id == inspection.id),
                        (Judgement.unit_type, unit_type), (Judgement.unit, unit), (Judgement.criterion, criterion))
    return list(session.execute(query.order_by(Judgement.unit_type, Judgement.unit, Judgement.criterion)).scalars())


def links_of(session: Session, judgement_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for start in range(0, len(judgement_ids), 500):
        for link in session.execute(select(JudgementLink).where(
                JudgementLink.judgement_id.in_(judgement_ids[start:start + 500])).order_by(JudgementLink.id)).scalars():
            out.setdefault(link.judgement_id, []).append((link.kind, link.target))
    return out


class FindingFigures:
    """Case-file findings for one force or CPS Area, counted once per questionnaire and
    breakdown (``findings.compute(..., by="force")``, the ``--by force`` logic)."""

    def __init__(self, session: Session, inspection: Inspection):
        self.session, self.inspection = session, inspection
        self._reports: dict[tuple[str, str], object] = {}

    def report(self, questionnaire: str, unit_type: str):
        from fieldwork.services import findings

        key = (questionnaire, unit_type)
        if key not in self._reports:
            self._reports[key] = findings.compute(self.session, questionnaire, inspection=self.inspection,
                                                  by=unit_type)
        return self._reports[key]

    def get(self, ref: FindingRef, unit_type: str, unit: str) -> LinkedFinding:
        try:
            report = self.report(ref.questionnaire, unit_type)
            f = report.get(ref.finding, ref.answer or None, unit)
        except (KeyError, ProblemError):
            # no counted case of this force answers it yet: the finding exists, with no figure
            q = inspections.load_questionnaire(self.session, ref.questionnaire)
            label = next((i.label for i in q.indicators if i.id == ref.finding), None) or (
                q.question(ref.finding).label if q.has_question(ref.finding) else ref.finding)
            return LinkedFinding(ref, label, f"no complete case of {unit_label(unit_type, unit)} counts towards it yet",
                                 None, None, None)
        return LinkedFinding(ref, f.label + (f": {f.answer_label}" if f.answer_label else ""), f.text, f.count,
                             f.denominator, f.percent, getattr(f, "ci_low", None), getattr(f, "ci_high", None),
                             bool(getattr(f, "small_n", False)))


def view(session: Session, actor: Actor, *, unit_type: str, unit: str, criterion: str,
         inspection: inspections.InspectionRef = None, figures: FindingFigures | None = None) -> JudgementView | None:
    """One judgement with its evidence, excerpts, findings (figures for that force or Area)
    and history; None if the cell is not judged."""
    permissions.require_role(actor, permissions.LEADS, "see judgements")
    inspection = inspections.resolve(session, inspection)
    found = judgements(session, inspection, unit_type=unit_type, unit=unit, criterion=criterion)
    if not found:
        return None
    j = found[0]
    framework = framework_of(inspection)
    links = links_of(session, [j.id]).get(j.id, [])
    ev_uids = [t for k, t in links if k == LINK_EVIDENCE]
    ex_uids = [t for k, t in links if k == LINK_EXCERPT]
    item_uids = list(ev_uids)
    if ex_uids:
        item_uids += [u for (u,) in session.execute(select(EvidenceItem.uid).join(
            EvidenceExcerpt, EvidenceExcerpt.evidence_id == EvidenceItem.id).where(
            EvidenceExcerpt.uid.in_(ex_uids))).all()]
    views = {v.uid: v for v in evidence_service.list_evidence(session, actor, inspection=inspection,
                                                               uids=item_uids)}
    excerpts = [(v, e) for v in views.values() for e in v.excerpts if e.uid in ex_uids]
    figures = figures or FindingFigures(session, inspection)
    linked = [figures.get(FindingRef.parse(t), unit_type, unit) for k, t in links if k == LINK_FINDING]
    history = [{"grade": h.grade, "old_grade": h.old_grade, "judged_by": h.judged_by, "judged_at": h.judged_at,
                "rationale": h.rationale} for h in session.execute(select(JudgementHistory).where(
                    JudgementHistory.judgement_uid == j.uid).order_by(JudgementHistory.id)).scalars()]
    grade = framework.grade(j.grade)
    return JudgementView(j.uid, j.unit_type, j.unit, j.criterion, j.grade, grade.label if grade else j.grade,
                         j.rationale, j.judged_by, j.judged_at, j.version,
                         [views[u] for u in ev_uids if u in views], excerpts, linked, history)


def candidate_evidence(session: Session, actor: Actor, *, unit_type: str, unit: str, criterion: str,
                       inspection: inspections.InspectionRef = None) -> list:
    """The evidence a lead may cite for this cell: items about the force or Area (or its Area
    or forces, or national) that bear on the criterion."""
    items = evidence_service.list_evidence(session, actor, inspection=inspection, criterion=criterion)
    return [v for v in items if unit_matches(unit_type, unit, v)]


__all__ = ["CPS_AREA", "FORCE", "FindingRef", "FindingFigures", "JudgementView", "LinkedFinding", "judge", "view",
           "judgements", "candidate_evidence", "unit_label"]
