"""Sampling frames: the list of eligible cases each force (or CPS Area) supplies, imported
from a CSV or xlsx with a column map the lead confirms.

The file is read by the import's own reader (``importing.read_table``: the same encodings,
size limits and safe xlsx opening). Each column maps to a *field*:

* ``case_ref`` (exactly one column): the pseudonymous reference, checked with the Cases
  register's own rule (``privacy.case_ref_problem``), unique in the file and across the
  questionnaire's other frames (ignoring case);
* ``force``: the force's code or name; without such a column every row is the force given
  with the import;
* a context question of the questionnaire (``plea``, ``domestic_abuse``, ``offence_charged``,
  ``cps_area``, …): its code or its label, in any case ("Not guilty" reads as
  ``not_guilty``); a drawn case's register entry is filled in from these;
* any other name (``finalised``, ``offence_text``, …): kept as text, for strata and filters,
  refused if it looks like personal data (``privacy.note_warnings``);
* ``""``: the column is left out.

An import is all or nothing: every row is checked first and every bad row is named. It makes
or replaces one frame per force in the file; a force whose frame has been drawn from is
refused (a sample must stay reproducible from the frame it was drawn from).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import delete, func, insert, select
from sqlmodel import Session

from fieldwork import audit
from fieldwork.catalog import load_catalog
from fieldwork.contract import CASE_REF, CONTEXT_SECTION
from fieldwork.problem_codes import (
    BAD_CASE_REF, BAD_COLUMN_MAP as BAD_MAP, DUPLICATE_CASE_REF, FRAME_ALREADY_DRAWN as ALREADY_DRAWN,
    IN_OTHER_FRAME, MISSING_VALUE, PERSONAL_DATA, TOO_LONG, UNKNOWN_CODE as BAD_CODE, UNKNOWN_QUESTIONNAIRE,
)
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire.answers import close_match
from fieldwork.services import actor_check, importing, inspections, permissions, privacy
from fieldwork.services.importing import Table
from fieldwork.services.permissions import Actor
from models import FrameCase, SampleDraw, SampleFrame

FORCE = "force"
IGNORE = ""
MAX_ATTRIBUTE = 100  # characters in a kept text attribute: a frame holds codes and dates, not narrative
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
FRAME_IMPORTED = "sample.frame_imported"


@dataclass
class FrameImport:
    source: str
    column_map: dict[str, str]
    forces: dict[str, int]  # force -> cases
    replaced: list[str] = field(default_factory=list)  # forces whose undrawn frame was replaced
    written: bool = False
    warnings: list[Problem] = field(default_factory=list)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")[:40]


def context_fields(questionnaire) -> list[str]:
    """The context questions a frame column can fill in (the case reference is its own field)."""
    return [q.name for q in questionnaire.questions_in(CONTEXT_SECTION) if q.name != CASE_REF]


def propose_map(header: list[str], questionnaire) -> dict[str, str]:
    """A first column map for the lead to confirm: a column whose name (or label) matches a
    field maps to it; anything else is kept as a text attribute under its own name."""
    known = {CASE_REF: CASE_REF, "case_reference": CASE_REF, "reference": CASE_REF, "ref": CASE_REF,
             # what a force's list tends to call the attributes the report balanced on
             "offence": "offence_charged", "da": "domestic_abuse", "da_flag": "domestic_abuse",
             "domestic_abuse_flag": "domestic_abuse", "defendant_plea": "plea", "plea_entered": "plea"}
    for name in context_fields(questionnaire):
        known[name] = name
        known[_slug(questionnaire.question(name).label)] = name
    proposal: dict[str, str] = {}
    for column in header:
        slug = _slug(column)
        target = known.get(slug, slug)
        proposal[column] = IGNORE if target in proposal.values() else target
    if CASE_REF not in proposal.values():  # "PIN ref", "URN reference": the first column that says it is one
        column = next((c for c in header if re.search(r"(^|_)(ref|reference|urn)($|_)", _slug(c))), None)
        if column is not None:
            proposal[column] = CASE_REF
    return proposal


def read_frame(data: bytes | str | Path, name: str = "") -> Table:
    """The file's header and rows, read by the import's reader; refusals in a frame's words."""
    try:
        return importing.read_path(data) if isinstance(data, (str, Path)) else importing.read_table(data, name)
    except ProblemError as exc:
        problems = [replace(p, message=p.message + ": a frame workbook holds its list on its only sheet, or on a "
                            "sheet named 'responses'") if p.code == importing.MISSING_SHEET else p
                    for p in exc.problems]
        raise ProblemError(problems, exc.summary.replace("nothing was imported", "no frame was imported")) from None


def _code_lookup(questionnaire, name: str) -> dict[str, str]:
    """Code or label, in any case and spacing, -> code."""
    out = {}
    for c in questionnaire.options(name):
        out[c.label.strip().lower()] = c.code
        out[c.code.lower()] = c.code
        out[c.code.lower().replace("_", " ")] = c.code
    return out


def _check_map(column_map: dict[str, str], header: list[str], questionnaire, force: str | None, source: str
               ) -> list[Problem]:
    problems = []
    for column in column_map:
        if column not in header:
            problems.append(Problem(BAD_MAP, f"the file has no column {column!r}", source=source, field=column))
    used: dict[str, str] = {}
    for column, target in column_map.items():
        if target == IGNORE:
            continue
        if not FIELD_NAME.match(target):
            problems.append(Problem(BAD_MAP, f"{target!r} is not a field name (lower-case letters, digits and _, "
                                    "starting with a letter)", source=source, field=column))
        elif target in used:
            problems.append(Problem(BAD_MAP, f"both {used[target]!r} and {column!r} map to {target!r}: map one "
                                    "column to each field", source=source, field=column))
        used.setdefault(target, column)
    if CASE_REF not in used:
        problems.append(Problem(BAD_MAP, "no column is mapped to case_ref: one column must hold the pseudonymous "
                                f"case reference (the columns: {', '.join(map(repr, header))}; map one with "
                                "COLUMN=case_ref)", source=source))
    if FORCE not in used and not force:
        problems.append(Problem(BAD_MAP, "no column is mapped to force: map one, or say which force the whole "
                                "file is for", source=source))
    if force and FORCE not in used and force not in questionnaire.codes(FORCE):
        problems.append(Problem(BAD_CODE, f"{force!r} is not a force code", source=source, field=FORCE))
    return problems


def _rows(table: Table, column_map: dict[str, str], questionnaire, force: str | None
          ) -> tuple[list[tuple[int, str, str, dict]], list[Problem]]:
    """(row, case_ref, force, attributes) for every row, and every problem of every row."""
    index = {c: table.header.index(c) for c in column_map if c in table.header}
    lookups = {t: _code_lookup(questionnaire, t) for t in column_map.values()
               if t != IGNORE and t != CASE_REF and questionnaire.has_question(t)
               and questionnaire.question(t).is_single_choice}
    if FORCE in column_map.values():  # a force's full name as the catalog spells it, too
        lookups[FORCE] = {**_code_lookup(questionnaire, FORCE),
                          **{c.label.strip().lower(): c.code for c in load_catalog().codes.forces}}
    problems: list[Problem] = []
    out = []
    seen: dict[str, int] = {}
    src = table.source
    for number, cells in table.rows:
        def cell(column):
            i = index[column]
            return importing._text(cells[i] if i < len(cells) else None).strip()  # the import's own cell reading
        ref, frc, attrs = "", force, {}
        for column, target in column_map.items():
            if target == IGNORE or column not in index:
                continue
            value = cell(column)
            if target == CASE_REF:
                ref = value
                fault = privacy.case_ref_problem(value)
                if fault:
                    problems.append(Problem(BAD_CASE_REF, f"case reference: {fault}", source=src, row=number,
                                            field=column))
                elif value.lower() in seen:
                    problems.append(Problem(DUPLICATE_CASE_REF, f"{value} is also on row {seen[value.lower()]}: "
                                            "each case is listed once", source=src, row=number, field=column,
                                            item=value, item_kind="case"))
                else:
                    seen[value.lower()] = number
            elif not value:
                if target == FORCE:
                    problems.append(Problem(MISSING_VALUE, "the force is blank", source=src, row=number,
                                            field=column))
            elif target in lookups:
                lookup = lookups[target]
                code = lookup.get(" ".join(value.lower().split()))
                if code is None:
                    codes = questionnaire.codes(target)
                    hint = close_match(value, [k for k in lookup if "_" not in k])
                    shown = (f"did you mean {lookup[hint]!r}?" if hint else
                             "codes: " + (", ".join(codes) if len(codes) <= 12 else
                                          f"{', '.join(codes[:5])}, … ({len(codes)})"))
                    problems.append(Problem(BAD_CODE, f"{importing._clip(value)!r} is not a code or label of "
                                            f"{target} ({shown})", source=src, row=number, field=column))
                elif target == FORCE:
                    frc = code
                else:
                    attrs[target] = code
            elif len(value) > MAX_ATTRIBUTE:
                problems.append(Problem(TOO_LONG, f"holds {len(value)} characters; a frame keeps at most "
                                        f"{MAX_ATTRIBUTE} (codes, dates, short labels)", source=src, row=number,
                                        field=column))
            elif privacy.note_warnings(value):
                problems.append(Problem(PERSONAL_DATA, f"looks like it holds {', '.join(privacy.note_warnings(value))}"
                                        ": a frame holds pseudonymous references and case attributes only",
                                        source=src, row=number, field=column))
            else:
                attrs[target] = value
        out.append((number, ref, frc, attrs))
    return out, problems


def import_frame(session: Session, actor: Actor, questionnaire_id: str, data: bytes | Table, name: str = "", *,
                 column_map: dict[str, str] | None = None, force: str | None = None,
                 inspection: inspections.InspectionRef = None, dry_run: bool = False) -> FrameImport:
    """Check the whole file against the column map (the proposed one when none is given) and,
    unless a dry run, write one frame per force in it, replacing an undrawn frame. Refused,
    writing nothing, with every problem named."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    permissions.require_role(actor, permissions.LEADS, "import a sampling frame")
    inspection = inspections.resolve(session, inspection)
    known = inspections.questionnaire_ids(session, inspection)
    if questionnaire_id not in known:
        raise ProblemError([Problem(UNKNOWN_QUESTIONNAIRE, f"{inspection.name} has no questionnaire "
                                    f"{questionnaire_id!r} (it has: {', '.join(known)})")], "no frame was imported")
    questionnaire = inspections.load_questionnaire(session, questionnaire_id)
    table = data if isinstance(data, Table) else read_frame(data, name)
    column_map = dict(column_map if column_map is not None else propose_map(table.header, questionnaire))
    refused = f"{table.source} was refused: no frame was imported"
    problems = _check_map(column_map, table.header, questionnaire, force, table.source)
    if problems:
        raise ProblemError(problems, refused)
    rows, problems = _rows(table, column_map, questionnaire, force)

    per_force: dict[str, int] = {}
    for _, _, frc, _ in rows:
        if frc:
            per_force[frc] = per_force.get(frc, 0) + 1
    existing = {f.force: f for f in session.execute(select(SampleFrame).where(
        SampleFrame.inspection_id == inspection.id, SampleFrame.questionnaire == questionnaire_id)).scalars()}
    drawn = set(session.execute(select(SampleFrame.force).join(SampleDraw, SampleDraw.frame_id == SampleFrame.id)
                                .where(SampleFrame.inspection_id == inspection.id,
                                       SampleFrame.questionnaire == questionnaire_id)).scalars())
    for frc in sorted(set(per_force) & drawn):
        problems.append(Problem(ALREADY_DRAWN, f"the {frc} frame has been drawn from: a frame is never replaced "
                                "after its draw (the sample must stay reproducible from it)", source=table.source,
                                field=FORCE, item=frc, item_kind="force"))
    others = [f.id for f in existing.values() if f.force not in per_force]
    if others:  # a case is eligible in one force only
        elsewhere = dict(session.execute(
            select(func.lower(FrameCase.case_ref), SampleFrame.force).join(SampleFrame)
            .where(FrameCase.frame_id.in_(others))).all())
        for number, ref, _, _ in rows:
            if ref and ref.lower() in elsewhere:
                problems.append(Problem(IN_OTHER_FRAME, f"{ref} is already in the {elsewhere[ref.lower()]} frame",
                                        source=table.source, row=number, item=ref, item_kind="case"))
    if problems:
        raise ProblemError(problems, refused)

    result = FrameImport(table.source, column_map, per_force, sorted(set(per_force) & set(existing)),
                         warnings=list(table.warnings))
    if dry_run:
        return result
    for frc in result.replaced:
        old = existing[frc]
        session.execute(delete(FrameCase).where(FrameCase.frame_id == old.id))
        session.delete(old)
    session.flush()
    for frc, n in per_force.items():
        frame = SampleFrame(inspection_id=inspection.id, questionnaire=questionnaire_id, force=frc,
                            source=table.source[:200], column_map=json.dumps(column_map, sort_keys=True), cases=n,
                            imported_by=actor.name)
        session.add(frame)
        session.flush()
        # Core INSERT: an ORM object per frame case costs most of a 10,000-case import
        session.execute(insert(FrameCase.__table__), [
            {"frame_id": frame.id, "case_ref": ref, "row": number, "attributes": json.dumps(attrs, sort_keys=True)}
            for number, ref, f, attrs in rows if f == frc])
        audit.record(session, actor.name, FRAME_IMPORTED, inspection_id=inspection.id, questionnaire=questionnaire_id,
                     force=frc, cases=n, file=table.source, replaced=frc in result.replaced)
    session.flush()
    result.written = True
    return result


@dataclass(frozen=True)
class FrameSummary:
    frame_id: int
    force: str
    cases: int
    source: str
    imported_at: object
    imported_by: str
    drawn: bool
    attributes: tuple[str, ...]  # the fields its cases hold, besides case_ref


def frames(session: Session, actor: Actor, questionnaire_id: str, *, inspection: inspections.InspectionRef = None
           ) -> list[FrameSummary]:
    inspection = inspections.resolve(session, inspection)
    rows = session.execute(
        select(SampleFrame, SampleDraw.id).outerjoin(SampleDraw, SampleDraw.frame_id == SampleFrame.id)
        .where(SampleFrame.inspection_id == inspection.id, SampleFrame.questionnaire == questionnaire_id)
        .order_by(SampleFrame.force)).all()
    out = []
    for frame, draw_id in rows:
        if not actor.sees_force(frame.force):
            continue
        fields = [t for t in json.loads(frame.column_map).values() if t not in (IGNORE, CASE_REF, FORCE)]
        out.append(FrameSummary(frame.id, frame.force, frame.cases, frame.source, frame.imported_at,
                                frame.imported_by, draw_id is not None, tuple(fields)))
    return out
