"""``fieldwork demo``: load the demonstration data set into the default inspection."""

from __future__ import annotations

from fieldwork import audit

from fieldwork.commands import shared

def register(sub, common) -> None:
    p = sub.add_parser("demo", parents=[common],
                       help="load the demonstration data set (112 case reviews, 270 PIN reviews; synthetic)")
    p.set_defaults(handler=run)


def run(args) -> int:
    from fieldwork.services import demo

    with shared.database_session(args) as session:
        loaded = demo.load(session, actor=audit.os_user(), inspection=args.inspection)
    for questionnaire, n in loaded.items():
        print(f"{questionnaire}: {n} synthetic complete assessments loaded")
    return 0
