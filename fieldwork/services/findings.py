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

from dataclasses import dataclass, replace
from typing import Iterable, Mapping, Sequence

from sqlmodel import Session, select

from fieldwork.problem_codes import EMPTY_FILTER, NOT_SINGLE_CHOICE, UNKNOWN_CODE, UNKNOWN_VARIABLE
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire import answers as answer_types
from fieldwork.questionnaire.model import NOT_APPLICABLE, NOT_KNOWN, Choice, Questionnaire
from fieldwork.questionnaire.repeat_levels import case_level
from fieldwork.services.findings_report import (  # noqa: F401  (the findings' names, where they were)
    DEFAULT_EMPTY_TEXT, DEFAULT_FOOTNOTES, DEFAULT_INDICATOR_EMPTY, DEFAULT_INDICATOR_TEXT, DEFAULT_NA_TEXT, DEFAULT_TEXT,
    INDICATOR, MULTIPLE_NOTE, MULTIPLE_NOTE_ENTRIES, QUESTION, Finding, FindingsReport, _footnotes, _indicator_finding,
    _question_findings, comparison, indicator_entries, percent_half_up, question_entries, uncertainty, with_comparison)
from fieldwork.services import (counting, entry_indicators, findings_by_multiple, inspections, repeat_findings,
                                summaries)
from fieldwork.wording import render
from models import COMPLETE, DRAFT, Answer

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

    findings = question_entries(q, counts, groups, by)
    ticked = (findings_by_multiple.ticked(session, q, base, by=by, groups=groups) if multiple else
              summaries.count_multiple(session, q, base.subquery('base'), by=by, by_codes=q.codes(by) if by else ()))
    findings += _multiple_findings(q, ticked, groups, {None: counts.cases, **counts.group_cases})
    # entries of repeats by a select_multiple's options: not yet, so those are counted overall only
    entry_by, entry_codes, entry_groups = (None, (), []) if multiple else (by, q.codes(by) if by else (), groups)
    findings += _entry_findings(session, full, base.subquery("base"), entry_by, entry_codes, entry_groups,
                                {None: counts.cases, **({} if multiple else counts.group_cases)})
    findings += indicator_entries(q, counts, groups)

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
