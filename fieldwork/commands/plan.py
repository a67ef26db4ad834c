"""``fieldwork plan --margin POINTS [--expected PERCENT] [--confidence 95] [--groups N]
[--questionnaire Q] [--population N] [--format text|json]``: how many case files per force and
in all for a margin of error the lead wants (``fieldwork.stats.sample_size``). Without
``--groups`` it plans for the forces the inspection samples for the questionnaire
(``fieldwork.services.sample_forces``), as the Findings page does; only then is the database
opened."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

from fieldwork import stats
from fieldwork.commands.shared import database_session
from fieldwork.problem_codes import BAD_PLAN, UNKNOWN_QUESTIONNAIRE
from fieldwork.services import inspections, sample_forces
from fieldwork.problems import Problem, ProblemError


def register(sub, common) -> None:
    p = sub.add_parser("plan", parents=[common], help="sample size: case files per force and in all for a margin",
                       description="How many case files to review per force (group) and in all so that a "
                                   "percentage near EXPECTED is known within +-MARGIN points (Cochran 1977).")
    p.add_argument("--margin", type=float, required=True, metavar="POINTS",
                   help="the margin of error wanted, in percentage points either side (e.g. 10)")
    p.add_argument("--expected", type=float, default=50.0, metavar="PERCENT",
                   help="the percentage you expect (default 50: the most cases, the safe choice)")
    p.add_argument("--confidence", type=int, default=95, choices=(90, 95, 99), help="confidence level, percent")
    p.add_argument("--groups", type=int, default=None, metavar="N",
                   help="forces (or other groups) each to be reported with this margin (default: the forces "
                        "the inspection samples for the questionnaire)")
    p.add_argument("--questionnaire", default=None, metavar="Q",
                   help="the questionnaire whose sample gives the default --groups (default: the inspection's "
                        "first, e.g. case_review)")
    p.add_argument("--population", type=int, default=None, metavar="N",
                   help="cases each force holds in the period, if known (a finite population needs fewer)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=run)


def run(args) -> int:
    groups, whose = (args.groups, "") if args.groups is not None else _sampled(args)
    try:
        plan = stats.sample_size(args.margin, args.expected, confidence=args.confidence, groups=groups,
                                 population=args.population)
    except ValueError as exc:
        raise ProblemError([Problem(BAD_PLAN, str(exc), field="plan")], "the plan was refused") from None
    if args.format == "json":
        sys.stdout.write(json.dumps(asdict(plan)) + "\n")
        return 0
    if whose:
        print(f"Planned for {groups} force{'s' if groups != 1 else ''}: {whose} (--groups N plans for another "
              "number).")
    print(stats.plan_text(plan))
    return 0


def _sampled(args) -> tuple[int, str]:
    """(how many forces the inspection samples for the questionnaire, at least 1; whose they are, in words)."""
    with database_session(args) as session:
        inspection = inspections.resolve(session, args.inspection)
        known = inspections.questionnaire_ids(session, inspection)
        qid = args.questionnaire or (known[0] if known else None)
        if qid not in known:
            raise ProblemError([Problem(UNKNOWN_QUESTIONNAIRE, f"{inspection.code} has no questionnaire {qid!r} "
                                        f"(its questionnaires: {', '.join(known) or 'none'})",
                                        field="questionnaire", item=str(qid))], "the plan was refused")
        forces = sample_forces.sampled_forces(session, qid, inspection=inspection)
        return max(len(forces), 1), f"the forces of the {qid} sample of {inspection.name}"

