"""``fieldwork plan --margin POINTS [--expected PERCENT] [--confidence 95] [--groups N]
[--population N] [--format text|json]``: how many case files per force and in all for a
margin of error the lead wants (``fieldwork.stats.sample_size``)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

from fieldwork import stats
from fieldwork.problem_codes import BAD_PLAN
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
    p.add_argument("--groups", type=int, default=1, metavar="N",
                   help="forces (or other groups) each to be reported with this margin (default 1)")
    p.add_argument("--population", type=int, default=None, metavar="N",
                   help="cases each force holds in the period, if known (a finite population needs fewer)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=run)


def run(args) -> int:
    try:
        plan = stats.sample_size(args.margin, args.expected, confidence=args.confidence, groups=args.groups,
                                 population=args.population)
    except ValueError as exc:
        raise ProblemError([Problem(BAD_PLAN, str(exc), field="plan")], "the plan was refused") from None
    if args.format == "json":
        sys.stdout.write(json.dumps(asdict(plan)) + "\n")
        return 0
    print(stats.plan_text(plan))
    return 0

