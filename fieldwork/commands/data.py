"""``fieldwork import QUESTIONNAIRE FILE`` and ``fieldwork export QUESTIONNAIRE OUT.xlsx|OUT.csv``.

Import reads a wide .csv or .xlsx (sheet ``responses``) and writes every row as a complete
assessment, or nothing: on any problem it exits 1 with every problem on stderr. ``--dry-run``
checks without writing. Export writes the Excel workbook or the wide CSV (codes, or labels with
``--labels``); evidence notes only with ``--with-notes`` (exports are de-identified by default).
"""

from __future__ import annotations

from pathlib import Path

from fieldwork import db, startup
from fieldwork.commands import shared
from fieldwork.problem_codes import BAD_OPTION, UNSUPPORTED_FILE
from fieldwork.problems import Problem, ProblemError
from fieldwork.services.permissions import command_line_actor


def register(sub, common) -> None:
    p = sub.add_parser("import", parents=[common], help="import complete assessments from a wide .csv or .xlsx",
                       description="Import a wide table (one row per case, one column per variable, answer codes "
                                   "in the cells, blank = not asked) as complete assessments. All or nothing.")
    p.add_argument("questionnaire", metavar="QUESTIONNAIRE", help="e.g. case_review or pin_review")
    p.add_argument("file", type=Path, metavar="FILE", help="a .csv (UTF-8) or an .xlsx with a 'responses' sheet")
    p.add_argument("--dry-run", action="store_true", help="check every row and report, but write nothing")
    p.set_defaults(handler=import_command)

    p = sub.add_parser("export", parents=[common], help="write the Excel workbook or a wide CSV",
                       description="Write the counted complete assessments of QUESTIONNAIRE: OUT.xlsx gives the "
                                   "workbook (cover, findings, charts, breakdowns, responses, data dictionary), "
                                   "OUT.csv the wide table.")
    p.add_argument("questionnaire", metavar="QUESTIONNAIRE")
    p.add_argument("out", type=Path, metavar="OUT", help="OUT.xlsx or OUT.csv")
    p.add_argument("--labels", action="store_true", help="CSV only: the answers' labels instead of their codes")
    p.add_argument("--with-notes", action="store_true",
                   help="include the inspectors' evidence notes (left out by default: a de-identified export)")
    p.add_argument("--bom", action="store_true", help="CSV only: start with a UTF-8 byte order mark, for Excel")
    p.add_argument("--layout", choices=("kobo", "odk"), default=None,
                   help="CSV only: the layout of a KoboToolbox or ODK Central export (group paths, system columns), "
                        "so scripts written for those exports run on it")
    p.set_defaults(handler=export_command)


def _layout(checked) -> None:
    """What was made of a KoboToolbox or ODK Central export (columns ignored, where case_ref came from)."""
    if checked.layout is not None:
        for line in checked.layout.summary():
            print(line)
    if checked.entries is not None:  # the repeat groups' sheets or files
        for line in checked.entries.summary():
            print(line)


def import_command(args) -> int:
    actor = command_line_actor()
    from fieldwork.services import importing  # openpyxl loads only for the commands that need it

    engine = startup.open_engine(args.db)
    try:
        table = importing.read_path(args.file)
        with db.session_scope(engine) as session:
            if args.dry_run:
                checked = importing.check_file(session, actor, args.questionnaire, table, args.file.name,
                                               inspection=args.inspection, release_rows=True)
                shared.warn(checked.warnings)
                _layout(checked)
                print(f"{args.file.name}: {checked.rows} rows pass every check (dry run: nothing was written)")
                return 0
            result = importing.import_file(session, actor, args.questionnaire, table, args.file.name,
                                           inspection=args.inspection, release_rows=True)
    except ProblemError as refusal:
        if not args.dry_run:  # a refused import is in the trail too (file name and reason counts)
            with db.session_scope(engine) as session:
                importing.record_refused(session, actor, args.file.name, refusal, inspection=args.inspection)
        raise
    shared.warn(result.checked.warnings)
    _layout(result.checked)
    registered = result.checked.registered
    registered = f" ({registered} filled in cases already registered)" if registered else ""
    print(f"imported {result.written} complete {args.questionnaire} assessments from {args.file.name} "
          f"into {result.checked.inspection.code}{registered}")
    return 0


def export_command(args) -> int:
    from exports import exporting  # openpyxl loads only for the commands that need it

    suffix = args.out.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".zip"):
        raise ProblemError([Problem(UNSUPPORTED_FILE, "the output file must end in .xlsx (the workbook), .csv "
                                    "(the wide table) or .zip (the wide table and a file per repeat group)",
                                    source=args.out.name)])
    if suffix == ".xlsx" and (args.labels or args.bom):
        raise ProblemError([Problem(BAD_OPTION, "--labels and --bom are for CSV: the workbook holds both codes "
                                    "and labels", source=args.out.name)])
    if args.layout and (suffix != ".csv" or args.labels or args.with_notes or args.bom):
        raise ProblemError([Problem(BAD_OPTION, "--layout writes a .csv as KoboToolbox or ODK Central export it: "
                                    "codes, no evidence notes (not with --labels, --with-notes or --bom)",
                                    source=args.out.name)])
    actor = command_line_actor()
    with shared.database_session(args) as session:
        if args.layout:
            data = exporting.export_layout(session, actor, args.questionnaire, args.layout,
                                           inspection=args.inspection, file_name=args.out.name)
        elif suffix == ".xlsx":
            data = exporting.export_workbook(session, actor, args.questionnaire, inspection=args.inspection,
                                             with_notes=args.with_notes, file_name=args.out.name)
        else:
            data = exporting.export_csv(session, actor, args.questionnaire, inspection=args.inspection,
                                        labels=args.labels, with_notes=args.with_notes, bom=args.bom,
                                        file_name=args.out.name)
        if data[:4] == b"PK\x03\x04" and suffix == ".csv":  # repeat groups: a file each, zipped
            # (KoboToolbox's layout: its xlsx, a sheet per repeat group; its CSV holds no repeats)
            args.out = args.out.with_suffix(".xlsx" if args.layout == "kobo" else ".zip")
        # written inside the transaction: if the file cannot be written, the audit row is not kept either
        shared.write_file(args.out, data)
    notes = "with evidence notes" if args.with_notes else "without evidence notes (de-identified)"
    layout = {"kobo": ", in KoboToolbox's layout", "odk": ", in ODK Central's layout"}.get(args.layout, "")
    print(f"wrote {args.out} ({args.questionnaire}, {notes}{layout})")
    return 0
