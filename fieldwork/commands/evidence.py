"""``fieldwork evidence add|list|import|export`` and ``fieldwork judgements list|export``.

The command line acts for the operating-system user with an admin's rights (contract
section 8), so it adds, lists, imports and exports evidence and writes the judgements grid;
judging itself is for lead inspectors, in the app. An import is all or nothing: every bad row
is named on stderr and nothing is written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fieldwork.commands import shared
from fieldwork.files.csv_out import csv_text, dict_rows
from fieldwork.problem_codes import BAD_EXCERPT, BAD_OUTPUT
from fieldwork.problems import Problem, ProblemError
from fieldwork.services import bundle_evidence, evidence, evidence_csv, permissions, triangulation
from fieldwork.services.evidence import EvidenceInput, ExcerptInput
from models.evidence import EVIDENCE_KINDS, UNIT_TYPES

FORMATS = ("text", "csv", "json")


def register(sub, common) -> None:
    esub = shared.command_group(sub, common, "evidence", "interviews, focus groups, documents and their coded excerpts")
    add = esub.add_parser("add", parents=[common], help="add one evidence item with its coded excerpts")
    add.add_argument("--kind", required=True, choices=EVIDENCE_KINDS)
    add.add_argument("--date", required=True, help="when it was held or dated (YYYY-MM-DD)")
    add.add_argument("--force", default=None, help="the force it is about (a contract code)")
    add.add_argument("--cps-area", default=None, help="the CPS Area it is about (neither: national)")
    add.add_argument("--source", required=True,
                     help="role and organisation, never a name, e.g. 'force stalking SPOC'")
    add.add_argument("--criteria", default="", help="the specific criteria it bears on, e.g. 1.5,3.1")
    add.add_argument("--summary", default="")
    add.add_argument("--reference", default="", help="where a document is held (documents are referenced, not stored)")
    add.add_argument("--ref", default="", help="your own reference (default EV-nnnn)")
    add.add_argument("--excerpt", action="append", default=[], metavar="CRITERION:CODE:TEXT",
                     help="a coded passage of the notes (repeat for more), e.g. '3.1:risk:DASH not completed'")
    add.set_defaults(handler=add_command)
    ls = esub.add_parser("list", parents=[common], help="the evidence, with its excerpts")
    _filters(ls)
    ls.add_argument("--format", choices=FORMATS, default="text")
    ls.set_defaults(handler=list_command)
    shared.add_import(esub, common, help="import evidence from a CSV (all or nothing)",
                     dry_run_help="check every row, write nothing", handler=import_command)
    exp = esub.add_parser("export", parents=[common], help="write the evidence as CSV (the import's layout)")
    exp.add_argument("out", type=Path, metavar="OUT.csv")
    _filters(exp)
    exp.set_defaults(handler=export_command)

    jsub = shared.command_group(sub, common, "judgements", "the judgement of every criterion in every force")
    jl = jsub.add_parser("list", parents=[common], help="every judgement with its grade, marks and who judged it")
    jl.add_argument("--unit-type", choices=UNIT_TYPES, default="force")
    jl.add_argument("--criterion", default=None)
    jl.add_argument("--format", choices=FORMATS, default="text")
    jl.set_defaults(handler=judgements_list_command)
    je = jsub.add_parser("export", parents=[common], help="the grid as a wide CSV or JSON (by the file's suffix)")
    je.add_argument("out", type=Path, metavar="OUT.csv|OUT.json")
    je.add_argument("--unit-type", choices=UNIT_TYPES, default="force")
    je.set_defaults(handler=judgements_export_command)
    jc = jsub.add_parser("conflicts", parents=[common],
                         help="judgements and evidence a bundle merge kept beside what is here, for the lead")
    jc.set_defaults(handler=judgements_conflicts_command)


def _filters(p) -> None:
    p.add_argument("--force", default=None)
    p.add_argument("--criterion", default=None)


def _excerpt(text: str) -> ExcerptInput:
    criterion, sep, rest = text.partition(":")
    code, sep2, passage = rest.partition(":")
    if not sep or not sep2:
        raise ProblemError([Problem(BAD_EXCERPT, f"{text[:40]!r} is not CRITERION:CODE:TEXT", field="excerpt")])
    return ExcerptInput(criterion.strip(), code.strip(), passage.strip())


def add_command(args) -> int:
    data = EvidenceInput(kind=args.kind, held_on=args.date, force=args.force, cps_area=args.cps_area,
                         source=args.source, summary=args.summary, criteria=evidence.split_criteria(args.criteria),
                         reference=args.reference, ref=args.ref, excerpts=[_excerpt(e) for e in args.excerpt])
    with shared.database_session(args) as session:
        item, warnings = evidence.add_evidence(session, permissions.command_line_actor(), data,
                                               inspection=args.inspection)
        print(f"added {item.ref} ({item.kind}, {item.force or item.cps_area or 'national'}) with "
              f"{len(data.excerpts)} excerpt(s); uid {item.uid}")
    shared.warn(warnings)
    return 0


def list_command(args) -> int:
    with shared.database_session(args) as session:
        views = evidence.list_evidence(session, permissions.command_line_actor(), inspection=args.inspection,
                                       force=args.force, criterion=args.criterion)
    if args.format == "csv":
        columns = evidence_csv.EXPORT_COLUMNS
        sys.stdout.write(csv_text(columns, dict_rows(columns, evidence_csv.csv_rows(views)), line_end="\r\n"))
    elif args.format == "json":
        sys.stdout.write(json.dumps([{**r} for r in _json(views)], indent=2, ensure_ascii=False) + "\n")
    else:
        for v in views:
            print(f"{v.ref}  {v.held_on}  {v.kind_label}  {v.unit}  {v.source}  criteria {' '.join(v.criteria)}")
            for e in v.excerpts:
                print(f"    {e.criterion}  {e.code_label}: {e.text}")
        print(f"{len(views)} evidence item(s)", file=sys.stderr)
    return 0


def _json(views) -> list[dict]:
    return [{"uid": v.uid, "ref": v.ref, "kind": v.kind, "date": v.held_on.isoformat(), "force": v.force,
             "cps_area": v.cps_area, "source": v.source, "criteria": v.criteria, "summary": v.summary,
             "reference": v.reference, "added_by": v.created_by,
             "excerpts": [{"uid": e.uid, "criterion": e.criterion, "code": e.code, "text": e.text}
                          for e in v.excerpts]} for v in views]


def import_command(args) -> int:
    content = shared.read_file(args.file)
    with shared.database_session(args) as session:
        result = evidence_csv.import_csv(session, permissions.command_line_actor(), content, file_name=args.file.name,
                                     inspection=args.inspection, dry_run=args.dry_run)
    verb = "would import" if result.dry_run else "imported"
    print(f"{verb} {result.items} evidence item(s) with {result.excerpts} excerpt(s) from {args.file.name}")
    shared.warn(result.warnings)
    return 0


def export_command(args) -> int:
    with shared.database_session(args) as session:
        data = evidence_csv.export_csv(session, permissions.command_line_actor(), inspection=args.inspection,
                                   force=args.force, criterion=args.criterion, file_name=args.out.name)
        args.out.write_bytes(data)  # inside the session: the audit row commits only if the file is written
    print(f"wrote {args.out}")
    return 0


def judgements_list_command(args) -> int:
    with shared.database_session(args) as session:
        g = triangulation.grid(session, permissions.command_line_actor(), unit_type=args.unit_type,
                               inspection=args.inspection, criteria=[args.criterion] if args.criterion else None)
    cells = [c for c in g.cells.values() if c.grade is not None]
    if args.format == "json":
        sys.stdout.write(json.dumps([c.to_dict() for c in cells], indent=2, ensure_ascii=False) + "\n")
    elif args.format == "csv":
        sys.stdout.write(csv_text(
            [args.unit_type, "criterion", "grade", "kinds", "marks", "judged_by", "judged_at"],
            [[c.unit, c.criterion, c.grade, " ".join(c.kinds), " ".join(c.marks), c.judged_by,
              c.judged_at.isoformat() if c.judged_at else ""] for c in cells], line_end="\r\n"))
    else:
        for c in cells:
            marks = f"  [{', '.join(c.marks)}]" if c.marks else ""
            print(f"{c.unit}  {c.criterion}  {c.grade_label}  ({', '.join(c.kinds) or 'no evidence'}){marks}  "
                  f"by {c.judged_by}")
        print(f"{len(cells)} judgement(s)", file=sys.stderr)
    return 0


def judgements_export_command(args) -> int:
    fmt = args.out.suffix.lower().lstrip(".")
    if fmt not in ("csv", "json"):
        raise ProblemError([Problem(BAD_OUTPUT, f"{args.out.name}: write the grid to a .csv or .json file",
                                    field="OUT")])
    with shared.database_session(args) as session:
        data = triangulation.export_grid(session, permissions.command_line_actor(), fmt, unit_type=args.unit_type,
                                         inspection=args.inspection, file_name=args.out.name)
        args.out.write_bytes(data)
    print(f"wrote {args.out}")
    return 0


def judgements_conflicts_command(args) -> int:
    with shared.database_session(args) as session:
        found = bundle_evidence.open_conflicts(session, permissions.command_line_actor(),
                                               inspection=args.inspection)
    if not found:
        print("No unresolved evidence or judgement conflicts.")
        return 0
    for c in found:
        if c.kind == bundle_evidence.JUDGEMENT:
            print(f"judgement {c.incoming['unit']} {c.incoming['criterion']}: here {c.local.get('grade')} by "
                  f"{c.local.get('judged_by')}; the bundle {c.incoming['grade']} by {c.incoming['judged_by']}")
        else:
            print(f"evidence {c.incoming.get('ref')} ({c.incoming.get('kind')}): changed here and in a bundle")
    print("A lead resolves them on the Judgements page (take the bundle's version or keep what is here).")
    return 0


__all__ = ["register"]
