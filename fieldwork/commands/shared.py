"""What several commands do alike: read the file they are given, write the one they make, the
``import FILE [--dry-run]`` action, and print warnings. A file that cannot be read or written
is a Problem naming it, like every other refusal (the command line prints it and exits 1)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlmodel import Session

from fieldwork import db, startup

from fieldwork.problem_codes import UNREADABLE_FILE, UNWRITABLE_FILE
from fieldwork.problems import Problem, ProblemError


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ProblemError([Problem(UNREADABLE_FILE, f"cannot read the file: {exc.strerror}",
                                    source=str(path))]) from None


def write_file(path: Path, data: bytes) -> None:
    """Call it inside the session that recorded the export: if the file cannot be written, the
    audit row is rolled back with it."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ProblemError([Problem(UNWRITABLE_FILE, f"cannot be written: {exc.strerror}",
                                    source=str(path))]) from None


def add_import(actions, common, *, help: str, dry_run_help: str, handler) -> None:
    """The ``import FILE [--dry-run]`` action of a command group."""
    imp = actions.add_parser("import", parents=[common], help=help)
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--dry-run", action="store_true", help=dry_run_help)
    imp.set_defaults(handler=handler)


def warn(warnings) -> None:
    """Warnings (Problems that did not stop anything) on stderr, one a line."""
    for warning in warnings:
        print(f"fieldwork: warning: {warning}", file=sys.stderr)


@contextmanager
def database_session(args) -> Iterator[Session]:
    """One transaction on the database ``--db`` names (``db.session_scope``: all or nothing)."""
    with db.session_scope(startup.open_engine(args.db)) as session:
        yield session


def command_group(sub, common, name: str, help: str, *, dest: str = "action"):
    """``fieldwork NAME ACTION ...``: the group's parser; add each action to what it returns."""
    parser = sub.add_parser(name, parents=[common], help=help)
    actions = parser.add_subparsers(dest=dest, metavar="ACTION")
    actions.required = True
    return actions
