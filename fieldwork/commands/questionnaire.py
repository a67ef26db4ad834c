"""``fieldwork questionnaire import|export|list``: questionnaires as XLSForm."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from fieldwork import audit
from fieldwork.commands import shared
from fieldwork.questionnaire import case_facts
from fieldwork.questionnaire.model import MEDIA_TYPES
from fieldwork.services import inspections
from models import QuestionnaireVersion


def register(sub, common) -> None:
    qsub = shared.command_group(sub, common, "questionnaire", "questionnaires as XLSForm")
    imp = qsub.add_parser("import", parents=[common],
                          help="add a questionnaire (or a new version) from an XLSForm to the inspection "
                               "(--inspection ID, else the default); a form without a framework setting "
                               "takes the inspection's")
    imp.add_argument("file", type=Path)
    imp.set_defaults(handler=import_command)
    exp = qsub.add_parser("export", parents=[common], help="write a questionnaire as an XLSForm")
    exp.add_argument("id")
    exp.add_argument("out", type=Path)
    exp.add_argument("--version", default=None, help="which version (default: the newest)")
    exp.set_defaults(handler=export_command)
    lst = qsub.add_parser("list", parents=[common], help="the questionnaires and versions in the database")
    lst.set_defaults(handler=list_command)


def import_command(args) -> int:
    with shared.database_session(args) as session:
        # the form joins this inspection and is checked against its framework
        inspection = inspections.inspection_by_code(session, args.inspection)
        questionnaire = inspections.add_xlsform(session, args.file, inspection, actor=audit.os_user(),
                                                name=args.file.name)
    from fieldwork.questionnaire.xlsform import version_note, warning_lines

    print(f"{questionnaire.id} version {questionnaire.version}: {len(questionnaire.questions)} questions, "
          f"{len(questionnaire.indicators)} indicators, in inspection {inspection.code}")
    if questionnaire.repeats:  # asked once per entry (issue 12): say which, nested ones by their path
        print("Repeat groups: " + ", ".join("/".join(questionnaire.repeat_chain(r.name)) for r in questionnaire.repeats))
    if version_note(questionnaire):
        print("Note: " + version_note(questionnaire))
    for line in warning_lines(questionnaire):  # imported all the same, as pyxform converts such a form
        print(line)
    print(case_facts.import_note(questionnaire))  # what Add a case will ask (docs/xlsform-cases.md)
    media = [q.name for q in questionnaire.questions if q.type in MEDIA_TYPES]
    if media:
        print(f"Note: {', '.join(media)} ask for a photo, recording or file; this tool stores no media (case files "
              "are sensitive): inspectors record where the item is in the evidence note, and an import keeps only "
              "a file name given in the column.")
    return 0


def export_command(args) -> int:
    from fieldwork.questionnaire.xlsform import export_xlsform  # openpyxl only when needed

    with shared.database_session(args) as session:
        if args.version:
            version = session.exec(select(QuestionnaireVersion).where(
                QuestionnaireVersion.questionnaire == args.id, QuestionnaireVersion.version == args.version)).first()
            if version is None:
                version = inspections.current_version(session, args.id)  # raises if the id is unknown
                print(f"fieldwork: {args.id} has no version {args.version!r}; newest is {version.version}")
                return 1
        else:
            version = inspections.current_version(session, args.id)
        questionnaire = inspections.questionnaire_of(version)
    export_xlsform(questionnaire, args.out)
    print(f"wrote {args.out} ({questionnaire.id} version {questionnaire.version})")
    return 0


def list_command(args) -> int:
    with shared.database_session(args) as session:
        rows = session.exec(select(QuestionnaireVersion).order_by(QuestionnaireVersion.questionnaire,
                                                                  QuestionnaireVersion.id)).all()
        for row in rows:
            print(f"{row.questionnaire}\t{row.version}\t{row.title}")
    return 0
