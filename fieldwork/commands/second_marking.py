"""``fieldwork second-marking sample|status QUESTIONNAIRE``: draw and assign the second-marking
sample, and follow it to moderation, without the app (a shared server, a script).

``sample`` is the Second marking page's draw (``second_marking.draw_sample`` through
``second_marking.plan``): per force, a percentage (rounded up) or a number of the complete
first markings not yet second-marked, from a seed, so the same seed on the same data draws
the same cases as the page. Each case goes to one of the ``--assign`` inspectors, never its
first inspector, the one with the fewest second markings not yet moderated first (ties by
name) — the page's proposal, over the named inspectors only. Everything is checked before
anything is written, and assigning is one transaction, audited for the operating-system user
(contract section 8). Moderation itself stays in the app: it needs both evidence notes side
by side.
"""

from __future__ import annotations

import json

from fieldwork import db, startup
from fieldwork.commands import shared
from fieldwork.problems import ProblemError
from fieldwork.services import accounts, second_marking
from fieldwork.services.permissions import command_line_actor

FORMATS = ("text", "json")
SPREAD = ("Each case goes to the named second inspector with the fewest second markings not yet moderated "
          "(ties by name), never to its first inspector.")
# status codes for scripts (json) and words for people (text)
STATES = {second_marking.AWAITING: "awaiting_second_marking", second_marking.TO_MODERATE: "awaiting_moderation",
          second_marking.MODERATED: "moderated"}


def register(sub, common) -> None:
    ssub = shared.command_group(sub, common, "second-marking", "draw the second-marking sample, follow moderation")
    s = ssub.add_parser(
        "sample", parents=[common], help="draw a random sample of complete cases and assign second inspectors",
        description="Draw, per force, a random sample of complete first markings (as the Second marking page "
                    "does: the same seed on the same data draws the same cases) and assign each to a second "
                    "inspector who scores it blind. " + SPREAD + " Nothing is written if anything is wrong.")
    s.add_argument("questionnaire", metavar="QUESTIONNAIRE", help="e.g. case_review")
    # not a required argparse group: the service names a missing or double size with the other problems
    s.add_argument("--percent", type=float, default=None, metavar="P",
                   help="this percentage of each force's eligible cases, rounded up (above 0, at most 100)")
    s.add_argument("--number", type=int, default=None, metavar="N",
                   help="this many cases of each force (all of a force that has fewer)")
    s.add_argument("--force", action="append", default=[], metavar="CODE",
                   help="draw only from this force (repeat for more; default every force)")
    s.add_argument("--seed", type=int, required=True, metavar="S",
                   help="a whole number; note it: the same seed redraws the same sample")
    s.add_argument("--assign", action="append", required=True, metavar="INSPECTOR",
                   help="a second inspector (repeat for more): an active inspector or lead account")
    s.add_argument("--dry-run", action="store_true", help="show the draw and the assignment, write nothing")
    s.add_argument("--format", choices=FORMATS, default="text")
    s.set_defaults(handler=sample_command)
    st = ssub.add_parser("status", parents=[common], help="each sampled case: second marked? moderated?")
    st.add_argument("questionnaire", metavar="QUESTIONNAIRE")
    st.add_argument("--format", choices=FORMATS, default="text")
    st.set_defaults(handler=status_command)


def sample_command(args) -> int:
    actor = command_line_actor()
    markers = [accounts.normalise_name(n) for n in args.assign]
    with db.session_scope(startup.open_engine(args.db)) as session:
        drawn = second_marking.plan(session, actor, args.questionnaire, markers, seed=args.seed,
                                    percent=args.percent, number=args.number, forces=args.force or None,
                                    inspection=args.inspection)
        if not args.dry_run:
            second_marking.assign(session, actor, drawn.proposal, rule=drawn.sample.rule, inspection=args.inspection)
    items = drawn.sample.items
    if args.format == "json":
        print(json.dumps({
            "questionnaire": args.questionnaire, "rule": drawn.sample.rule, "seed": args.seed,
            "assigned": not args.dry_run, "eligible": {f or "": n for f, n in drawn.sample.eligible.items()},
            "cases": [{"case_ref": i.case_ref, "force": i.force, "first_inspector": i.first_inspector,
                       "second_inspector": drawn.proposal[i.primary_uid]} for i in items]}, indent=2))
        return 0
    drawn_per_force = {}
    for i in items:
        drawn_per_force[i.force] = drawn_per_force.get(i.force, 0) + 1
    per_force = ", ".join(f"{f or '(no force)'} {drawn_per_force.get(f, 0)} of {n}"
                          for f, n in sorted(drawn.sample.eligible.items(), key=lambda x: x[0] or ""))
    print(f"{args.questionnaire}: {len(items)} case(s) drawn — {drawn.sample.rule} ({per_force})")
    rows = [("case", "force", "first inspector", "second inspector")] + [
        (i.case_ref, i.force or "(none)", i.first_inspector, drawn.proposal[i.primary_uid]) for i in items]
    widths = [max(len(r[c]) for r in rows) for c in range(3)]
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)) + "  " + r[3])
    print(SPREAD)
    if args.dry_run:
        print("Dry run: nothing assigned. The same command without --dry-run assigns exactly these "
              "(while nothing is scored or assigned in between).")
    else:
        print(f"{len(items)} second marking(s) assigned by {actor.name}. Each second inspector finds the case on "
              "their Assess page (on a laptop: fieldwork bundle export OUT --inspector NAME). "
              f"Follow them with: fieldwork second-marking status {args.questionnaire}")
    return 0


def _state_words(row: second_marking.MarkingRow) -> str:
    if row.state == second_marking.TO_MODERATE:
        return (f"second marked, awaiting moderation ({row.disagreements} disagreement(s)"
                + (f", {row.decided} agreed" if row.decided else "") + ")")
    return row.state


def status_command(args) -> int:
    with db.session_scope(startup.open_engine(args.db)) as session:
        problem = second_marking.questionnaire_problem(session, args.questionnaire, args.inspection)
        if problem:
            raise ProblemError([problem], "no status to show")
        rows = second_marking.markings(session, command_line_actor(), questionnaire=args.questionnaire,
                                       inspection=args.inspection)
    counts = {code: sum(r.state == state for r in rows) for state, code in STATES.items()}
    if args.format == "json":
        print(json.dumps({"questionnaire": args.questionnaire, "counts": counts, "cases": [
            {"case_ref": r.case_ref, "first_inspector": r.first_inspector, "second_inspector": r.second_inspector,
             "state": STATES[r.state], "disagreements": r.disagreements, "agreed": r.decided,
             "sample_rule": r.sample_rule, "assigned_at": r.assigned_at.isoformat()} for r in rows]}, indent=2))
        return 0
    if not rows:
        print(f"{args.questionnaire}: no case is second-marked yet. Draw a sample with: fieldwork second-marking "
              f"sample {args.questionnaire} --percent P --seed S --assign INSPECTOR")
        return 0
    print(f"{args.questionnaire}: {len(rows)} second-marked case(s) — "
          + " · ".join(f"{n} {code.replace('_', ' ')}" for code, n in counts.items()))
    table = [("case", "first inspector", "second inspector", "state")] + [
        (r.case_ref, r.first_inspector, r.second_inspector, _state_words(r)) for r in rows]
    widths = [max(len(r[c]) for r in table) for c in range(3)]
    for r in table:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)) + "  " + r[3])
    if counts["awaiting_moderation"]:
        print("Moderate on the app's Moderation page: it shows both evidence notes side by side.")
    return 0
