"""The triangulation grid: forces (or CPS Areas) × specific criteria, each cell its grade and
the kinds of evidence behind it (issue 14).

A cell's **kinds** are the evidence kinds its judgement cites — an evidence item's kind
(interview, focus group, document, …), the kind of the item a cited excerpt comes from, and
``case_files`` for a cited case-file finding. Marks, for a judged cell:

* ``unevidenced`` — the judgement cites no evidence at all;
* ``thin`` — it rests on one kind of evidence only;
* ``check`` — the case-file findings a lead said bear on this criterion
  (``finding_bearing``: at or above a threshold percent points favourably, or below it) point
  the other way from the grade: a favourable grade where a bearing finding is unfavourable
  for that force, or an unfavourable grade where one is favourable. A mixed grade is never
  checked; a finding with no figure for the force (no counted case) points nowhere.

A cell not judged yet has no grade and no marks; ``available`` counts the evidence items
about that force or Area that bear on the criterion, judged or not.

For the draft report (issue 15): ``criterion_judgements(session, actor, "3.1")`` gives one
``Cell`` per force (and, with ``unit_type="cps_area"``, per Area) for one criterion, and
``grid(...)`` the whole table; ``Cell.to_dict()`` is plain JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from fieldwork.files.csv_out import csv_bytes
from fieldwork import audit
from fieldwork.catalog import load_catalog
from fieldwork.problem_codes import BAD_FORMAT, BAD_VALUE, UNKNOWN_BEARING, UNKNOWN_CRITERION, UNKNOWN_FINDING
from fieldwork.problems import Problem, ProblemError
from fieldwork.services import inspections, permissions
from fieldwork.services.judgements import (FindingFigures, FindingRef, finding_problem, framework_of, judgements,
                                           links_of, unit_label, unit_matches)
from fieldwork.services.permissions import Actor
from models import EvidenceExcerpt, EvidenceItem, FindingBearing, Inspection, Judgement, utcnow
from models.evidence import AT_LEAST, BELOW, CASE_FILES, CPS_AREA, FORCE, LINK_EVIDENCE, LINK_EXCERPT, LINK_FINDING

THIN = "thin"
UNEVIDENCED = "unevidenced"
CHECK = "check"
BEARING_SET = "judgement.bearing_set"
BEARING_REMOVED = "judgement.bearing_removed"


@dataclass
class Cell:
    unit_type: str
    unit: str
    unit_label: str
    criterion: str
    grade: str | None
    grade_label: str
    kinds: list[str]  # the evidence kinds the judgement cites (case_files for findings)
    cited: int  # evidence items, excerpts and findings cited
    available: int  # evidence items about this unit bearing on the criterion
    marks: list[str]
    judged_by: str | None = None
    judged_at: object = None
    checks: list[str] = field(default_factory=list)  # why "check": the findings pointing the other way

    def to_dict(self) -> dict:
        return {"unit_type": self.unit_type, "unit": self.unit, "unit_label": self.unit_label,
                "criterion": self.criterion, "grade": self.grade, "grade_label": self.grade_label,
                "kinds": self.kinds, "kinds_count": len(self.kinds), "cited": self.cited,
                "available": self.available, "marks": self.marks, "checks": self.checks,
                "judged_by": self.judged_by,
                "judged_at": self.judged_at.isoformat() if self.judged_at else None}

    @property
    def symbol(self) -> str:
        """A short text for a grid cell: the grade and its marks."""
        if self.grade is None:
            return f"not judged · {self.available} item{'s' if self.available != 1 else ''}" if self.available else ""
        marks = f" [{', '.join(self.marks)}]" if self.marks else ""
        return f"{self.grade_label} · {len(self.kinds)} kind{'s' if len(self.kinds) != 1 else ''}{marks}"


@dataclass
class Grid:
    unit_type: str
    criteria: list[str]
    units: list[tuple[str, str]]  # (code, label)
    cells: dict[tuple[str, str], Cell]  # (unit, criterion) -> cell
    scale: list[tuple[str, str]]  # (code, label)

    def cell(self, unit: str, criterion: str) -> Cell:
        return self.cells[(unit, criterion)]

    def column(self, criterion: str) -> list[Cell]:
        return [self.cells[(u, criterion)] for u, _ in self.units]

    def to_dict(self) -> dict:
        return {"unit_type": self.unit_type, "criteria": self.criteria,
                "units": [{"code": c, "label": lbl} for c, lbl in self.units],
                "scale": [{"code": c, "label": lbl} for c, lbl in self.scale],
                "cells": [self.cells[(u, c)].to_dict() for u, _ in self.units for c in self.criteria]}


# --- bearings ----------------------------------------------------------------------------


def set_bearing(session: Session, actor: Actor, *, criterion: str, ref: FindingRef, threshold: int,
                favourable_when: str = AT_LEAST, inspection: inspections.InspectionRef = None) -> FindingBearing:
    """A lead says that a case-file finding bears on a criterion's grade: at or above
    ``threshold`` percent it points favourably (``favourable_when='below'``: below it does)."""
    permissions.require_role(actor, (permissions.LEAD,), "set which findings bear on a grade")
    inspection = inspections.resolve(session, inspection)
    framework = framework_of(inspection)
    problems = []
    if criterion not in framework.specific_ids:
        problems.append(Problem(UNKNOWN_CRITERION, f"{criterion!r} is not a specific criterion", field="criterion"))
    why = finding_problem(session, ref)
    if why:
        problems.append(Problem(UNKNOWN_FINDING, why, field="finding", item=ref.target, item_kind="finding"))
    if not isinstance(threshold, int) or not 0 <= threshold <= 100:
        problems.append(Problem(BAD_VALUE, "the threshold is a whole percent from 0 to 100", field="threshold"))
    if favourable_when not in (AT_LEAST, BELOW):
        problems.append(Problem(BAD_VALUE, f"favourable_when is {AT_LEAST} or {BELOW}", field="favourable_when"))
    if problems:
        raise ProblemError(problems, "the bearing was not saved")
    row = session.execute(select(FindingBearing).where(
        FindingBearing.inspection_id == inspection.id, FindingBearing.criterion == criterion,
        FindingBearing.questionnaire == ref.questionnaire, FindingBearing.finding == ref.finding,
        FindingBearing.answer == ref.answer)).scalars().first()
    old = f"{row.favourable_when} {row.threshold}" if row else None
    if row is None:
        row = FindingBearing(inspection_id=inspection.id, criterion=criterion, questionnaire=ref.questionnaire,
                             finding=ref.finding, answer=ref.answer, threshold=threshold,
                             favourable_when=favourable_when, set_by=actor.name)
        session.add(row)
    else:
        row.threshold, row.favourable_when, row.set_by, row.set_at = threshold, favourable_when, actor.name, utcnow()
    audit.record(session, actor.name, BEARING_SET, inspection_id=inspection.id, question=criterion, old_value=old,
                 new_value=f"{favourable_when} {threshold}", finding=ref.target)
    session.flush()
    return row


def remove_bearing(session: Session, actor: Actor, bearing_id: int) -> None:
    permissions.require_role(actor, (permissions.LEAD,), "set which findings bear on a grade")
    row = session.get(FindingBearing, bearing_id)
    if row is None:
        raise ProblemError([Problem(UNKNOWN_BEARING, f"no bearing {bearing_id}")])
    audit.record(session, actor.name, BEARING_REMOVED, inspection_id=row.inspection_id, question=row.criterion,
                 old_value=f"{row.favourable_when} {row.threshold}",
                 finding=f"{row.questionnaire}:{row.finding}:{row.answer}")
    session.delete(row)
    session.flush()


def bearings(session: Session, inspection: Inspection, criterion: str | None = None) -> list[FindingBearing]:
    query = select(FindingBearing).where(FindingBearing.inspection_id == inspection.id)
    if criterion:
        query = query.where(FindingBearing.criterion == criterion)
    return list(session.execute(query.order_by(FindingBearing.criterion, FindingBearing.id)).scalars())


def favourable(bearing: FindingBearing, percent: int | None) -> bool | None:
    """Which way a finding's figure points under a bearing; None without a figure."""
    if percent is None:
        return None
    above = percent >= bearing.threshold
    return above if bearing.favourable_when == AT_LEAST else not above


def contradicts(leaning: str, points: bool | None) -> bool:
    """A finding pointing ``points`` (favourable True, unfavourable False, None: no figure)
    contradicts a grade of this leaning; a mixed grade is never contradicted."""
    return points is not None and leaning in ("favourable", "unfavourable") and points != (leaning == "favourable")


def cell_marks(kinds: set[str], contradicted: bool) -> list[str]:
    """A judged cell's marks from the kinds of evidence it cites and whether findings contradict it."""
    marks = [UNEVIDENCED] if not kinds else [THIN] if len(kinds) == 1 else []
    return marks + ([CHECK] if contradicted else [])


# --- the grid ----------------------------------------------------------------------------


def grid_units(session: Session, inspection: Inspection, unit_type: str) -> list[tuple[str, str]]:
    """The rows: the forces of the case file sample (the inspection's targets), and any force
    with evidence or a judgement; for CPS Areas, those forces' Areas and any Area with either."""
    catalog = load_catalog()
    spec = catalog.inspections.get(inspection.code)
    forces = set()
    for plan in (spec.samples if spec else ()):
        if plan.default_target == 0:
            forces |= {f for f, n in plan.targets.items() if n > 0}
    ev_forces = {f for (f,) in session.execute(select(EvidenceItem.force).where(
        EvidenceItem.inspection_id == inspection.id, EvidenceItem.force.is_not(None)).distinct()).all()}
    ev_areas = {a for (a,) in session.execute(select(EvidenceItem.cps_area).where(
        EvidenceItem.inspection_id == inspection.id, EvidenceItem.cps_area.is_not(None)).distinct()).all()}
    judged = {u for (u,) in session.execute(select(Judgement.unit).where(
        Judgement.inspection_id == inspection.id, Judgement.unit_type == unit_type).distinct()).all()}
    if unit_type == FORCE:
        codes = forces | ev_forces | judged
        order = catalog.codes.forces
    else:
        codes = {catalog.codes.force_area.get(f) for f in forces | ev_forces} | ev_areas | judged
        order = catalog.codes.cps_areas
    return [(c.code, c.label) for c in order if c.code in codes]


def grid(session: Session, actor: Actor, *, unit_type: str = FORCE, inspection: inspections.InspectionRef = None,
         criteria: list[str] | None = None, units: list[str] | None = None) -> Grid:
    """Every unit × criterion cell with its grade, kinds of evidence and marks."""
    permissions.require_role(actor, permissions.LEADS, "see the judgements grid")
    inspection = inspections.resolve(session, inspection)
    framework = framework_of(inspection)
    wanted = criteria or framework.specific_ids
    rows = grid_units(session, inspection, unit_type)
    if units:
        rows = [r for r in rows if r[0] in units] + [(u, unit_label(unit_type, u)) for u in units
                                                      if u not in {c for c, _ in rows}]
    items = list(session.execute(select(EvidenceItem).where(EvidenceItem.inspection_id == inspection.id)).scalars())
    by_id = {i.id: i for i in items}
    by_uid = {i.uid: i for i in items}
    excerpt_item: dict[str, EvidenceItem] = {}
    excerpt_criteria: dict[int, set[str]] = {}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        for uid, evidence_id, criterion in session.execute(select(
                EvidenceExcerpt.uid, EvidenceExcerpt.evidence_id, EvidenceExcerpt.criterion).where(
                EvidenceExcerpt.evidence_id.in_(ids[start:start + 500]))).all():
            excerpt_item[uid] = by_id[evidence_id]
            excerpt_criteria.setdefault(evidence_id, set()).add(criterion)
    found = judgements(session, inspection, unit_type=unit_type)
    links = links_of(session, [j.id for j in found])
    judged = {(j.unit, j.criterion): j for j in found}
    rules: dict[str, list[FindingBearing]] = {}
    for b in bearings(session, inspection):
        rules.setdefault(b.criterion, []).append(b)
    figures = FindingFigures(session, inspection)

    # evidence items about each unit, per criterion they bear on: one pass over the items
    available_counts: dict[tuple[str, str], int] = {}
    for i in items:
        bears = set(i.criteria_list) | excerpt_criteria.get(i.id, set())
        for unit, _ in rows:
            if unit_matches(unit_type, unit, i):
                for criterion in bears:
                    available_counts[(unit, criterion)] = available_counts.get((unit, criterion), 0) + 1
    cells = {}
    for unit, label in rows:
        for criterion in wanted:
            available = available_counts.get((unit, criterion), 0)
            j = judged.get((unit, criterion))
            if j is None:
                cells[(unit, criterion)] = Cell(unit_type, unit, label, criterion, None, "", [], 0, available, [])
                continue
            kinds, cited = set(), 0
            for kind, target in links.get(j.id, []):  # a citation whose excerpt was since removed counts for nothing
                if kind == LINK_EVIDENCE and target in by_uid:
                    kinds.add(by_uid[target].kind)
                elif kind == LINK_EXCERPT and target in excerpt_item:
                    kinds.add(excerpt_item[target].kind)
                elif kind == LINK_FINDING:
                    kinds.add(CASE_FILES)
                else:
                    continue
                cited += 1
            grade = framework.grade(j.grade)
            leaning = grade.leaning if grade else "mixed"
            checks = []
            if leaning != "mixed":
                for b in rules.get(criterion, []):
                    linked = figures.get(FindingRef(b.questionnaire, b.finding, b.answer), unit_type, unit)
                    points = favourable(b, linked.percent)
                    if contradicts(leaning, points):
                        checks.append(f"{linked.label}: {linked.percent} percent for {unit} "
                                      f"({'favourable' if points else 'unfavourable'} "
                                      f"{'at or above' if b.favourable_when == AT_LEAST else 'below'} {b.threshold})")
            marks = cell_marks(kinds, bool(checks))
            cells[(unit, criterion)] = Cell(unit_type, unit, label, criterion, j.grade,
                                            grade.label if grade else j.grade, sorted(kinds), cited, available,
                                            marks, j.judged_by, j.judged_at, checks)
    return Grid(unit_type, list(wanted), rows, cells, [(g.code, g.label) for g in framework.scale])


def criterion_judgements(session: Session, actor: Actor, criterion: str, *, unit_type: str = FORCE,
                         inspection: inspections.InspectionRef = None) -> list[Cell]:
    """One criterion across all forces (or CPS Areas): the grid's column, for the Judgements
    page and the draft report."""
    return grid(session, actor, unit_type=unit_type, inspection=inspection, criteria=[criterion]).column(
        criterion)


# --- files -------------------------------------------------------------------------------


def wide_csv(g: Grid) -> bytes:
    """The judgements as a wide table: one row per force (or Area), one column per criterion
    holding the grade code (blank: not judged), then one ``marks:CRITERION`` column each."""
    rows = []
    for unit, label in g.units:
        cells = [g.cell(unit, c) for c in g.criteria]
        rows.append([unit, label, *(c.grade or "" for c in cells), *(" ".join(c.marks) for c in cells)])
    return csv_bytes([g.unit_type, "label", *g.criteria, *(f"marks:{c}" for c in g.criteria)], rows,
                     line_end="\r\n")


def export_grid(session: Session, actor: Actor, fmt: str, *, unit_type: str = FORCE,
                inspection: inspections.InspectionRef = None, file_name: str = "") -> bytes:
    """The grid as the wide CSV or as JSON (``Grid.to_dict``); audited (counts only)."""
    if fmt not in ("csv", "json"):
        raise ProblemError([Problem(BAD_FORMAT, f"{fmt!r}: the grid is written as csv or json", field="format")])
    g = grid(session, actor, unit_type=unit_type, inspection=inspection)
    data = grid_bytes(g, fmt)
    record_export(session, actor, g, fmt, inspection=inspection, file_name=file_name)
    return data


def grid_bytes(g: Grid, fmt: str) -> bytes:
    return wide_csv(g) if fmt == "csv" else (json.dumps(g.to_dict(), indent=2, ensure_ascii=False) + "\n").encode()


def record_export(session: Session, actor: Actor, g: Grid, fmt: str, *, inspection: inspections.InspectionRef = None,
                  file_name: str = "") -> None:
    """The audit row of a grid written to a file (counts only), from the command line or a download."""
    inspection = inspections.resolve(session, inspection)
    audit.record(session, actor.name, audit.EXPORT, inspection_id=inspection.id, kind="judgements", format=fmt,
                 unit_type=g.unit_type, judged=sum(c.grade is not None for c in g.cells.values()),
                 file=file_name[:200])


__all__ = ["CHECK", "THIN", "UNEVIDENCED", "CPS_AREA", "FORCE", "Cell", "Grid", "grid", "criterion_judgements",
           "set_bearing", "remove_bearing", "bearings", "export_grid", "wide_csv"]


def judgement_rows(session: Session, actor: Actor, *, inspection: inspections.InspectionRef = None) -> list[dict]:
    """Every judgement (forces, then CPS Areas) as one flat row: the cell's grade, kinds and
    marks, the rationale, and what it cites — evidence refs, excerpts (ref, criterion, code)
    and case-file findings with their figures for that force or Area (and the 95% interval
    once findings carry one). For the workbook and the draft report."""
    permissions.require_role(actor, permissions.LEADS, "see judgements")
    inspection = inspections.resolve(session, inspection)
    items = {i.uid: i for i in session.execute(select(EvidenceItem).where(
        EvidenceItem.inspection_id == inspection.id)).scalars()}
    by_id = {i.id: i for i in items.values()}
    excerpts = {}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        for ex in session.execute(select(EvidenceExcerpt).where(
                EvidenceExcerpt.evidence_id.in_(ids[start:start + 500]))).scalars():
            excerpts[ex.uid] = ex
    figures = FindingFigures(session, inspection)
    out = []
    for unit_type in (FORCE, CPS_AREA):
        found = judgements(session, inspection, unit_type=unit_type)
        if not found:
            continue
        g = grid(session, actor, unit_type=unit_type, inspection=inspection,
                 units=sorted({j.unit for j in found}))
        links = links_of(session, [j.id for j in found])
        for j in found:
            cell = g.cell(j.unit, j.criterion)
            cited = links.get(j.id, [])
            ev = [items[t].ref for k, t in cited if k == LINK_EVIDENCE and t in items]
            exs = [f"{by_id[excerpts[t].evidence_id].ref} {excerpts[t].criterion} {excerpts[t].code}"
                   for k, t in cited if k == LINK_EXCERPT and t in excerpts]
            fs = []
            for k, t in cited:
                if k != LINK_FINDING:
                    continue
                f = figures.get(FindingRef.parse(t), unit_type, j.unit)
                ci = f" (95% CI {f.ci_low}-{f.ci_high})" if f.ci_low is not None and f.ci_high is not None else ""
                fs.append(f"{f.label}: {f.count} of {f.denominator} ({f.percent} percent){ci}"
                          if f.percent is not None else f"{f.label}: {f.text}")
            out.append({"unit_type": unit_type, "unit": j.unit, "unit_label": cell.unit_label,
                        "criterion": j.criterion, "grade": j.grade, "grade_label": cell.grade_label,
                        "kinds": cell.kinds, "marks": cell.marks, "rationale": j.rationale, "evidence": ev,
                        "excerpts": exs, "findings": fs, "judged_by": j.judged_by, "judged_at": j.judged_at,
                        "version": j.version, "uid": j.uid})
    return out
