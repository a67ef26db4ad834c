"""``fieldwork user add|list|passwd|disable|enable``: accounts, managed from the command line.

The command line acts for the operating-system user with an admin's rights (contract
section 8): whoever can open the database can read it anyway. This is how the first admin
is made; after that an admin can manage accounts in the app too. Passwords are asked twice
without echo, or read from one line of stdin with ``--password-stdin`` (scripts, tests),
never taken as an argument (it would sit in the shell history and the process list).
"""

from __future__ import annotations

import getpass
import sys

from fieldwork import db, startup
from fieldwork.commands import shared
from fieldwork.problems import Problem, ProblemError
from fieldwork.services import accounts
from fieldwork.services.permissions import ROLES, command_line_actor


def register(sub, common) -> None:
    usub = shared.command_group(sub, common, "user", "accounts for the app (add, list, passwd, disable)")
    add = usub.add_parser("add", parents=[common], help="add an account")
    add.add_argument("name", help="login name, e.g. inspector1 (lower-case letters, digits, . _ -)")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--forces", default="", metavar="CODE,CODE",
                     help="limit the account to these forces (default: every force)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    add.set_defaults(handler=add_command)
    lst = usub.add_parser("list", parents=[common], help="the accounts")
    lst.set_defaults(handler=list_command)
    pw = usub.add_parser("passwd", parents=[common], help="set a new password (and lift a lock)")
    pw.add_argument("name")
    pw.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    pw.set_defaults(handler=passwd_command)
    dis = usub.add_parser("disable", parents=[common], help="stop an account signing in (its work stays)")
    dis.add_argument("name")
    dis.set_defaults(handler=disable_command)
    ena = usub.add_parser("enable", parents=[common], help="let a disabled or locked account sign in again")
    ena.add_argument("name")
    ena.set_defaults(handler=enable_command)


def read_password(from_stdin: bool, *, stdin=None) -> str:
    """One line of stdin, or asked twice without echo."""
    if from_stdin:
        line = (stdin or sys.stdin).readline()
        return line.rstrip("\r\n")
    first = getpass.getpass("Password (at least %d characters): " % accounts.MIN_PASSWORD)
    second = getpass.getpass("Same password again: ")
    if first != second:
        raise ProblemError([Problem(accounts.WEAK_PASSWORD, "the two passwords differ", field="password")],
                           "password not set")
    return first


def create_account(url: str, name: str, role: str, password: str, forces=()) -> accounts.UserView:
    engine = startup.open_engine(url)
    with db.session_scope(engine) as session:
        return accounts.add_user(session, command_line_actor(), name, role, password, forces)


def add_command(args) -> int:
    forces = [f for f in args.forces.split(",") if f.strip()]
    # check the name and role before asking for a password that would be thrown away
    typed, name = (args.name or "").strip(), accounts.normalise_name(args.name)
    why = accounts.name_problem(name)
    if why:  # named as typed, as an account's field ("account '@evil': name: use 2 to 32 …")
        raise ProblemError(accounts.about_account([Problem(accounts.BAD_NAME, why, field="name")], typed),
                           "account not added")
    with db.session_scope(startup.open_engine(args.db)) as session:
        if accounts.exists(session, name):
            raise ProblemError(accounts.about_account([Problem(
                accounts.NAME_TAKEN, f"there is already an account {name!r}", field="name")], typed),
                "account not added")
    password = read_password(args.password_stdin)
    user = create_account(db.database_url(args.db), args.name, args.role, password, forces)
    print(f"added {user.name} ({user.role}"
          + (f", forces {', '.join(user.forces)}" if user.forces else "") + ")")
    return 0


def list_command(args) -> int:
    with shared.database_session(args) as session:
        users = accounts.list_users(session, command_line_actor())
    if not users:
        print("no accounts yet: add the first admin with  fieldwork user add NAME --role admin")
        return 0
    print("name\trole\tforces\tstate\tlast sign-in")
    for u in users:
        state = "disabled" if not u.active else "locked" if u.locked else "active"
        last = u.last_sign_in_at.strftime("%Y-%m-%d %H:%M UTC") if u.last_sign_in_at else "never"
        print(f"{u.name}\t{u.role}\t{','.join(u.forces) or 'all'}\t{state}\t{last}")
    return 0


def passwd_command(args) -> int:
    engine = startup.open_engine(args.db)
    with db.session_scope(engine) as session:
        accounts.get_user(session, args.name)  # an unknown name fails before the password is typed
    password = read_password(args.password_stdin)
    with db.session_scope(engine) as session:
        accounts.set_password(session, command_line_actor(), args.name, password)
    print(f"password of {accounts.normalise_name(args.name)} changed")
    return 0


def _set_active(args, active: bool) -> int:
    with shared.database_session(args) as session:
        accounts.set_active(session, command_line_actor(), args.name, active)
    print(f"{accounts.normalise_name(args.name)} {'enabled' if active else 'disabled'}")
    return 0


def disable_command(args) -> int:
    return _set_active(args, False)


def enable_command(args) -> int:
    return _set_active(args, True)


def offer_first_admin(url: str, *, interactive: bool | None = None) -> None:
    """Before the app starts on a database with no accounts: say how to make the first admin,
    and at a terminal offer to make it there and then (nobody can sign in otherwise)."""
    engine = startup.open_engine(url)
    with db.session_scope(engine) as session:
        if accounts.count_users(session):
            return
    print("fieldwork: there are no accounts yet, so nobody can sign in. Create the first admin with\n"
          "    fieldwork user add NAME --role admin" + (f" --db {db.describe(url)}" if url != db.database_url() else ""),
          file=sys.stderr)
    if interactive is None:
        interactive = sys.stdin.isatty()
    if not interactive:
        return
    if input("Create the first admin now? [Y/n] ").strip().lower() not in ("", "y", "yes"):
        return
    while True:
        try:
            name = input("Admin's login name (e.g. admin1): ")
            user = create_account(url, name, "admin", read_password(False))
        except ProblemError as exc:
            for problem in exc.problems:
                print(f"  - {problem.message}", file=sys.stderr)
            continue
        print(f"added {user.name} (admin): sign in with it in the browser")
        return
