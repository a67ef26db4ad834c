"""``fieldwork agreement QUESTIONNAIRE``: inter-rater agreement of the second-marked cases, per
question, as text, JSON or CSV. The CSV is the Second marking page's download and the
workbook's ``agreement`` sheet (``exports.agreement``): one layout, the same headers.
"""

from __future__ import annotations

import json
import sys

from exports import agreement as agreement_export
from fieldwork.commands import shared
from fieldwork.services import agreement

FORMATS = ("text", "csv", "json")


def register(sub, common) -> None:
    a = sub.add_parser("agreement", parents=[common], help="inter-rater agreement of the second-marked cases")
    a.add_argument("questionnaire", metavar="QUESTIONNAIRE")
    a.add_argument("--threshold", type=float, default=agreement.DEFAULT_THRESHOLD,
                   help=f"flag questions under this value (default {agreement.DEFAULT_THRESHOLD})")
    a.add_argument("--statistic", choices=agreement.STATISTICS, default=agreement.KAPPA,
                   help="the statistic the threshold applies to (default kappa)")
    a.add_argument("--format", choices=FORMATS, default="text")
    a.set_defaults(handler=agreement_command)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def agreement_command(args) -> int:
    with shared.database_session(args) as session:
        report = agreement.report(session, args.questionnaire, inspection=args.inspection,
                                  threshold=args.threshold, statistic=args.statistic)
    rows = report.rows()
    if args.format == "json":
        print(json.dumps({"questionnaire": report.questionnaire, "pairs": report.pairs, "statistic": report.statistic,
                          "threshold": report.threshold, "questions": rows}, indent=2))
    elif args.format == "csv":
        sys.stdout.write(agreement_export.to_csv(report).decode("utf-8"))
    else:
        print(f"{report.questionnaire}: {report.pairs} second-marked case(s) with both markings complete; "
              f"flagged where {report.statistic} < {report.threshold:g}")
        for r in rows:
            flag = "  FLAG" if r["flagged"] else ("  too few pairs to judge" if r["judgement"] == agreement.TOO_FEW
                                                  else "")
            unit = " [entries]" if r["unit"] == agreement.ENTRIES else ""  # pairs are entries of a repeat group
            apart = r["in_entries_first_only"] + r["in_entries_second_only"]
            apart_text = f"  in one marking's entries only {apart}" if apart else ""
            print(f"{r['question']:<36} n={r['applicable_pairs']:<4} agree {_pct(r['observed']):>5}  "
                  f"kappa {_num(r['kappa']):>6}  AC1 {_num(r['ac1']):>6}  "
                  f"applicability {_pct(r['applicability_agreement']):>5}{unit}{apart_text}{flag}")
    return 0
