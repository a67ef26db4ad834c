"""``fieldwork audit verify``: is the audit trail's hash chain whole, and if not, from which row
it breaks (fieldwork.services.audit_chain)."""

from __future__ import annotations

import sys

from fieldwork.commands import shared


def register(sub, common) -> None:
    group = shared.command_group(sub, common, "audit", "check the audit trail", dest="audit_command")
    v = group.add_parser("verify", parents=[common],
                         help="say whether the audit trail's hash chain is whole, and from which row it breaks")
    v.set_defaults(handler=verify)


def verify(args) -> int:
    from fieldwork import db_roles
    from fieldwork.services import audit_chain

    with shared.database_session(args) as session:
        report = audit_chain.verify(session)
        role = db_roles.describe(session)
    print(report.describe(), file=sys.stdout if report.whole else sys.stderr)
    print(role)
    return 0 if report.whole else 1
