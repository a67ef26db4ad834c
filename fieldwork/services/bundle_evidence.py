"""Evidence and judgements in laptop bundles, merged like assessments (issue 14).

A bundle's ``data.json`` (under its checksum, ``fieldwork.services.bundles``) carries three
more lists: ``evidence`` (items with their excerpts), ``judgements`` (with their links and
history) and ``record_lineage`` (superseded revisions). ``bundles.py`` calls four functions
here: ``payload`` (export), ``parse`` (structure, every fault named), ``check`` (against the
lead's catalog) and ``apply`` (the merge, in the import's transaction: all or nothing).

The merge never overwrites. For each incoming record, by uid:

* not here: added — but a judgement of a force × criterion already judged here under
  another uid (two leads judged the same cell) is kept as a conflict instead;
* here at the same revision: unchanged (importing twice changes nothing);
* here at a revision the incoming one descends from: replaced (a judgement's change of
  grade is audited old → new, and its history travels with it);
* here at a revision that descends from the incoming one: older, nothing changes;
* otherwise diverged: the incoming copy is kept whole in ``evidence_conflict`` for the lead,
  who takes it or sets it aside (``resolve``); until then what was here stands.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from fieldwork import audit
from fieldwork.catalog import load_catalog
from fieldwork.problem_codes import BAD_INSPECTOR, BUNDLE_INVALID as INVALID, PERSONAL_DATA, UNKNOWN_CONFLICT
from fieldwork.problems import Problem, ProblemError
from fieldwork.services import bundle_records, evidence, inspections, judgements, permissions
from fieldwork.services.revisions import descends
from fieldwork.services.permissions import Actor
from models import (EvidenceConflict, EvidenceExcerpt, EvidenceItem, Inspection, Judgement, JudgementHistory,
                    JudgementLink, RecordRevision, new_uid, utcnow)
from models.evidence import EVIDENCE_KINDS, LINK_EVIDENCE, LINK_EXCERPT, LINK_KINDS, UNIT_TYPES

EVIDENCE, JUDGEMENT = "evidence", "judgement"
ADD, REPLACE, UNCHANGED, OLDER, CONFLICT = "add", "replace", "unchanged", "older", "conflict"
MERGED = "evidence.merged"
CONFLICT_RESOLVED = "evidence.conflict_resolved"
TAKEN, SET_ASIDE = "taken", "set_aside"

_ITEM_FIELDS = ("uid", "ref", "kind", "held_on", "force", "cps_area", "source", "criteria", "summary", "reference",
                "created_by", "created_at", "updated_at", "revision", "parent_revision")
_JUDGEMENT_FIELDS = ("uid", "unit_type", "unit", "criterion", "grade", "rationale", "judged_by", "judged_at",
                     "version", "revision", "parent_revision")


def _plain(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _moment(value) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# --- export ------------------------------------------------------------------------------


def _evidence_of(session: Session, inspection: Inspection, inspector: str | None):
    """The condition on EvidenceItem a bundle's evidence meets: all of it, or the named person's
    own and whatever their grades cite (now or in a past grade). A lead's own bundle carried
    their judgements without the interviews they cite that a colleague recorded, and the merge
    refused it, naming the evidence by a 32-character id (walk 24, W17)."""
    if not inspector:
        return EvidenceItem.inspection_id == inspection.id
    cited: set[tuple[str, str]] = set()
    graded = select(Judgement.id).where(Judgement.inspection_id == inspection.id, Judgement.judged_by == inspector)
    cited |= {(k, t) for k, t in session.execute(select(JudgementLink.kind, JudgementLink.target)
                                                  .where(JudgementLink.judgement_id.in_(graded)))}
    for raw in session.execute(select(JudgementHistory.links).join(
            Judgement, Judgement.uid == JudgementHistory.judgement_uid).where(Judgement.id.in_(graded))).scalars():
        cited |= {(k, t) for k, t in json.loads(raw or "[]")}
    items = [t for k, t in cited if k == LINK_EVIDENCE]
    excerpts = [t for k, t in cited if k == LINK_EXCERPT]
    return and_(EvidenceItem.inspection_id == inspection.id, or_(
        EvidenceItem.created_by == inspector, EvidenceItem.uid.in_(items or [""]),
        EvidenceItem.id.in_(select(EvidenceExcerpt.evidence_id).where(EvidenceExcerpt.uid.in_(excerpts or [""])))))


def payload(session: Session, inspection: Inspection, *, inspector: str | None = None) -> dict:
    """The evidence (an inspector's own and what their grades cite, or all) and judgements (all,
    or those the named person made) of the inspection, as the bundle's extra lists."""
    query = select(EvidenceItem).where(_evidence_of(session, inspection, inspector)).order_by(EvidenceItem.id)
    items = list(session.execute(query).scalars())
    excerpts: dict[int, list] = {}
    ids = [i.id for i in items]
    for start in range(0, len(ids), 500):
        for ex in session.execute(select(EvidenceExcerpt).where(EvidenceExcerpt.evidence_id.in_(ids[start:start + 500]))
                                  .order_by(EvidenceExcerpt.evidence_id, EvidenceExcerpt.position)).scalars():
            excerpts.setdefault(ex.evidence_id, []).append(
                {"uid": ex.uid, "position": ex.position, "criterion": ex.criterion, "code": ex.code, "text": ex.text})
    jquery = select(Judgement).where(Judgement.inspection_id == inspection.id).order_by(Judgement.id)
    if inspector:
        jquery = jquery.where(Judgement.judged_by == inspector)
    found = list(session.execute(jquery).scalars())
    links: dict[int, list] = {}
    for link in session.execute(select(JudgementLink).where(
            JudgementLink.judgement_id.in_([j.id for j in found] or [0])).order_by(JudgementLink.id)).scalars():
        links.setdefault(link.judgement_id, []).append([link.kind, link.target])
    history: dict[str, list] = {}
    for h in session.execute(select(JudgementHistory).where(
            JudgementHistory.judgement_uid.in_([j.uid for j in found] or [""])).order_by(JudgementHistory.id)).scalars():
        history.setdefault(h.judgement_uid, []).append({
            "grade": h.grade, "old_grade": h.old_grade, "rationale": h.rationale, "links": json.loads(h.links),
            "judged_by": h.judged_by, "judged_at": h.judged_at.isoformat(), "revision": h.revision})
    uids = [(EVIDENCE, i.uid) for i in items] + [(JUDGEMENT, j.uid) for j in found]
    lineage = []
    for kind in (EVIDENCE, JUDGEMENT):
        wanted = [u for k, u in uids if k == kind]
        if wanted:
            lineage += [{"kind": r.kind, "uid": r.uid, "revision": r.revision, "parent_revision": r.parent_revision}
                        for r in session.execute(select(RecordRevision).where(
                            RecordRevision.kind == kind, RecordRevision.uid.in_(wanted)).order_by(RecordRevision.id))
                        .scalars()]
    return {
        "evidence": [{**{f: _plain(getattr(i, f)) for f in _ITEM_FIELDS}, "excerpts": excerpts.get(i.id, [])}
                     for i in items],
        "judgements": [{**{f: _plain(getattr(j, f)) for f in _JUDGEMENT_FIELDS}, "links": links.get(j.id, []),
                        "history": history.get(j.uid, [])} for j in found],
        "record_lineage": lineage,
    }


def counts(data: dict) -> dict:
    return {"evidence": len(data.get("evidence", [])),
            "excerpts": sum(len(e.get("excerpts", [])) for e in data.get("evidence", [])),
            "judgements": len(data.get("judgements", []))}


def exportable(session: Session, inspection: Inspection, *, inspector: str | None = None) -> dict:
    """What a bundle would carry besides assessments: {"evidence": n, "judgements": n}."""
    from sqlalchemy import func

    ev = select(func.count()).select_from(EvidenceItem).where(_evidence_of(session, inspection, inspector))
    jq = select(func.count()).select_from(Judgement).where(Judgement.inspection_id == inspection.id)
    if inspector:
        jq = jq.where(Judgement.judged_by == inspector)
    return {"evidence": session.scalar(ev) or 0, "judgements": session.scalar(jq) or 0}


# --- reading -----------------------------------------------------------------------------


@dataclass
class Section:
    evidence: list[dict] = field(default_factory=list)
    judgements: list[dict] = field(default_factory=list)
    lineage: list[tuple[str, str, str, str | None]] = field(default_factory=list)  # kind, uid, revision, parent

    @property
    def empty(self) -> bool:
        return not self.evidence and not self.judgements


# The record kinds of a bundle's evidence part, read by bundle_records' one rule (fields, lengths,
# characters, times ahead) with the app's own limits and field kinds (fieldwork.services.evidence).
ITEM_RECORD = bundle_records.Kind(
    EvidenceItem, "the evidence items'", skip=frozenset({"id", "inspection_id"}),
    notes=evidence.NOTES, texts=evidence.TEXTS, longest={"summary": evidence.MAX_SUMMARY},
    required=frozenset({"uid", "revision", "kind", "held_on", "source", "created_by", "created_at"}),
    blank=frozenset({"ref", "criteria", "summary", "reference", "updated_at"}))
EXCERPT_RECORD = bundle_records.Kind(
    EvidenceExcerpt, "the excerpts'", skip=frozenset({"id", "evidence_id"}), notes=evidence.EXCERPT_NOTES,
    longest={"text": evidence.MAX_EXCERPT}, lowest={"position": 0},
    required=frozenset({"uid", "criterion", "code", "text"}))
JUDGEMENT_RECORD = bundle_records.Kind(
    Judgement, "the judgements'", skip=frozenset({"id", "inspection_id"}), notes=judgements.NOTES,
    longest={"rationale": judgements.MAX_RATIONALE}, lowest={"version": 1},
    required=frozenset({"uid", "revision", "unit_type", "unit", "criterion", "grade", "judged_by", "judged_at"}),
    blank=frozenset({"rationale", "version"}))
LINK_RECORD = bundle_records.Kind(JudgementLink, "the judgements' links'", skip=frozenset({"id", "judgement_id"}),
                           required=frozenset({"kind", "target"}))
HISTORY_RECORD = bundle_records.Kind(
    JudgementHistory, "the judgements' past grades'", skip=frozenset({"id", "judgement_uid", "links"}),
    notes=judgements.NOTES, longest={"rationale": judgements.MAX_RATIONALE},
    required=frozenset({"grade", "judged_by", "judged_at", "revision"}), blank=frozenset({"rationale"}))
LINEAGE_RECORD = bundle_records.Kind(RecordRevision, "the lineage's", required=frozenset({"kind", "uid", "revision"}))


def _objects(value) -> list | None:
    return value if isinstance(value, list) and all(isinstance(v, dict) for v in value) else None


def _kept(kind: bundle_records.Kind, raw: dict, *nested: str) -> dict:
    """The record as the bundle carried it, but only the fields its table holds (and its nested
    lists): what is kept beside the lead's copy in a conflict holds nothing left unread."""
    return {k: v for k, v in raw.items() if k in kind.columns or k in nested}


def parse(data: dict, file_name: str, ahead: bundle_records.Ahead) -> tuple[Section, list[Problem]]:
    """The evidence lists of a bundle's payload (absent in a bundle of assessments only), and
    every fault, each naming the record, the field in words and the reason; times ahead of this
    clock are noted on ``ahead`` (a warning, never a refusal)."""
    problems: list[Problem] = []
    section = Section()

    def fault(message: str, item: str | None, kind: str, field_name: str | None = None) -> None:
        problems.append(Problem(INVALID, message, source=file_name, item=item, field=field_name, item_kind=kind))

    def reader(item: str | None, kind: str, prefix: str = ""):
        def report(code: str, name: str, message: str) -> None:
            problems.append(Problem(code, message, source=file_name, item=item, field=prefix + name, item_kind=kind))
        return report

    def listing(key: str) -> list:
        value = _objects(data.get(key, []))
        if value is None:
            fault(f"{key} must be a list of objects", None, "list", key)
        return value or []

    seen = set()
    for raw in listing("evidence"):
        ref = bundle_records.quotable(raw.get("ref")) or bundle_records.quotable(raw.get("uid"))
        bundle_records.read(ITEM_RECORD, raw, reader(ref, EVIDENCE), ahead, ref, item_kind=EVIDENCE)
        if isinstance(raw.get("source"), str):
            why = evidence.source_problem(raw["source"])  # role and organisation, never a name: the app's rule
            if why:
                problems.append(Problem(PERSONAL_DATA, why, source=file_name, item=ref, field="source",
                                        item_kind=EVIDENCE))
        if raw.get("uid") in seen:
            fault("the evidence item appears twice", ref, EVIDENCE, "uid")
        seen.add(raw.get("uid"))
        excerpts = _objects(raw.get("excerpts", []))
        if excerpts is None:
            fault("its excerpts must be a list of objects", ref, EVIDENCE, "excerpts")
        for n, ex in enumerate(excerpts or [], start=1):
            bundle_records.read(EXCERPT_RECORD, ex, reader(ref, EVIDENCE, f"excerpts[{n}]."), ahead, ref,
                                item_kind=EVIDENCE, named=lambda name, n=n: f"excerpt {n}'s {name}")
        section.evidence.append(_kept(ITEM_RECORD, raw)
                                | {"excerpts": [_kept(EXCERPT_RECORD, ex) for ex in excerpts or []]})
    seen = set()
    for raw in listing("judgements"):
        named = all(isinstance(raw.get(k), str) for k in ("unit", "criterion"))  # its cell, else its uid
        cell = bundle_records.quotable(f"{raw['unit']} {raw['criterion']}" if named else raw.get("uid"))
        bundle_records.read(JUDGEMENT_RECORD, raw, reader(cell, JUDGEMENT), ahead, cell, item_kind=JUDGEMENT)
        links = raw.get("links", [])
        if not isinstance(links, list) or not all(isinstance(k, list) and len(k) == 2 for k in links):
            fault("its links must be a list of [kind, target] pairs", cell, JUDGEMENT, "links")
            links = []
        for n, (kind, target) in enumerate(links, start=1):
            _link(kind, target, reader(cell, JUDGEMENT, f"links[{n}]."), ahead, cell, f"link {n}'s")
        history = _objects(raw.get("history", []))
        if history is None:
            fault("its history must be a list of objects", cell, JUDGEMENT, "history")
        for n, h in enumerate(history or [], start=1):
            at = reader(cell, JUDGEMENT, f"history[{n}].")
            bundle_records.read(HISTORY_RECORD, h, at, ahead, cell, item_kind=JUDGEMENT,
                                named=lambda name, n=n: f"past grade {n}'s {name}")
            past = h.get("links", [])
            if not isinstance(past, list) or not all(isinstance(k, list) and len(k) == 2 for k in past):
                at(INVALID, "links", f"past grade {n}'s links must be a list of [kind, target] pairs")
                continue
            for m, (kind, target) in enumerate(past, start=1):
                _link(kind, target, at, ahead, cell, f"past grade {n}'s link {m}'s")
        if raw.get("uid") in seen:
            fault("the judgement appears twice", cell, JUDGEMENT, "uid")
        seen.add(raw.get("uid"))
        section.judgements.append(_kept(JUDGEMENT_RECORD, raw) | {
            "links": links, "history": [_kept(HISTORY_RECORD, h, "links") for h in history or []]})
    for n, raw in enumerate(listing("record_lineage"), start=1):
        before = len(problems)
        row = bundle_records.read(LINEAGE_RECORD, raw, reader(None, "list", f"record_lineage[{n}]."), ahead,
                                  named=lambda name, n=n: f"lineage row {n}'s {name}")
        if raw.get("kind") not in (EVIDENCE, JUDGEMENT):
            fault(f"lineage row {n}'s kind must be {EVIDENCE} or {JUDGEMENT}", None, "list", "record_lineage")
        if len(problems) == before:
            section.lineage.append((row["kind"], row["uid"], row["revision"], row.get("parent_revision")))
    return section, problems


def _link(kind, target, fault: bundle_records.Fault, ahead: bundle_records.Ahead, cell, words: str) -> None:
    """A judgement's link [kind, target], by the rule of the table it is stored in."""
    bundle_records.read(LINK_RECORD, {"kind": kind, "target": target}, fault, ahead, cell, item_kind=JUDGEMENT,
                        named=lambda name: f"{words} {name}")
    if isinstance(kind, str) and kind not in LINK_KINDS:
        fault(INVALID, "kind", f"{words} kind must be one of {', '.join(LINK_KINDS)}")


def check(inspection: Inspection, section: Section, file_name: str) -> list[Problem]:
    """Codes the lead's catalog does not know: kinds, forces, Areas, criteria, codebook codes,
    grades; and links to evidence the bundle does not carry (checked in ``apply``)."""
    catalog = load_catalog()
    framework = catalog.frameworks[inspection.framework]
    codebook = catalog.codebooks.get(inspection.framework)
    forces = {c.code for c in catalog.codes.forces}
    areas = {c.code for c in catalog.codes.cps_areas}
    criteria = set(framework.specific_ids)
    problems = []

    def bad(message: str, item, kind: str, field_name: str) -> None:
        problems.append(Problem(INVALID, message, source=file_name, item=item, item_kind=kind, field=field_name))

    for e in section.evidence:
        if e.get("kind") not in EVIDENCE_KINDS:
            bad(f"unknown kind {str(e.get('kind'))[:30]!r}", e.get("ref"), "evidence", "kind")
        if e.get("force") and e["force"] not in forces:
            bad(f"unknown force {e['force'][:60]!r}", e.get("ref"), "evidence", "force")
        if e.get("cps_area") and e["cps_area"] not in areas:
            bad(f"unknown CPS Area {e['cps_area'][:60]!r}", e.get("ref"), "evidence", "cps_area")
        for c in (e.get("criteria") or "").split():
            if c not in criteria:
                bad(f"unknown criterion {c[:20]!r}", e.get("ref"), "evidence", "criteria")
        for ex in e.get("excerpts", []):
            if ex["criterion"] not in criteria:
                bad(f"an excerpt's criterion {ex['criterion'][:20]!r} is unknown", e.get("ref"), "evidence",
                    "excerpts")
            if codebook is None or codebook.code(ex["code"]) is None:
                bad(f"an excerpt's code {ex['code'][:40]!r} is not in this codebook", e.get("ref"), "evidence",
                    "excerpts")
    for j in section.judgements:
        cell = f"{j.get('unit')} {j.get('criterion')}"
        known = forces if j.get("unit_type") == "force" else areas
        if j.get("unit_type") not in UNIT_TYPES or j.get("unit") not in known:
            bad("unknown force or CPS Area", cell, "judgement", "unit")
        if j.get("criterion") not in criteria:
            bad("unknown criterion", cell, "judgement", "criterion")
        if framework.grade(j.get("grade", "")) is None:
            bad(f"{str(j.get('grade'))[:40]!r} is not a grade of {framework.id}'s scale", cell, "judgement", "grade")
    return problems


def unknown_people(session: Session, section: Section, file_name: str) -> list[Problem]:
    """Evidence is recorded by, and every grade (past ones too) given by, an account as it is
    stored here, as an assessment's inspector is (``bundle_rows``): a bundle never attributes a
    record to someone who cannot sign in to answer for it, nor under a second spelling of a
    name (an inspector's own evidence is told apart by that name)."""
    from models import User

    named: dict[str, list[tuple[str | None, str, str]]] = {}  # name -> (item, kind, field) naming it
    for e in section.evidence:
        named.setdefault(e.get("created_by") or "", []).append((e.get("ref"), EVIDENCE, "created_by"))
    for j in section.judgements:
        cell = f"{j.get('unit')} {j.get('criterion')}"
        named.setdefault(j.get("judged_by") or "", []).append((cell, JUDGEMENT, "judged_by"))
        for n, h in enumerate(j.get("history") or [], start=1):
            named.setdefault(h.get("judged_by") or "", []).append((cell, JUDGEMENT, f"history[{n}].judged_by"))
    named.pop("", None)  # a blank name is the record check's fault, already named
    if not named:
        return []
    known = set(session.execute(select(User.name).where(User.name.in_(list(named)))).scalars())
    out = []
    for name, places in named.items():
        if name in known:
            continue
        shown = bundle_records.quotable(name) or "?"
        for item, kind, field_name in dict.fromkeys(places):
            out.append(Problem(BAD_INSPECTOR, f"{shown} is not an account: " + bundle_records.ADVICE.replace("{name}", shown),
                               source=file_name, item=item, item_kind=kind, field=field_name))
    return out


# --- the merge ---------------------------------------------------------------------------


@dataclass
class EvidenceMergeReport:
    evidence: dict = field(default_factory=lambda: dict.fromkeys((ADD, REPLACE, UNCHANGED, OLDER, CONFLICT), 0))
    judgements: dict = field(default_factory=lambda: dict.fromkeys((ADD, REPLACE, UNCHANGED, OLDER, CONFLICT), 0))
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return any(d[k] for d in (self.evidence, self.judgements) for k in (ADD, REPLACE, CONFLICT))

    @property
    def conflicts(self) -> int:
        return self.evidence[CONFLICT] + self.judgements[CONFLICT]

    def summary(self) -> str:
        if not any(sum(d.values()) for d in (self.evidence, self.judgements)):
            return ""
        verb = "would be" if self.dry_run else "were"

        def part(name: str, d: dict) -> str:
            return (f"{name}: {d[ADD]} added, {d[REPLACE]} replaced by later versions, {d[UNCHANGED]} unchanged, "
                    f"{d[OLDER]} older than what is here, {d[CONFLICT]} kept as conflicts for the lead")
        return f"{part('Evidence', self.evidence)}; {part('judgements', self.judgements)} ({verb} merged)."


def _parents(session: Session, kind: str, uids: list[str], section: Section) -> dict[str, str | None]:
    parents: dict[str, str | None] = {}
    for k, _, revision, parent in section.lineage:
        if k == kind:
            parents[revision] = parent
    for start in range(0, len(uids), 500):
        for r in session.execute(select(RecordRevision).where(
                RecordRevision.kind == kind, RecordRevision.uid.in_(uids[start:start + 500]))).scalars():
            parents[r.revision] = r.parent_revision
    return parents


def _decide(incoming: dict, here, parents: dict) -> str:
    if here.revision == incoming["revision"]:
        return UNCHANGED
    parents = {**parents, incoming["revision"]: incoming.get("parent_revision"), here.revision: here.parent_revision}
    if descends(incoming["revision"], here.revision, parents):
        return REPLACE
    if descends(here.revision, incoming["revision"], parents):
        return OLDER
    return CONFLICT


def _conflict_known(session: Session, kind: str, uid: str, revision: str) -> bool:
    return session.execute(select(EvidenceConflict.id).where(
        EvidenceConflict.kind == kind, EvidenceConflict.uid == uid,
        EvidenceConflict.revision == revision)).first() is not None


def apply(session: Session, actor: Actor, inspection: Inspection, section: Section, *, bundle_id: str = "",
          file_name: str = "bundle", dry_run: bool = False) -> EvidenceMergeReport:
    """Merge the bundle's evidence and judgements (see the module's rules). Raises
    ProblemError, writing nothing, if the bundle does not fit (an inspector merging others'
    evidence or any judgement; a link to evidence neither side holds)."""
    report = EvidenceMergeReport(dry_run=dry_run)
    if section.empty:
        return report
    if not actor.is_lead:
        others = sorted({e["created_by"] for e in section.evidence} - {actor.name})
        if others or section.judgements:
            raise permissions.PermissionDenied(actor, "merge other people's evidence or any judgement "
                                               "(only a lead inspector does)")
    ev_uids = [e["uid"] for e in section.evidence]
    local_items = {i.uid: i for i in session.execute(select(EvidenceItem).where(
        EvidenceItem.uid.in_(ev_uids or [""]))).scalars()}
    problems = [Problem(INVALID, "the evidence item is held here for another inspection", source=file_name,
                        item=e.get("ref"), item_kind="evidence")
                for e in section.evidence if e["uid"] in local_items
                and local_items[e["uid"]].inspection_id != inspection.id]
    incoming_excerpts = {x["uid"]: e for e in section.evidence for x in e.get("excerpts", [])}
    for uid, owner in session.execute(select(EvidenceExcerpt.uid, EvidenceItem.uid).join(
            EvidenceItem, EvidenceItem.id == EvidenceExcerpt.evidence_id).where(
            EvidenceExcerpt.uid.in_(list(incoming_excerpts) or [""]))).all():
        if owner != incoming_excerpts[uid]["uid"]:  # an excerpt's identity is its item's, on every laptop
            problems.append(Problem(INVALID, f"excerpt {uid[:32]} belongs to another evidence item here",
                                    source=file_name, item=incoming_excerpts[uid].get("ref"), item_kind="evidence"))
    ev_parents = _parents(session, EVIDENCE, ev_uids, section)
    ev_plans = []
    for e in section.evidence:
        here = local_items.get(e["uid"])
        action = ADD if here is None else _decide(e, here, ev_parents)
        if action == CONFLICT and _conflict_known(session, EVIDENCE, e["uid"], e["revision"]):
            action = UNCHANGED
        ev_plans.append((action, e, here))
        report.evidence[action] += 1

    # what a judgement may cite: evidence and excerpts held here or arriving now
    cited_items = {u for (u,) in session.execute(select(EvidenceItem.uid).where(
        EvidenceItem.inspection_id == inspection.id)).all()} | set(ev_uids)
    cited_excerpts = {u for (u,) in session.execute(select(EvidenceExcerpt.uid).join(
        EvidenceItem, EvidenceItem.id == EvidenceExcerpt.evidence_id).where(
        EvidenceItem.inspection_id == inspection.id)).all()} | {x["uid"] for e in section.evidence
                                                                for x in e.get("excerpts", [])}
    j_uids = [j["uid"] for j in section.judgements]
    by_uid = {j.uid: j for j in session.execute(select(Judgement).where(Judgement.uid.in_(j_uids or [""]))).scalars()}
    by_cell = {(j.unit_type, j.unit, j.criterion): j for j in session.execute(select(Judgement).where(
        Judgement.inspection_id == inspection.id)).scalars()}
    j_parents = _parents(session, JUDGEMENT, j_uids, section)
    j_plans = []
    for j in section.judgements:
        cell = f"{j['unit']} {j['criterion']}"
        for kind, target in j.get("links", []):
            if (kind == LINK_EVIDENCE and target not in cited_items) or (
                    kind == LINK_EXCERPT and target not in cited_excerpts):
                # words a lead reads, not the link's kind and a 32-hex id (stop 25); the id's start
                # only, to find it in the laptop's records
                what = "an evidence item" if kind == LINK_EVIDENCE else "an excerpt"
                problems.append(Problem(INVALID, f"the judgement cites {what} no longer held on either side, in the "
                                        f"bundle or in this database (id {target[:8]}…): it may have been removed "
                                        "after the judgement was made", source=file_name, item=cell,
                                        item_kind="judgement"))
        here = by_uid.get(j["uid"])
        if here is not None and here.inspection_id != inspection.id:
            problems.append(Problem(INVALID, "the judgement is held here for another inspection", source=file_name,
                                    item=cell, item_kind="judgement"))
            continue
        if here is None:
            other = by_cell.get((j["unit_type"], j["unit"], j["criterion"]))
            action, here = (ADD, None) if other is None else (CONFLICT, other)
        else:
            action = _decide(j, here, j_parents)
        if action == CONFLICT and _conflict_known(session, JUDGEMENT, j["uid"], j["revision"]):
            action = UNCHANGED
        j_plans.append((action, j, here))
        report.judgements[action] += 1
    if problems:
        raise ProblemError(problems, "the bundle's evidence does not fit this database")
    if dry_run or not report.changed:
        return report

    for action, e, here in ev_plans:
        if action == ADD:
            _write_item(session, inspection, e, None)
        elif action == REPLACE:
            _write_item(session, inspection, e, here)
        elif action == CONFLICT:
            _keep_conflict(session, inspection, EVIDENCE, e, here.uid, bundle_id)
    for action, j, here in j_plans:
        if action == ADD:
            _write_judgement(session, actor, inspection, j, None)
        elif action == REPLACE:
            _write_judgement(session, actor, inspection, j, here)
        elif action == CONFLICT:
            _keep_conflict(session, inspection, JUDGEMENT, j, here.uid, bundle_id)
    _add_lineage(session, section)
    audit.record(session, actor.name, MERGED, inspection_id=inspection.id, bundle=bundle_id, file=file_name[:200],
                 evidence=report.evidence, judgements=report.judgements)
    session.flush()
    return report


def _write_item(session: Session, inspection: Inspection, e: dict, here: EvidenceItem | None) -> None:
    values = {f: e.get(f) for f in _ITEM_FIELDS}
    values["held_on"] = date.fromisoformat(values["held_on"])
    for name in ("created_at", "updated_at"):
        values[name] = _moment(values[name]) if values.get(name) else utcnow()
    values["criteria"] = values.get("criteria") or ""
    values["summary"] = values.get("summary") or ""
    values["reference"] = values.get("reference") or ""
    values["ref"] = values.get("ref") or ""
    replaced = here is not None
    here = _add_or_replace(session, EVIDENCE, EvidenceItem, inspection, values, here,
                           kept=("uid", "created_by", "created_at"))
    if replaced:
        for ex in session.execute(select(EvidenceExcerpt).where(EvidenceExcerpt.evidence_id == here.id)).scalars():
            session.delete(ex)
    session.flush()
    for ex in e.get("excerpts", []):
        session.add(EvidenceExcerpt(uid=ex["uid"], evidence_id=here.id, position=ex.get("position", 0),
                                    criterion=ex["criterion"], code=ex["code"], text=ex["text"]))
    session.flush()


def _add_or_replace(session: Session, kind: str, model, inspection: Inspection, values: dict, here, *,
                    kept: tuple):
    """A new row from ``values``; or ``here`` brought to them (all but the ``kept`` fields),
    its superseded revision remembered for the lineage."""
    if here is None:
        here = model(inspection_id=inspection.id, **values)
        session.add(here)
        return here
    session.add(RecordRevision(kind=kind, uid=here.uid, revision=here.revision, parent_revision=here.parent_revision))
    for name, value in values.items():
        if name not in kept:
            setattr(here, name, value)
    return here


def _write_judgement(session: Session, actor: Actor, inspection: Inspection, j: dict, here: Judgement | None) -> None:
    values = {f: j.get(f) for f in _JUDGEMENT_FIELDS}
    values["judged_at"] = _moment(values["judged_at"])
    values["rationale"] = values.get("rationale") or ""
    values["version"] = values.get("version") or 1
    old_grade = here.grade if here else None
    replaced = here is not None
    here = _add_or_replace(session, JUDGEMENT, Judgement, inspection, values, here,
                           kept=("uid", "unit_type", "unit", "criterion"))
    if replaced:
        here.version = max(here.version + 1, values["version"])
        for link in session.execute(select(JudgementLink).where(JudgementLink.judgement_id == here.id)).scalars():
            session.delete(link)
    session.flush()
    for kind, target in j.get("links", []):
        session.add(JudgementLink(judgement_id=here.id, kind=kind, target=target))
    known = {r for (r,) in session.execute(select(JudgementHistory.revision).where(
        JudgementHistory.judgement_uid == here.uid)).all()}
    for h in j.get("history", []):
        if h["revision"] not in known:
            session.add(JudgementHistory(judgement_uid=here.uid, grade=h["grade"], old_grade=h.get("old_grade"),
                                         rationale=h.get("rationale") or "", links=json.dumps(h.get("links", [])),
                                         judged_by=h["judged_by"], judged_at=_moment(h["judged_at"]),
                                         revision=h["revision"]))
    if old_grade != here.grade:
        audit.record(session, actor.name, judgements.JUDGEMENT_SET, inspection_id=inspection.id, question=here.criterion,
                     old_value=old_grade, new_value=here.grade, judgement=here.uid, unit_type=here.unit_type,
                     unit=here.unit, merged_from=here.judged_by)
    session.flush()


def _keep_conflict(session: Session, inspection: Inspection, kind: str, record: dict, local_uid: str,
                   bundle_id: str) -> None:
    session.add(EvidenceConflict(inspection_id=inspection.id, kind=kind, uid=record["uid"], local_uid=local_uid,
                                 revision=record["revision"], content=json.dumps(record, sort_keys=True),
                                 bundle_id=bundle_id[:32]))


def _add_lineage(session: Session, section: Section) -> None:
    known = set()
    for kind in (EVIDENCE, JUDGEMENT):
        uids = sorted({u for k, u, _, _ in section.lineage if k == kind})
        for start in range(0, len(uids), 500):
            known |= {(kind, r.uid, r.revision) for r in session.execute(select(RecordRevision).where(
                RecordRevision.kind == kind, RecordRevision.uid.in_(uids[start:start + 500]))).scalars()}
    for kind, uid, revision, parent in section.lineage:
        if (kind, uid, revision) not in known:
            session.add(RecordRevision(kind=kind, uid=uid, revision=revision, parent_revision=parent))
            known.add((kind, uid, revision))


# --- conflicts ---------------------------------------------------------------------------


@dataclass
class ConflictView:
    id: int
    kind: str
    local_uid: str
    incoming: dict
    local: dict


def open_conflicts(session: Session, actor: Actor, *,
                   inspection: inspections.InspectionRef = None) -> list[ConflictView]:
    """Evidence and judgements a merge kept beside what was here, for the lead."""
    permissions.require_role(actor, permissions.LEADS, "see merge conflicts")
    inspection = inspections.resolve(session, inspection)
    rows = session.execute(select(EvidenceConflict).where(
        EvidenceConflict.inspection_id == inspection.id, EvidenceConflict.resolved_at.is_(None))
        .order_by(EvidenceConflict.id)).scalars().all()
    out = []
    for c in rows:
        model = EvidenceItem if c.kind == EVIDENCE else Judgement
        local = session.execute(select(model).where(model.uid == c.local_uid)).scalars().first()
        fields = _ITEM_FIELDS if c.kind == EVIDENCE else _JUDGEMENT_FIELDS
        out.append(ConflictView(c.id, c.kind, c.local_uid, json.loads(c.content),
                                {f: _plain(getattr(local, f)) for f in fields} if local else {}))
    return out


def resolve(session: Session, actor: Actor, conflict_id: int, *, take: bool) -> None:
    """Take the incoming copy (it becomes a new revision of what is here, audited; a
    judgement's change of grade with old and new) or set it aside. Only leads."""
    permissions.require_role(actor, (permissions.LEAD,), "resolve a merge conflict (only lead inspectors do)")
    c = session.get(EvidenceConflict, conflict_id)
    if c is None or c.resolved_at is not None:
        raise ProblemError([Problem(UNKNOWN_CONFLICT, f"no open conflict {conflict_id}")])
    inspection = session.get(Inspection, c.inspection_id)
    incoming = json.loads(c.content)
    if take:
        model = EvidenceItem if c.kind == EVIDENCE else Judgement
        here = session.execute(select(model).where(model.uid == c.local_uid)).scalars().first()
        record = {**incoming, "uid": here.uid, "parent_revision": here.revision, "revision": new_uid()}
        if c.kind == EVIDENCE:
            _write_item(session, inspection, {**record, "created_by": here.created_by}, here)
        else:
            old_grade = here.grade
            _write_judgement(session, actor, inspection, {**record, "history": []}, here)
            session.add(JudgementHistory(judgement_uid=here.uid, grade=here.grade, old_grade=old_grade,
                                         rationale=here.rationale, links=json.dumps(incoming.get("links", [])),
                                         judged_by=actor.name, judged_at=utcnow(), revision=here.revision))
    c.resolved_by, c.resolved_at, c.resolution = actor.name, utcnow(), TAKEN if take else SET_ASIDE
    audit.record(session, actor.name, CONFLICT_RESOLVED, inspection_id=c.inspection_id, kind=c.kind,
                 record=c.local_uid, resolution=c.resolution)
    session.flush()
