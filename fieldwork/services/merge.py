"""The lead inspector's merge: a checked bundle into this database, never overwriting.

For every assessment in the bundle, by its uid (its identity across laptops):

* not here yet: it is added. If its case already has a counted assessment from elsewhere
  (the same case scored on two laptops), both are kept and flagged as a conflict; the one
  that was here first keeps counting and the newcomer waits, uncounted.
* here at the same revision: unchanged (so importing a bundle twice changes nothing).
* here at a revision it descends from (the lineage in ``assessment_revision`` and the
  bundle's own lineage lead back to it): it replaces the older version, answers and all.
* here at a revision that descends from it: the lead already holds later work; nothing changes.
* otherwise the two have diverged (edited in two places since they last met): both are
  kept — the bundle's as a copy with a new uid, sharing the original's lineage — and both
  are flagged; the one here first keeps counting.

"Descends" is decided only on evidence: a gap in the lineage means diverged, never a guess
that overwrites. While a conflict is unresolved findings count exactly one assessment of the
case — the one that was here first — and the Conflicts page lets the lead choose which one
counts (the other stays, uncounted; the choice is audited).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import delete, func, insert, select, update
from sqlmodel import Session

from fieldwork import audit
from fieldwork.problem_codes import BUNDLE_UID_CLASH as UID_CLASH, NOT_A_SIDE, UNKNOWN_CONFLICT
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire.entries import is_path, slot, split, title
from fieldwork.services import inspections, permissions
from fieldwork.services.permissions import Actor
from fieldwork.services import actor_check, revision_content
from fieldwork.services.bundle_contents import Bundle
from fieldwork.services.revisions import descends
from models import (AGREED, PRIMARY, Answer, Assessment, AssessmentRevision, BundleImport, CaseFile, Inspection,
                    MergeConflict, SecondMarking, new_uid, utcnow)
from models.fieldwork_sync import DIVERGED, SAME_CASE

CHUNK = 500
COUNTING_PURPOSES = (PRIMARY, AGREED)  # the assessments that compete for a case's one counted place
WHILE_UNRESOLVED = ("Until a conflict is resolved, findings count the assessment that was in this database first; "
                    "the one a merge kept beside it is stored but not counted, so no case is counted twice.")

# Actions
ADD, REPLACE, COPY, UNCHANGED, OLDER = "add", "replace", "copy", "unchanged", "older"
# Columns a merge never takes from a bundle for a row that is already here: identity, owner and
# the lead's own decisions about it.
_KEPT_ON_REPLACE = {"uid", "inspector", "purpose", "counted", "conflict", "created_at"}


@dataclass
class MergeReport:
    file_name: str
    bundle_id: str
    checksum: str
    dry_run: bool = False
    added: int = 0  # assessments new to this database
    replaced: int = 0  # older versions replaced by the bundle's later ones
    kept_both: int = 0  # diverged: the bundle's version kept beside this database's
    unchanged: int = 0
    older: int = 0  # this database already holds later work
    conflicts: int = 0  # new conflicts flagged for the lead
    cases_added: int = 0
    conflict_cases: list[str] = field(default_factory=list)
    previously_imported_at: datetime | None = None
    # what the import of the same rows would warn of (a note that looks personal ...): not refusals
    warnings: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.kept_both or self.cases_added)

    def counts(self) -> dict:
        return {"added": self.added, "replaced": self.replaced, "kept_both": self.kept_both,
                "unchanged": self.unchanged, "older": self.older, "conflicts": self.conflicts,
                "cases_added": self.cases_added}

    def summary(self) -> str:
        if not self.changed:
            seen = (f" (this bundle was imported on {self.previously_imported_at:%d %b %Y %H:%M})"
                    if self.previously_imported_at else "")
            return f"Nothing to change: every assessment in it is already here{seen}."
        verb = "would be" if self.dry_run else "were"
        parts = [f"{self.added} assessment(s) added", f"{self.replaced} replaced by later versions",
                 f"{self.kept_both} kept beside a diverged version", f"{self.unchanged} unchanged",
                 f"{self.older} older than what is here", f"{self.cases_added} case(s) new to this database"]
        text = "; ".join(parts) + f" {verb} merged."
        if self.conflicts:
            text += f" {self.conflicts} conflict(s) {verb} flagged for the lead to resolve."
        return text


@dataclass
class _Local:
    id: int
    uid: str
    case_id: int
    inspector: str
    revision: str
    parent_revision: str | None
    version: int
    counted: bool
    purpose: str


def _local_rows(session: Session, where) -> list[_Local]:
    return [_Local(*r) for r in session.execute(
        select(Assessment.id, Assessment.uid, Assessment.case_id, Assessment.inspector, Assessment.revision,
               Assessment.parent_revision, Assessment.version, Assessment.counted, Assessment.purpose)
        .where(where)).all()]


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def origins(session: Session, uids: list[str]) -> dict[str, str]:
    """copy uid -> the uid it was copied from, for the diverged copies among ``uids``."""
    found: dict[str, str] = {}
    for chunk in _chunks(list(uids)):
        found.update(session.execute(select(MergeConflict.incoming_uid, MergeConflict.origin_uid).where(
            MergeConflict.kind == DIVERGED, MergeConflict.incoming_uid.in_(chunk))).all())
    return found


def _case_ids(session: Session, inspection_id: int, questionnaire: str, refs: list[str]) -> dict[str, int]:
    """The bundle's case references -> case ids here, ignoring letter case as adding a case
    does (HS-0001 and hs-0001 are one case)."""
    spellings: dict[str, list[str]] = {}
    for ref in refs:
        spellings.setdefault(ref.lower(), []).append(ref)
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(spellings)):
        for lowered, case_id in session.execute(select(func.lower(CaseFile.case_ref), CaseFile.id).where(
                CaseFile.inspection_id == inspection_id, CaseFile.questionnaire == questionnaire,
                func.lower(CaseFile.case_ref).in_(chunk))).all():
            for ref in spellings.get(lowered, []):
                found[ref] = case_id
    return found


@dataclass
class _Plan:
    action: str
    incoming: dict
    target: _Local | None = None  # the row replaced, or the row a copy is kept beside
    counted: bool = False
    conflict: bool = False
    uid: str = ""
    competitors: list[str] = field(default_factory=list)  # SAME_CASE: the counted assessments already here


def apply(session: Session, actor: Actor, inspection: Inspection, bundle: Bundle,
          version_ids: dict[tuple[str, str], int], *, dry_run: bool = False,
          progress: Callable[[int, int], None] | None = None) -> MergeReport:
    """Merge a checked bundle (see fieldwork.services.bundles.import_bundle)."""
    report = MergeReport(bundle.file_name, bundle.bundle_id, bundle.checksum, dry_run=dry_run,
                         warnings=list(bundle.warnings))
    report.previously_imported_at = session.execute(
        select(BundleImport.imported_at).where(BundleImport.checksum == bundle.checksum)
        .order_by(BundleImport.id)).scalars().first()
    incoming = bundle.assessments
    uids = [a["uid"] for a in incoming]
    lineage_uids = sorted({a["lineage_uid"] for a in incoming} | set(uids))

    # Everything the decisions need, fetched in a handful of queries.
    local = {}
    for chunk in _chunks(uids):
        local.update({r.uid: r for r in _local_rows(session, Assessment.uid.in_(chunk))})
    copies: dict[str, list[_Local]] = {}
    for chunk in _chunks(lineage_uids):
        pairs = session.execute(select(MergeConflict.origin_uid, MergeConflict.incoming_uid).where(
            MergeConflict.kind == DIVERGED, MergeConflict.origin_uid.in_(chunk))).all()
        rows = {r.uid: r for r in _local_rows(session, Assessment.uid.in_([c for _, c in pairs]))} if pairs else {}
        for origin, copy in pairs:
            if copy in rows:
                copies.setdefault(origin, []).append(rows[copy])
    parents: dict[str, str | None] = {}
    for a in incoming:  # the bundle's word first: this database's own records override it below
        parents[a["revision"]] = a.get("parent_revision")
    for _, revision, parent in bundle.lineage:
        parents[revision] = parent
    known_lineage: set[tuple[str, str]] = set()
    copy_uids = [c.uid for rows in copies.values() for c in rows]
    for chunk in _chunks(sorted(set(lineage_uids) | set(copy_uids))):
        for u, revision, parent in session.execute(
                select(AssessmentRevision.lineage_uid, AssessmentRevision.revision, AssessmentRevision.parent_revision)
                .where(AssessmentRevision.lineage_uid.in_(chunk))).all():
            parents[revision] = parent
            known_lineage.add((u, revision))
    for row in [*local.values(), *(c for rows in copies.values() for c in rows)]:
        parents[row.revision] = row.parent_revision

    cases_by_q: dict[str, list[str]] = {}
    for c in bundle.cases:
        cases_by_q.setdefault(c["questionnaire"], []).append(c["case_ref"])
    case_map: dict[tuple[str, str], int] = {}
    for qid, refs in cases_by_q.items():
        case_map.update({(qid, ref): cid for ref, cid in _case_ids(session, inspection.id, qid, refs).items()})
    new_cases = [c for c in bundle.cases if (c["questionnaire"], c["case_ref"]) not in case_map]

    # A case's one counted place: which assessments of the touched cases hold it now.
    key_of = {cid: key for key, cid in case_map.items()}
    counted_here: dict[tuple[str, str], list[str]] = {}
    for chunk in _chunks(sorted(key_of)):
        for cid, uid in session.execute(select(Assessment.case_id, Assessment.uid).where(
                Assessment.case_id.in_(chunk), Assessment.counted,
                Assessment.purpose.in_(COUNTING_PURPOSES)).order_by(Assessment.id)).all():
            counted_here.setdefault(key_of[cid], []).append(uid)

    problems, plans = [], []
    for a in incoming:
        key = (a["questionnaire"], a["case_ref"])
        here = local.get(a["uid"])
        if here is not None:
            if case_map.get(key) != here.case_id:
                problems.append(Problem(UID_CLASH, f"assessment {a['uid']} is held here for another case",
                                        source=bundle.file_name, item=a["case_ref"], item_kind="case"))
                continue
            if here.inspector != a["inspector"]:
                problems.append(Problem(UID_CLASH, f"assessment {a['uid']} belongs to {here.inspector} here, "
                                        f"to {a['inspector']} in the bundle", source=bundle.file_name,
                                        item=a["case_ref"], item_kind="case"))
                continue
        plan = _decide(a, here, copies.get(a["lineage_uid"], []), parents)
        if plan.action == ADD:
            # the same case scored elsewhere (or twice in this bundle) keeps its count; this one waits
            plan.uid = a["uid"]
            competing = a["purpose"] in COUNTING_PURPOSES and a.get("counted", True)
            plan.competitors = list(counted_here.get(key, [])) if competing else []
            plan.counted = bool(competing and not plan.competitors)
            plan.conflict = bool(plan.competitors)
            if plan.counted:
                counted_here.setdefault(key, []).append(plan.uid)
        elif plan.action == COPY:
            plan.uid = new_uid()
            plan.conflict = True
        plans.append(plan)
    if problems:
        raise ProblemError(problems, "the bundle does not fit this database")
    _replace_only_proven(session, bundle, plans)

    for plan in plans:
        if plan.action == ADD:
            report.added += 1
        elif plan.action == REPLACE:
            report.replaced += 1
        elif plan.action == COPY:
            report.kept_both += 1
        elif plan.action == UNCHANGED:
            report.unchanged += 1
        else:
            report.older += 1
        if plan.conflict:
            report.conflicts += len(plan.competitors) if plan.action == ADD else 1
            report.conflict_cases.append(plan.incoming["case_ref"])
    report.cases_added = len(new_cases)
    if dry_run or not report.changed:
        return report
    _write(session, actor, inspection, bundle, version_ids, plans, new_cases, case_map, known_lineage, report, progress)
    return report


def _replace_only_proven(session: Session, bundle: "Bundle", plans: list[_Plan]) -> None:
    """A bundle replaces the lead's copy only if its chain holds the lead's current revision
    with the content the lead holds (fieldwork.services.revision_content): the laptop's record
    of what that revision held must hash to what is here now. Otherwise — a forged or
    hash-less lineage, or a copy changed here without a new revision — both are kept and
    flagged, never overwritten."""
    replaces = [p for p in plans if p.action == REPLACE]
    if not replaces:
        return
    held = revision_content.of_assessments(session, [p.target.id for p in replaces])
    for p in replaces:
        claimed = bundle.content_hashes.get((p.incoming["lineage_uid"], p.target.revision)) \
            or bundle.content_hashes.get((p.target.uid, p.target.revision))
        if claimed != held[p.target.id]:
            p.action, p.uid, p.conflict = COPY, new_uid(), True


def _decide(a: dict, here: _Local | None, copies: list[_Local], parents: dict) -> _Plan:
    targets = ([here] if here else []) + copies
    for t in targets:
        if t.revision == a["revision"]:
            return _Plan(UNCHANGED, a, t)
    for t in targets:
        if descends(a["revision"], t.revision, parents):
            return _Plan(REPLACE, a, t)
    for t in targets:
        if descends(t.revision, a["revision"], parents):
            return _Plan(OLDER, a, t)
    if not targets:
        return _Plan(ADD, a)
    return _Plan(COPY, a, targets[0])


def _assessment_values(a: dict) -> dict:
    return {k: v for k, v in a.items() if k in Assessment.__table__.columns and k not in ("id", "case_id")}


def _write(session: Session, actor: Actor, inspection: Inspection, bundle: Bundle, version_ids: dict,
           plans: list[_Plan], new_cases: list[dict], case_map: dict, known_lineage: set, report: MergeReport,
           progress: Callable[[int, int], None] | None) -> None:
    now = utcnow()
    record = BundleImport(inspection_id=inspection.id, bundle_id=bundle.bundle_id[:32], checksum=bundle.checksum,
                          file_name=bundle.file_name[:255], created_by=str(bundle.manifest.get("created_by", ""))[:100],
                          imported_by=actor.name, added=report.added + report.kept_both, replaced=report.replaced,
                          conflicts=report.conflicts)
    created_at = bundle.manifest.get("created_at")
    try:
        moment = datetime.fromisoformat(created_at) if isinstance(created_at, str) else None
        record.created_at = moment.replace(tzinfo=moment.tzinfo or timezone.utc) if moment else None
    except ValueError:
        pass
    session.add(record)
    session.flush()

    if new_cases:
        session.execute(insert(CaseFile.__table__), [{
            **{k: v for k, v in c.items() if k in CaseFile.__table__.columns and k not in ("id", "inspection_id")},
            "inspection_id": inspection.id, "questionnaire": c["questionnaire"],
            "created_at": c.get("created_at") or now, "created_by": c.get("created_by") or actor.name,
        } for c in new_cases])
        by_q: dict[str, list[str]] = {}
        for c in new_cases:
            by_q.setdefault(c["questionnaire"], []).append(c["case_ref"])
        for qid, refs in by_q.items():
            case_map.update({(qid, ref): cid for ref, cid in _case_ids(session, inspection.id, qid, refs).items()})

    # Lineage first: the trigger on assessment then finds the rows it would add already there.
    lineage_rows = {}
    for u, revision, parent in bundle.lineage:
        lineage_rows.setdefault((u, revision), parent)
    rows = [{"lineage_uid": u, "revision": r, "parent_revision": p, "content_hash": bundle.content_hashes.get((u, r))}
            for (u, r), p in lineage_rows.items() if (u, r) not in known_lineage]
    for chunk in _chunks(rows):
        session.execute(insert(AssessmentRevision.__table__), chunk)

    def version_id(a: dict) -> int:
        return version_ids[(a["questionnaire"], a["questionnaire_version"])]

    # Core inserts on the tables (not the ORM's bulk path): several times faster for answers
    inserts = [p for p in plans if p.action in (ADD, COPY)]
    if inserts:
        values = []
        for p in inserts:
            a = p.incoming
            values.append({"created_at": now, "updated_at": now, "version": 1, **_assessment_values(a), "uid": p.uid,
                           "case_id": case_map[(a["questionnaire"], a["case_ref"])],
                           "questionnaire_version_id": version_id(a), "counted": p.counted, "conflict": p.conflict})
        for chunk in _chunks(values):
            session.execute(insert(Assessment.__table__), chunk)
    replaces = [p for p in plans if p.action == REPLACE]
    for p in replaces:
        a = p.incoming
        values = {k: v for k, v in _assessment_values(a).items() if k not in _KEPT_ON_REPLACE}
        # the lock moves past both versions: an editor holding the old one here must reload
        values.update(questionnaire_version_id=version_id(a), version=max(p.target.version + 1, a.get("version") or 1))
        session.execute(update(Assessment).where(Assessment.id == p.target.id).values(**values)
                        .execution_options(synchronize_session=False))
    _audit_replaced_answers(session, actor, inspection, replaces)
    for chunk in _chunks([p.target.id for p in replaces]):
        session.execute(delete(Answer).where(Answer.assessment_id.in_(chunk)))

    ids: dict[str, int] = {p.target.uid: p.target.id for p in replaces}
    for chunk in _chunks([p.uid for p in inserts]):
        ids.update(session.execute(select(Assessment.uid, Assessment.id).where(Assessment.uid.in_(chunk))).all())
    written = [p for p in plans if p.action in (ADD, COPY, REPLACE)]
    total, done, batch = len(written), 0, []
    columns = [c.name for c in Answer.__table__.columns if c.name not in ("id", "assessment_id")]
    for p in written:
        target_id = ids[p.target.uid if p.action == REPLACE else p.uid]
        for answer in p.incoming["answers"]:
            row = {c: answer.get(c) for c in columns}  # every row the same keys: one executemany
            row.update(assessment_id=target_id, note=row.get("note") or "", updated_at=row.get("updated_at") or now)
            batch.append(row)
        done += 1
        if len(batch) >= 5000:
            session.execute(insert(Answer.__table__), batch)
            batch = []
            if progress:
                progress(done, total)
    if batch:
        session.execute(insert(Answer.__table__), batch)
    if progress:
        progress(total, total)

    # Flags and the conflict records, each audited with its case.
    flagged, conflicts = set(), []
    for p in plans:
        a = p.incoming
        case_id = case_map[(a["questionnaire"], a["case_ref"])]
        if p.action == ADD and p.competitors:
            for other in p.competitors:
                flagged.add(other)
                conflicts.append(dict(case_id=case_id, kind=SAME_CASE, kept_uid=other, incoming_uid=p.uid,
                                      origin_uid=None, case_ref=a["case_ref"]))
        elif p.action == COPY:
            flagged.add(p.target.uid)
            conflicts.append(dict(case_id=case_id, kind=DIVERGED, kept_uid=p.target.uid, incoming_uid=p.uid,
                                  origin_uid=a["lineage_uid"], case_ref=a["case_ref"]))
    for chunk in _chunks(sorted(flagged)):
        session.execute(update(Assessment).where(Assessment.uid.in_(chunk)).values(conflict=True)
                        .execution_options(synchronize_session=False))
    for c in conflicts:
        case_ref = c.pop("case_ref")
        session.add(MergeConflict(inspection_id=inspection.id, bundle_import_id=record.id, detected_at=now, **c))
        audit.record(session, actor.name, audit.MERGE, inspection_id=inspection.id, case_ref=case_ref,
                     assessment_uid=c["incoming_uid"], step="conflict", kind=c["kind"], kept=c["kept_uid"])
    audit.record(session, actor.name, audit.MERGE, inspection_id=inspection.id, file=bundle.file_name,
                 bundle=bundle.bundle_id, checksum=bundle.checksum, exported_by=record.created_by, **report.counts())
    session.flush()


def _audit_replaced_answers(session: Session, actor: Actor, inspection: Inspection, replaces: list) -> None:
    """Every answer and note a merge changes in the lead's copy is audited as that change (old ->
    new codes; a note only as changed, never its text), as a save in the app would be. Answers
    are matched by question and entry: ``incident[2]/when`` is compared with the lead's
    ``incident[2]/when`` only, and its audit row names the entry (``instance``), as a save does."""
    old: dict[int, dict[tuple[str, str], tuple]] = {}
    for chunk in _chunks([p.target.id for p in replaces]):
        for aid, question, instance, value, note in session.execute(
                select(Answer.assessment_id, Answer.question, Answer.instance, Answer.value, Answer.note)
                .where(Answer.assessment_id.in_(chunk))).all():
            old.setdefault(aid, {})[(question, instance or "")] = (value, note or "")
    for p in replaces:
        before = old.get(p.target.id, {})
        after = {(a["question"], a.get("instance") or ""): (a.get("value"), a.get("note") or "")
                 for a in p.incoming["answers"]}
        where = dict(inspection_id=inspection.id, case_ref=p.incoming["case_ref"], assessment_uid=p.target.uid)
        for question, instance in sorted(set(before) | set(after)):
            was, now = before.get((question, instance), (None, "")), after.get((question, instance), (None, ""))
            entry = {"instance": instance} if instance else {}  # which entry of a repeat group
            if was[0] != now[0]:
                audit.record(session, actor.name, audit.ANSWER_CHANGED, question=question, old_value=was[0],
                             new_value=now[0], via="merge", **entry, **where)
            if was[1] != now[1]:
                audit.record(session, actor.name, audit.NOTE_CHANGED, question=question, via="merge", **entry,
                             **where)


# --- conflicts -----------------------------------------------------------------------------


@dataclass
class ConflictSide:
    uid: str
    inspector: str
    status: str
    purpose: str
    counted: bool
    updated_at: datetime | None
    arrived: str  # "here first" or "from <bundle file>"
    # keyed by slot: the question, or ``instance/question`` in an entry of a repeat group, so two
    # laptops' entries of one case stand side by side, never one over the other
    answers: dict[str, str | None]
    notes: dict[str, str]


@dataclass
class CaseConflict:
    case_id: int
    case_ref: str
    questionnaire: str
    kinds: list[str]
    detected_at: datetime
    sides: list[ConflictSide]
    entry_titles: dict[str, str] = field(default_factory=dict)  # instance path -> "Incident 2 › PIN issued 1"

    def entry_of(self, key: str) -> str:
        """The entry a slot is in, in words ("" outside a repeat group)."""
        instance = split(key)[0]
        return self.entry_titles.get(instance, instance)

    def differing(self) -> list[str]:
        """Slots (questions, in each entry) the sides answer differently, in the order first seen."""
        names = list(dict.fromkeys(q for s in self.sides for q in s.answers))
        return [q for q in names if len({s.answers.get(q) for s in self.sides}) > 1]


def unresolved_count(session: Session, inspection_id: int, questionnaire: str | None = None) -> int:
    """Cases with an unresolved conflict (for the Conflicts page and the findings note)."""
    query = (select(MergeConflict.case_id).join(CaseFile, CaseFile.id == MergeConflict.case_id)
             .where(MergeConflict.inspection_id == inspection_id, MergeConflict.resolved_at.is_(None)))
    if questionnaire:
        query = query.where(CaseFile.questionnaire == questionnaire)
    return len(set(session.execute(query).scalars()))


def open_conflicts(session: Session, actor: Actor, *,
                   inspection: inspections.InspectionRef = None) -> list[CaseConflict]:
    """Every case with an unresolved conflict, with its assessments side by side."""
    permissions.require_role(actor, permissions.LEADS, "see merge conflicts")
    inspection = inspections.resolve(session, inspection)
    rows = session.execute(
        select(MergeConflict, CaseFile.case_ref, CaseFile.questionnaire, BundleImport.file_name)
        .join(CaseFile, CaseFile.id == MergeConflict.case_id)
        .outerjoin(BundleImport, BundleImport.id == MergeConflict.bundle_import_id)
        .where(MergeConflict.inspection_id == inspection.id, MergeConflict.resolved_at.is_(None))
        .order_by(CaseFile.questionnaire, CaseFile.case_ref, MergeConflict.id)).all()
    grouped: dict[int, list] = {}
    for conflict, ref, qid, file_name in rows:
        grouped.setdefault(conflict.case_id, []).append((conflict, ref, qid, file_name))
    out = []
    for case_id, items in grouped.items():
        arrived: dict[str, str] = {}
        for conflict, _, _, file_name in items:
            arrived.setdefault(conflict.kept_uid, "here first")
            arrived[conflict.incoming_uid] = f"from {file_name or 'a bundle'}"
        sides = []
        for a in session.execute(select(Assessment).where(Assessment.uid.in_(list(arrived)))
                                 .order_by(Assessment.id)).scalars():
            answers = [(slot(i, q), v, n) for q, i, v, n in session.execute(
                select(Answer.question, Answer.instance, Answer.value, Answer.note)
                .where(Answer.assessment_id == a.id).order_by(Answer.id)).all()]
            sides.append(ConflictSide(a.uid, a.inspector, a.status, a.purpose, a.counted, a.updated_at,
                                      arrived[a.uid], {q: v for q, v, _ in answers}, {q: n for q, _, n in answers if n}))
        first = items[0]
        instances = {split(k)[0] for side in sides for k in side.answers} - {""}
        titles = {}
        if instances:
            q = inspections.load_questionnaire(session, first[2])
            titles = {i: title(q, i) for i in instances if is_path(i)}
        out.append(CaseConflict(case_id, first[1], first[2], sorted({c.kind for c, *_ in items}),
                                min(c.detected_at for c, *_ in items), sides, titles))
    return out


def resolve(session: Session, actor: Actor, case_id: int, chosen_uid: str) -> None:
    """The lead's choice for a case in conflict: ``chosen_uid`` counts (if the case had a
    counted place), the other sides stay, uncounted. A second marking that pointed at a side
    follows the choice."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    permissions.require_role(actor, permissions.LEADS, "resolve merge conflicts")
    conflicts = session.execute(select(MergeConflict).where(MergeConflict.case_id == case_id,
                                                            MergeConflict.resolved_at.is_(None))).scalars().all()
    if not conflicts:
        raise ProblemError([Problem(UNKNOWN_CONFLICT, "this case has no unresolved conflict (another lead may have "
                                    "resolved it): reload the page")])
    sides = {u for c in conflicts for u in (c.kept_uid, c.incoming_uid)}
    if chosen_uid not in sides:
        raise ProblemError([Problem(NOT_A_SIDE, "choose one of the conflicting assessments of this case")])
    rows = session.execute(select(Assessment).where(Assessment.uid.in_(sorted(sides)))).scalars().all()
    had_place = any(r.counted for r in rows)
    for r in rows:
        r.counted = had_place and r.uid == chosen_uid
        r.conflict = False
        session.add(r)
    others = sorted(sides - {chosen_uid})
    for column in (SecondMarking.primary_uid, SecondMarking.second_uid, SecondMarking.agreed_uid):
        session.execute(update(SecondMarking).where(column.in_(others)).values({column.key: chosen_uid})
                        .execution_options(synchronize_session=False))
    now = utcnow()
    for c in conflicts:
        c.resolved_at, c.resolved_by, c.chosen_uid = now, actor.name, chosen_uid
        session.add(c)
    case = session.get(CaseFile, case_id)
    audit.record(session, actor.name, audit.MERGE, inspection_id=case.inspection_id, case_ref=case.case_ref,
                 assessment_uid=chosen_uid, step="conflict_resolved", not_counted=others)
    session.flush()


def conflicting_uids(session: Session, inspection_id: int) -> set[str]:
    """Assessments in an unresolved conflict (marked on pages that list assessments)."""
    rows = session.execute(select(MergeConflict.kept_uid, MergeConflict.incoming_uid).where(
        MergeConflict.inspection_id == inspection_id, MergeConflict.resolved_at.is_(None))).all()
    return {u for pair in rows for u in pair}

