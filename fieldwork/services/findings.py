"""Findings: the report's percentages, counted in the database from the inspectors' scores.

The counting conventions are the report's own (contract section 5):

* Only assessments with ``status = 'complete'`` and ``counted = true`` count (not drafts,
  nor an assessment marked not counted, such as a blind second marking). Drafts left out
  are counted and reported (``FindingsReport.drafts_excluded``): the drafts that would count
  once complete, so the figure is the work still to finish. A draft marked not counted (a
  blind second marking, a drawn case excluded from the sample) would never count, so it is
  not "left out".
* A question's **asked** cases are the cases in the population whose answer row holds one
  of the question's codes (a blank or missing row means skip logic made it irrelevant,
  so the case is not asked). Its **denominator** is the asked cases less those answered
  ``na``. ``not_known`` stays in the denominator and is reported beside it.
* **Percent** is count / denominator x 100 rounded to a whole number half up, in integer
  arithmetic (``(200 * count + denominator) // (2 * denominator)``), so 70 of 112 is 63,
  never the 62 that float ``round()`` would give. A zero denominator gives ``None``.
* The entry for the ``na`` code itself holds the cases answered not applicable as its
  ``count`` over the cases **asked** (``na`` included) as its ``denominator``: the share of
  the asked cases to which the question did not apply. (Over the usual denominator it would
  always read 0 of N or more than N of N.) Its ``not_known`` and ``not_applicable`` are
  those of the question, like every other entry of the question.
* An indicator counts the cases in its population (an expression over the answers; empty
  means every case) for which its condition holds; its denominator is the population.
  Both expressions compile to SQL (``fieldwork.expr.to_sql``) over one pivot of the
  variables they need, so indicators are counted in the database too.
* ``by``: one more entry per value of a single-choice variable, for each value that at
  least one counted case holds (in the variable's answer-set order). A case that left the
  ``by`` variable blank counts in the overall entries only.
* ``filters`` ({variable: [codes]}) restrict the population before anything is counted:
  a case is kept if it holds one of the codes for every filtered variable.

The counting itself is ``fieldwork.services.counting``: one GROUP BY over the answer table
for all questions at once (or, by group on SQLite, packed sums over a pivot) and one GROUP BY
over a pivot for the indicators. Python only arranges the aggregated rows (a few per code and
group) into findings, never loops over assessments.

Sentences (``text``) come from the templates beside each question in ``criteria/``
(``[questions.findings.CODE]``, ``[questions.footnotes]``, an indicator's ``text``) rendered
by ``fieldwork.wording.render``; a plain default sentence stands in where there is none.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Iterable, Mapping, Sequence

from sqlmodel import Session, select

from fieldwork import stats
from fieldwork.problem_codes import EMPTY_FILTER, NOT_SINGLE_CHOICE, UNKNOWN_CODE, UNKNOWN_VARIABLE
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire import answers as answer_types
from fieldwork.questionnaire.model import NOT_APPLICABLE, NOT_KNOWN, Choice, Questionnaire
from fieldwork.questionnaire.repeat_levels import case_level
from fieldwork.services import (counting, entry_indicators, findings_by_multiple, inspections, repeat_findings,
                                summaries)
from fieldwork.wording import render
from models import COMPLETE, DRAFT, Answer

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


# --- checking the request ------------------------------------------------------------


def _check_request(q: Questionnaire, by: str | None, filters: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    problems: list[Problem] = []
    single = [x.name for x in q.single_choice_questions]

    def variable_problem(name: str, field_name: str) -> bool:
        if not q.has_question(name):
            problems.append(Problem(UNKNOWN_VARIABLE, f"{q.id} has no variable {name!r} (single-choice variables: "
                                    f"{', '.join(single)})", field=field_name, item=name))
            return True
        if not q.question(name).is_single_choice and not (field_name == "by" and q.question(name).is_multiple_choice):
            problems.append(Problem(NOT_SINGLE_CHOICE, f"{name!r} is not a single-choice variable, so it cannot "
                                    f"{'break findings down' if field_name == 'by' else 'filter cases'}",
                                    field=field_name, item=name))
            return True
        return False

    if by is not None:
        variable_problem(by, "by")
    clean: dict[str, list[str]] = {}
    for name, codes in (filters or {}).items():
        if variable_problem(name, "filter"):
            continue
        codes = [str(c).strip() for c in ([codes] if isinstance(codes, str) else codes) if str(c).strip()]
        if not codes:
            problems.append(Problem(EMPTY_FILTER, f"the filter on {name!r} names no code", field="filter", item=name))
            continue
        known = q.codes(name)
        for c in codes:
            if c not in known:
                problems.append(Problem(UNKNOWN_CODE, f"{c!r} is not a code of {name!r} (codes: {', '.join(known)})",
                                        field="filter", item=name))
        clean[name] = list(dict.fromkeys(codes))
    if problems:
        raise ProblemError(problems, "the findings request was refused")
    return clean


check_request = _check_request  # the same checks for other services over the same population (tracing)


# --- arranging the aggregated rows into findings ------------------------------------


def _footnotes(templates: Mapping[str, str], values: Mapping[str, object]) -> tuple[str, ...]:
    notes = []
    for kind in ("not_known", "not_applicable"):
        if values.get(kind, 0):
            notes.append(render(templates.get(kind) or DEFAULT_FOOTNOTES[kind], values))
    return tuple(notes)


def _file_lists_found(session: Session, q: Questionnaire, base) -> Questionnaire:
    """A ``select_one_from_file`` whose list file did not come with the form has no codes of
    its own (the app took each code as typed): its entries are the codes its answers hold in
    the population (one DISTINCT query), each labelled by its code, so it is counted like any
    other question, in cases or in entries, not left out unseen."""
    empty = {x.choices for x in q.single_choice_questions
             if x.choices and answer_types.FILE_LIST.search(x.choices) and not q.choices.get(x.choices)}
    if not empty:
        return q
    lists = {x.name: x.choices for x in q.single_choice_questions if x.choices in empty}
    found: dict[str, set[str]] = {s: set() for s in empty}
    ids = base.subquery("file_list_base")
    for name, value in session.execute(
            select(Answer.question, Answer.value).distinct()
            .where(Answer.question.in_(list(lists)), Answer.value.is_not(None), Answer.value != "",
                   Answer.assessment_id.in_(select(ids.c.aid)))):
        found[lists[name]].add(value)
    return replace(q, choices={**q.choices, **{s: tuple(Choice(v, v) for v in sorted(codes))
                                               for s, codes in found.items()}})


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


def _entry_findings(session: Session, q: Questionnaire, base, by: str | None, by_codes: Sequence[str],
                    groups: Sequence[str], populations: dict) -> list[Finding]:
    """The entries of repeat groups (issue 12): counted and worded in repeat_findings; here made
    findings entries with their intervals and their groups' comparisons, as every other."""
    out: list[Finding] = []
    overall: dict[tuple, Finding] = {}
    for fields in repeat_findings.compute(session, q, base, by=by, by_codes=by_codes, groups=groups,
                                          populations=populations):
        f = Finding(**fields, **uncertainty(fields["count"], fields["denominator"]))
        key = (f.id, f.unit, f.answer)
        out.append(overall.setdefault(key, f) if f.group is None else with_comparison(f, overall[key]))
    inside = repeat_findings.multiple_inside(q)  # select_multiple asked per entry: counted by entries
    if inside.questions:
        ticked = summaries.count_multiple(session, inside, base, by=by, by_codes=by_codes)
        # counted over entries: "an entry may have more than one", not "a case" (walk 24, W19)
        out += [replace(f, unit=repeat_findings.ENTRIES, repeat=q.repeat_of(f.id),
                        text=f.text.replace(" cases", " entries").replace(MULTIPLE_NOTE, MULTIPLE_NOTE_ENTRIES))
                for f in _multiple_findings(inside, ticked, groups, {})]
    return out


def _multiple_findings(q: Questionnaire, counts: dict, groups: Sequence[str], populations: dict) -> list:
    """Findings entries for every option of every select_multiple question: overall, then per
    group, as the single-choice entries are laid out."""
    out = []
    for question in q.multiple_choice_questions:
        for option in q.options(question.name):
            for group in (None, *groups):
                cell = counts.get(question.name, {}).get(group) or summaries.OptionCounts(0, 0, {})
                count = cell.ticked.get(option.code, 0)
                denominator = cell.asked if option.code == NOT_APPLICABLE else cell.asked - cell.na
                percent = percent_half_up(count, denominator)
                values = {"count": count, "denominator": denominator, "percent": percent, "not_known": 0,
                          "not_applicable": cell.na, "asked": cell.asked, "population": populations.get(group, 0),
                          "answer": option.code, "answer_label": option.label, "question": question.label}
                template = question.findings.get(option.code)
                if denominator == 0:
                    template = DEFAULT_EMPTY_TEXT
                elif not template:
                    template = DEFAULT_NA_TEXT if option.code == NOT_APPLICABLE else DEFAULT_TEXT
                text = render(template, values)
                if denominator and option.code != NOT_APPLICABLE:
                    text += f" ({MULTIPLE_NOTE})"
                out.append(Finding(
                    id=question.name, answer=option.code, group=group, count=count, denominator=denominator,
                    percent=percent, not_known=0, not_applicable=cell.na, text=text,
                    footnotes=_footnotes(question.footnotes, values), kind=QUESTION, label=question.label,
                    criteria=tuple(question.criteria), answer_label=option.label,
                    reported=option.code in question.findings, **uncertainty(count, denominator)))
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


def compute(session: Session, questionnaire_id: str, *, inspection: inspections.InspectionRef = None,
            by: str | None = None,
            filters: dict[str, list[str]] | None = None) -> FindingsReport:
    """The findings of one questionnaire in one inspection (the default inspection if none is
    named), overall and, with ``by``, per value of that single-choice variable.

    Raises ProblemError (every problem at once) for an unknown questionnaire or inspection,
    a ``by`` or filter variable that is unknown or not single-choice, or an unknown code."""
    inspection = inspections.resolve(session, inspection)
    version = inspections.current_version(session, questionnaire_id)
    full = inspections.questionnaire_of(version)
    repeat_findings.check_request(full, by)
    repeat_findings.check_indicators(full)  # what cannot be counted over entries, refused by name
    clean = _check_request(full, by, filters or {})

    base = counting.population(inspection.id, full.id, clean, status=COMPLETE, counted_only=True)
    full = _file_lists_found(session, full, base)  # lists in files that did not come: the codes answered
    q = case_level(full)  # questions asked once per entry are counted by repeat_findings
    multiple = by is not None and q.question(by).is_multiple_choice  # a case may be in several groups
    counts = (findings_by_multiple.count if multiple else counting.count)(
        session, base, by=by, by_codes=q.codes(by) if by else (),
        questions={x.name: q.codes(x.name) for x in q.single_choice_questions}, indicators=q.indicators,
        reach=entry_indicators.Reach.of(full))
    groups = list(counts.group_cases)

    per_group = {None: _question_findings(q, counts.answers, None, counts.cases)}
    for g in groups:
        per_group[g] = _question_findings(q, counts.answers, g, counts.group_cases[g], overall=per_group[None],
                                          by=by)
    findings: list[Finding] = []
    for i, overall in enumerate(per_group[None]):  # each finding's overall entry, then its groups
        findings.append(overall)
        findings.extend(per_group[g][i] for g in groups)
    ticked = (findings_by_multiple.ticked(session, q, base, by=by, groups=groups) if multiple else
              summaries.count_multiple(session, q, base.subquery('base'), by=by, by_codes=q.codes(by) if by else ()))
    findings += _multiple_findings(q, ticked, groups, {None: counts.cases, **counts.group_cases})
    # entries of repeats by a select_multiple's options: not yet, so those are counted overall only
    entry_by, entry_codes, entry_groups = (None, (), []) if multiple else (by, q.codes(by) if by else (), groups)
    findings += _entry_findings(session, full, base.subquery("base"), entry_by, entry_codes, entry_groups,
                                {None: counts.cases, **({} if multiple else counts.group_cases)})
    empty = counting.IndicatorCount()
    for ind in q.indicators:
        cells = counts.indicators.get(ind.id, {})
        cell = cells.get(None, empty)
        overall = _indicator_finding(ind, None, cell.count, cell.population)
        findings.append(overall)
        for g in groups:
            cell = cells.get(g, empty)
            findings.append(with_comparison(_indicator_finding(ind, g, cell.count, cell.population), overall))

    drafts = counting.count_rows(session, counting.population(inspection.id, q.id, clean, status=DRAFT,
                                                              counted_only=True))
    return FindingsReport(questionnaire=q.id, cases=counts.cases, drafts_excluded=drafts, by=by, filters=clean,
                          findings=findings, version=q.version, groups=dict(counts.group_cases),
                          summaries=(findings_by_multiple.summarise(session, q, base, by=by, groups=groups) if multiple
                                     else summaries.compute(session, q, base.subquery('base'), by=by,
                                                            by_codes=q.codes(by) if by else (), groups=groups))
                          + repeat_findings.entry_summaries(session, full, base.subquery('base'), by=entry_by,
                                                            by_codes=entry_codes, groups=entry_groups))


# --- findings under the inspection criteria ------------------------------------------


@dataclass(frozen=True)
class CriterionFindings:
    general_id: str
    general_text: str
    id: str  # the specific criterion, e.g. "3.1"
    text: str
    findings: list[Finding]  # the entries that evidence it, in questionnaire order


def headline(report: FindingsReport, group: str | None = None) -> list[Finding]:
    """The findings the report writes a sentence for: those ``criteria/`` (or the form's
    ``findings``) gives the report's own sentence. A questionnaire that gives none — an XLSForm
    brought from elsewhere, its questions tied to criteria by its ``criteria`` column — has
    every answer and indicator written with the plain sentence, bar "not applicable" and "not
    known" (said in the footnotes): otherwise the draft said under every criterion that no
    finding evidences it (walk 24, W9)."""
    entries = [f for f in report.findings if f.group == group]
    if any(f.reported for f in report.findings):
        return [f for f in entries if f.reported]
    return [f for f in entries if f.answer not in (NOT_APPLICABLE, NOT_KNOWN) and f.denominator]


def by_criterion(report: FindingsReport, framework, *, group: str | None = None,
                 headline_only: bool = False) -> list[CriterionFindings]:
    """For every specific criterion of the framework (1.1 ... 6.4, in order, those with no
    evidence too), the findings that evidence it: the overall entries, or one group's, and
    with ``headline_only`` only those the report writes a sentence for (``headline``)."""
    chosen = headline(report, group) if headline_only else [f for f in report.findings if f.group == group]
    out = []
    for general in framework.general:
        for specific in general.specific:
            out.append(CriterionFindings(general.id, general.text, specific.id, specific.text,
                                         [f for f in chosen if specific.id in f.criteria]))
    return out


def framework_for(session: Session, inspection: inspections.InspectionRef = None):
    """The inspection framework the findings are read against (the default inspection's)."""
    from fieldwork.catalog import load_catalog

    inspection = inspections.resolve(session, inspection)
    return load_catalog().frameworks[inspection.framework]
