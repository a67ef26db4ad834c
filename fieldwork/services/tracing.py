"""The cases behind a figure: every case in a finding's denominator, and which of them are in
its count, so a lead can check a figure and quote its cases ("In one case ...").

The rows are chosen by the same rules as ``fieldwork.services.findings`` (contract section 5),
in SQL over the same population (``counting.population``): complete, counted assessments of
the questionnaire in the inspection, narrowed by the filters; for a question, the cases whose
answer is one of its codes, less ``na`` (the ``na`` entry keeps them: its denominator is the
cases asked); for an indicator, the cases its population expression admits, counted when its
condition holds. A group's entry is the same finding filtered on the group's code
(``filters={by: [group]}``). The tests check that the rows equal the count and denominator of
every finding of the demonstration data.

This lists cases, not counts, so it returns one row per case; it never counts anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, case, null, select, true
from sqlalchemy.orm import aliased
from sqlmodel import Session

from fieldwork import expr
from fieldwork.problem_codes import MISSING_ANSWER, UNKNOWN_ANSWER, UNKNOWN_FINDING
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire.model import NOT_APPLICABLE
from fieldwork.services import counting, entry_indicators, findings, inspections
from fieldwork.services.permissions import LEADS, Actor, require_role
from models import COMPLETE, Answer, Assessment, CaseFile

GROUP_VARIABLES = ("force", "cps_area")  # shown beside each case where the questionnaire has them


@dataclass(frozen=True)
class TracedCase:
    case_id: int
    case_ref: str
    assessment_uid: str
    inspector: str
    force: str | None
    answer: str | None  # the case's code for the question (None for an indicator)
    answer_label: str
    in_count: bool  # in the finding's count (every row is in its denominator)
    note: str = ""  # the evidence note beside the answer, only when notes were asked for
    force_label: str = ""  # the force's (or CPS Area's) name, as the questionnaire gives it


@dataclass(frozen=True)
class Trace:
    questionnaire: str
    finding: str
    answer: str | None
    label: str
    filters: dict
    cases: list[TracedCase] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(1 for c in self.cases if c.in_count)

    @property
    def denominator(self) -> int:
        return len(self.cases)

    def counted(self) -> list[TracedCase]:
        return [c for c in self.cases if c.in_count]

    def to_dict(self) -> dict:
        return {"questionnaire": self.questionnaire, "finding": self.finding, "answer": self.answer,
                "label": self.label, "filters": self.filters, "count": self.count,
                "denominator": self.denominator,
                "cases": [{"case_ref": c.case_ref, "force": c.force, "inspector": c.inspector, "answer": c.answer,
                           "in_count": c.in_count, **({"note": c.note} if c.note else {})} for c in self.cases]}


def to_csv(trace: Trace) -> str:
    """One row per case (the command's ``--format csv`` and the page's download); every text
    cell made safe for spreadsheets. The note column is empty unless notes were asked for."""
    from fieldwork.files.csv_out import csv_text

    # the labels appended after the codes (walk 25, V6): others read these files by column name
    return csv_text(["case_ref", "force", "inspector", "answer", "in_count", "note", "force_label", "answer_label"],
                    [(c.case_ref, c.force, c.inspector, c.answer, "true" if c.in_count else "false", c.note,
                      c.force_label, c.answer_label) for c in trace.cases])


def parse_target(text: str) -> tuple[str, str | None]:
    """``"initial_risk_assessment=yes"`` -> (finding, answer); an indicator has no answer."""
    name, _, answer = text.partition("=")
    return name.strip(), (answer.strip() or None)


def cases_behind(session: Session, actor: Actor, questionnaire_id: str, finding_id: str, answer: str | None = None,
                 *, inspection: inspections.InspectionRef = None, filters: dict[str, list[str]] | None = None,
                 with_notes: bool = False) -> Trace:
    """The cases in the denominator of one finding, each marked whether it is in the count.
    Leads and admins only (it reveals cases and, ``with_notes``, their evidence notes)."""
    require_role(actor, LEADS, "see the cases behind a finding")
    inspection = inspections.resolve(session, inspection)
    q = inspections.questionnaire_of(inspections.current_version(session, questionnaire_id))
    clean = findings.check_request(q, None, filters or {})
    base = counting.population(inspection.id, q.id, clean, status=COMPLETE, counted_only=True).subquery("base")
    indicator = next((i for i in q.indicators if i.id == finding_id), None)
    if indicator is not None:
        if answer is not None:
            raise ProblemError([Problem(UNKNOWN_ANSWER, f"{finding_id!r} is an indicator: it has no answer to "
                                        f"name (write {finding_id} alone)", field="cases", item=finding_id)])
        query, label = _indicator_query(base, indicator, entry_indicators.Reach.of(q)), indicator.label
        code_labels = {}
    else:
        question = _question(q, finding_id, answer)
        codes = q.codes(finding_id)
        code_labels = {o.code: o.label for o in q.options(finding_id)}
        a = aliased(Answer, name="a")
        kept = codes if answer == NOT_APPLICABLE else [c for c in codes if c != NOT_APPLICABLE]
        query = (select(base.c.aid, a.value, (a.value == answer).label("hit"), a.note).select_from(base)
                 .join(a, and_(a.assessment_id == base.c.aid, a.question == finding_id, a.value.in_(kept))))
        label = question.label
    rows = session.execute(query).all()
    details = _details(session, [r[0] for r in rows], q)
    force_var = next((v for v in GROUP_VARIABLES if q.has_question(v)), None)
    out = []
    for aid, value, hit, note in rows:
        ref, uid, inspector, force, case_id = details[aid]
        out.append(TracedCase(case_id=case_id, case_ref=ref, assessment_uid=uid, inspector=inspector,
                              force=force, answer=value, answer_label=code_labels.get(value, ""),
                              in_count=bool(hit), note=(note or "") if with_notes else "",
                              force_label=q.label_of(force_var, force) if force_var and force else ""))
    out.sort(key=lambda c: (not c.in_count, c.case_ref))
    return Trace(q.id, finding_id, answer, label, clean, out)


def _question(q, finding_id: str, answer: str | None):
    if not q.has_question(finding_id) or not q.question(finding_id).is_single_choice:
        names = [x.name for x in q.single_choice_questions] + [i.id for i in q.indicators]
        raise ProblemError([Problem(UNKNOWN_FINDING, f"{q.id} has no finding {finding_id!r} (a single-choice "
                                    f"question or an indicator, e.g. {', '.join(names[:5])})", field="cases",
                                    item=finding_id)])
    codes = q.codes(finding_id)
    if answer is None:
        raise ProblemError([Problem(MISSING_ANSWER, f"name the answer: {finding_id}=CODE, one of "
                                    f"{', '.join(codes)}", field="cases", item=finding_id)])
    if answer not in codes:
        raise ProblemError([Problem(UNKNOWN_ANSWER, f"{answer!r} is not a code of {finding_id!r} (codes: "
                                    f"{', '.join(codes)})", field="cases", item=finding_id)])
    return q.question(finding_id)


def _indicator_query(base, indicator, reach=entry_indicators.NO_REACH):
    pop_node = expr.parse(indicator.population) if indicator.population.strip() else None
    cond_node = expr.parse(indicator.condition)
    names = list(dict.fromkeys(v for n in (pop_node, cond_node) if n is not None for v in reach.case_variables(n)))
    joined = {name: aliased(Answer, name=f"v{i}") for i, name in enumerate(names)}
    column = lambda name: joined[name].value  # noqa: E731
    in_pop = entry_indicators.to_sql(pop_node, column, base.c.aid, reach) if pop_node is not None else true()
    hit = case((entry_indicators.to_sql(cond_node, column, base.c.aid, reach), True), else_=False)
    # an indicator has no single answer or note: NULL stands in for both
    query = select(base.c.aid, null(), hit.label("hit"), null()).select_from(base)
    for name, alias in joined.items():
        query = query.outerjoin(alias, and_(alias.assessment_id == base.c.aid, alias.question == name))
    return query.where(in_pop)


def _details(session: Session, aids: list[int], q) -> dict[int, tuple]:
    """aid -> (case_ref, uid, inspector, force, case_id), in chunks (a bound list has limits)."""
    out: dict[int, tuple] = {}
    force_var = next((v for v in GROUP_VARIABLES if q.has_question(v)), None)
    f = aliased(Answer, name="f")
    for start in range(0, len(aids), 500):
        chunk = aids[start:start + 500]
        query = (select(Assessment.id, CaseFile.case_ref, Assessment.uid, Assessment.inspector,
                        f.value if force_var else null(), CaseFile.id)
                 .join(CaseFile, CaseFile.id == Assessment.case_id).where(Assessment.id.in_(chunk)))
        if force_var:
            query = query.outerjoin(f, and_(f.assessment_id == Assessment.id, f.question == force_var))
        for aid, ref, uid, inspector, force, case_id in session.execute(query):
            out[aid] = (ref, uid, inspector, force, case_id)
    return out
