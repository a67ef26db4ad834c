"""Bundles: one laptop's work in one file, for the lead inspector to merge.

A bundle is a zip archive holding

* ``manifest.json`` — what the file is (format, version, bundle id, who exported it and
  when, the inspection, the counts, the inspectors, the questionnaire versions) and the
  SHA-256 checksum of the payload;
* ``data.json`` — the payload: the inspection, every questionnaire version used (id,
  version, content hash and the whole definition, so the lead can see what was asked), the
  cases, the assessments (draft and complete, with uid, revision lineage, status, purpose,
  timestamps, answers and evidence notes);
* ``README.txt`` — the same in words, for whoever finds the file.

The payload is written canonically (sorted keys, fixed separators), and its checksum is
over those exact bytes: a file changed after export — by hand, by a faulty copy — no longer
matches and is refused as tampered with. The checksum proves integrity, not authorship
(anyone who can edit the file can recompute it); bundles move between the inspection team's
own laptops.

Reading refuses, each with a ProblemError naming the reason: a file that is not a bundle
or is damaged (``bundle_corrupt``), too large (``bundle_too_large``), of a newer format
(``bundle_format``), changed after export (``bundle_tampered``), with malformed content
(``bundle_invalid``, every fault listed), for an inspection or a questionnaire version the
database does not know (``unknown_inspection``, ``unknown_questionnaire_version``,
``questionnaire_version_differs``). The merge itself is ``fieldwork.services.merge``.

A bundle holds evidence notes about victims of stalking and harassment: it is as sensitive
as the database. Nothing here logs its content; audit rows hold counts, ids and file names.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy import func, select
from sqlmodel import Session

from fieldwork import audit
from fieldwork.problem_codes import (
    BAD_CASE_REF, BUNDLE_CORRUPT as CORRUPT, BUNDLE_FORMAT as BAD_FORMAT, BUNDLE_INVALID as INVALID,
    BUNDLE_TAMPERED as TAMPERED, FILE_TOO_LARGE, BUNDLE_TOO_LARGE as TOO_LARGE, NOTHING_TO_EXPORT,
    QUESTIONNAIRE_NOT_IN_INSPECTION as NOT_IN_INSPECTION, QUESTIONNAIRE_VERSION_DIFFERS as VERSION_DIFFERS, TOO_MANY_ENTRIES,
    UNKNOWN_INSPECTION, UNKNOWN_QUESTIONNAIRE_VERSION as UNKNOWN_VERSION, WRONG_INSPECTION,
)
from fieldwork.files.zips import read_part
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire.entries import MAX_ENTRIES, Entries, is_path, path, slot, split, steps, title
from fieldwork.services import bundle_evidence, inspections, merge, permissions, privacy
from fieldwork.services.permissions import Actor
from fieldwork.services import (actor_check, bundle_manifest, bundle_records, bundle_rows, characters, entry_counts,
                                revision_content, wide_table)
from fieldwork.services.bundle_contents import Bundle
from models import (Answer, Assessment, AssessmentRevision, CaseFile, Inspection, QuestionnaireVersion, new_uid,
                    utcnow)
from models.core import PURPOSES, STATUSES

FORMAT = "fieldwork-bundle"
FORMAT_VERSION = 1
MANIFEST, PAYLOAD, README = "manifest.json", "data.json", "README.txt"
# data.json unpacked, counted as it is unpacked. Parsed, JSON of assessments takes about seven
# times its size: 11,000 synthetic assessments of 30 answers (a quarter with a note) are 24 MB
# and parse at a 188 MB peak, so 32 MB keeps a merge well under 500 MB. A laptop holds tens
# to hundreds of assessments.
MAX_PAYLOAD_BYTES = 32 * 1024 * 1024
MAX_FILE_BYTES = 64 * 1024 * 1024  # the file as uploaded: its content, even stored uncompressed, and room
MAX_MANIFEST_BYTES = 1024 * 1024
SUFFIX = ".fwbundle.zip"

SENSITIVE = ("This bundle holds case assessments and evidence notes about victims of stalking and harassment. "
             "Handle it as you handle the inspection database: keep it on encrypted storage, pass it only to the "
             "lead inspector, and delete copies once it has been merged.")

# The record kinds of the assessments' part of a bundle, read by bundle_records' one rule (the
# evidence's kinds are bundle_evidence's). Ids and foreign keys are the database's own: rebuilt on import.
CASE = bundle_records.Kind(CaseFile, "the cases'", skip=frozenset({"id", "inspection_id"}), label="the case's")
ASSESSMENT = bundle_records.Kind(
    Assessment, "the assessments'", skip=frozenset({"id", "case_id", "questionnaire_version_id"}),
    lowest={"version": 1},  # an assessment's version counts saves from 1
    extra=("case_ref", "questionnaire", "questionnaire_version", "lineage_uid"),
    words={"inspector": "the inspector's name (inspector)"}, label="the assessment's")
# an answer's note is free text of several lines; its length is the import's row check's (bundle_rows)
ANSWER = bundle_records.Kind(Answer, "the answers'", skip=frozenset({"id", "assessment_id"}),
                             notes=frozenset({"note"}), texts=frozenset({"value"}))
LINEAGE = bundle_records.Kind(AssessmentRevision, "the lineage's", required=frozenset({"lineage_uid", "revision"}))


# --- columns <-> JSON -------------------------------------------------------------------


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _row_dict(kind: bundle_records.Kind, mapping) -> dict:
    return {name: _plain(mapping[name]) for name in kind.columns if name in mapping}


# --- export -----------------------------------------------------------------------------


@dataclass
class Exported:
    content: bytes
    file_name: str
    manifest: dict


def default_file_name(inspection: Inspection, who: str, at: datetime) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in who.replace("os:", ""))
    return f"{inspection.code}-{safe or 'laptop'}-{at.strftime('%Y%m%dT%H%M%S')}{SUFFIX}"


def export_bundle(session: Session, actor: Actor, *, inspection: inspections.InspectionRef = None,
                  inspector: str | None = None, questionnaire: str | None = None,
                  file_name: str | None = None) -> Exported:
    """The actor's work as a bundle. An inspector exports only their own assessments; a lead
    or admin exports one inspector's (``inspector``) or, by default, every assessment."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    permissions.require_role(actor, permissions.ROLES, "export a bundle")
    if not actor.is_lead:
        inspector = actor.name  # an inspector's bundle is their own work, whatever they ask for
    inspection = inspections.resolve(session, inspection)
    query = (select(Assessment.__table__, CaseFile.case_ref, CaseFile.questionnaire,
                    QuestionnaireVersion.version.label("questionnaire_version"))
             .join(CaseFile, CaseFile.id == Assessment.case_id)
             .join(QuestionnaireVersion, QuestionnaireVersion.id == Assessment.questionnaire_version_id)
             .where(CaseFile.inspection_id == inspection.id).order_by(Assessment.id))
    if inspector:
        query = query.where(Assessment.inspector == inspector)
    if questionnaire:
        query = query.where(CaseFile.questionnaire == questionnaire)
    rows = session.execute(query).mappings().all()
    extra = bundle_evidence.payload(session, inspection, inspector=inspector)  # evidence and judgements (issue 14)
    if not rows and not (extra["evidence"] or extra["judgements"]):
        who = f"by {inspector} " if inspector else ""
        raise ProblemError([Problem(NOTHING_TO_EXPORT, f"there are no assessments {who}in {inspection.name} to export")],
                           "nothing to export")

    ids = [r["id"] for r in rows]
    answers: dict[int, list[dict]] = {}
    for chunk in _chunks(ids):
        for a in session.execute(select(Answer.__table__).where(Answer.assessment_id.in_(chunk))
                                 .order_by(Answer.assessment_id, Answer.question)).mappings():
            answers.setdefault(a["assessment_id"], []).append(_row_dict(ANSWER, a))
    case_ids = sorted({r["case_id"] for r in rows})
    cases = []
    for chunk in _chunks(case_ids):
        cases += [_row_dict(CASE, c) | {"questionnaire": c["questionnaire"]} for c in session.execute(
            select(CaseFile.__table__).where(CaseFile.id.in_(chunk)).order_by(CaseFile.id)).mappings()]
    origins = merge.origins(session, [r["uid"] for r in rows])
    lineage_uids = sorted({r["uid"] for r in rows} | set(origins.values()))
    lineage = []
    for chunk in _chunks(lineage_uids):
        lineage += [{"lineage_uid": u, "revision": rev, "parent_revision": parent, "content_hash": content}
                    for u, rev, parent, content in session.execute(
            select(AssessmentRevision.lineage_uid, AssessmentRevision.revision, AssessmentRevision.parent_revision,
                   AssessmentRevision.content_hash)
            .where(AssessmentRevision.lineage_uid.in_(chunk))
            .order_by(AssessmentRevision.lineage_uid, AssessmentRevision.id)).all()]
    version_ids = sorted({r["questionnaire_version_id"] for r in rows})
    versions = session.execute(select(QuestionnaireVersion).where(QuestionnaireVersion.id.in_(version_ids))
                               .order_by(QuestionnaireVersion.questionnaire, QuestionnaireVersion.id)).scalars().all()

    payload = {
        "inspection": {"code": inspection.code, "name": inspection.name, "framework": inspection.framework},
        "questionnaire_versions": [{
            "questionnaire": v.questionnaire, "version": v.version, "title": v.title, "content_hash": v.content_hash,
            "definition": json.loads(v.definition)} for v in versions],
        "cases": cases,
        "assessments": [_row_dict(ASSESSMENT, r) | {
            "case_ref": r["case_ref"], "questionnaire": r["questionnaire"],
            "questionnaire_version": r["questionnaire_version"], "lineage_uid": origins.get(r["uid"], r["uid"]),
            "answers": answers.get(r["id"], [])} for r in rows],
        "lineage": lineage,
        **extra,
    }
    data = canonical(payload)
    now = utcnow()
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "bundle_id": new_uid(),
        "created_at": now.isoformat(), "created_by": actor.name,
        "inspection": inspection.code,
        "scope": {"inspector": inspector, "questionnaire": questionnaire},
        "counts": {"cases": len(cases), "assessments": len(rows),
                   "complete": sum(r["status"] == "complete" for r in rows),
                   "draft": sum(r["status"] != "complete" for r in rows),
                   "answers": sum(len(a) for a in answers.values()), **bundle_evidence.counts(extra)},
        "inspectors": sorted({r["inspector"] for r in rows}),
        "questionnaire_versions": [{"questionnaire": v.questionnaire, "version": v.version,
                                    "content_hash": v.content_hash} for v in versions],
        "payload": PAYLOAD, "sha256": hashlib.sha256(data).hexdigest(),
        "sensitive": SENSITIVE,
    }
    seal_manifest(manifest)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
        archive.writestr(PAYLOAD, data)
        archive.writestr(README, _readme(manifest))
    name = file_name or default_file_name(inspection, inspector or actor.name, now)
    audit.record(session, actor.name, audit.EXPORT, inspection_id=inspection.id, kind="bundle", file=name,
                 bundle=manifest["bundle_id"], **manifest["counts"])
    return Exported(buffer.getvalue(), name, manifest)


def exportable(session: Session, actor: Actor, *, inspection: inspections.InspectionRef = None,
               inspector: str | None = None) -> dict[str, int]:
    """What an export would hold (for the page to say so before anything is written):
    {"assessments": n, "complete": n, "draft": n, "cases": n}."""
    if not actor.is_lead:
        inspector = actor.name
    inspection = inspections.resolve(session, inspection)
    scope = [CaseFile.inspection_id == inspection.id] + ([Assessment.inspector == inspector] if inspector else [])
    by_status = dict(session.execute(select(Assessment.status, func.count())
                                     .join(CaseFile, CaseFile.id == Assessment.case_id)
                                     .where(*scope).group_by(Assessment.status)).all())
    cases = session.scalar(select(func.count(func.distinct(Assessment.case_id)))
                           .join(CaseFile, CaseFile.id == Assessment.case_id).where(*scope))
    total = sum(by_status.values())
    return {"assessments": total, "complete": by_status.get("complete", 0),
            "draft": total - by_status.get("complete", 0), "cases": cases or 0}


MANIFEST_HASH = "manifest_sha256"
EXPECTED_MEMBERS = (MANIFEST, PAYLOAD, README)


def manifest_hash(manifest: dict) -> str:
    """The checksum of the manifest itself (which states the content's): who exported the bundle,
    when and for which inspection are covered as the content is."""
    return hashlib.sha256(canonical({k: v for k, v in manifest.items() if k != MANIFEST_HASH})).hexdigest()


def seal_manifest(manifest: dict) -> dict:
    manifest[MANIFEST_HASH] = manifest_hash(manifest)
    return manifest


def canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _readme(manifest: dict) -> str:
    counts = manifest["counts"]
    return (f"Fieldwork bundle {manifest['bundle_id']}\n"
            f"Inspection {manifest['inspection']}, exported {manifest['created_at']} by {manifest['created_by']}.\n"
            f"{counts['assessments']} assessments ({counts['complete']} complete, {counts['draft']} draft) "
            f"of {counts['cases']} cases.\n\n"
            f"{SENSITIVE}\n\n"
            "To merge it into the lead inspector's database: fieldwork bundle import THIS_FILE, or the Bundles page.\n"
            "data.json holds the content; manifest.json its SHA-256 checksum. A changed file is refused.\n")


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- reading ----------------------------------------------------------------------------


MANIFEST_TEXTS = ("bundle_id", "created_at", "created_by", "inspection")


def _refuse(code: str, message: str, source: str, summary: str) -> ProblemError:
    return ProblemError([Problem(code, message, source=source)], summary)


def _read_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, file_name: str) -> bytes:
    """A member's bytes within ``limit`` (declared and delivered), refused in a bundle's words."""
    try:
        return read_part(archive, info, limit, file_name, f"its {info.filename}")
    except ProblemError as exc:
        p = exc.problems[0]
        code = TOO_LARGE if p.code == FILE_TOO_LARGE else CORRUPT
        raise _refuse(code, p.message, file_name, "the bundle is too large" if code == TOO_LARGE
                      else "the bundle is damaged") from None


def open_bundle(content: bytes, file_name: str = "bundle") -> Bundle:
    """Open and check a bundle's file: everything short of the database's own checks."""
    if len(content) > MAX_FILE_BYTES:
        raise _refuse(TOO_LARGE, f"the file is {len(content) // (1024 * 1024)} MB; a bundle may be at most "
                      f"{MAX_FILE_BYTES // (1024 * 1024)} MB", file_name, "the bundle is too large")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(CORRUPT, "not a fieldwork bundle: the file is not a zip archive, or it was cut short in "
                      "copying", file_name, "the bundle is damaged") from None
    with archive:
        members = {info.filename: info for info in archive.infolist()}
        missing = [m for m in (MANIFEST, PAYLOAD) if m not in members]
        if missing:
            raise _refuse(CORRUPT, f"not a fieldwork bundle: it has no {' and no '.join(missing)}", file_name,
                          "the bundle is damaged")
        names = Counter(info.filename for info in archive.infolist())
        doubled = sorted(n for n, times in names.items() if times > 1)
        unexpected = sorted(set(names) - set(EXPECTED_MEMBERS))
        if doubled or unexpected:  # unzip and this program could read different files: refuse both
            raise _refuse(TAMPERED, "the archive holds " + "; ".join(
                ([f"{', '.join(doubled)} more than once"] if doubled else [])
                + ([f"files a bundle never holds ({', '.join(n[:60] for n in unexpected[:5])})"] if unexpected
                   else [])) + ": it was not written by fieldwork. Ask for a fresh export.",
                file_name, "the bundle was changed after export")
        try:  # each part counted as it is unpacked: refused at its limit whatever its header declares
            manifest_bytes = _read_part(archive, members[MANIFEST], MAX_MANIFEST_BYTES, file_name)
            data = _read_part(archive, members[PAYLOAD], MAX_PAYLOAD_BYTES, file_name)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError) as exc:
            # CRC mismatch or a broken deflate stream: bytes changed in transit
            raise _refuse(CORRUPT, f"the archive is damaged ({type(exc).__name__}: a part of it does not read back "
                          "as it was written)", file_name, "the bundle is damaged") from None
    manifest = _json_object(manifest_bytes, "manifest.json", file_name)
    if manifest.get("format") != FORMAT:
        raise _refuse(BAD_FORMAT, f"not a fieldwork bundle (format {str(manifest.get('format'))[:40]!r})", file_name,
                      "not a bundle")
    version = manifest.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise _refuse(BAD_FORMAT, f"bundle format version {manifest.get('format_version')!r} is newer than this "
                      f"program reads ({FORMAT_VERSION}): update fieldwork on this machine", file_name,
                      "the bundle needs a newer fieldwork")
    if manifest.get(MANIFEST_HASH) != manifest_hash(manifest):
        raise _refuse(TAMPERED, "manifest.json does not match its own checksum: who exported the bundle, when, or "
                      "for which inspection was changed after export (or it was written by an older fieldwork). "
                      "Ask for a fresh export.", file_name, "the bundle was changed after export")
    # every field's type and bound, and no key fieldwork never writes (after the checksum: a
    # manifest changed without re-sealing is named as changed)
    faults = bundle_manifest.problems(manifest, f"{file_name} manifest.json", INVALID)
    if faults:
        raise ProblemError(faults, "the bundle's manifest is malformed")
    faults = [Problem(p.code, f"the manifest's {p.field} {p.message}", source=p.source, field=p.field)
              for p in characters.problems({k: v for k, v in manifest.items() if k in MANIFEST_TEXTS},
                                           source=f"{file_name} manifest.json")]
    if faults:  # who exported it is shown and audited: the same character rule as every other value
        raise ProblemError(faults, "the bundle's manifest holds characters that cannot be stored")
    checksum = hashlib.sha256(data).hexdigest()
    stated = manifest.get("sha256")
    if checksum != stated:
        raise _refuse(TAMPERED, f"the content's SHA-256 checksum is {checksum[:12]}…, the manifest states "
                      f"{str(stated)[:12]}…: the file was changed after it was exported. Ask for a fresh export.",
                      file_name, "the bundle was changed after export")
    return _checked(_json_object(data, "data.json", file_name), manifest, checksum, file_name)


def _json_object(raw: bytes, part: str, file_name: str) -> dict:
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
        value = None
    if not isinstance(value, dict):
        raise _refuse(CORRUPT, f"{part} is not a JSON object", file_name, "the bundle is damaged")
    if _depth(value) > MAX_DEPTH:  # fieldwork writes a few levels; deeper is a file built to hurt the reader
        raise _refuse(INVALID, f"{part} is nested deeper than {MAX_DEPTH} levels, which fieldwork never writes: "
                      "it was not written by fieldwork. Ask for a fresh export.", file_name,
                      "the bundle's content is malformed")
    return value


MAX_DEPTH = 24
# The payload's own keys (bundle_evidence adds the last three). Any other is refused, so nothing in a
# bundle goes unread; inside a row, keys that are not a column are ignored (never read, never stored).
PAYLOAD_KEYS = frozenset({"inspection", "questionnaire_versions", "cases", "assessments", "lineage", "evidence",
                          "judgements", "record_lineage"})


def _depth(value) -> int:
    """How deeply lists and objects nest in a parsed JSON value (walked without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            stack += [(child, level + 1) for child in (item.values() if isinstance(item, dict) else item)]
    return deepest


def _checked(payload: dict, manifest: dict, checksum: str, file_name: str) -> Bundle:
    """Every structural fault of the payload, each naming the assessment (case) and field."""
    problems: list[Problem] = []

    def fault(message: str, *, item: str | None = None, field: str | None = None, kind: str = "case") -> None:
        problems.append(Problem(INVALID, message, source=file_name, item=item, field=field, item_kind=kind))

    def listing(key: str) -> list:
        value = payload.get(key)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            fault(f"{key} must be a list of objects", field=key)
            return []
        return value

    unexpected = sorted(str(k)[:40] for k in set(payload) - PAYLOAD_KEYS)
    if unexpected:
        fault(f"data.json holds {', '.join(map(repr, unexpected[:5]))}, which a bundle never holds", field="data.json")

    inspection = payload.get("inspection")
    code = inspection.get("code") if isinstance(inspection, dict) else None
    if not isinstance(code, str) or not code:
        fault("the inspection code is missing", field="inspection")

    versions = []
    for v in listing("questionnaire_versions"):
        if not all(isinstance(v.get(k), str) and v.get(k) for k in ("questionnaire", "version", "content_hash")):
            fault("a questionnaire version lacks its id, version or content hash", field="questionnaire_versions")
            continue
        if not isinstance(v.get("definition"), dict):
            fault(f"{v['questionnaire']} {v['version']} lacks its definition", field="definition",
                  item=v["questionnaire"], kind="questionnaire")
        versions.append(v)
    known_versions = {(v["questionnaire"], v["version"]) for v in versions}

    ahead = bundle_records.Ahead(file_name)
    ahead.note_text("the manifest's", "created_at", manifest.get("created_at"), None)

    def reader(ref, field_of=lambda name: name):
        """fault(code, field, message) for one record of a case: the case named where it may be quoted."""
        def report(code: str, name: str, message: str) -> None:
            problems.append(Problem(code, message, source=file_name, item=bundle_records.quotable(ref),
                                    field=field_of(name), item_kind="case"))
        return report

    cases, case_keys, spelled = [], set(), set()
    for raw in listing("cases"):
        ref = raw.get("case_ref")
        if not isinstance(ref, str) or not isinstance(raw.get("questionnaire"), str):
            fault("a case lacks its case_ref or questionnaire", field="cases")
            continue
        why = privacy.case_ref_problem(ref)
        if why:
            # the import's code and words (its row check applies the inspection's own pattern too)
            problems.append(Problem(BAD_CASE_REF, why, source=file_name, item=ref[:64], field="case_ref",
                                    item_kind="case"))
        row = {"questionnaire": raw["questionnaire"]} | bundle_records.read(CASE, raw, reader(ref), ahead, ref)
        if (row["questionnaire"], ref.lower()) in spelled:  # HS-0001 and hs-0001 are one case
            fault("the case appears twice", item=ref, field="case_ref")
        case_keys.add((row["questionnaire"], ref))
        spelled.add((row["questionnaire"], ref.lower()))
        cases.append(row)

    assessments, uids = [], set()
    for raw in listing("assessments"):
        ref = raw.get("case_ref")
        ref = ref if isinstance(ref, str) else None
        for name in ("uid", "revision", "inspector", "status", "purpose", "questionnaire", "questionnaire_version"):
            if not isinstance(raw.get(name), str) or not raw.get(name):
                fault(f"an assessment lacks its {name}", item=ref, field=name)
        row = bundle_records.read(ASSESSMENT, raw, reader(ref), ahead, ref)
        if raw.get("status") not in STATUSES:
            fault(f"unknown status {str(raw.get('status'))[:20]!r}", item=ref, field="status")
        if raw.get("purpose") not in PURPOSES:
            fault(f"unknown purpose {str(raw.get('purpose'))[:20]!r}", item=ref, field="purpose")
        key = (raw.get("questionnaire"), ref)
        if key not in case_keys:
            fault("the assessment's case is not in the bundle", item=ref, field="case_ref")
        if (raw.get("questionnaire"), raw.get("questionnaire_version")) not in known_versions:
            fault(f"scored on {raw.get('questionnaire')} {raw.get('questionnaire_version')}, which the bundle does "
                  "not describe", item=ref, field="questionnaire_version")
        uid = raw.get("uid")
        if uid in uids:
            fault(f"assessment {str(uid)[:32]} appears twice", item=ref, field="uid")
        uids.add(uid)
        lineage_uid = raw.get("lineage_uid", uid)
        answers, questions = [], set()
        raw_answers = raw.get("answers")
        if not isinstance(raw_answers, list) or not all(isinstance(a, dict) for a in raw_answers):
            fault("answers must be a list of objects", item=ref, field="answers")
            raw_answers = []
        for a in raw_answers:
            question = a.get("question")
            if not isinstance(question, str) or not question:
                fault("an answer lacks its question", item=ref, field="answers")
                continue
            entry = a.get("instance") if isinstance(a.get("instance"), str) else ""  # an entry of a repeat group
            if (question, entry) in questions:
                fault(f"question {question[:100]!r} is answered twice" + (f" in {entry[:200]}" if entry else ""),
                      item=ref, field=question)
            questions.add((question, entry))
            answers.append(bundle_records.read(ANSWER, a, reader(ref, _answer_field(question)), ahead, ref,
                                               named=_answer_words(question)))
        row.update(case_ref=ref, questionnaire=raw.get("questionnaire"),
                   questionnaire_version=raw.get("questionnaire_version"),
                   lineage_uid=lineage_uid if isinstance(lineage_uid, str) else uid, answers=answers)
        assessments.append(row)

    lineage, content_hashes = [], {}
    for n, raw in enumerate(listing("lineage"), start=1):
        before = len(problems)
        row = bundle_records.read(LINEAGE, raw, reader(None, lambda name: "lineage"), ahead,
                                  named=lambda name, n=n: f"lineage row {n}'s {name}")
        content = row.get("content_hash")
        if content is not None and not revision_content.HASH.match(content):
            fault(f"lineage row {n}'s content_hash is not a SHA-256", field="lineage")
        if len(problems) > before:
            continue
        lineage.append((row["lineage_uid"], row["revision"], row.get("parent_revision")))
        if content:
            content_hashes[(row["lineage_uid"], row["revision"])] = content
    section, found = bundle_evidence.parse(payload, file_name, ahead)
    problems += found
    if problems:
        raise ProblemError(problems, f"the bundle's content is malformed ({len(problems)} problem(s))")
    return Bundle(file_name, manifest, checksum, code, versions, cases, assessments, lineage, evidence=section,
                  content_hashes=content_hashes, warnings=ahead.warnings())


def _answer_field(question: str) -> Callable[[str], str]:
    """How a problem names an answer's field: its question, note:VAR for its note, instance:VAR for its entry."""
    return lambda name: {"note": wide_table.note_column(question), "instance": INSTANCE_FIELD + question}.get(
        name, question)


def _answer_words(question: str) -> Callable[[str], str]:
    """An answer's field in words: "the evidence note to 'plea'", "the value of 'plea'"."""
    shown = repr(question[:100])
    return lambda name: {"value": f"the value of {shown}", "note": f"the evidence note to {shown}",
                         "instance": f"the entry (instance) of the answer to {shown}"}.get(name, f"{name} of {shown}")


INSTANCE_FIELD = "instance:"  # how a problem names an answer's instance path, beside note:VAR


def check_against(session: Session, bundle: Bundle) -> tuple[Inspection, dict[tuple[str, str], int]]:
    """The lead database's inspection and questionnaire version ids for this bundle, or every
    reason it cannot take it: an unknown inspection, a questionnaire version it does not
    hold (or holds with other wording), answers that do not fit their questionnaire."""
    problems: list[Problem] = []
    try:
        inspection = inspections.inspection_by_code(session, bundle.inspection_code)
    except ProblemError:
        known = ", ".join(session.execute(select(Inspection.code).order_by(Inspection.code)).scalars()) or "none"
        raise ProblemError([Problem(UNKNOWN_INSPECTION, f"the bundle is for inspection {bundle.inspection_code!r}, "
                                    f"which this database does not hold (it holds: {known})",
                                    source=bundle.file_name, field="inspection")],
                           "the bundle is for another inspection") from None
    attached = set(inspections.questionnaire_ids(session, inspection))
    ids: dict[tuple[str, str], int] = {}
    for v in bundle.versions:
        key = (v["questionnaire"], v["version"])
        stored = session.execute(select(QuestionnaireVersion).where(
            QuestionnaireVersion.questionnaire == key[0], QuestionnaireVersion.version == key[1])).scalars().first()
        if stored is None:
            known = ", ".join(session.execute(select(QuestionnaireVersion.version).where(
                QuestionnaireVersion.questionnaire == key[0]).order_by(QuestionnaireVersion.id)).scalars()) or "none"
            problems.append(Problem(UNKNOWN_VERSION, f"scored on {key[0]} version {key[1]}, which this database does "
                                    f"not hold (versions here: {known}). Add that version of the questionnaire "
                                    "first (fieldwork questionnaire import), then import the bundle again.",
                                    source=bundle.file_name, field="questionnaire_version", item=key[0],
                                    item_kind="questionnaire"))
        elif stored.content_hash != v["content_hash"]:
            problems.append(Problem(VERSION_DIFFERS, f"{key[0]} version {key[1]} was worded differently on the laptop "
                                    f"(content hash {v['content_hash'][:12]}…, here {stored.content_hash[:12]}…): "
                                    "the same version number must mean the same questions",
                                    source=bundle.file_name, field="questionnaire_version", item=key[0],
                                    item_kind="questionnaire"))
        else:
            ids[key] = stored.id
            if key[0] not in attached:
                problems.append(Problem(NOT_IN_INSPECTION, f"{key[0]} is not a questionnaire of {inspection.name}",
                                        source=bundle.file_name, item=key[0], item_kind="questionnaire"))
    if not problems:
        problems += _answer_problems(bundle, ids, session, inspection)
    problems += bundle_evidence.check(inspection, bundle.evidence, bundle.file_name)
    problems += bundle_evidence.unknown_people(session, bundle.evidence, bundle.file_name)
    if problems:
        raise ProblemError(problems, "the bundle cannot be merged into this database")
    return inspection, ids


def _answer_problems(bundle: Bundle, ids: dict, session: Session, inspection: Inspection) -> list[Problem]:
    """Answers to questions the version does not ask; then every case's answers through the
    import's own row check (bundle_rows), and the entries of repeat groups through the app's."""
    problems = []
    parsed = {key: inspections.questionnaire_of(session.get(QuestionnaireVersion, vid)) for key, vid in ids.items()}
    fitting = []
    for a in bundle.assessments:
        q = parsed[(a["questionnaire"], a["questionnaire_version"])]
        unknown = [x["question"] for x in a["answers"] if not q.has_question(x["question"])]
        problems += [Problem(INVALID, f"{q.id} {q.version} has no question {name[:100]!r}", source=bundle.file_name,
                             item=a["case_ref"], field=name, item_kind="case") for name in unknown]
        misplaced = _instance_problems(bundle, a, q)
        problems += misplaced
        if not unknown and not misplaced:  # else the rules below would only repeat it
            fitting.append(a)
            problems += _entry_problems(bundle, a, q)
    return problems + bundle_rows.problems(session, bundle, parsed, inspection, fitting)


def _instance_problems(bundle: Bundle, a: dict, q) -> list[Problem]:
    """Each answer's instance is the path of an entry of the repeat group its question is asked
    in ("" for a question asked once per case): an answer filed under a made-up entry would pass
    no rule of the case's and still be merged and counted."""
    out = []
    for x in a["answers"]:
        instance, question = x.get("instance") or "", x["question"]
        if not isinstance(instance, str) or not q.has_question(question):
            continue  # the structural check or the unknown-question check names these
        repeat = q.repeat_of(question)
        chain = q.repeat_chain(repeat) if repeat else []
        if is_path(instance) and [name for name, _ in steps(instance)] == chain:
            continue
        shown = repr(instance[:60]) if characters.problem(instance) is None else "an entry path that cannot be stored"
        where = (f"is asked in each entry of {'/'.join(chain)} (an instance like {path('', chain[0], 1)})" if chain
                 else "is asked once per case (its instance is empty)")
        out.append(Problem(INVALID, f"the answer to {question[:100]!r} is filed under instance {shown}, but "
                           f"{question[:100]!r} {where}", source=bundle.file_name,
                           item=bundle_records.quotable(a["case_ref"]), field=question, item_kind="case"))
    return out or _entry_number_problems(bundle, a)


MAX_ENTRIES_PER_ASSESSMENT = 5_000  # e.g. 100 incidents of 50 PINs each


def _entry_number_problems(bundle: Bundle, a: dict) -> list[Problem]:
    """The app numbers a case's entries 1, 2, 3 ... and works with every entry up to the highest
    number held, so one answer under ``pin[99999999999999999999]`` made the merge build entries
    without end (attacker re-test 22, F8). An entry numbered above what a repeat group may hold,
    or more entries in all than an assessment may hold, is refused before any is built."""
    highest: dict[tuple[str, str], int] = {}
    for x in a["answers"]:
        instance = x.get("instance") or ""
        if not isinstance(instance, str) or not is_path(instance):
            continue
        at = ""
        for name, index in steps(instance):
            if index > MAX_ENTRIES:
                return [Problem(INVALID, f"the answer to {x['question'][:100]!r} is filed under entry {index:,} of "
                                f"{name[:60]}; a repeat group holds at most {MAX_ENTRIES:,} entries",
                                source=bundle.file_name, item=bundle_records.quotable(a["case_ref"]),
                                field=x["question"], item_kind="case")]
            highest[(at, name)] = max(index, highest.get((at, name), 0))
            at = path(at, name, index)
    if sum(highest.values()) > MAX_ENTRIES_PER_ASSESSMENT:
        return [Problem(INVALID, f"its entries are numbered up to {sum(highest.values()):,} in all; an assessment "
                        f"holds at most {MAX_ENTRIES_PER_ASSESSMENT:,} entries", source=bundle.file_name,
                        item=bundle_records.quotable(a["case_ref"]), item_kind="case")]
    return []


def _entry_problems(bundle: Bundle, a: dict, q) -> list[Problem]:
    """The entries of repeat groups, which are not rows of the cases' table, by the app's rules
    (fieldwork.services.assessments): codes, no answer the skip logic hides, every constraint
    met, a note no longer than the app keeps, and for a complete assessment every required
    answer given. Case-level questions are the row check's (bundle_rows), except those whose
    skip logic reads the entries, which a row of the cases' table cannot settle."""
    from fieldwork.services import assessments, repeat_files

    if not q.repeats:
        return []
    in_entries = [x for x in a["answers"] if x.get("instance")]
    # a wrong code is named with its entry in words ("in Incident 1 › PIN 1") and its slot
    found = [Problem(INVALID, f"{x['value'][:40]!r} is not a code of {x['question']}"
                     + (f" in {title(q, x['instance'])}" if is_path(x["instance"]) else ""),
                     item=slot(x["instance"], x["question"]))
             for x in in_entries if isinstance(x.get("value"), str) and q.question(x["question"]).is_single_choice
             and x["value"] not in q.codes(x["question"])]
    found += [Problem(INVALID, f"the evidence note is {len(x['note']):,} characters long; at most "
                      f"{assessments.MAX_NOTE:,} are kept", item=x["question"])
              for x in in_entries if isinstance(x.get("note"), str) and len(x["note"]) > assessments.MAX_NOTE]
    # keyed by slot: an answer in an entry of a repeat group is its own (fieldwork/questionnaire/entries.py)
    answers = {slot(x.get("instance") or "", x["question"]): x.get("value") for x in a["answers"]
               if x.get("value") not in (None, "")}
    instances = {x["instance"] for x in in_entries}
    if q.has_question(assessments.CASE_REF):
        answers[assessments.CASE_REF] = a["case_ref"]
    if a.get("status") == "complete":
        rules = assessments.completion_problems(q, answers, instances)
    else:
        rules = assessments.not_asked(q, answers, list(answers), instances)
        rules += [assessments._constraint_problem(q, n) for n in Entries(q, answers, instances).constraint_failures()]
    reading_entries = repeat_files.reads_entries(q)
    found += [p for p in rules if p.item and p.code != TOO_MANY_ENTRIES  # entry_counts says it, as an import does
              and (split(p.item)[0] or "[" in p.item or split(p.item)[1] in reading_entries)]
    # how many entries each repeat group holds against repeat_count / min / max: the import's own check
    case_answers = {x["question"]: x["value"] for x in a["answers"]
                    if not x.get("instance") and x.get("value") not in (None, "")}
    counts = entry_counts.case_problems(q, entry_counts.limited_repeats(q), a["case_ref"], case_answers,
                                        entry_counts.held_entries(q, in_entries), blank_entries_held=True)
    return [Problem(p.code, p.message, source=bundle.file_name, item=a["case_ref"], field=p.item, item_kind="case")
            for p in found] + [Problem(p.code, p.message, source=bundle.file_name, item=p.item, field=p.field,
                                       item_kind="case") for p in counts]


# --- import -----------------------------------------------------------------------------


def _opened_for(actor: Actor, content: bytes, file_name: str) -> Bundle:
    """Open a bundle the actor may merge: a lead or admin any bundle; an inspector only one
    holding nothing but their own assessments (their second-marking assignments, sent by the
    lead), so no inspector takes in another's scores."""
    permissions.require_role(actor, permissions.ROLES, "merge a bundle")
    bundle = open_bundle(content, file_name)
    if not actor.is_lead:
        others = sorted({a["inspector"] for a in bundle.assessments} - {actor.name})
        if others:
            raise permissions.PermissionDenied(
                actor, f"merge {', '.join(others)}'s work (only a lead inspector merges other inspectors' work)")
    return bundle


def _for_inspection(bundle: Bundle, inspection: inspections.InspectionRef) -> None:
    """``--inspection`` is honoured: a bundle of another inspection is refused, never merged into its own."""
    wanted = inspection.code if isinstance(inspection, Inspection) else inspection
    if wanted and wanted != bundle.inspection_code:
        raise ProblemError([Problem(WRONG_INSPECTION, f"the bundle holds inspection {bundle.inspection_code[:60]!r}, "
                                    f"not {wanted!r}: nothing was merged", source=bundle.file_name)],
                           "the bundle is of another inspection")


def import_bundle(session: Session, actor: Actor, content: bytes, file_name: str = "bundle", *,
                  progress: Callable[[int, int], None] | None = None,
                  inspection: inspections.InspectionRef = None) -> "merge.MergeReport":
    """Merge a bundle into this database, all or nothing (the caller's session commits or
    rolls back). Importing the same bundle again changes nothing."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    bundle = _opened_for(actor, content, file_name)
    _for_inspection(bundle, inspection)
    inspection, version_ids = check_against(session, bundle)
    report = merge.apply(session, actor, inspection, bundle, version_ids, progress=progress)
    report.evidence = bundle_evidence.apply(session, actor, inspection, bundle.evidence, bundle_id=bundle.bundle_id,
                                            file_name=file_name)
    return report


def preview(session: Session, actor: Actor, content: bytes, file_name: str = "bundle", *,
            inspection: inspections.InspectionRef = None) -> tuple[Bundle, "merge.MergeReport"]:
    """What importing would do, without changing anything: the bundle and the report of a dry run."""
    bundle = _opened_for(actor, content, file_name)
    _for_inspection(bundle, inspection)
    inspection, version_ids = check_against(session, bundle)
    report = merge.apply(session, actor, inspection, bundle, version_ids, dry_run=True)
    report.evidence = bundle_evidence.apply(session, actor, inspection, bundle.evidence, bundle_id=bundle.bundle_id,
                                            file_name=file_name, dry_run=True)
    return bundle, report
