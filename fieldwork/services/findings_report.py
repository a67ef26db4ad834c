"""Findings entries made from counts: the arranging half of ``findings.compute``, plain Python.

The counting (``fieldwork.services.counting``) gives aggregated rows read into
``count_results.Counts``; here they become ``Finding`` entries with their sentences, intervals
and comparisons, and a ``FindingsReport``. No database and no SQLAlchemy: the findings command
arranges here the counts of its prepared statements too (``fieldwork.findings_prepared``).
The counting conventions are written in ``fieldwork.services.findings``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Mapping, Sequence

from fieldwork import stats
from fieldwork.questionnaire.model import NOT_APPLICABLE, NOT_KNOWN, Questionnaire
from fieldwork.services.count_results import Counts, IndicatorCount
from fieldwork.wording import render

QUESTION = "question"
INDICATOR = "indicator"

# Default sentences where criteria/ gives no template for an answer code.
DEFAULT_TEXT = "“{question}” {answer_label}: {count} of {denominator} cases ({percent} percent)"
DEFAULT_NA_TEXT = "“{question}” not applicable in {count} of the {asked} cases asked"
DEFAULT_EMPTY_TEXT = "“{question}” {answer_label}: no case was asked this question"
DEFAULT_INDICATOR_TEXT = "{question}: {count} of {denominator} cases ({percent} percent)"
DEFAULT_INDICATOR_EMPTY = "{question}: no case is in the population"
MULTIPLE_NOTE = "a case may have more than one, so these need not add up to 100 percent"
MULTIPLE_NOTE_ENTRIES = "an entry may have more than one, so these need not add up to 100 percent"
DEFAULT_FOOTNOTES = {
    "not_known": "In {not_known|words} case{not_known|s} it was not known.",
    "not_applicable": "{not_applicable|Words} case{not_applicable|s} {not_applicable|was} not applicable.",
}


@dataclass(frozen=True)
class Finding:
    id: str  # question name or indicator id
    answer: str | None  # answer code; None for indicators
    group: str | None  # code of the --by variable's value, None for the overall entry
    count: int
    denominator: int
    percent: int | None  # rounded half up; None when denominator is 0
    not_known: int
    not_applicable: int
    text: str  # written as the report writes it
    footnotes: tuple[str, ...]
    kind: str  # "question" | "indicator"
    label: str  # the question's (or indicator's) label
    criteria: tuple[str, ...]
    answer_label: str = ""  # the answer code's label ("" for indicators)
    reported: bool = False  # criteria/ gives the report's own sentence for it (a headline finding)
    ci_low: float | None = None  # Wilson score 95 % interval, percent, one decimal; None when denominator is 0
    ci_high: float | None = None
    small_n: bool = False  # denominator under stats.SMALL_N: shown with a caution
    # a group's entry against the rest of the inspection (Newcombe 1998 method 10), in points
    rest_count: int | None = None
    rest_denominator: int | None = None
    diff_low: float | None = None
    diff_high: float | None = None
    differs: bool = False  # only when the difference's 95 % interval excludes 0
    # what ``count`` and ``denominator`` count: "cases", or "entries" of a repeat group (issue 12)
    unit: str = "cases"
    entries: int | None = None  # a repeat group's entry: how many entries its cases hold
    repeat: str = ""  # the repeat group a question is asked in (or the repeat group itself); "" per case

    @property
    def is_overall(self) -> bool:
        return self.group is None

    def to_contract(self) -> dict:
        out = {"id": self.id, "answer": self.answer, "group": self.group, "count": self.count,
               "denominator": self.denominator, "percent": self.percent, "not_known": self.not_known,
               "not_applicable": self.not_applicable, "text": self.text,
               "ci_low": self.ci_low, "ci_high": self.ci_high, "small_n": self.small_n,
               "unit": self.unit}  # extension (issue 12): cases, or entries of a repeat group
        if self.entries is not None:
            out["entries"] = self.entries
        if self.group is not None:  # extension: the group against the rest of the inspection
            out.update(rest_count=self.rest_count, rest_denominator=self.rest_denominator,
                       diff_low=self.diff_low, diff_high=self.diff_high, differs_from_rest=self.differs)
        return out


@dataclass(frozen=True)
class FindingsReport:
    questionnaire: str
    cases: int  # complete, counted cases in the population (after filters)
    drafts_excluded: int  # draft assessments (matching the filters) that would count once complete
    by: str | None
    filters: dict
    findings: list[Finding]
    version: str = ""  # the questionnaire version whose wording the sentences use
    groups: dict = field(default_factory=dict)  # group code -> complete cases in that group
    summaries: list = field(default_factory=list)  # numbers and dates (fieldwork/services/summaries.py)

    def to_contract(self) -> dict:
        """Exactly the findings JSON of contract section 8 (and the ``summaries`` of section 9)."""
        return {"questionnaire": self.questionnaire, "cases": self.cases,
                "findings": [f.to_contract() for f in self.findings], "summaries": self.summaries}

    def to_dict(self) -> dict:
        """Everything: the contract's keys plus footnotes, labels, criteria and the context."""
        return {"questionnaire": self.questionnaire, "version": self.version, "cases": self.cases,
                "drafts_excluded": self.drafts_excluded, "by": self.by, "filters": self.filters,
                "groups": self.groups, "summaries": self.summaries,
                "findings": [{**asdict(f), "footnotes": list(f.footnotes), "criteria": list(f.criteria)}
                             for f in self.findings]}

    def overall(self) -> list[Finding]:
        return [f for f in self.findings if f.group is None]

    def get(self, id: str, answer: str | None = None, group: str | None = None) -> Finding:
        for f in self.findings:
            if f.id == id and f.answer == answer and f.group == group:
                return f
        raise KeyError((id, answer, group))


def uncertainty(count: int, denominator: int) -> dict:
    """The Wilson interval and the small-n mark of one figure (Finding's keyword arguments)."""
    low, high = stats.wilson_percent(count, denominator)
    return {"ci_low": low, "ci_high": high, "small_n": denominator < stats.SMALL_N}


def comparison(count: int, denominator: int, overall: Finding) -> dict:
    """A group's difference from the rest of the inspection (the overall entry less this
    group), as Finding's keyword arguments."""
    c = stats.compare_with_rest(count, denominator, overall.count, overall.denominator)
    return {"rest_count": c.rest_count, "rest_denominator": c.rest_denominator, "diff_low": c.low,
            "diff_high": c.high, "differs": c.differs}


def with_comparison(entry: Finding, overall: Finding) -> Finding:
    """A group's entry with its difference from the rest of the inspection."""
    return replace(entry, **comparison(entry.count, entry.denominator, overall))


def percent_half_up(count: int, denominator: int) -> int | None:
    """count / denominator x 100 to a whole number, halves rounded up (integers only)."""
    if denominator <= 0:
        return None
    return (200 * count + denominator) // (2 * denominator)


def _footnotes(templates: Mapping[str, str], values: Mapping[str, object]) -> tuple[str, ...]:
    notes = []
    for kind in ("not_known", "not_applicable"):
        if values.get(kind, 0):
            notes.append(render(templates.get(kind) or DEFAULT_FOOTNOTES[kind], values))
    return tuple(notes)


def _question_findings(q: Questionnaire, answers: Mapping, group: str | None, population: int, *,
                       overall: Sequence[Finding] = (), by: str | None = None) -> list[Finding]:
    """Entries for every code of every single-choice question, for one group (None = overall).
    Answers holding a code the question does not have (left by an older version) are not
    counted as asked. ``overall``: the overall entries, in the same order; a group's entry is
    made with its comparison with the rest at once (made and then copied by ``replace``, the
    4,600 entries by force cost a tenth of the page's cold draw), except the breakdown
    variable's own entries (comparing a group with the rest on itself says nothing)."""
    out = []
    for question in q.single_choice_questions:
        options = q.options(question.name)
        by_code = {c.code: answers.get((question.name, c.code), {}).get(group, 0) for c in options}
        asked = sum(by_code.values())
        na = by_code.get(NOT_APPLICABLE, 0)
        nk = by_code.get(NOT_KNOWN, 0)
        denominator = asked - na
        criteria = tuple(question.criteria)
        for option in options:
            code, count = option.code, by_code[option.code]
            own_denominator = asked if code == NOT_APPLICABLE else denominator
            percent = percent_half_up(count, own_denominator)
            values = {"count": count, "denominator": own_denominator, "percent": percent, "not_known": nk,
                      "not_applicable": na, "asked": asked, "population": population, "answer": code,
                      "answer_label": option.label, "question": question.label}
            template = question.findings.get(code)
            if own_denominator == 0:
                template = DEFAULT_EMPTY_TEXT
            elif not template:
                template = DEFAULT_NA_TEXT if code == NOT_APPLICABLE else DEFAULT_TEXT
            out.append(Finding(
                id=question.name, answer=code, group=group, count=count, denominator=own_denominator,
                percent=percent, not_known=nk, not_applicable=na, text=render(template, values),
                footnotes=_footnotes(question.footnotes, values), kind=QUESTION, label=question.label,
                criteria=criteria, answer_label=option.label, reported=code in question.findings,
                **uncertainty(count, own_denominator),
                **(comparison(count, own_denominator, overall[len(out)]) if overall and question.name != by
                   else {})))
    return out


def _indicator_finding(ind, group: str | None, count: int, population: int) -> Finding:
    values = {"count": count, "denominator": population, "percent": percent_half_up(count, population),
              "not_known": 0, "not_applicable": 0, "asked": population, "population": population,
              "answer": "", "answer_label": "", "question": ind.label}
    template = ind.text or DEFAULT_INDICATOR_TEXT
    if population == 0:
        template = DEFAULT_INDICATOR_EMPTY
    footnotes = (render(ind.footnote, values),) if ind.footnote and population else ()
    return Finding(id=ind.id, answer=None, group=group, count=count, denominator=population,
                   percent=values["percent"], not_known=0, not_applicable=0, text=render(template, values),
                   footnotes=footnotes, kind=INDICATOR, label=ind.label, criteria=tuple(ind.criteria),
                   reported=bool(ind.text), **uncertainty(count, population))


def question_entries(q: Questionnaire, counts: Counts, groups: Sequence[str], by: str | None) -> list[Finding]:
    """Every single-choice question's entries: each finding's overall entry, then its groups'."""
    per_group = {None: _question_findings(q, counts.answers, None, counts.cases)}
    for g in groups:
        per_group[g] = _question_findings(q, counts.answers, g, counts.group_cases[g], overall=per_group[None],
                                          by=by)
    out: list[Finding] = []
    for i, overall in enumerate(per_group[None]):
        out.append(overall)
        out.extend(per_group[g][i] for g in groups)
    return out


def indicator_entries(q: Questionnaire, counts: Counts, groups: Sequence[str]) -> list[Finding]:
    """Every indicator's overall entry, then its groups' with their comparisons."""
    out: list[Finding] = []
    empty = IndicatorCount()
    for ind in q.indicators:
        cells = counts.indicators.get(ind.id, {})
        cell = cells.get(None, empty)
        overall = _indicator_finding(ind, None, cell.count, cell.population)
        out.append(overall)
        for g in groups:
            cell = cells.get(g, empty)
            out.append(with_comparison(_indicator_finding(ind, g, cell.count, cell.population), overall))
    return out
