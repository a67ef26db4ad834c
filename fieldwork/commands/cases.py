"""``fieldwork case rename OLD NEW``: give a case a new reference (fieldwork.services.case_rename).
Works on a database whose migration was refused because two references differ only in letter
case: it is what that refusal tells the person to run."""

from __future__ import annotations

from fieldwork import db, startup


def register(sub, common) -> None:
    p = sub.add_parser("case", parents=[common], help="change a case in the register")
    group = p.add_subparsers(dest="case_command", metavar="ACTION")
    group.required = True
    r = group.add_parser("rename", parents=[common], help="give a case a new reference (exact letter case of the old)")
    r.add_argument("old")
    r.add_argument("new")
    r.add_argument("--questionnaire", help="the questionnaire, where the reference is a case of several")
    r.set_defaults(handler=rename)


def rename(args) -> int:
    from fieldwork.services import case_rename
    from fieldwork.services.permissions import command_line_actor
    from fieldwork.problems import ProblemError

    # not prepared: this is how a refused migration is unblocked
    engine = db.get_engine(args.db, prepared=False)
    with db.session_scope(engine) as session:
        case = case_rename.rename_case(session, command_line_actor(), args.old, args.new,
                                       inspection=args.inspection, questionnaire=args.questionnaire)
        print(f"{args.old} is now {case.case_ref} ({case.questionnaire})")
    try:
        startup.prepare_and_seed(engine)
    except ProblemError as exc:
        print("the database still needs one more rename before it can be migrated:")
        for problem in exc.problems:
            print(f"  - {problem}")
    return 0
