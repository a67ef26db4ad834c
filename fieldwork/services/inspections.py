"""Inspections and the questionnaire versions they use.

A fresh database holds one inspection, "Living in fear", with the questionnaires of the
criteria folder. A questionnaire version is stored whole (its definition as JSON), so an
assessment always knows the wording it was scored on; a changed wording under an existing
version number is refused: a change of wording makes a new version.
"""

from __future__ import annotations

import json
from functools import lru_cache

from sqlmodel import Session, select

from fieldwork import audit, contract
from fieldwork.catalog import InspectionSpec, load_catalog
from fieldwork.problem_codes import UNKNOWN_INSPECTION, UNKNOWN_QUESTIONNAIRE, VERSION_CHANGED
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire.loader import FRAMEWORK_MISMATCH
from fieldwork.questionnaire.model import Questionnaire, questionnaire_from_dict
from models import Inspection, InspectionQuestionnaire, QuestionnaireVersion

SYSTEM = "system"


def seed_defaults(session: Session) -> None:
    """Idempotent: add the catalog's inspections and questionnaire versions that are missing."""
    for spec in load_catalog().inspections.values():
        add_inspection(session, spec)


def add_inspection(session: Session, spec: InspectionSpec) -> Inspection:
    """Idempotent: the inspection ``spec`` describes, added if missing, with its questionnaires
    (from the criteria folder) attached, as seeding does."""
    catalog = load_catalog()
    inspection = session.exec(select(Inspection).where(Inspection.code == spec.id)).first()
    if inspection is None:
        inspection = Inspection(code=spec.id, name=spec.name, title=spec.title, framework=spec.framework,
                                case_ref_pattern=spec.case_ref_pattern)
        session.add(inspection)
        session.flush()
    elif spec.case_ref_pattern and inspection.case_ref_pattern != spec.case_ref_pattern:
        inspection.case_ref_pattern = spec.case_ref_pattern  # the inspection file is the pattern's home
        session.add(inspection)
    for qid in spec.questionnaires:
        add_questionnaire(session, catalog.questionnaires[qid], inspection, actor=SYSTEM, quiet=True)
    return inspection


def all_inspections(session: Session) -> list[Inspection]:
    """Every inspection in the database, oldest first (the seeded one leads)."""
    return list(session.exec(select(Inspection).order_by(Inspection.id)).all())


def inspection_by_code(session: Session, code: str | None = None) -> Inspection:
    """The inspection named by ``code`` (or id), else the default one."""
    query = select(Inspection)
    if code is None:
        found = session.exec(query.where(Inspection.code == contract.DEFAULT_INSPECTION)).first()
        found = found or session.exec(query.order_by(Inspection.id)).first()
    elif str(code).isdigit():
        found = session.get(Inspection, int(code))
    else:
        found = session.exec(query.where(Inspection.code == code)).first()
    if found is None:
        known = ", ".join(i.code for i in session.exec(select(Inspection)).all()) or "none"
        raise ProblemError([Problem(UNKNOWN_INSPECTION, f"no inspection {code!r} (known: {known})", field="inspection")])
    return found


# How a service is told which inspection it acts on: the row itself (pages pass
# ``session.current_inspection``), its code or id (the command line's ``--inspection``), or None
# for the database's default. A service resolves it once, first, with ``resolve``.
InspectionRef = Inspection | str | None


def resolve(session: Session, inspection: InspectionRef) -> Inspection:
    """The Inspection an ``InspectionRef`` names (see ``inspection_by_code``)."""
    return inspection if isinstance(inspection, Inspection) else inspection_by_code(session, inspection)


def add_questionnaire(session: Session, questionnaire: Questionnaire, inspection: Inspection, *,
                      actor: str, quiet: bool = False) -> QuestionnaireVersion:
    """Store a questionnaire version (if new) and attach the questionnaire to the inspection.
    Refused for a questionnaire under another framework than the inspection's: its criteria
    would be read against the wrong one."""
    if questionnaire.framework and questionnaire.framework != inspection.framework:
        raise ProblemError([Problem(
            FRAMEWORK_MISMATCH, f"{questionnaire.id} is written for framework {questionnaire.framework!r}; "
            f"{inspection.name} ({inspection.code}) is inspected under {inspection.framework!r}",
            field="framework", item=questionnaire.id)])
    existing = session.exec(select(QuestionnaireVersion).where(
        QuestionnaireVersion.questionnaire == questionnaire.id,
        QuestionnaireVersion.version == questionnaire.version)).first()
    if existing is not None and existing.content_hash != questionnaire.content_hash:
        raise ProblemError([Problem(VERSION_CHANGED, f"version {questionnaire.version} of {questionnaire.id} is already stored with "
            "different content: a change of wording needs a new version number", field="version",
            item=questionnaire.id)])
    if existing is None:
        existing = QuestionnaireVersion(
            questionnaire=questionnaire.id, version=questionnaire.version, title=questionnaire.title,
            content_hash=questionnaire.content_hash,
            definition=json.dumps(questionnaire.to_dict(), ensure_ascii=False, sort_keys=True))
        session.add(existing)
        session.flush()
        if not quiet:
            audit.record(session, actor, audit.QUESTIONNAIRE_ADDED, inspection_id=inspection.id,
                         questionnaire=questionnaire.id, version=questionnaire.version)
    link = session.get(InspectionQuestionnaire, (inspection.id, questionnaire.id))
    if link is None:
        session.add(InspectionQuestionnaire(inspection_id=inspection.id, questionnaire=questionnaire.id))
        session.flush()
    return existing


def add_xlsform(session: Session, source, inspection: Inspection, *, actor: str,
                name: str = "questionnaire.xlsx") -> Questionnaire:
    """Add the questionnaire of an XLSForm (or a new version of it) to the inspection. A form
    without a ``framework`` setting takes the inspection's, so its ``criteria`` column is
    checked against that framework; a form naming another framework is refused."""
    from fieldwork.questionnaire.xlsform import import_xlsform  # openpyxl only when needed

    catalog = load_catalog()
    questionnaire = import_xlsform(source, frameworks=catalog.frameworks, name=name,
                                   shared_choices=catalog.codes.as_choice_lists(),
                                   inspection_framework=inspection.framework,
                                   allow_repeats=True)  # entries are stored, imported, exported and counted
    add_questionnaire(session, questionnaire, inspection, actor=actor)
    return questionnaire


def questionnaire_ids(session: Session, inspection: Inspection) -> list[str]:
    rows = session.exec(select(InspectionQuestionnaire.questionnaire)
                        .where(InspectionQuestionnaire.inspection_id == inspection.id)).all()
    return sorted(rows)


def questionnaire_titles(session: Session, inspection: Inspection) -> dict[str, str]:
    """Questionnaire id -> the title of its current version, for pickers."""
    return {q: load_questionnaire(session, q).title or q for q in questionnaire_ids(session, inspection)}


def current_version(session: Session, questionnaire_id: str) -> QuestionnaireVersion:
    """The newest stored version of a questionnaire (the one new assessments are scored on)."""
    row = session.exec(select(QuestionnaireVersion)
                       .where(QuestionnaireVersion.questionnaire == questionnaire_id)
                       .order_by(QuestionnaireVersion.id.desc())).first()
    if row is None:
        known = ", ".join(sorted(set(session.exec(select(QuestionnaireVersion.questionnaire)).all()))) or "none"
        raise ProblemError([Problem(UNKNOWN_QUESTIONNAIRE,
                                    f"no questionnaire {questionnaire_id!r} (known: {known})", item=questionnaire_id)])
    return row


def questionnaire_of(version: QuestionnaireVersion) -> Questionnaire:
    return _parse_definition(version.content_hash, version.definition)


@lru_cache(maxsize=64)
def _parse_definition(content_hash: str, definition: str) -> Questionnaire:
    # keyed by hash: the same version is parsed once per process, not on every rerun
    return questionnaire_from_dict(json.loads(definition))


def load_questionnaire(session: Session, questionnaire_id: str, version_id: int | None = None) -> Questionnaire:
    version = session.get(QuestionnaireVersion, version_id) if version_id else current_version(session, questionnaire_id)
    return questionnaire_of(version)
