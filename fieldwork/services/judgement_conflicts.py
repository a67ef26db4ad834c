"""A judgement a merge kept beside the one here, both sides in words for the lead who chooses:
the force or Area and the grade by name, who judged each and when, each rationale, and what each
cites (evidence by its reference, excerpts by item and criterion, case-file findings by their
label). Walk 24, W18: the page showed "durham · 3.1 — here: met …; the bundle: not_met …" with
the bundle's rationale only. Reads only; choosing is ``bundle_evidence.resolve``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from fieldwork.problems import ProblemError
from fieldwork.services import evidence as evidence_service
from fieldwork.services import inspections, judgements, permissions
from fieldwork.services.bundle_evidence import ConflictView
from fieldwork.services.permissions import Actor
from models import EvidenceExcerpt, EvidenceItem, Judgement
from models.evidence import LINK_EVIDENCE, LINK_EXCERPT, LINK_FINDING


@dataclass
class Side:
    grade_label: str
    judged_by: str
    judged_at: datetime | None
    rationale: str
    cites: list[str] = field(default_factory=list)  # each cited thing in words, in the order cited


@dataclass
class JudgementConflict:
    id: int
    unit_label: str
    criterion: str
    criterion_text: str
    here: Side | None  # None: the judgement here has gone since (nothing to compare)
    bundle: Side

    @property
    def cell(self) -> str:
        return f"{self.unit_label} · {self.criterion}"


def _moment(value) -> datetime | None:
    if isinstance(value, datetime) or value is None:
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


class _Citations:
    """What a judgement's links name, in words. Evidence this database does not hold (the
    bundle's evidence is merged by now, so neither side holds it) is said to be so, with the
    first 8 characters of its id to find it by, never the whole internal id (stop 25)."""

    def __init__(self, session: Session, actor: Actor, inspection, links: list[list[str]]):
        self.session = session
        uids = [t for k, t in links if k == LINK_EVIDENCE]
        excerpts = [t for k, t in links if k == LINK_EXCERPT]
        if excerpts:
            uids += session.execute(select(EvidenceItem.uid).join(
                EvidenceExcerpt, EvidenceExcerpt.evidence_id == EvidenceItem.id).where(
                EvidenceExcerpt.uid.in_(excerpts))).scalars().all()
        self.items = {v.uid: v for v in evidence_service.list_evidence(session, actor, inspection=inspection,
                                                                       uids=uids)} if uids else {}
        self.excerpts = {e.uid: (v, e) for v in self.items.values() for e in v.excerpts}

    def words(self, kind: str, target: str) -> str:
        if kind == LINK_EVIDENCE:
            v = self.items.get(target)
            return f"{v.ref} ({v.kind_label.lower()}, {v.held_on:%-d %b %Y})" if v else \
                f"an evidence item no longer held on either side (id {target[:8]}…)"
        if kind == LINK_EXCERPT:
            found = self.excerpts.get(target)
            return f"{found[0].ref}'s excerpt on {found[1].criterion} ({found[1].code_label.lower()})" \
                if found else f"an excerpt no longer held on either side (id {target[:8]}…)"
        if kind == LINK_FINDING:
            return "case-file finding: " + self._finding(judgements.FindingRef.parse(target))
        return kind

    def _finding(self, ref: judgements.FindingRef) -> str:
        try:
            q = inspections.load_questionnaire(self.session, ref.questionnaire)
        except (KeyError, ProblemError):
            return f"{ref.finding} of a questionnaire not held here"
        label = next((i.label for i in q.indicators if i.id == ref.finding), None) or (
            q.question(ref.finding).label if q.has_question(ref.finding) else ref.finding)
        if ref.answer and q.has_question(ref.finding):
            label += ("" if label.endswith("?") else ":") + f" {q.label_of(ref.finding, ref.answer)}"
        return f"{label} ({q.title or q.id})"


def describe(session: Session, actor: Actor, conflicts: list[ConflictView], *,
             inspection: inspections.InspectionRef = None) -> list[JudgementConflict]:
    """The judgement conflicts among ``conflicts`` (``bundle_evidence.open_conflicts``), in words."""
    permissions.require_role(actor, permissions.LEADS, "see merge conflicts")
    inspection = inspections.resolve(session, inspection)
    framework = judgements.framework_of(inspection)

    def grade(code) -> str:
        found = framework.grade(code) if code else None
        return found.label if found else str(code or "no grade")

    out = []
    for c in conflicts:
        if c.kind != "judgement":
            continue
        inc = c.incoming
        local = session.execute(select(Judgement).where(Judgement.uid == c.local_uid)).scalars().first()
        local_links = [list(x) for x in judgements.links_of(session, [local.id]).get(local.id, [])] if local else []
        cite = _Citations(session, actor, inspection, [*local_links, *inc.get("links", [])])
        here = Side(grade(local.grade), local.judged_by, local.judged_at, local.rationale or "",
                    [cite.words(k, t) for k, t in local_links]) if local else None
        bundle = Side(grade(inc.get("grade")), str(inc.get("judged_by") or ""), _moment(inc.get("judged_at")),
                      str(inc.get("rationale") or ""), [cite.words(k, t) for k, t in inc.get("links", [])])
        criterion = str(inc.get("criterion") or "")
        try:
            text = framework.specific(criterion).text
        except StopIteration:
            text = ""
        out.append(JudgementConflict(c.id, judgements.unit_label(str(inc.get("unit_type")), str(inc.get("unit"))),
                                     criterion, text, here, bundle))
    return out
