"""The audit trail's action codes in words, for the Audit page (the codes stay in the
database and the downloads, where a program reads them)."""

from __future__ import annotations

WORDS = {
    "sign_in": "signed in",
    "sign_in.failed": "sign-in refused",
    "sign_out": "signed out",
    "case.created": "case added",
    "case.renamed": "case reference changed",
    "assessment.created": "assessment started",
    "answer.changed": "answer changed",
    "note.changed": "evidence note changed",
    "answer.cleared": "answer cleared by skip logic",
    "entry.added": "entry of a repeated group added",
    "entry.removed": "entry of a repeated group removed",
    "status.changed": "status changed (complete / reopened)",
    "change.chosen": "clash between two places resolved",
    "import": "file imported",
    "import.refused": "file import refused",
    "export": "data exported",
    "merge": "bundle merged",
    "moderation": "moderation decision",
    "second_marking": "second marking assigned",
    "questionnaire.added": "questionnaire added",
    "user.changed": "account changed",
    "demo.loaded": "demonstration data loaded",
    "report": "draft report written",
    "audit.guard_restored": "audit guard found dropped and made again",
    "audit.guard_added": "audit guard added by an upgrade",
    "evidence.added": "evidence added",
    "evidence.changed": "evidence changed",
    "evidence.imported": "evidence imported",
    "evidence.exported": "evidence exported",
    "evidence.merged": "evidence merged from a bundle",
    "evidence.conflict_resolved": "evidence clash resolved",
    "judgement.set": "judgement recorded",
    "judgement.bearing_set": "evidence linked to a judgement",
    "judgement.bearing_removed": "evidence unlinked from a judgement",
    "example.marked": "case example marked",
    "example.removed": "case example removed",
    "sample.drawn": "sample drawn",
    "sample.excluded": "case excluded from the sample",
    "sample.replaced": "reserve case brought in",
    "sample.frame_imported": "sampling frame imported",
}


def words(code: str) -> str:
    """The action in words; an action not listed here (a newer version's) in readable form."""
    return WORDS.get(code) or code.replace(".", ": ").replace("_", " ")
