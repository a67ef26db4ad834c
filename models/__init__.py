"""SQLModel tables. ``models.core`` (cases, assessments, answers, inspections, the audit trail)
is imported with this package; every other module's tables are imported on first use of one
of its names (``from models import User``) or by ``load_all()``, which registers every table on
SQLModel.metadata: ``fieldwork.db.prepare`` calls it before anything reads the metadata.

Each capability keeps its tables in a module of its own here; add it to ``LAZY`` below.
"""

import importlib

from sqlmodel import SQLModel

# Build each table class's pydantic validator when it is first used, not when the class is
# made: table models are never validated on construction (SQLModel skips it), so most
# processes never need one, and building 29 of them was about a third of this package's
# import time (every command pays it at start-up; docs/findings-uncertainty.md). Set here,
# before any table module runs, because importing ``models.core`` runs this file first.
SQLModel.model_config["defer_build"] = True

from models.core import (AGREED, COMPLETE, DRAFT, PRIMARY, SECOND, Answer, Assessment, AuditEvent, AuditHead,  # noqa: E402
                         CaseFile, Inspection, InspectionQuestionnaire, QuestionnaireVersion, StartStamp, new_uid,
                         utcnow)

# The other table modules, imported when first needed: the ``fieldwork findings`` command reads
# the core tables only, and building these classes was 0.08 s of its start-up (0.12 s for the
# whole package; docs/findings-uncertainty.md).
LAZY = {
    "models.accounts": ("SessionToken", "User"),
    "models.case_examples": ("CaseExample",),
    "models.fieldwork_sync": ("AssessmentRevision", "BundleImport", "MergeConflict"),
    "models.second_marking": ("ModerationDecision", "SecondMarking"),
    "models.evidence": ("EvidenceConflict", "EvidenceExcerpt", "EvidenceItem", "FindingBearing", "Judgement",
                        "JudgementHistory", "JudgementLink", "RecordRevision"),
    "models.sampling": ("FrameCase", "SampleDraw", "SampleEntry", "SampleExclusion", "SampleFrame"),
    "models.prepared_findings": ("PreparedFindings",),
}
_HOME = {name: module for module, names in LAZY.items() for name in names}


def load_all() -> None:
    """Import every table module: SQLModel.metadata then holds every table (create_all, the
    schema check, the migration's reflection)."""
    for module in LAZY:
        importlib.import_module(module)


def __getattr__(name: str):
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'models' has no attribute {name!r}")


__all__ = [
    "AGREED", "COMPLETE", "DRAFT", "PRIMARY", "SECOND", "Answer", "Assessment", "AuditEvent", "AuditHead", "CaseFile",
    "Inspection", "InspectionQuestionnaire", "QuestionnaireVersion", "StartStamp", "new_uid", "utcnow", "User",
    "SessionToken", "AssessmentRevision", "BundleImport", "MergeConflict", "ModerationDecision", "SecondMarking",
    "CaseExample", "EvidenceConflict", "EvidenceExcerpt", "EvidenceItem", "FindingBearing", "Judgement",
    "JudgementHistory", "JudgementLink", "RecordRevision",
    "FrameCase", "SampleDraw", "SampleEntry", "SampleExclusion", "SampleFrame", "PreparedFindings",
]
