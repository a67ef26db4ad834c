"""Tables for laptops in the field: revision lineage, bundle imports and merge conflicts
(second marking and its moderation are in models/second_marking.py).

Lineage
    ``assessment_revision`` holds one row per superseded revision of an assessment: (lineage
    uid, revision, parent revision). An assessment's ``revision`` changes on every save and
    its ``parent_revision`` names the revision it replaced (models/core.py), so these rows
    plus the assessment's current row answer "does revision B descend from revision A?" —
    the question a merge asks before an incoming copy may replace the one the lead holds.
    The rows are written by a database trigger on ``assessment`` (below) whenever an UPDATE
    changes the revision, so every path that saves — the Assess page's Core UPDATE, a merge,
    moderation — keeps the chain whole without remembering to. Bundles carry the rows, and a
    merge adds the ones it has not seen. The lineage uid is the assessment's uid; a diverged
    copy kept by a merge also reads the lineage of the assessment it was copied from
    (``merge_conflict.origin_uid``).

Merge conflicts
    ``merge_conflict`` records each pair a merge kept side by side instead of overwriting:
    the same case scored on two laptops, or one assessment edited on a laptop and elsewhere
    since they last met. The lead resolves it by choosing which assessment counts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import DDL, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from models.core import utcnow

# merge_conflict.kind
SAME_CASE = "same_case"  # one case, two assessments with different uids (two laptops)
DIVERGED = "diverged"  # one assessment, edited in two places since they last met


class AssessmentRevision(SQLModel, table=True):
    __tablename__ = "assessment_revision"
    __table_args__ = (UniqueConstraint("lineage_uid", "revision"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    lineage_uid: str = Field(index=True, max_length=32)
    revision: str = Field(max_length=32)
    parent_revision: Optional[str] = Field(default=None, max_length=32)
    # SHA-256 of the answers and notes this revision held when it was superseded
    # (fieldwork.services.revision_content); NULL in rows recorded before hashes were kept
    content_hash: Optional[str] = Field(default=None, max_length=64)


class BundleImport(SQLModel, table=True):
    """One row per bundle that changed something here (an import that changes nothing leaves no row)."""

    __tablename__ = "bundle_import"

    id: Optional[int] = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    bundle_id: str = Field(index=True, max_length=32)
    checksum: str = Field(index=True, max_length=64)  # SHA-256 of the bundle's payload
    file_name: str = Field(default="", max_length=255)
    created_by: str = Field(default="", max_length=100)  # who exported it, on the laptop
    created_at: Optional[datetime] = None
    imported_by: str = Field(max_length=100)
    imported_at: datetime = Field(default_factory=utcnow)
    added: int = Field(default=0)
    replaced: int = Field(default=0)
    conflicts: int = Field(default=0)


class MergeConflict(SQLModel, table=True):
    __tablename__ = "merge_conflict"

    id: Optional[int] = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    kind: str = Field(max_length=20)  # SAME_CASE | DIVERGED
    kept_uid: str = Field(index=True, max_length=32)  # the assessment that was here first
    incoming_uid: str = Field(index=True, max_length=32)  # the one the merge added beside it
    origin_uid: Optional[str] = Field(default=None, index=True, max_length=32)  # DIVERGED: the laptop's uid
    bundle_import_id: Optional[int] = Field(default=None, foreign_key="bundle_import.id")
    detected_at: datetime = Field(default_factory=utcnow)
    resolved_at: Optional[datetime] = None
    resolved_by: Optional[str] = Field(default=None, max_length=100)
    chosen_uid: Optional[str] = Field(default=None, max_length=32)


# The lineage trigger: records the revision an UPDATE supersedes. Installed after every
# create_all (fieldwork.db.prepare runs one on each start), idempotently, so a database made
# before this table existed gets it on its next start.
LINEAGE_TRIGGER = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS assessment_revision_lineage AFTER UPDATE OF revision ON assessment
           WHEN NEW.revision IS NOT OLD.revision
           BEGIN
             INSERT OR IGNORE INTO assessment_revision (lineage_uid, revision, parent_revision)
             VALUES (OLD.uid, OLD.revision, OLD.parent_revision);
           END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION assessment_revision_lineage() RETURNS trigger AS $$
           BEGIN
             IF NEW.revision IS DISTINCT FROM OLD.revision THEN
               INSERT INTO assessment_revision (lineage_uid, revision, parent_revision)
               VALUES (OLD.uid, OLD.revision, OLD.parent_revision) ON CONFLICT DO NOTHING;
             END IF;
             RETURN NEW;
           END; $$ LANGUAGE plpgsql""",
        # created only where missing (never dropped and remade: DROP needs the owner, and a
        # moment without the trigger would lose a revision)
        """DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'assessment_revision_lineage') THEN
           CREATE TRIGGER assessment_revision_lineage AFTER UPDATE OF revision ON assessment
           FOR EACH ROW EXECUTE FUNCTION assessment_revision_lineage(); END IF; END $$""",
    ],
}


@event.listens_for(SQLModel.metadata, "after_create")
def _install_lineage_trigger(_metadata, connection, **_kw) -> None:
    for statement in LINEAGE_TRIGGER.get(connection.dialect.name, []):
        connection.execute(DDL(statement))
