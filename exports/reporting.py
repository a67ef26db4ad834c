"""The draft report: everything ``exports.report_docx`` writes, gathered through the services.

The figures are ``findings.compute`` with the lead's breakdown and filters (the same call the
Findings page and ``fieldwork findings`` make), the charts are the Findings page's
(``fieldwork.charts.default_charts``), agreement is ``agreement.report``; the sample table and
the fieldwork dates are GROUP BY / MIN-MAX queries over the same populations findings count
(``counting.population``). Evidence notes are read only when asked for, and only a lead (or the
command line, which acts with the database owner's rights) may ask. Writing the report is
audited: questionnaire, version, breakdown, filters, whether notes went in — no content.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from exports import report_docx, report_steps
from fieldwork import audit, charts, short_labels
from fieldwork.contract import CONTEXT_SECTION
from fieldwork.problem_codes import BAD_TEMPLATE
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.services import agreement, case_examples, counting, findings, inspections, triangulation, wide_table
from fieldwork.services import second_marking
from fieldwork.services.permissions import LEADS, Actor, require_role
from fieldwork.services import actor_check
from models import COMPLETE, DRAFT, Answer, Assessment, SecondMarking

FORCE, CPS_AREA = "force", "cps_area"
NO_FORCE = "(no force recorded)"


def _labels(q: Questionnaire) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    variables = {x.name: x.label for x in q.questions}
    codes = {x.name: {c.code: c.label for c in q.options(x.name)} for x in q.single_choice_questions}
    return variables, codes


def _by_place(session: Session, population, *extra) -> dict[tuple[str | None, str | None], tuple[int, ...]]:
    """(force, CPS Area) -> count(*) and any ``extra`` aggregates over the assessments of
    ``population`` (a SELECT of ids labelled ``aid``): one GROUP BY."""
    pop = population.subquery()
    force, area = aliased(Answer), aliased(Answer)
    query = (select(force.value, area.value, func.count(), *[e(pop) for e in extra]).select_from(pop)
             .outerjoin(force, and_(force.assessment_id == pop.c.aid, force.question == FORCE))
             .outerjoin(area, and_(area.assessment_id == pop.c.aid, area.question == CPS_AREA))
             .group_by(force.value, area.value))
    return {(f, a): tuple(int(x or 0) for x in rest) for f, a, *rest in session.execute(query).all()}


def sample(session: Session, inspection_id: int, q: Questionnaire, filters: dict) -> list[report_docx.SampleRow]:
    """Per force and CPS Area: complete counted assessments, drafts left out, second-marked
    cases and those moderated (the primary assessments the second markings point at)."""
    complete = _by_place(session, counting.population(inspection_id, q.id, filters, status=COMPLETE,
                                                      counted_only=True))
    drafts = _by_place(session, counting.population(inspection_id, q.id, filters, status=DRAFT, counted_only=False))
    every_complete = counting.population(inspection_id, q.id, filters, status=COMPLETE, counted_only=False)
    marked = (select(Assessment.id.label("aid"), SecondMarking.agreed_uid.label("agreed"))
              .join(SecondMarking, SecondMarking.primary_uid == Assessment.uid)
              .where(SecondMarking.inspection_id == inspection_id, SecondMarking.questionnaire == q.id,
                     Assessment.id.in_(every_complete)))
    second = _by_place(session, marked, lambda pop: func.count(pop.c.agreed))
    _, codes = _labels(q)
    force_order = list(codes.get(FORCE, {}))
    area_order = list(codes.get(CPS_AREA, {}))
    keys = sorted(set(complete) | set(drafts) | set(second),
                  key=lambda k: (k[0] is None, force_order.index(k[0]) if k[0] in force_order else 999,
                                 area_order.index(k[1]) if k[1] in area_order else 999))
    rows = []
    for f, a in keys:
        s = second.get((f, a), (0, 0))
        rows.append(report_docx.SampleRow(
            force=codes.get(FORCE, {}).get(f, f) if f else NO_FORCE,
            cps_area=codes.get(CPS_AREA, {}).get(a, a) if a else "",
            complete=complete.get((f, a), (0,))[0], drafts=drafts.get((f, a), (0,))[0],
            second_marked=s[0], moderated=s[1]))
    return rows


def fieldwork_dates(session: Session, inspection_id: int, questionnaire_id: str, filters: dict):
    """The first and last day an assessment that counts was completed."""
    pop = counting.population(inspection_id, questionnaire_id, filters, status=COMPLETE, counted_only=True)
    first, last = session.execute(select(func.min(Assessment.completed_at), func.max(Assessment.completed_at))
                                  .where(Assessment.id.in_(pop))).one()
    return (first.date() if first else None, last.date() if last else None)


def evidence_notes(session: Session, q: Questionnaire, inspection: inspections.InspectionRef,
                   filters: dict) -> list[report_docx.EvidenceNote]:
    """Every evidence note of the counted cases the filters keep, question by question."""
    resp = wide_table.load(session, q.id, inspection=inspection, with_notes=True)
    kept = [row for row in resp.rows if all(row.answers.get(v) in codes for v, codes in filters.items())]
    out = []
    for question in q.questions:
        for row in kept:
            if note := row.notes.get(question.name, "").strip():
                out.append(report_docx.EvidenceNote(question.label, row.case_ref, note))
    return out


def report_context(session: Session, actor: Actor, questionnaire_id: str, *,
                   inspection: inspections.InspectionRef = None,
                   by: str | None = None, filters: dict | None = None, with_notes: bool = False,
                   with_charts: bool = True, steps: report_steps.Steps | None = None) -> report_docx.ReportContext:
    """Everything the draft shows; ``steps`` (if given) is told of counting, each chart and the
    reading that follows, and planned to the end of the document (``report_docx.steps``)."""
    require_role(actor, LEADS, "write the draft report")
    if with_notes:
        require_role(actor, LEADS, "put evidence notes in the draft report")
    steps = steps or report_steps.Steps(None)
    inspection = inspections.resolve(session, inspection)
    steps.start(report_steps.COUNTING)
    report = findings.compute(session, questionnaire_id, inspection=inspection, by=by, filters=filters)
    q = inspections.questionnaire_of(inspections.current_version(session, questionnaire_id))
    clean = report.filters  # checked and tidied by findings.compute
    variables, codes = _labels(q)
    framework = findings.framework_for(session, inspection.code)
    rendered = []
    if with_charts and report.cases:
        # the page's own wording of the breakdown and filters, so the charts are the page's charts
        by_label = short_labels.short(q.id, by, q.question(by).label) if by else ""
        filter_text = short_labels.filters_in_words(q, clean)
        chosen = charts.default_charts(report, q.title, codes.get(by, {}) if by else None,
                                       by_label=by_label, filter_text=filter_text)
        steps.plan(len(chosen) + 1 + report_docx.steps())
        for n, (name, chart) in enumerate(chosen, 1):
            steps.start(report_steps.drawing(n, len(chosen)))
            rendered.append((name, charts.png(chart)))
    else:
        steps.plan(1 + report_docx.steps())
    steps.start(report_steps.READING)
    return report_docx.ReportContext(
        inspection_title=inspection.title or inspection.name, questionnaire_id=q.id, questionnaire_title=q.title,
        questionnaire_version=q.version, framework=framework,
        findings=report, variable_labels=variables, code_labels=codes, written_by=actor.name,
        written_at=datetime.now(timezone.utc), sample=sample(session, inspection.id, q, clean),
        agreement=agreement.report(session, questionnaire_id, inspection=inspection),
        marking_states=second_marking.state_counts(session, actor, questionnaire=questionnaire_id,
                                                   inspection=inspection),
        fieldwork_dates=fieldwork_dates(session, inspection.id, q.id, clean),
        notes=evidence_notes(session, q, inspection.code, clean) if with_notes else None, charts=rendered,
        case_facts=frozenset(x.name for x in q.questions_in(CONTEXT_SECTION)),
        examples=examples_by_criterion(session, actor, q, inspection.code, framework, codes, clean),
        judgements=judgements_by_criterion(session, actor, inspection.code, clean),
        variable_names=short_labels.variable_names(
            q, [x.name for x in (*q.single_choice_questions, *q.multiple_choice_questions)]))


def _within(filters: dict, variable: str, code: str | None) -> bool:
    """Whether a force (or CPS Area) is inside the page's filter on that variable, if any."""
    return variable not in filters or code in filters[variable]


def examples_by_criterion(session: Session, actor: Actor, q: Questionnaire, inspection: inspections.InspectionRef,
                          framework,
                          codes: dict[str, dict[str, str]], filters: dict) -> dict[str, list[report_docx.CaseExample]]:
    """The case examples a lead marked (issue 13's service), boxed under their criteria; a force
    filter keeps only that force's examples."""
    marked = case_examples.list_examples(session, actor, q.id, inspection=inspection)
    forces = codes.get("force", {})
    out: dict[str, list[report_docx.CaseExample]] = {}
    for criterion, examples in case_examples.by_criterion(marked, framework).items():
        for ex in examples:
            if not _within(filters, "force", ex.force):
                continue
            title = f"{ex.case_ref}, {forces.get(ex.force, ex.force)}" if ex.force else ex.case_ref
            example_of = (ex.finding_label + (f" – {ex.answer_label}" if ex.answer_label else "")) if ex.finding else ""
            out.setdefault(criterion, []).append(report_docx.CaseExample(title, ex.narrative, example_of))
    return out


def judgements_by_criterion(session: Session, actor: Actor, inspection: inspections.InspectionRef,
                            filters: dict) -> dict[str, list[report_docx.Judgement]]:
    """Each criterion's judgement grid (issue 14's service): force by force, then CPS Areas, as
    the lead graded them; a force or CPS Area filter keeps only those."""
    out: dict[str, list[report_docx.Judgement]] = {}
    for row in triangulation.judgement_rows(session, actor, inspection=inspection):
        if row["grade"] is None or not _within(filters, row["unit_type"], row["unit"]):
            continue
        out.setdefault(row["criterion"], []).append(
            report_docx.Judgement(row["unit_label"], row["grade_label"], row["rationale"] or ""))
    return out


def check_template(data: bytes, name: str = "template") -> bytes:
    """An inspectorate's Word template (.docx), refused with the reason if python-docx cannot
    open it as one."""
    import docx

    problem = None
    if not zipfile.is_zipfile(io.BytesIO(data)):
        problem = "is not a Word document (.docx): it is not a zip package"
    else:
        try:
            docx.Document(io.BytesIO(data))
        except Exception as exc:  # python-docx names what is wrong (a .dotx, a spreadsheet ...)
            problem = f"cannot be used as a Word template (.docx): {exc}"
    if problem:
        raise ProblemError([Problem(BAD_TEMPLATE, problem, source=name, field="template")],
                           "the template was refused")
    return data


def draft_report(session: Session, actor: Actor, questionnaire_id: str, *, inspection: inspections.InspectionRef = None,
                 by: str | None = None, filters: dict | None = None, with_notes: bool = False,
                 template: bytes | None = None, template_name: str = "", file_name: str = "",
                 progress: report_steps.Progress | None = None) -> bytes:
    """The draft report as .docx bytes, audited. ``progress(done, total, words)``, if given, is
    told of each step as it starts (exports/report_steps.py)."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    if template is not None:
        check_template(template, template_name or "template")
    steps = report_steps.Steps(progress)
    ctx = report_context(session, actor, questionnaire_id, inspection=inspection, by=by, filters=filters,
                         with_notes=with_notes, steps=steps)
    data = report_docx.to_bytes(ctx, template, steps.start)
    inspection = inspections.resolve(session, inspection)
    audit.record(session, actor.name, audit.REPORT, inspection_id=inspection.id, questionnaire=questionnaire_id,
                 version=ctx.questionnaire_version, by=by, filters=ctx.findings.filters, cases=ctx.findings.cases,
                 notes_included=with_notes, template=template_name[:200], file=file_name[:200])
    steps.finish()
    return data
