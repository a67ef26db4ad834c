"""The ``fieldwork`` command (contract section 8).

Each command group lives in ``fieldwork/commands/<group>.py`` with a ``register(subparsers,
common)`` function; this file only builds the parser and turns ProblemError into a non-zero
exit with every problem on stderr. ``--db`` and ``--inspection`` may stand before or after
the subcommand.
"""

from __future__ import annotations

import argparse
import importlib
import re
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
    "fieldwork.commands.cases",
]


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, metavar="URL",
                        help="database URL (default: $FIELDWORK_DATABASE_URL, else the embedded SQLite file)")
    common.add_argument("--inspection", default=argparse.SUPPRESS, metavar="ID",
                        help="the inspection to act on (default: the database's default inspection)")
    return common


# The command a module defines, for the commands whose start-up time matters: ``fieldwork
# findings`` imports only its own module, not every group's (openpyxl, numpy, the sampling and
# evidence services: about half its start-up). Any other command, ``--help`` or a mistyped
# name builds the whole parser. These commands only read and print, so their process also
# ends without the interpreter's teardown (``leave``).
ONLY_MODULE = {"findings": "fieldwork.commands.findings", "plan": "fieldwork.commands.plan"}
VALUED_OPTIONS = ("--db", "--inspection")


def command_of(argv: list[str]) -> str | None:
    """The subcommand named in ``argv`` (skipping ``--db URL`` and ``--inspection ID``), or None."""
    skip = False
    for item in argv:
        if skip:
            skip = False
        elif item in VALUED_OPTIONS:
            skip = True
        elif not item.startswith("-"):
            return item
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(prog="fieldwork", parents=[common],
                                     description="Fieldwork toolkit for joint police and CPS inspections.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    only = ONLY_MODULE.get(command_of(argv)) if argv is not None and not {"-h", "--help"} & set(argv) else None
    for name in [only] if only else COMMAND_MODULES:
        importlib.import_module(name).register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    own_process = argv is None  # the process's own command line (the console script, python -m)
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    args.db = getattr(args, "db", None)
    args.inspection = getattr(args, "inspection", None)
    code = run(args)
    if own_process and command_of(argv) in ONLY_MODULE:
        leave(code)
    return code


def run(args) -> int:
    shown = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = (_ShownOnTerminal(s) if _isatty(s) else s for s in shown)
    try:
        return int(args.handler(args) or 0)
    except ProblemError as exc:
        print(f"fieldwork: {exc.summary}", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        sys.stdout, sys.stderr = shown


# Stored text (an inspector's name, a case reference, a note) written before the character rule,
# or by hand in SQL, may hold a terminal's escape sequences: ESC[2J clears the screen, others
# rewrite what was printed. On a terminal each control character is shown as \xNN instead; a
# pipe or a file gets the bytes as they are (JSON and CSV output are data). \r, \n, \t stay:
# the progress counters rewrite their own line with \r.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class _ShownOnTerminal:
    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text))

    def __getattr__(self, name):
        return getattr(self._stream, name)


def leave(code: int) -> None:
    """End a read-only command's process at once: its output flushed and its database
    connections closed, nothing is left to do, and the interpreter's own teardown (freeing
    every module and SQLAlchemy's registries one by one) cost 0.2-0.3 s of CPU, a fifth of
    ``fieldwork findings`` at 20,000 cases (docs/findings-uncertainty.md)."""
    import os

    sys.stdout.flush()
    sys.stderr.flush()
    db = sys.modules.get("fieldwork.db")  # not imported by a run the prepared statements answered
    if db is not None:
        db.dispose_all()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
