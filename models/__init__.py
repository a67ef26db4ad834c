"""SQLModel tables. Importing this package registers every table on SQLModel.metadata.

Each capability keeps its tables in a module of its own here; add the import below.
"""

from sqlmodel import SQLModel

# Build each table class's pydantic validator when it is first used, not when the class is
# made: table models are never validated on construction (SQLModel skips it), so most
# processes never need one, and building 29 of them was about a third of this package's
# import time (every command pays it at start-up; docs/findings-uncertainty.md). Set here,
# before any table module runs, because importing ``models.core`` runs this file first.
SQLModel.model_config["defer_build"] = True

from models.core import (AGREED, COMPLETE, DRAFT, PRIMARY, SECOND, Answer, Assessment, AuditEvent, AuditHead,
                         CaseFile, Inspection, InspectionQuestionnaire, QuestionnaireVersion, StartStamp, new_uid,
                         utcnow)
from models.accounts import SessionToken, User
from models.case_examples import CaseExample
from models.fieldwork_sync import AssessmentRevision, BundleImport, MergeConflict
from models.second_marking import ModerationDecision, SecondMarking
from models.evidence import (EvidenceConflict, EvidenceExcerpt, EvidenceItem, FindingBearing, Judgement,
                             JudgementHistory, JudgementLink, RecordRevision)
from models.sampling import FrameCase, SampleDraw, SampleEntry, SampleExclusion, SampleFrame

__all__ = [
    "AGREED", "COMPLETE", "DRAFT", "PRIMARY", "SECOND", "Answer", "Assessment", "AuditEvent", "AuditHead", "CaseFile",
    "Inspection", "InspectionQuestionnaire", "QuestionnaireVersion", "StartStamp", "new_uid", "utcnow", "User", "SessionToken",
    "AssessmentRevision", "BundleImport", "MergeConflict", "ModerationDecision", "SecondMarking", "CaseExample",
    "EvidenceConflict", "EvidenceExcerpt", "EvidenceItem", "FindingBearing", "Judgement", "JudgementHistory",
    "JudgementLink", "RecordRevision",
    "FrameCase", "SampleDraw", "SampleEntry", "SampleExclusion", "SampleFrame",
]
