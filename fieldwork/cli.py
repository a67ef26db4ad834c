"""The ``fieldwork`` command (contract section 8).

Each command group lives in ``fieldwork/commands/<group>.py`` with a ``register(subparsers,
common)`` function; this file only builds the parser and turns ProblemError into a non-zero
exit with every problem on stderr. ``--db`` and ``--inspection`` may stand before or after
the subcommand.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from fieldwork.problems import ProblemError

COMMAND_MODULES = [
    "fieldwork.commands.app",
    "fieldwork.commands.questionnaire",
    "fieldwork.commands.users",
    "fieldwork.commands.findings",
    "fieldwork.commands.demo",
    "fieldwork.commands.data",
    "fieldwork.commands.bundles",
    "fieldwork.commands.agreement",
    "fieldwork.commands.second_marking",
    "fieldwork.commands.audit",
    "fieldwork.commands.sample",
    "fieldwork.commands.report",
    "fieldwork.commands.plan",
    "fieldwork.commands.evidence",
]


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, metavar="URL",
                        help="database URL (default: $FIELDWORK_DATABASE_URL, else the embedded SQLite file)")
    common.add_argument("--inspection", default=argparse.SUPPRESS, metavar="ID",
                        help="the inspection to act on (default: the database's default inspection)")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(prog="fieldwork", parents=[common],
                                     description="Fieldwork toolkit for joint police and CPS inspections.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.db = getattr(args, "db", None)
    args.inspection = getattr(args, "inspection", None)
    try:
        return int(args.handler(args) or 0)
    except ProblemError as exc:
        print(f"fieldwork: {exc.summary}", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
