"""``fieldwork audit verify``: is the audit trail's hash chain whole, and if not, from which row
it breaks (fieldwork.services.audit_chain)."""

from __future__ import annotations

import sys

from fieldwork import db


def register(sub, common) -> None:
    p = sub.add_parser("audit", parents=[common], help="check the audit trail")
    group = p.add_subparsers(dest="audit_command", metavar="ACTION")
    group.required = True
    v = group.add_parser("verify", parents=[common],
                         help="say whether the audit trail's hash chain is whole, and from which row it breaks")
    v.set_defaults(handler=verify)


def verify(args) -> int:
    from fieldwork import db_roles
    from fieldwork.services import audit_chain

    engine = db.get_engine(args.db)
    with db.session_scope(engine) as session:
        report = audit_chain.verify(session)
        role = db_roles.describe(session)
    print(report.describe(), file=sys.stdout if report.whole else sys.stderr)
    print(role)
    return 0 if report.whole else 1
