"""Questionnaires as XLSForm, added from the app (walk 24, W13): the Questionnaires page's core.

Until now only ``fieldwork questionnaire import`` added a form, so a lead on the team's shared
server needed a shell and the database's address. Here the same import, for a signed-in lead
or administrator: ``check`` reads and checks a form without storing anything (a dry run: every
problem by sheet, row, column and reason, and the warnings); ``add`` stores it, or a new version
of it, in the inspection, audited under the account's name, in the caller's transaction.
``listing`` says what the inspection already holds, so a second copy is not added unseen.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from fieldwork.files.limits import MAX_FILE_BYTES
from fieldwork.problem_codes import FILE_TOO_LARGE
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.services import actor_check, inspections, permissions
from fieldwork.services.permissions import Actor
from models import Assessment, CaseFile, Inspection, QuestionnaireVersion

ADD = "add or change a questionnaire"


@dataclass(frozen=True)
class HeldQuestionnaire:
    id: str
    title: str
    versions: tuple[str, ...]  # oldest first; the last is the one new cases are scored on
    cases: int  # cases of the inspection on it


def _read(content: bytes, name: str, inspection: Inspection) -> Questionnaire:
    if len(content) > MAX_FILE_BYTES:
        raise ProblemError([Problem(FILE_TOO_LARGE, f"the file is {len(content) / 1024 / 1024:.1f} MB; a form may be "
                                    f"at most {MAX_FILE_BYTES // (1024 * 1024)} MB", source=name)],
                           f"questionnaire {name} was refused")
    from fieldwork.catalog import load_catalog
    from fieldwork.questionnaire.xlsform import import_xlsform  # openpyxl and pyxform only when needed

    catalog = load_catalog()
    return import_xlsform(content, frameworks=catalog.frameworks, name=name,
                          shared_choices=catalog.codes.as_choice_lists(),
                          inspection_framework=inspection.framework, allow_repeats=True)


def check(session: Session, actor: Actor, content: bytes, name: str,
          inspection: inspections.InspectionRef = None) -> Questionnaire:
    """The questionnaire the form would add, checked as ``add`` checks it, nothing stored.
    Raises ProblemError with every problem; a version already stored with other wording is
    one of them."""
    actor = actor_check.at_write(session, actor)
    permissions.require_role(actor, permissions.LEADS, ADD)
    questionnaire = _read(content, name, inspections.resolve(session, inspection))
    stored = session.execute(select(QuestionnaireVersion.content_hash).where(
        QuestionnaireVersion.questionnaire == questionnaire.id,
        QuestionnaireVersion.version == questionnaire.version)).scalar()
    if stored is not None and stored != questionnaire.content_hash:
        from fieldwork.problem_codes import VERSION_CHANGED

        raise ProblemError([Problem(VERSION_CHANGED, f"version {questionnaire.version} of {questionnaire.id} is already "
                                    "stored with different wording: a change of wording needs a new version number "
                                    "(the settings sheet's version column)", source=name, field="version",
                                    item=questionnaire.id)], f"questionnaire {name} was refused")
    return questionnaire


def is_stored(session: Session, questionnaire: Questionnaire) -> bool:
    """Whether this very version is already stored (adding it again changes nothing)."""
    return session.execute(select(QuestionnaireVersion.id).where(
        QuestionnaireVersion.questionnaire == questionnaire.id,
        QuestionnaireVersion.version == questionnaire.version)).first() is not None


def add(session: Session, actor: Actor, content: bytes, name: str,
        inspection: inspections.InspectionRef = None) -> Questionnaire:
    """Store the form's questionnaire (or its new version) in the inspection, audited as
    ``questionnaire.added`` under the account's name. All or nothing."""
    inspection = inspections.resolve(session, inspection)
    questionnaire = check(session, actor, content, name, inspection)
    inspections.add_questionnaire(session, questionnaire, inspection, actor=actor.name)
    return questionnaire


def listing(session: Session, inspection: inspections.InspectionRef = None) -> list[HeldQuestionnaire]:
    """The inspection's questionnaires: title, versions and how many cases each holds."""
    inspection = inspections.resolve(session, inspection)
    ids = inspections.questionnaire_ids(session, inspection)
    versions: dict[str, list[tuple[str, str]]] = {}
    for qid, version, title in session.execute(
            select(QuestionnaireVersion.questionnaire, QuestionnaireVersion.version, QuestionnaireVersion.title)
            .where(QuestionnaireVersion.questionnaire.in_(ids or [""])).order_by(QuestionnaireVersion.id)):
        versions.setdefault(qid, []).append((version, title))
    cases = dict(session.execute(
        select(CaseFile.questionnaire, func.count(func.distinct(CaseFile.id)))
        .join(Assessment, Assessment.case_id == CaseFile.id, isouter=True)
        .where(CaseFile.inspection_id == inspection.id).group_by(CaseFile.questionnaire)).all())
    return [HeldQuestionnaire(qid, (versions.get(qid) or [("", qid)])[-1][1] or qid,
                              tuple(v for v, _ in versions.get(qid, [])), int(cases.get(qid, 0)))
            for qid in ids]
