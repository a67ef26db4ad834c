"""A bundle opened and checked, not yet merged: what ``bundles.open_bundle`` reads out of the
file and ``merge.apply`` merges (its own module, so that merge needs nothing of bundles)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldwork.problems import Problem
from fieldwork.services import bundle_evidence


@dataclass
class Bundle:
    """A bundle that has been opened and checked (not yet merged)."""

    file_name: str
    manifest: dict
    checksum: str
    inspection_code: str
    versions: list[dict]  # questionnaire, version, title, content_hash, definition
    cases: list[dict]  # coerced column values + questionnaire
    assessments: list[dict]  # coerced column values + case_ref, questionnaire, questionnaire_version, answers
    lineage: list[tuple[str, str, str | None]]
    # (lineage_uid, revision) -> what that revision held, as the laptop recorded it (revision_content)
    content_hashes: dict = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)  # the import's warnings for the same rows (bundle_rows)
    evidence: bundle_evidence.Section = field(default_factory=lambda: bundle_evidence.Section())

    @property
    def bundle_id(self) -> str:
        return self.manifest.get("bundle_id", "")

    def summary(self) -> dict:
        counts = self.manifest.get("counts", {})
        return {
            "file": self.file_name, "bundle": self.bundle_id, "exported_at": self.manifest.get("created_at"),
            "exported_by": self.manifest.get("created_by"), "inspection": self.inspection_code,
            "cases": len(self.cases), "assessments": len(self.assessments),
            "complete": counts.get("complete"), "draft": counts.get("draft"),
            "inspectors": ", ".join(sorted({a["inspector"] for a in self.assessments})),
            "questionnaires": ", ".join(f"{v['questionnaire']} {v['version']}" for v in self.versions),
        }
