"""``fieldwork serve`` (start the app) and ``fieldwork init`` (create or migrate the database)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from fieldwork import db, startup
from fieldwork.files import limits

APP = Path(__file__).resolve().parents[2] / "fieldwork_app.py"


def register(sub, common) -> None:
    p = sub.add_parser("serve", parents=[common], help="start the app in the browser")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="localhost", help="address to listen on (default: localhost only)")
    p.set_defaults(handler=serve)
    p = sub.add_parser("init", parents=[common], help="create or migrate the database and print where it is")
    p.add_argument("--app-role", metavar="ROLE", help="PostgreSQL, run as the owner: give the app's role what it "
                   "needs and only INSERT and SELECT on the audit trail (docs/trust-boundaries.md)")
    p.set_defaults(handler=init)


def init(args) -> int:
    from fieldwork import db_roles

    url = db.database_url(args.db)
    engine = startup.open_engine(url)
    if getattr(args, "app_role", None):
        if not db_roles.may_migrate(engine):
            from fieldwork.problems import Problem, ProblemError

            raise ProblemError([Problem(db_roles.BAD_ROLE, "--app-role: connect as the owner of the schema to "
                                        "grant the app's role its rights.")], "not granted")
        db_roles.grant_app_role(engine, args.app_role)
        print(f"{args.app_role} may read and write the data, and only add to and read the audit trail")
    print(f"database ready: {db.describe(url)}")
    with engine.connect() as conn:
        print(db_roles.describe(conn))
    return 0


def serve(args) -> int:
    url = db.database_url(args.db)
    startup.open_engine(url)  # create or migrate before the first page loads
    from fieldwork.commands.users import offer_first_admin

    offer_first_admin(url)  # no accounts yet: say how to make the first admin (or make it at a terminal)
    env = {**os.environ, db.ENV_URL: url}
    print(f"fieldwork: database {db.describe(url)}", file=sys.stderr)
    cmd = [sys.executable, "-m", "fieldwork.ui.launch", "run", str(APP), "--server.port", str(args.port),
           "--server.address", args.address, "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
           "--client.showErrorDetails", "none", "--server.maxUploadSize", str(limits.MAX_UPLOAD_MB)]
    db.dispose_all()  # no connection of this process is carried into the app's
    sys.stdout.flush()
    sys.stderr.flush()
    # Streamlit takes this process's place (same PID) rather than running as its child: `kill PID`,
    # `timeout` or a process manager that signals only the PID it started then stops the app
    # itself. As a child it kept serving the port after its parent was gone, and a new start
    # failed with "Port ... is not available" while the old one answered.
    os.execve(sys.executable, cmd, env)
