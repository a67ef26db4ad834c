"""Agreement between markers said in words, once for the Second marking page and the draft
report: how a question stands against the threshold, why its kappa is blank, the questions
with too few pairs to judge, and the second markings still to moderate.

The draft report once said "questions under the threshold are marked" and marked none, left
out that two cases are too few to judge, and gave a blank kappa with no reason (walk 25, V2):
the report now takes these sentences from here, as the page does, so the two cannot drift.
"""

from __future__ import annotations

from fieldwork.services import agreement
from fieldwork.services.agreement import KAPPA, TOO_FEW, AgreementReport, QuestionAgreement
from fieldwork.services.second_marking import AWAITING, TO_MODERATE

STATISTIC_NAMES = {"kappa": "Cohen's kappa", "ac1": "Gwet's AC1"}


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def threshold_mark(q: QuestionAgreement, report: AgreementReport) -> str:
    """A question's place against the threshold: "under 0.6", "too few pairs to judge", or ""."""
    if q.too_few:
        return TOO_FEW
    return f"under {report.threshold:g}" if q.flagged else ""


def blank_reason(q: QuestionAgreement, statistic: str = KAPPA) -> str:
    """Why a question's kappa (or AC1) is blank, "" where it is not."""
    value = q.kappa if statistic == KAPPA else q.ac1
    if value is not None:
        return ""
    if not q.n:
        return "there is no figure where no case had the question applicable for both inspectors"
    if statistic == KAPPA:  # p_e is 1 only when every pair gave one and the same answer; AC1 is then 1
        return ("kappa is not defined where all pairs agreed on one answer, as chance agreement is then total "
                "(AC1 is 1.00 there)")
    return "AC1 is not defined where every pair gave one answer and the question offers no other"


def too_few_sentence(report: AgreementReport) -> str:
    """The questions not judged for want of pairs, and why ("" when there are none)."""
    if not report.too_few:
        return ""
    return (f"{len(report.too_few)} question(s): too few pairs to judge (fewer than {agreement.MIN_PAIRS} cases "
            "where both inspectors found the question applicable). They are not flagged whatever the statistic says: a "
            "handful of pairs cannot tell disagreement from chance.")


def flagged_sentence(report: AgreementReport) -> str:
    """The questions under the threshold, named ("" when there are none)."""
    if not report.flagged:
        return ""
    return (f"Under the threshold ({STATISTIC_NAMES.get(report.statistic, report.statistic)} "
            f"{report.threshold:g}): " + ", ".join(f"“{q.label}”" for q in report.flagged)
            + ". Look at the guidance for these questions with the team.")


def blank_sentence(report: AgreementReport) -> str:
    """Why kappa is blank where it is, the questions grouped by reason ("" when it is given everywhere)."""
    by_reason: dict[str, list[str]] = {}
    for q in report.questions:
        if reason := blank_reason(q):
            by_reason.setdefault(reason, []).append(f"\u201c{q.label}\u201d")
    return " ".join(f"{reason[0].upper()}{reason[1:]}; {_n(len(labels), 'question', 'questions')}: "
                    f"{', '.join(labels)}." for reason, labels in by_reason.items())


def moderation_sentence(states: dict[str, int]) -> str:
    """The second markings still to moderate or to complete ("" when none is)."""
    out = []
    if n := states.get(TO_MODERATE, 0):
        out.append(f"{_n(n, 'case is', 'cases are')} still to moderate: the answers the two inspectors gave "
                   "differently are not yet agreed on the Moderation page, so the findings count the first "
                   f"marking's answers for {'it' if n == 1 else 'them'}.")
    if n := states.get(AWAITING, 0):
        out.append(f"{_n(n, 'second marking is', 'second markings are')} not yet complete and "
                   f"{'is' if n == 1 else 'are'} not in the agreement figures.")
    return " ".join(out)
