"""Evidence beyond case files: interviews, focus groups, documents, data returns, victim
research and observations, each with coded excerpts (issue 14).

Who: any inspector, lead or admin adds evidence, but only for a force they may see (an
inspector limited to some forces adds CPS Area evidence only for those forces' Areas, and no
national evidence). Listing shows the same scope. Privacy: the source is a role and an
organisation, never a name — one that looks like personal data (a name, email address, phone
number, date of birth, postcode: ``privacy.note_warnings``, the evidence-note check) is
refused; a summary or excerpt that looks like it is warned about, as an evidence note is.
Every addition is audited (kind, force, counts — never the text).

The CSV import and export live in ``fieldwork.services.evidence_csv``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlmodel import Session

from fieldwork import audit, problem_codes
from fieldwork.catalog import load_catalog
from fieldwork.problem_codes import (
    BAD_VALUE, MISSING_FIELD as MISSING, NO_CODEBOOK, PERMISSION_DENIED as OUT_OF_SCOPE, PERSONAL_DATA,
    UNKNOWN_CODE,
)
from fieldwork.problems import Problem, ProblemError
from fieldwork.services import characters, inspections, permissions, privacy
from fieldwork.services.permissions import Actor
from fieldwork.services.queries import where_given
from fieldwork.services import actor_check
from models import EvidenceExcerpt, EvidenceItem, Inspection, RecordRevision, new_uid, utcnow
from models.evidence import EVIDENCE_KINDS

KIND_LABELS = {
    "interview": "Interview", "focus_group": "Focus group", "document": "Document",
    "data_return": "Force data return", "victim_research": "Victim research finding",
    "observation": "Observation",
}
MAX_SOURCE = 200
MAX_SUMMARY = 10_000  # as an evidence note: what was said or seen, not a transcript
MAX_EXCERPT = 10_000
MAX_REFERENCE = 400
MAX_EXCERPTS = 200
# The kinds of an evidence item's fields for the one character rule (fieldwork.services.characters),
# here and in bundles (bundle_evidence): the summary is notes of several lines, the reference one
# line of free text; the rest — the source (a role and organisation), the ref, codes — are names.
NOTES = frozenset({"summary"})
TEXTS = frozenset({"reference"})
EXCERPT_NOTES = frozenset({"text"})  # an excerpt's passage; its criterion and code are names

EVIDENCE_ADDED = "evidence.added"
EVIDENCE_CHANGED = "evidence.changed"


@dataclass
class ExcerptInput:
    criterion: str
    code: str
    text: str
    uid: str = ""  # an existing excerpt's, when editing (judgements cite excerpts by uid)


@dataclass
class EvidenceInput:
    kind: str
    held_on: date | str | None
    source: str
    summary: str = ""
    force: str | None = None
    cps_area: str | None = None
    criteria: list[str] = field(default_factory=list)
    reference: str = ""
    ref: str = ""
    excerpts: list[ExcerptInput] = field(default_factory=list)


@dataclass
class ExcerptView:
    uid: str
    criterion: str
    code: str
    code_label: str
    text: str


@dataclass
class EvidenceView:
    uid: str
    revision: str
    ref: str
    kind: str
    kind_label: str
    held_on: date
    force: str | None
    cps_area: str | None
    source: str
    criteria: list[str]
    summary: str
    reference: str
    created_by: str
    created_at: object
    excerpts: list[ExcerptView]

    @property
    def unit(self) -> str:
        return self.force or self.cps_area or "national"


# --- checking ----------------------------------------------------------------------------


def _date(value, problems: list[Problem], where: dict) -> date | None:
    if isinstance(value, date):
        moment = value
    else:
        text = str(value or "").strip()
        if not text:
            problems.append(Problem(MISSING, "the date is required (YYYY-MM-DD)", field="date", **where))
            return None
        try:
            moment = date.fromisoformat(text)
        except ValueError:
            problems.append(Problem(BAD_VALUE, f"{text[:20]!r} is not a date (YYYY-MM-DD)", field="date", **where))
            return None
    if moment > date.today():
        problems.append(Problem(BAD_VALUE, f"{moment.isoformat()} is in the future", field="date", **where))
    return moment


def split_criteria(value) -> list[str]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    return list(dict.fromkeys(str(c).strip() for c in value or [] if str(c).strip()))


def check(data: EvidenceInput, actor: Actor, framework, codebook, *, row: int | None = None,
          source_name: str | None = None) -> tuple[dict, list[Problem], list[str]]:
    """The clean values of one evidence item, every problem with it (naming the row and
    field), and privacy warnings (said, not refused). Nothing is written."""
    # a ref that breaks the character rule is named by its field, never quoted
    where = {"row": row, "source": source_name, "item": (data.ref or None) if characters.problem(data.ref) is None
             else None, "item_kind": "evidence"}
    problems: list[Problem] = []
    warnings: list[str] = []
    catalog = load_catalog()
    forces = {c.code for c in catalog.codes.forces}
    areas = {c.code for c in catalog.codes.cps_areas}
    kind = (data.kind or "").strip()
    if kind not in EVIDENCE_KINDS:
        problems.append(Problem(UNKNOWN_CODE, f"kind {kind[:40]!r} is not one of {', '.join(EVIDENCE_KINDS)}",
                                field="kind", **where))
    held_on = _date(data.held_on, problems, where)
    force = (data.force or "").strip() or None
    area = (data.cps_area or "").strip() or None
    if force and force not in forces:
        problems.append(Problem(UNKNOWN_CODE, f"{force[:60]!r} is not a force code (contract section 6)",
                                field="force", **where))
    if area and area not in areas:
        problems.append(Problem(UNKNOWN_CODE, f"{area[:60]!r} is not a CPS Area code (contract section 6)",
                                field="cps_area", **where))
    if force in forces and area in areas and catalog.codes.force_area.get(force) != area:
        problems.append(Problem(BAD_VALUE, f"{force} sits in CPS Area {catalog.codes.force_area.get(force)}, "
                                f"not {area}", field="cps_area", **where))
    scope = _scope_problem(actor, force, area, catalog)
    if scope:
        problems.append(Problem(OUT_OF_SCOPE, scope, field="force", **where))

    source = " ".join((data.source or "").split())
    if not source:
        problems.append(Problem(MISSING, "the source is required: a role and an organisation, e.g. "
                                "'force stalking SPOC' (never a name)", field="source", **where))
    elif len(source) > MAX_SOURCE:
        problems.append(Problem(BAD_VALUE, f"the source is {len(source)} characters; at most {MAX_SOURCE}",
                                field="source", **where))
    elif source_problem(source):
        problems.append(Problem(PERSONAL_DATA, source_problem(source), field="source", **where))

    criteria = split_criteria(data.criteria)
    known = set(framework.specific_ids)
    for c in criteria:
        if c not in known:
            problems.append(Problem(UNKNOWN_CODE, f"{c[:20]!r} is not a specific criterion of {framework.id}",
                                    field="criteria", **where))
    summary = (data.summary or "").strip()
    if len(summary) > MAX_SUMMARY:
        problems.append(Problem(BAD_VALUE, f"the summary is {len(summary):,} characters; at most {MAX_SUMMARY:,}",
                                field="summary", **where))
    warnings += [f"the summary looks as if it holds {w}" for w in privacy.note_warnings(summary)]
    reference = (data.reference or "").strip()
    if len(reference) > MAX_REFERENCE:
        problems.append(Problem(BAD_VALUE, f"the reference is {len(reference)} characters; at most {MAX_REFERENCE}",
                                field="reference", **where))

    excerpts = []
    if len(data.excerpts) > MAX_EXCERPTS:
        problems.append(Problem(BAD_VALUE, f"{len(data.excerpts)} excerpts; at most {MAX_EXCERPTS} an item",
                                field="excerpts", **where))
    for n, ex in enumerate(data.excerpts, start=1):
        at = dict(where, row=(row + n - 1) if row is not None else None)
        found, warned = check_excerpt(ex, framework, codebook, at, "" if row is not None else f"excerpt {n}: ")
        problems += found
        warnings += warned
        criterion = (ex.criterion or "").strip()
        if criterion in known and criterion not in criteria:
            criteria.append(criterion)  # an excerpt's criterion is one the item bears on
        excerpts.append(ExcerptInput(criterion, (ex.code or "").strip(), (ex.text or "").strip(), ex.uid))
    problems += _character_problems({"ref": data.ref, "kind": kind, "force": force, "cps_area": area,
                                     "source": source, "criteria": " ".join(criteria), "summary": summary,
                                     "reference": reference}, where)
    clean = {"kind": kind, "held_on": held_on, "force": force, "cps_area": area, "source": source,
             "criteria": criteria, "summary": summary, "reference": reference,
             "ref": (data.ref or "").strip()[:40], "excerpts": excerpts}
    return clean, problems, warnings


def source_problem(source: str) -> str | None:
    """Why a source may not be stored, or None: a role and an organisation, never a name (the app's
    rule, and a bundle's)."""
    found = privacy.note_warnings(source)
    return (f"the source looks as if it holds {', '.join(found)}: describe the source by role and organisation "
            "(e.g. 'focus group: six response officers'), never by name") if found else None


def _character_problems(values: dict, where: dict, label: str = "", *, notes=NOTES, texts=TEXTS,
                        words: dict | None = None) -> list[Problem]:
    """The one character rule (characters) over an item's (or an excerpt's) fields, each named in words."""
    words = words or {}
    return [Problem(p.code, f"{label}the {words.get(p.field, (p.field, p.field))[1]} {p.message}",
                    field=words.get(p.field, (p.field, p.field))[0], **where)
            for p in characters.problems(values, notes=notes, texts=texts)]


# an excerpt's fields: (the field a problem names, its words)
_EXCERPT_WORDS = {"text": ("excerpt_text", "excerpt's passage"),
                  "criterion": ("excerpt_criterion", "excerpt's criterion"), "code": ("excerpt_code", "excerpt's code")}


def check_excerpt(ex: ExcerptInput, framework, codebook, where: dict, label: str = "") -> tuple[list[Problem], list[str]]:
    """One coded excerpt: a specific criterion, a code of the codebook, a passage."""
    problems: list[Problem] = []
    criterion, code, text = (ex.criterion or "").strip(), (ex.code or "").strip(), (ex.text or "").strip()
    if criterion not in framework.specific_ids:
        problems.append(Problem(UNKNOWN_CODE, f"{label}{criterion[:20]!r} is not a specific criterion of "
                                f"{framework.id}", field="excerpt_criterion", **where))
    if codebook is None:
        problems.append(Problem(NO_CODEBOOK, f"framework {framework.id} has no codebook in criteria/codebooks",
                                field="excerpt_code", **where))
    elif codebook.code(code) is None:
        problems.append(Problem(UNKNOWN_CODE, f"{label}{code[:40]!r} is not a code of the codebook (codes: "
                                f"{', '.join(codebook.code_ids)})", field="excerpt_code", **where))
    if not text:
        problems.append(Problem(MISSING, f"{label}the excerpt's passage is empty", field="excerpt_text", **where))
    elif len(text) > MAX_EXCERPT:
        problems.append(Problem(BAD_VALUE, f"{label}the passage is {len(text):,} characters; at most {MAX_EXCERPT:,}",
                                field="excerpt_text", **where))
    problems += _character_problems({"criterion": criterion, "code": code, "text": text}, where, label,
                                    notes=EXCERPT_NOTES, texts=(), words=_EXCERPT_WORDS)
    prefix = label or (f"row {where['row']}: " if where.get("row") else "")
    return problems, [f"{prefix}the excerpt looks as if it holds {w}" for w in privacy.note_warnings(text)]


def _scope_problem(actor: Actor, force: str | None, area: str | None, catalog) -> str | None:
    """Why the actor may not hold evidence about this force / Area, or None."""
    if actor.role not in permissions.ROLES:
        return f"{actor.name} ({actor.role}) may not add evidence"
    if actor.is_lead or not actor.forces:
        return None
    if force:
        return None if force in actor.forces else (
            f"{actor.name} may not add or see evidence for {force} (their forces: {', '.join(actor.forces)})")
    if area:
        mine = {catalog.codes.force_area.get(f) for f in actor.forces}
        return None if area in mine else (
            f"{actor.name} may not add or see evidence for CPS Area {area} (their forces' Areas: "
            f"{', '.join(sorted(a for a in mine if a))})")
    return f"{actor.name} works on {', '.join(actor.forces)} only, so may not add national evidence"


def context(session: Session, inspection: inspections.InspectionRef):
    """The inspection, its framework and its framework's codebook (None if it has none)."""
    inspection = inspections.resolve(session, inspection)
    catalog = load_catalog()
    return inspection, catalog.frameworks[inspection.framework], catalog.codebooks.get(inspection.framework)


# --- writing -----------------------------------------------------------------------------


def store_item(session: Session, actor: Actor, inspection: Inspection, clean: dict) -> EvidenceItem:
    item = EvidenceItem(inspection_id=inspection.id, ref=clean["ref"], kind=clean["kind"], held_on=clean["held_on"],
                        force=clean["force"], cps_area=clean["cps_area"], source=clean["source"],
                        criteria=" ".join(clean["criteria"]), summary=clean["summary"],
                        reference=clean["reference"], created_by=actor.name)
    session.add(item)
    session.flush()
    if not item.ref:
        item.ref = f"EV-{item.id:04d}"
    for n, ex in enumerate(clean["excerpts"]):
        session.add(EvidenceExcerpt(evidence_id=item.id, position=n, criterion=ex.criterion, code=ex.code,
                                    text=ex.text))
    session.flush()
    return item


def add_evidence(session: Session, actor: Actor, data: EvidenceInput, *,
                 inspection: inspections.InspectionRef = None) -> tuple[EvidenceItem, list[str]]:
    """Add one evidence item with its excerpts: all of it, or nothing with every problem named.
    Returns the item and the privacy warnings to show."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    permissions.require_role(actor, permissions.ROLES, "add evidence")
    inspection, framework, codebook = context(session, inspection)
    clean, problems, warnings = check(data, actor, framework, codebook)
    if problems:
        raise ProblemError(problems, "the evidence was not saved")
    item = store_item(session, actor, inspection, clean)
    audit.record(session, actor.name, EVIDENCE_ADDED, inspection_id=inspection.id, evidence=item.uid,
                 kind=item.kind, force=item.force, cps_area=item.cps_area, criteria=item.criteria,
                 excerpts=len(clean["excerpts"]))
    return item, warnings


def update_evidence(session: Session, actor: Actor, uid: str, data: EvidenceInput, *, expected_revision: str,
                    inspection: inspections.InspectionRef = None) -> tuple[EvidenceItem, list[str]]:
    """Change an evidence item: its author or a lead, stating the revision they read (a change
    made meanwhile is refused, never overwritten). Excerpts keep their uid (judgements cite
    them); one left out is removed. The old revision is kept in the lineage for bundles."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    permissions.require_role(actor, permissions.ROLES, "change evidence")
    inspection, framework, codebook = context(session, inspection)
    item = session.execute(select(EvidenceItem).where(EvidenceItem.uid == uid,
                                                      EvidenceItem.inspection_id == inspection.id)).scalars().first()
    if item is None:
        raise ProblemError([Problem(UNKNOWN_CODE, f"no evidence item {uid[:32]!r}", item=uid[:32], item_kind="evidence")])
    if not actor.is_lead and actor.name != item.created_by:
        raise permissions.PermissionDenied(actor, f"change {item.ref}, which {item.created_by} added")
    clean, problems, warnings = check(data, actor, framework, codebook)
    scope = _scope_problem(actor, item.force, item.cps_area, load_catalog())
    if scope:
        problems.append(Problem(OUT_OF_SCOPE, scope, field="force", item=item.ref, item_kind="evidence"))
    if item.revision != expected_revision:
        problems.append(Problem(problem_codes.EVIDENCE_CHANGED, f"{item.ref} was changed since you opened it: reload it",
                                item=item.ref, item_kind="evidence"))
    existing = {e.uid: e for e in session.execute(select(EvidenceExcerpt).where(
        EvidenceExcerpt.evidence_id == item.id)).scalars()}
    for ex in clean["excerpts"]:
        if ex.uid and ex.uid not in existing:
            problems.append(Problem(UNKNOWN_CODE, f"excerpt {ex.uid[:32]} is not one of {item.ref}'s",
                                    field="excerpts", item=item.ref, item_kind="evidence"))
    if problems:
        raise ProblemError(problems, "the evidence was not saved")
    session.add(RecordRevision(kind="evidence", uid=item.uid, revision=item.revision,
                               parent_revision=item.parent_revision))
    item.parent_revision, item.revision = item.revision, new_uid()
    for name in ("kind", "held_on", "force", "cps_area", "source", "summary", "reference"):
        setattr(item, name, clean[name])
    item.criteria = " ".join(clean["criteria"])
    item.ref = clean["ref"] or item.ref
    item.updated_at = utcnow()
    kept = {ex.uid for ex in clean["excerpts"] if ex.uid}
    for gone in set(existing) - kept:
        session.delete(existing[gone])
    for n, ex in enumerate(clean["excerpts"]):
        row = existing.get(ex.uid) if ex.uid else None
        if row is None:
            session.add(EvidenceExcerpt(evidence_id=item.id, position=n, criterion=ex.criterion, code=ex.code,
                                        text=ex.text))
        else:
            row.position, row.criterion, row.code, row.text = n, ex.criterion, ex.code, ex.text
    audit.record(session, actor.name, EVIDENCE_CHANGED, inspection_id=inspection.id, evidence=item.uid,
                 kind=item.kind, force=item.force, cps_area=item.cps_area, excerpts=len(clean["excerpts"]),
                 removed=len(set(existing) - kept))
    session.flush()
    return item, warnings


# --- reading -----------------------------------------------------------------------------


def _visible(actor: Actor, query):
    """Only the evidence the actor may see (an inspector limited to some forces: theirs and
    their Areas', no national evidence)."""
    if actor.is_lead or not actor.forces:
        return query
    areas = sorted({a for a in (load_catalog().codes.force_area.get(f) for f in actor.forces) if a})
    return query.where(or_(EvidenceItem.force.in_(actor.forces),
                           (EvidenceItem.force.is_(None)) & EvidenceItem.cps_area.in_(areas)))


def list_evidence(session: Session, actor: Actor, *, inspection: inspections.InspectionRef = None,
                  force: str | None = None,
                  cps_area: str | None = None, criterion: str | None = None, kind: str | None = None,
                  uids: list[str] | None = None) -> list[EvidenceView]:
    """The evidence the actor may see, newest date first, with excerpts in their order.
    ``criterion`` keeps items that bear on it (their criteria or an excerpt's)."""
    permissions.require_role(actor, permissions.ROLES, "see evidence")
    inspection, _, codebook = context(session, inspection)
    query = _visible(actor, select(EvidenceItem).where(EvidenceItem.inspection_id == inspection.id))
    query = where_given(query, (EvidenceItem.force, force), (EvidenceItem.cps_area, cps_area), (EvidenceItem.kind, kind))
    if uids is not None:
        query = query.where(EvidenceItem.uid.in_(uids or [""]))
    items = session.execute(query.order_by(EvidenceItem.held_on.desc(), EvidenceItem.id)).scalars().all()
    excerpts: dict[int, list[EvidenceExcerpt]] = {}
    ids = [i.id for i in items]
    for start in range(0, len(ids), 500):
        for ex in session.execute(select(EvidenceExcerpt).where(EvidenceExcerpt.evidence_id.in_(ids[start:start + 500]))
                                  .order_by(EvidenceExcerpt.evidence_id, EvidenceExcerpt.position)).scalars():
            excerpts.setdefault(ex.evidence_id, []).append(ex)
    out = []
    for i in items:
        exs = excerpts.get(i.id, [])
        if criterion and criterion not in i.criteria_list and not any(e.criterion == criterion for e in exs):
            continue
        label = (lambda c: codebook.code(c).label if codebook and codebook.code(c) else c)
        out.append(EvidenceView(i.uid, i.revision, i.ref, i.kind, KIND_LABELS.get(i.kind, i.kind), i.held_on, i.force, i.cps_area,
                                i.source, i.criteria_list, i.summary, i.reference, i.created_by, i.created_at,
                                [ExcerptView(e.uid, e.criterion, e.code, label(e.code), e.text) for e in exs]))
    return out
