"""Inter-rater agreement between first and second markings: per question and overall.

For each single-choice question (the context questions are left out: a second marking
starts with them copied from the first, so they would agree by construction) the pairs are
counted in the database — the answer table joined to itself between the primary and the
second assessment of every second-marked case, GROUP BY the two values — and the statistics
are plain arithmetic over that contingency table:

* observed agreement p_o: the share of pairs on the diagonal;
* Cohen's kappa (Cohen 1960): (p_o - p_e) / (1 - p_e), p_e = sum_k (row_k / n)(col_k / n);
* Gwet's AC1 (Gwet 2008): the same with p_e = sum_k pi_k (1 - pi_k) / (q - 1), where
  pi_k = (row_k + col_k) / 2n and q is the number of answer codes the question offers.
  Kappa's p_e grows towards 1 when nearly every case falls in one category (as with
  ``dealt_with_well_overall``, "no" in most cases), so kappa can be low although the two
  inspectors almost always agree; AC1 does not have that paradox, so both are reported.

They are computed on the pairs where both inspectors found the question applicable: both
asked it (skip logic) and neither answered ``na``. How often the two agreed on applicability
itself is reported separately. A question is flagged when the chosen statistic (kappa by
default) falls under the lead's threshold (default 0.6, "substantial" begins there in the
usual reading). Overall figures pool the questions as De Vries et al. (2008) do: the mean
p_o and mean p_e over the questions give the pooled kappa (and, with AC1's p_e, pooled AC1).

Repeat groups (docs/repeats.md, "Second marking over entries"): a question asked in a repeat
is compared entry by entry, the n-th entry of one marker with the n-th of the other, over the
entries both recorded (``unit`` "entries"); how many entries each recorded in a case is an
item of its own (``count(REPEAT)``); an answer in an entry only one marker recorded is listed
apart (``unmatched_first`` / ``unmatched_second``), never in a table and never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from sqlalchemy import and_, func, select, union
from sqlalchemy.orm import aliased
from sqlmodel import Session

from fieldwork.contract import CONTEXT_SECTION
from fieldwork.problem_codes import BAD_STATISTIC
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire.model import NOT_APPLICABLE, Questionnaire
from fieldwork.services import agreement_entries, inspections
from models import COMPLETE, Answer, Assessment, SecondMarking

KAPPA, AC1 = "kappa", "ac1"
STATISTICS = (KAPPA, AC1)
DEFAULT_THRESHOLD = 0.6
# Fewer applicable pairs than this and a question is "too few pairs to judge", never flagged.
# Why 10: below it one disagreement moves percent agreement by more than 10 points, and kappa's
# 95% confidence interval (about ±2·sqrt(p_o(1-p_o)/n)/(1-p_e)) is wider than ±0.5 at typical
# values (p_o 0.8, p_e 0.5), so a flag would mostly be chance. 10 is also about a 10%
# second-marking sample of the 112-case review, so an ordinary sample can be judged at all;
# flags near 10 pairs are still a prompt to look at the guidance together, not a verdict.
MIN_PAIRS = 10
TOO_FEW = "too few pairs to judge"
QUESTION, ENTRY_COUNT = "question", "entry_count"  # what a row of the report compares
CASES, ENTRIES = "cases", "entries"  # what one of its pairs is (as findings' ``unit``)

Matrix = Sequence[Sequence[int]]


# --- the statistics, over a square contingency table (rows: first marker, columns: second) ---


def _margins(table: Matrix) -> tuple[int, list[int], list[int]]:
    rows = [sum(r) for r in table]
    cols = [sum(table[i][j] for i in range(len(table))) for j in range(len(table))]
    return sum(rows), rows, cols


def observed_agreement(table: Matrix) -> float | None:
    n, _, _ = _margins(table)
    return sum(table[k][k] for k in range(len(table))) / n if n else None


def kappa_chance(table: Matrix) -> float | None:
    n, rows, cols = _margins(table)
    return sum(r * c for r, c in zip(rows, cols)) / (n * n) if n else None


def ac1_chance(table: Matrix) -> float | None:
    n, rows, cols = _margins(table)
    q = len(table)
    if not n or q < 2:
        return None
    pis = [(r + c) / (2 * n) for r, c in zip(rows, cols)]
    return sum(p * (1 - p) for p in pis) / (q - 1)


def _corrected(po: float | None, pe: float | None) -> float | None:
    if po is None or pe is None or pe >= 1:
        return None  # every pair in one category for both: chance agreement is total, kappa undefined
    return (po - pe) / (1 - pe)


def cohen_kappa(table: Matrix) -> float | None:
    return _corrected(observed_agreement(table), kappa_chance(table))


def gwet_ac1(table: Matrix) -> float | None:
    return _corrected(observed_agreement(table), ac1_chance(table))


# --- the report ----------------------------------------------------------------------------


@dataclass
class QuestionAgreement:
    question: str
    label: str
    categories: list[str]  # the codes on the table's rows and columns (na left out)
    table: list[list[int]]  # first marker (rows) x second marker (columns), applicable pairs only
    pairs: int  # second-marked cases with both assessments complete
    both_applicable: int
    first_only: int  # applicable for the first marker only
    second_only: int
    neither: int
    observed: float | None = None
    kappa: float | None = None
    ac1: float | None = None
    flagged: bool = False
    too_few: bool = False  # under MIN_PAIRS applicable pairs: not judged, never flagged
    kind: str = QUESTION  # QUESTION, or ENTRY_COUNT: how many entries of a repeat each marker recorded
    repeat: str | None = None  # the repeat group a question is asked in (its pairs are then entries)
    # applicable answers given in an entry only one marker recorded: no second judgement to
    # compare them with, so outside the table and kappa, listed here (docs/repeats.md)
    unmatched_first: int = 0
    unmatched_second: int = 0
    _pe_kappa: float | None = field(default=None, repr=False)
    _pe_ac1: float | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return self.both_applicable

    @property
    def agreements(self) -> int:
        return sum(self.table[k][k] for k in range(len(self.table)))

    @property
    def applicability_agreement(self) -> float | None:
        if self.kind == ENTRY_COUNT:
            return None  # every case has a number of entries, 0 included
        return (self.both_applicable + self.neither) / self.pairs if self.pairs else None

    @property
    def unit(self) -> str:
        """What a pair is: a second-marked case, or an entry both markers recorded."""
        return ENTRIES if self.repeat and self.kind == QUESTION else CASES

    def as_dict(self) -> dict:
        return {
            "question": self.question, "label": self.label, "unit": self.unit, "repeat": self.repeat,
            "pairs": self.pairs, "applicable_pairs": self.n,
            "agreements": self.agreements, "observed": self.observed, "kappa": self.kappa, "ac1": self.ac1,
            "applicability_agreement": self.applicability_agreement, "applicable_first_only": self.first_only,
            "applicable_second_only": self.second_only, "applicable_neither": self.neither,
            "flagged": self.flagged, "judgement": TOO_FEW if self.too_few else ("flagged" if self.flagged else "ok"),
            "in_entries_first_only": self.unmatched_first, "in_entries_second_only": self.unmatched_second,
        }


@dataclass
class AgreementReport:
    questionnaire: str
    pairs: int  # second-marked cases with both markings complete
    statistic: str
    threshold: float
    questions: list[QuestionAgreement]
    agreements: int  # over every question: applicable pairs that agreed ...
    applicable: int  # ... of all applicable pairs
    pooled_observed: float | None  # mean p_o over the questions with applicable pairs
    pooled_kappa: float | None
    pooled_ac1: float | None
    unmatched_first: int = 0  # applicable answers in entries only the first marker recorded ...
    unmatched_second: int = 0  # ... only the second: outside every table, listed apart

    @property
    def flagged(self) -> list[QuestionAgreement]:
        return [q for q in self.questions if q.flagged]

    @property
    def too_few(self) -> list[QuestionAgreement]:
        return [q for q in self.questions if q.too_few]

    @property
    def overall_observed(self) -> float | None:
        return self.agreements / self.applicable if self.applicable else None

    def rows(self) -> list[dict]:
        """The table a page or a sheet shows: one row per question, then the overall row."""
        out = [q.as_dict() for q in self.questions]
        out.append({
            "question": "(overall)", "label": "All questions (pooled kappa and AC1, De Vries et al. 2008)",
            "unit": CASES, "repeat": None, "pairs": self.pairs, "applicable_pairs": self.applicable,
            "agreements": self.agreements,
            "observed": self.overall_observed, "kappa": self.pooled_kappa, "ac1": self.pooled_ac1,
            "applicability_agreement": None, "applicable_first_only": None, "applicable_second_only": None,
            "applicable_neither": None, "flagged": False, "judgement": "",
            "in_entries_first_only": self.unmatched_first, "in_entries_second_only": self.unmatched_second,
        })
        return out


def compared_questions(questionnaire: Questionnaire) -> list:
    """Single-choice questions outside the context section (which is copied, not scored blind)."""
    return [q for q in questionnaire.single_choice_questions if q.section != CONTEXT_SECTION]


def _applicable(value: str | None) -> bool:
    return value not in (None, "", NOT_APPLICABLE)


def paired_answers(pairs):
    """Every (pair, question, instance) either marker holds an answer row for — UNION drops the
    duplicates — with two Answer aliases to outer-join the first's and the second's values
    (``joined``). An answer in an entry of a repeat group is paired with the other marker's
    answer in the entry of the same instance path. ``pairs`` is a subquery with columns pair,
    first_id and second_id (assessment ids)."""
    asked = union(*(select(pairs.c.pair, pairs.c.first_id, pairs.c.second_id, Answer.question, Answer.instance)
                    .join(Answer, Answer.assessment_id == side) for side in (pairs.c.first_id, pairs.c.second_id))
                  ).subquery()
    return asked, aliased(Answer), aliased(Answer)


def joined(query, asked, a1, a2):
    """``query`` outer-joined to the first's (``a1``) and the second's (``a2``) answer in each asked slot."""
    return (query.outerjoin(a1, and_(a1.assessment_id == asked.c.first_id, a1.question == asked.c.question,
                                     a1.instance == asked.c.instance))
            .outerjoin(a2, and_(a2.assessment_id == asked.c.second_id, a2.question == asked.c.question,
                                a2.instance == asked.c.instance)))


def complete_pairs(inspection_id: int, questionnaire_id: str):
    """The second-marked cases of a questionnaire with both markings complete (pair, first_id, second_id)."""
    first, second = aliased(Assessment), aliased(Assessment)
    return (select(SecondMarking.id.label("pair"), first.id.label("first_id"), second.id.label("second_id"))
            .join(first, first.uid == SecondMarking.primary_uid)
            .join(second, second.uid == SecondMarking.second_uid)
            .where(SecondMarking.inspection_id == inspection_id, SecondMarking.questionnaire == questionnaire_id,
                   first.status == COMPLETE, second.status == COMPLETE)).subquery()


def pair_counts(session: Session, pairs, questions: list[str]) -> list[tuple[str, bool, bool, str | None,
                                                                            str | None, int]]:
    """[(question, first recorded the entry, second recorded it, first value, second value, count)],
    counted in the database. Outside a repeat group both "recorded" it (the case)."""
    if not questions:
        return []
    asked, a1, a2 = paired_answers(pairs)
    seen = agreement_entries.presence(pairs)
    in_first, in_second = func.coalesce(seen.c.in_first, 1), func.coalesce(seen.c.in_second, 1)
    query = agreement_entries.join_presence(
        joined(select(asked.c.question, in_first, in_second, a1.value, a2.value, func.count()).select_from(asked),
               asked, a1, a2), asked, seen)
    rows = session.execute(query.where(asked.c.question.in_(questions))
                           .group_by(asked.c.question, in_first, in_second, a1.value, a2.value)).all()
    return [(q, bool(f), bool(s), v1, v2, int(n)) for q, f, s, v1, v2, n in rows]


def _scored(result: QuestionAgreement, statistic: str, threshold: float) -> QuestionAgreement:
    result.observed = observed_agreement(result.table)
    result._pe_kappa, result._pe_ac1 = kappa_chance(result.table), ac1_chance(result.table)
    result.kappa = _corrected(result.observed, result._pe_kappa)
    result.ac1 = _corrected(result.observed, result._pe_ac1)
    value = result.kappa if statistic == KAPPA else result.ac1
    result.too_few = result.n < MIN_PAIRS
    result.flagged = not result.too_few and value is not None and value < threshold
    return result


def _count_item(questionnaire: Questionnaire, repeat: str, total: int,
                counts: list[tuple[int, int, int]]) -> QuestionAgreement:
    """How many entries of a repeat group each marker recorded in a case, compared as an item:
    each number is a category (a pair agrees when both recorded as many)."""
    label = questionnaire.repeat(repeat).label or repeat
    categories = [str(n) for n in sorted({n for a, b, _ in counts for n in (a, b)})]
    index = {c: i for i, c in enumerate(categories)}
    table = [[0] * len(categories) for _ in categories]
    for a, b, n in counts:
        table[index[str(a)]][index[str(b)]] += n
    return QuestionAgreement(f"count({repeat})", f"{label}: entries recorded in the case", categories, table,
                             total, total, 0, 0, 0, kind=ENTRY_COUNT, repeat=repeat)


def report(session: Session, questionnaire_id: str, *, inspection: inspections.InspectionRef = None,
           threshold: float = DEFAULT_THRESHOLD, statistic: str = KAPPA) -> AgreementReport:
    if statistic not in STATISTICS:
        raise ProblemError([Problem(BAD_STATISTIC, f"flag on one of {', '.join(STATISTICS)}, not {statistic!r}",
                                    field="statistic")])
    inspection = inspections.resolve(session, inspection)
    questionnaire = inspections.load_questionnaire(session, questionnaire_id)
    questions = compared_questions(questionnaire)
    pairs = complete_pairs(inspection.id, questionnaire_id)
    total = session.scalar(select(func.count()).select_from(pairs)) or 0
    counts = pair_counts(session, pairs, [q.name for q in questions]) if total else []
    units = agreement_entries.entry_units(session, pairs) if total and questionnaire.repeats else {}
    by_question: dict[str, list[tuple[bool, bool, str | None, str | None, int]]] = {}
    for name, f, s_, v1, v2, n in counts:
        by_question.setdefault(name, []).append((f, s_, v1, v2, n))

    compared = {q.name for q in questions}
    results, shown = [], set()
    for q in questionnaire.questions:
        repeat = questionnaire.repeat_of(q.name)
        for r in questionnaire.repeat_chain(repeat) if repeat and total else []:  # each repeat's count first
            if r not in shown:
                shown.add(r)
                counted = agreement_entries.entry_counts(session, pairs, questionnaire, r)
                results.append(_scored(_count_item(questionnaire, r, total, counted), statistic, threshold))
        if q.name not in compared:
            continue
        categories = [c for c in questionnaire.codes(q.name) if c != NOT_APPLICABLE]
        cells = by_question.get(q.name, [])
        for _, _, v1, v2, _ in cells:  # a code the current version no longer offers still belongs in the table
            for v in (v1, v2):
                if _applicable(v) and v not in categories:
                    categories.append(v)
        index = {c: i for i, c in enumerate(categories)}
        table = [[0] * len(categories) for _ in categories]
        both = first_only = second_only = unmatched_first = unmatched_second = 0
        for in_first, in_second, v1, v2, n in cells:
            a, b = _applicable(v1), _applicable(v2)
            if not (in_first and in_second):  # an entry only one marker recorded: listed apart
                unmatched_first += n if a and in_first else 0
                unmatched_second += n if b and in_second else 0
            elif a and b:
                table[index[v1]][index[v2]] += n
                both += n
            elif a:
                first_only += n
            elif b:
                second_only += n
        compared_units = units.get(repeat, agreement_entries.EntryUnits()).both if repeat else total
        result = QuestionAgreement(q.name, q.label, categories, table, compared_units, both, first_only, second_only,
                                   compared_units - both - first_only - second_only, repeat=repeat or None,
                                   unmatched_first=unmatched_first, unmatched_second=unmatched_second)
        results.append(_scored(result, statistic, threshold))

    scored = [r for r in results if r.n and r.kind == QUESTION]
    mean = (lambda xs: sum(xs) / len(xs) if xs else None)
    po = mean([r.observed for r in scored])
    pe_kappa = mean([r._pe_kappa for r in scored])
    pe_ac1 = mean([r._pe_ac1 for r in scored if r._pe_ac1 is not None])
    asked = [r for r in results if r.kind == QUESTION]
    return AgreementReport(
        questionnaire=questionnaire_id, pairs=total, statistic=statistic, threshold=threshold, questions=results,
        agreements=sum(r.agreements for r in asked), applicable=sum(r.n for r in asked),
        pooled_observed=po, pooled_kappa=_corrected(po, pe_kappa), pooled_ac1=_corrected(po, pe_ac1),
        unmatched_first=sum(r.unmatched_first for r in asked), unmatched_second=sum(r.unmatched_second for r in asked))
