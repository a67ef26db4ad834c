"""``fieldwork report QUESTIONNAIRE OUT.docx [--by VARIABLE] [--filter VAR=CODE[,CODE]]... [--template FILE.docx]
[--with-notes]``: the report's first draft as a Word document (contract section 9).

The figures are those of ``fieldwork findings`` with the same ``--by`` and ``--filter``;
evidence notes go in only with ``--with-notes``. Nothing is written on any problem.
"""

from __future__ import annotations

from pathlib import Path

from fieldwork.commands import shared
from fieldwork.commands.findings import parse_filters
from fieldwork.problem_codes import UNREADABLE_FILE, UNSUPPORTED_FILE
from fieldwork.problems import Problem, ProblemError
from fieldwork.services.permissions import command_line_actor


def register(sub, common) -> None:
    p = sub.add_parser("report", parents=[common], help="write the draft report (.docx) from the findings",
                       description="Write the report's first draft from the complete assessments of QUESTIONNAIRE: "
                                   "title page, counting conventions, charts, the findings under each inspection "
                                   "criterion with their footnotes, the methodology annex and every figure.")
    p.add_argument("questionnaire", metavar="QUESTIONNAIRE", help="e.g. case_review or pin_review")
    p.add_argument("out", type=Path, metavar="OUT.docx")
    p.add_argument("--by", metavar="VARIABLE", default=None,
                   help="a table by this single-choice variable under each finding (e.g. force, cps_area)")
    p.add_argument("--filter", action="append", default=[], metavar="VAR=CODE[,CODE]",
                   help="count only cases holding one of these codes (repeat for more variables)")
    p.add_argument("--template", type=Path, metavar="FILE.docx", default=None,
                   help="the inspectorate's own Word document to write into: its styles, headers, footers, logo "
                        "and page set-up are kept, its body replaced")
    p.add_argument("--with-notes", action="store_true",
                   help="add the inspectors' evidence notes as an annex (left out by default)")
    p.set_defaults(handler=run)


def run(args) -> int:
    from exports import reporting  # python-docx and the charts load only for this command

    if args.out.suffix.lower() != ".docx":
        raise ProblemError([Problem(UNSUPPORTED_FILE, "the report is a Word document: OUT must end in .docx",
                                    source=args.out.name)])
    template = None
    if args.template is not None:
        try:
            template = reporting.check_template(args.template.read_bytes(), args.template.name)
        except OSError as exc:
            raise ProblemError([Problem(UNREADABLE_FILE, f"cannot be read: {exc.strerror}",
                                        source=str(args.template), field="template")]) from None
    filters = parse_filters(args.filter)
    actor = command_line_actor()
    with shared.database_session(args) as session:
        data = reporting.draft_report(session, actor, args.questionnaire, inspection=args.inspection,
                                      by=args.by, filters=filters, with_notes=args.with_notes, template=template,
                                      template_name=args.template.name if args.template else "",
                                      file_name=args.out.name)
        # written inside the transaction: if the file cannot be written, the audit row goes too
        shared.write_file(args.out, data)
    notes = "with evidence notes" if args.with_notes else "without evidence notes"
    print(f"wrote {args.out} ({args.questionnaire}, {notes})")
    return 0
