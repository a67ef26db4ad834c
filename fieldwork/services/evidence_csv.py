"""Evidence as CSV, for teams that typed their notes elsewhere (issue 14).

One row per excerpt; rows sharing ``evidence_ref`` are one item (its fields are read from
its first row; later rows may leave them blank but not contradict them); an item without
excerpts is one row with the excerpt columns blank. Criteria are space- or comma-separated.
An import is all or nothing: every row is checked with the checks of the Evidence page
(``evidence.check``) and one problem anywhere writes nothing; each problem names the file,
the row (the header is row 1) and the column. The export adds uids and who added each item,
and guards every cell against spreadsheet formulas, so an export re-imports exactly.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from sqlmodel import Session

from fieldwork.files.cells import unquote
from fieldwork.files.csv_out import csv_bytes, dict_rows
from fieldwork.files import limits
from fieldwork.files.text import encoding_of, open_text
from fieldwork import audit
from fieldwork.problem_codes import BAD_FILE
from fieldwork.problems import Problem, ProblemError
from fieldwork.services import inspections, permissions
from fieldwork.services.evidence import (BAD_VALUE, EvidenceInput, EvidenceView, ExcerptInput, check,
                                         check_excerpt, context, list_evidence, split_criteria, store_item)
from fieldwork.services.permissions import Actor
from fieldwork.services import actor_check

EVIDENCE_IMPORTED = "evidence.imported"
EVIDENCE_EXPORTED = "evidence.exported"

CSV_COLUMNS = ["evidence_ref", "kind", "date", "force", "cps_area", "source", "criteria", "summary", "reference",
               "excerpt_criterion", "excerpt_code", "excerpt_text"]
EXPORT_COLUMNS = ["evidence_uid", *CSV_COLUMNS, "excerpt_uid", "added_by", "added_at"]


def csv_rows(views: list[EvidenceView]) -> list[dict]:
    rows = []
    for v in views:
        base = {"evidence_uid": v.uid, "evidence_ref": v.ref, "kind": v.kind, "date": v.held_on.isoformat(),
                "force": v.force or "", "cps_area": v.cps_area or "", "source": v.source,
                "criteria": " ".join(v.criteria), "summary": v.summary, "reference": v.reference,
                "added_by": v.created_by, "added_at": v.created_at.isoformat() if v.created_at else ""}
        for ex in v.excerpts or [None]:
            rows.append(base | {"excerpt_uid": ex.uid if ex else "", "excerpt_criterion": ex.criterion if ex else "",
                                "excerpt_code": ex.code if ex else "", "excerpt_text": ex.text if ex else ""})
    return rows


def export_csv(session: Session, actor: Actor, *, inspection: inspections.InspectionRef = None,
               force: str | None = None,
               criterion: str | None = None, file_name: str = "") -> bytes:
    """The evidence the actor may see as CSV (UTF-8, the import's layout plus uids and who
    added it), every text cell safe from spreadsheet formulas. Audited (counts only)."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    views = list_evidence(session, actor, inspection=inspection, force=force, criterion=criterion)
    data = csv_bytes(EXPORT_COLUMNS, dict_rows(EXPORT_COLUMNS, csv_rows(views)), line_end="\r\n")
    inspection = inspections.resolve(session, inspection)
    audit.record(session, actor.name, EVIDENCE_EXPORTED, inspection_id=inspection.id, format="csv",
                 items=len(views), file=file_name[:200])
    return data


@dataclass
class ImportResult:
    items: int
    excerpts: int
    warnings: list[str]
    dry_run: bool


def _parse_csv(content: bytes, file_name: str) -> list[tuple[int, dict]]:
    if len(content) > limits.MAX_FILE_BYTES:  # the import's limits, counted as the file is read
        raise ProblemError([Problem(limits.FILE_TOO_LARGE, f"the file is {limits.mb(len(content))}; at most "
                                    f"{limits.mb(limits.MAX_FILE_BYTES)} are accepted", source=file_name)],
                           "the evidence file was refused")
    encoding, _ = encoding_of(content, file_name)  # the import's own decoding rules (UTF-8, BOM, cp1252)
    reader = csv.reader(open_text(content, encoding))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ProblemError([Problem(BAD_FILE, "the file is empty", source=file_name)], "nothing to import") from None
    problems = [Problem(BAD_FILE, f"unknown column {h[:40]!r} (columns: {', '.join(CSV_COLUMNS)})",
                        source=file_name, row=1, field=h[:40])
                for h in header if h not in CSV_COLUMNS and h not in EXPORT_COLUMNS]
    problems += [Problem(BAD_FILE, f"the column {c!r} is missing", source=file_name, row=1, field=c)
                 for c in ("kind", "date", "source") if c not in header]
    if len(set(header)) != len(header):
        problems.append(Problem(BAD_FILE, "a column appears twice", source=file_name, row=1))
    if problems:
        raise ProblemError(problems, "the evidence file was refused")
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            raise ProblemError([Problem(BAD_FILE, f"{len(values)} cells where the header has {len(header)} columns",
                                        source=file_name, row=reader.line_num)], "the evidence file was refused")
        rows.append((reader.line_num, {h: unquote(v.strip()) for h, v in zip(header, values)}))
        if len(rows) > limits.MAX_ROWS:
            raise ProblemError([Problem(limits.TOO_MANY_ROWS, f"holds more than {limits.MAX_ROWS:,} rows (refused "
                                        f"at line {reader.line_num:,})", source=file_name, row=reader.line_num)],
                               "the evidence file was refused")
    return rows


def import_csv(session: Session, actor: Actor, content: bytes, *, file_name: str = "evidence.csv",
               inspection: inspections.InspectionRef = None, dry_run: bool = False) -> ImportResult:
    """Evidence typed elsewhere, all or nothing: every row is checked first and one problem
    anywhere writes nothing; the refusal names every bad row (the header is row 1) and column.
    Rows with the same ``evidence_ref`` are one item; a row without one is an item of its own."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    permissions.require_role(actor, permissions.ROLES, "import evidence")
    inspection, framework, codebook = context(session, inspection)
    groups: dict[str, list[tuple[int, dict]]] = {}
    for line, row in _parse_csv(content, file_name):
        key = row.get("evidence_ref") or row.get("evidence_uid") or f"row {line}"
        groups.setdefault(key, []).append((line, row))
    if not groups:
        raise ProblemError([Problem(BAD_FILE, "the file holds no evidence rows", source=file_name)], "nothing to import")
    problems: list[Problem] = []
    warnings: list[str] = []
    cleaned = []
    for rows in groups.values():
        first_line, first = rows[0]
        for line, row in rows[1:]:
            for column in ("kind", "date", "force", "cps_area", "source"):
                if row.get(column) and row.get(column) != first.get(column):
                    problems.append(Problem(BAD_VALUE, f"differs from row {first_line} of the same evidence_ref",
                                            source=file_name, row=line, field=column, item=first.get("evidence_ref"),
                                            item_kind="evidence"))
        coded = [(line, ExcerptInput(r.get("excerpt_criterion", ""), r.get("excerpt_code", ""),
                                     r.get("excerpt_text", "")))
                 for line, r in rows if any(r.get(c) for c in ("excerpt_criterion", "excerpt_code", "excerpt_text"))]
        data = EvidenceInput(kind=first.get("kind", ""), held_on=first.get("date", ""), source=first.get("source", ""),
                             summary=first.get("summary", ""), force=first.get("force"), cps_area=first.get("cps_area"),
                             criteria=split_criteria(first.get("criteria", "")), reference=first.get("reference", ""),
                             ref=first.get("evidence_ref", ""))
        clean, found, warned = check(data, actor, framework, codebook, row=first_line, source_name=file_name)
        problems += found
        warnings += [f"row {first_line}: {w}" for w in warned]
        for line, ex in coded:  # each excerpt named by its own row
            where = {"row": line, "source": file_name, "item": data.ref or None, "item_kind": "evidence"}
            found, warned = check_excerpt(ex, framework, codebook, where)
            problems += found
            warnings += warned
            criterion = ex.criterion.strip()
            if criterion in framework.specific_ids and criterion not in clean["criteria"]:
                clean["criteria"].append(criterion)
        clean["excerpts"] = [ExcerptInput(e.criterion.strip(), e.code.strip(), e.text.strip()) for _, e in coded]
        cleaned.append(clean)
    if problems:
        raise ProblemError(problems, f"nothing was imported: {len(problems)} problem(s) in {file_name}")
    n_excerpts = sum(len(c["excerpts"]) for c in cleaned)
    if not dry_run:
        for clean in cleaned:
            store_item(session, actor, inspection, clean)
        audit.record(session, actor.name, EVIDENCE_IMPORTED, inspection_id=inspection.id, file=file_name[:200],
                     items=len(cleaned), excerpts=n_excerpts)
    return ImportResult(len(cleaned), n_excerpts, warnings, dry_run)
