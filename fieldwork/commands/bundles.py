"""``fieldwork bundle export OUT`` / ``fieldwork bundle import FILE`` / ``fieldwork bundle conflicts``
and ``fieldwork agreement QUESTIONNAIRE``: laptops' work in and out, and second-marking agreement.

The command line acts for the operating-system user with an admin's rights (contract
section 8): ``bundle export`` writes every assessment in the inspection unless
``--inspector`` names one (a laptop's own work, or a second marker's assignments);
``bundle import`` merges a bundle all or nothing and prints what changed — counts, never
content. ``--dry-run`` says what an import would do without changing anything.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fieldwork import db
from fieldwork.files.csv_out import csv_text, dict_rows
from fieldwork.problems import Problem, ProblemError
from fieldwork.services import agreement, bundles, merge, permissions

FORMATS = ("text", "csv", "json")


def register(sub, common) -> None:
    p = sub.add_parser("bundle", parents=[common], help="move a laptop's work to the lead inspector's database")
    bsub = p.add_subparsers(dest="action", metavar="ACTION")
    bsub.required = True
    exp = bsub.add_parser("export", parents=[common], help="write this database's assessments to a bundle file",
                          description=bundles.SENSITIVE)
    exp.add_argument("out", type=Path, metavar="OUT", help=f"the bundle file to write (e.g. laptop1{bundles.SUFFIX})")
    exp.add_argument("--inspector", default=None, help="only this inspector's assessments")
    exp.add_argument("--questionnaire", default=None, help="only this questionnaire's assessments")
    exp.set_defaults(handler=export_command)
    imp = bsub.add_parser("import", parents=[common], help="merge a bundle into this database (all or nothing)")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")
    imp.set_defaults(handler=import_command)
    con = bsub.add_parser("conflicts", parents=[common], help="list the cases a merge flagged for the lead")
    con.set_defaults(handler=conflicts_command)

    a = sub.add_parser("agreement", parents=[common], help="inter-rater agreement of the second-marked cases")
    a.add_argument("questionnaire", metavar="QUESTIONNAIRE")
    a.add_argument("--threshold", type=float, default=agreement.DEFAULT_THRESHOLD,
                   help=f"flag questions under this value (default {agreement.DEFAULT_THRESHOLD})")
    a.add_argument("--statistic", choices=agreement.STATISTICS, default=agreement.KAPPA,
                   help="the statistic the threshold applies to (default kappa)")
    a.add_argument("--format", choices=FORMATS, default="text")
    a.set_defaults(handler=agreement_command)


def export_command(args) -> int:
    if args.out.exists() and args.out.is_dir():
        raise ProblemError([Problem("bad_output", f"{args.out} is a folder: give a file name", field="OUT")])
    engine = db.get_engine(args.db)
    with db.session_scope(engine) as session:
        exported = bundles.export_bundle(session, permissions.command_line_actor(), inspection_code=args.inspection,
                                         inspector=args.inspector, questionnaire=args.questionnaire,
                                         file_name=args.out.name)
        args.out.write_bytes(exported.content)  # inside the session: the audit row commits only if the file is written
    counts = exported.manifest["counts"]
    print(f"wrote {args.out}: {counts['assessments']} assessments ({counts['complete']} complete, "
          f"{counts['draft']} draft) of {counts['cases']} cases, by {', '.join(exported.manifest['inspectors'])}")
    print("This file holds evidence notes about victims: keep it encrypted and pass it only to the lead inspector.",
          file=sys.stderr)
    return 0


def import_command(args) -> int:
    try:
        content = args.file.read_bytes()
    except OSError as exc:
        raise ProblemError([Problem("unreadable_file", f"cannot read the file: {exc.strerror}",
                                    source=str(args.file))]) from None
    engine = db.get_engine(args.db)
    actor = permissions.command_line_actor()
    with db.session_scope(engine) as session:
        if args.dry_run:
            _, report = bundles.preview(session, actor, content, args.file.name, inspection_code=args.inspection)
            session.rollback()
        else:
            report = bundles.import_bundle(session, actor, content, args.file.name, inspection_code=args.inspection,
                                           progress=lambda done, total: print(f"\r{done}/{total} assessments", end="",
                                                                              file=sys.stderr))
            print("", file=sys.stderr)
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
    engine = db.get_engine(args.db)
    with db.session_scope(engine) as session:
        found = merge.open_conflicts(session, permissions.command_line_actor(), inspection_code=args.inspection)
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


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def agreement_command(args) -> int:
    engine = db.get_engine(args.db)
    with db.session_scope(engine) as session:
        report = agreement.report(session, args.questionnaire, inspection_code=args.inspection,
                                  threshold=args.threshold, statistic=args.statistic)
    rows = report.rows()
    if args.format == "json":
        print(json.dumps({"questionnaire": report.questionnaire, "pairs": report.pairs, "statistic": report.statistic,
                          "threshold": report.threshold, "questions": rows}, indent=2))
    elif args.format == "csv":
        print(csv_text(list(rows[0]), dict_rows(list(rows[0]), rows)), end="")
    else:
        print(f"{report.questionnaire}: {report.pairs} second-marked case(s) with both markings complete; "
              f"flagged where {report.statistic} < {report.threshold:g}")
        for r in rows:
            flag = "  FLAG" if r["flagged"] else ("  too few pairs to judge" if r["judgement"] == agreement.TOO_FEW
                                                  else "")
            print(f"{r['question']:<36} n={r['applicable_pairs']:<4} agree {_pct(r['observed']):>5}  "
                  f"kappa {_num(r['kappa']):>6}  AC1 {_num(r['ac1']):>6}  "
                  f"applicability {_pct(r['applicability_agreement']):>5}{flag}")
    return 0
