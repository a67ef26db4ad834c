"""``fieldwork bundle export OUT`` / ``fieldwork bundle import FILE`` / ``fieldwork bundle conflicts``:
laptops' work in and out.

The command line acts for the operating-system user with an admin's rights (contract
section 8): ``bundle export`` writes every assessment in the inspection unless
``--inspector`` names one (a laptop's own work, or a second marker's assignments);
``bundle import`` merges a bundle all or nothing and prints what changed — counts, never
content. ``--dry-run`` says what an import would do without changing anything.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fieldwork import db, startup
from fieldwork.commands import shared
from fieldwork.problem_codes import BAD_OUTPUT
from fieldwork.problems import Problem, ProblemError
from fieldwork.services import bundles, merge, permissions


def register(sub, common) -> None:
    bsub = shared.command_group(sub, common, "bundle", "move a laptop's work to the lead inspector's database")
    exp = bsub.add_parser("export", parents=[common], help="write this database's assessments to a bundle file",
                          description=bundles.SENSITIVE)
    exp.add_argument("out", type=Path, metavar="OUT", help=f"the bundle file to write (e.g. laptop1{bundles.SUFFIX})")
    exp.add_argument("--inspector", default=None, help="only this inspector's assessments")
    exp.add_argument("--questionnaire", default=None, help="only this questionnaire's assessments")
    exp.set_defaults(handler=export_command)
    shared.add_import(bsub, common, help="merge a bundle into this database (all or nothing)",
                     dry_run_help="say what would change, change nothing", handler=import_command)
    con = bsub.add_parser("conflicts", parents=[common], help="list the cases a merge flagged for the lead")
    con.set_defaults(handler=conflicts_command)


def export_command(args) -> int:
    if args.out.exists() and args.out.is_dir():
        raise ProblemError([Problem(BAD_OUTPUT, f"{args.out} is a folder: give a file name", field="OUT")])
    with shared.database_session(args) as session:
        exported = bundles.export_bundle(session, permissions.command_line_actor(), inspection=args.inspection,
                                         inspector=args.inspector, questionnaire=args.questionnaire,
                                         file_name=args.out.name)
        args.out.write_bytes(exported.content)  # inside the session: the audit row commits only if the file is written
    print(f"wrote {args.out}: {what_it_holds(exported.manifest)}")
    print("This file holds evidence notes about victims: keep it encrypted and pass it only to the lead inspector.",
          file=sys.stderr)
    return 0


def what_it_holds(manifest: dict) -> str:
    """The bundle's contents in a sentence: "12 assessments (10 complete, 2 draft) of 12 cases, by
    inspector1; 3 evidence items (5 excerpts), 1 judgement" — no "by" without anyone (walk 24, W18)."""
    counts = manifest["counts"]
    said = (f"{counts['assessments']} assessment(s) ({counts['complete']} complete, {counts['draft']} draft) of "
            f"{counts['cases']} case(s)") + (f", by {', '.join(manifest['inspectors'])}" if manifest["inspectors"] else "")
    if counts.get("evidence") or counts.get("judgements"):
        said += (f"; {counts.get('evidence', 0)} evidence item(s) ({counts.get('excerpts', 0)} excerpt(s)), "
                 f"{counts.get('judgements', 0)} judgement(s)")
    return said


def import_command(args) -> int:
    content = shared.read_file(args.file)
    engine = startup.open_engine(args.db)
    actor = permissions.command_line_actor()
    with db.session_scope(engine) as session:
        if args.dry_run:
            _, report = bundles.preview(session, actor, content, args.file.name, inspection=args.inspection)
            session.rollback()
        else:
            report = bundles.import_bundle(session, actor, content, args.file.name, inspection=args.inspection,
                                           progress=lambda done, total: print(f"\r{done}/{total} assessments", end="",
                                                                              file=sys.stderr))
            print("", file=sys.stderr)
    shared.warn(report.warnings)  # what an import of the same rows would warn of
    extra = getattr(report, "evidence", None)  # evidence and judgements (issue 14)
    only_evidence = extra is not None and extra.summary() and not (report.changed or report.unchanged or report.older)
    if not only_evidence:
        print(report.summary())
    if extra is not None and extra.summary():
        print(extra.summary())
    if report.conflict_cases:
        print("Conflicts to resolve (Conflicts page, or fieldwork bundle conflicts): "
              + ", ".join(sorted(set(report.conflict_cases))))
    return 0


def conflicts_command(args) -> int:
    with shared.database_session(args) as session:
        found = merge.open_conflicts(session, permissions.command_line_actor(), inspection=args.inspection)
    if not found:
        print("No unresolved conflicts.")
        return 0
    print(merge.WHILE_UNRESOLVED)
    for c in found:
        sides = "; ".join(f"{s.uid[:8]} by {s.inspector} ({s.status}, {s.arrived}{', counted' if s.counted else ''})"
                          for s in c.sides)
        print(f"{c.questionnaire} {c.case_ref} [{', '.join(c.kinds)}]: {sides}; "
              f"{len(c.differing())} question(s) answered differently")
    return 0
