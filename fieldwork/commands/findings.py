"""``fieldwork findings QUESTIONNAIRE [--by VARIABLE] [--filter VAR=CODE[,CODE]] --format json|csv|text``
and ``fieldwork findings QUESTIONNAIRE --cases FINDING[=ANSWER] [--filter ...] [--with-notes]``.

JSON (the default) is exactly the findings JSON of contract section 8, on stdout. CSV has one
row per finding with its footnotes, label and criteria as well; text is for reading in a
terminal. Drafts left out of the count are said on stderr (JSON and CSV stay clean on stdout).
"""

from __future__ import annotations

import sys

from fieldwork.problem_codes import BAD_FILTER
from fieldwork.problems import Problem, ProblemError
from fieldwork.services.findings_formats import to_csv, to_json, to_text

# The database modules (SQLAlchemy, sqlmodel, the table classes: 0.5-0.7 s of CPU to import) are
# imported only when the prepared statements cannot answer (fieldwork.findings_prepared).

FORMATS = ("json", "csv", "text")


def register(sub, common) -> None:
    p = sub.add_parser("findings", parents=[common], help="the findings of a questionnaire (contract section 8)",
                       description="Count the findings of QUESTIONNAIRE from its complete assessments.")
    p.add_argument("questionnaire", metavar="QUESTIONNAIRE", help="e.g. case_review or pin_review")
    p.add_argument("--by", metavar="VARIABLE", default=None,
                   help="also break every finding down by this single-choice variable (e.g. force, cps_area)")
    p.add_argument("--format", choices=FORMATS, default="json", help="json (default), csv or text")
    p.add_argument("--filter", action="append", default=[], metavar="VAR=CODE[,CODE]",
                   help="count only cases holding one of these codes (repeat for more variables), "
                        "e.g. --filter domestic_abuse=yes --filter force=durham,gwent")
    p.add_argument("--cases", metavar="FINDING[=ANSWER]", default=None,
                   help="list the cases behind one figure instead: every case in its denominator, marked "
                        "whether it is in the count (e.g. --cases initial_risk_assessment=yes, or an indicator "
                        "id alone); a group's figure: add --filter force=durham")
    p.add_argument("--with-notes", action="store_true",
                   help="with --cases: show the evidence note beside each answer (left out by default)")
    p.set_defaults(handler=run)


def parse_filters(items: list[str]) -> dict[str, list[str]]:
    """``["force=durham,gwent", "domestic_abuse=yes"]`` -> {variable: [codes]}; every bad item reported."""
    out: dict[str, list[str]] = {}
    problems = []
    for item in items:
        name, sep, codes = item.partition("=")
        name = name.strip()
        if not sep or not name:
            problems.append(Problem(BAD_FILTER, f"{item!r} is not VARIABLE=CODE[,CODE]", field="filter"))
            continue
        out.setdefault(name, []).extend(c.strip() for c in codes.split(",") if c.strip())
    if problems:
        raise ProblemError(problems, "the filters were refused")
    return out


def run(args) -> int:
    filters = parse_filters(args.filter)
    if not args.cases and args.by is None and not filters:
        from fieldwork import findings_prepared
        from fieldwork.db_location import database_url

        report = findings_prepared.overall(database_url(args.db), args.questionnaire, args.inspection)
        if report is not None:
            return write(report, args.format)
    from fieldwork import db, startup
    from fieldwork.services import findings

    engine = startup.open_engine(args.db, read_only=True)  # only reads: skips a start already made (start_stamp)
    if args.cases:
        return run_cases(args, engine, filters)
    with db.session_scope(engine) as session:
        report = findings.compute(session, args.questionnaire, inspection=args.inspection, by=args.by,
                                  filters=filters)
        group_labels = {}
        if args.by:  # the CSV's group_label column: the groups' names beside their codes
            from fieldwork.services import inspections

            q = inspections.load_questionnaire(session, args.questionnaire)
            group_labels = {c.code: c.label for c in q.options(args.by)} if q.has_question(args.by) else {}
    return write(report, args.format, group_labels)


def write(report, format: str, group_labels: dict[str, str] | None = None) -> int:
    if format == "json":
        sys.stdout.write(to_json(report))
    elif format == "csv":
        sys.stdout.write(to_csv(report, group_labels))
    else:
        sys.stdout.write(to_text(report))
    if format != "text" and report.drafts_excluded:
        print(f"fieldwork: {report.drafts_excluded} draft assessment(s) left out; only complete ones count",
              file=sys.stderr)
    return 0


def run_cases(args, engine, filters) -> int:
    import json

    from fieldwork import db
    from fieldwork.services import permissions, tracing

    finding, answer = tracing.parse_target(args.cases)
    with db.session_scope(engine) as session:
        trace = tracing.cases_behind(session, permissions.command_line_actor(), args.questionnaire, finding, answer,
                                     inspection=args.inspection, filters=filters, with_notes=args.with_notes)
    if args.format == "json":
        sys.stdout.write(json.dumps(trace.to_dict(), ensure_ascii=False, indent=1) + "\n")
    elif args.format == "csv":
        sys.stdout.write(tracing.to_csv(trace))
    else:
        what = f"{trace.finding}={trace.answer}" if trace.answer else trace.finding
        where = ("; " + "; ".join(f"{k} = {', '.join(v)}" for k, v in trace.filters.items())) if trace.filters else ""
        print(f"{what} — {trace.label}{where}: {trace.count} of {trace.denominator} cases")
        for c in trace.cases:
            mark = "counted" if c.in_count else "       "
            print(f"  {mark}  {c.case_ref:<14} {c.force or '':<22} {c.inspector:<14} {c.answer or ''}"
                  + (f"  note: {c.note}" if c.note else ""))
    return 0
