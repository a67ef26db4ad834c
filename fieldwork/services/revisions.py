"""Revision lineage: whether one revision of a record descends from another, given each
revision's parent. Merges of assessments (``merge``) and of evidence records
(``bundle_evidence``) ask the same question."""

from __future__ import annotations


def descends(child: str, ancestor: str, parents: dict[str, str | None]) -> bool:
    """Whether revision ``child`` has ``ancestor`` among its parents (or is it)."""
    seen: set[str] = set()
    revision: str | None = child
    while revision is not None and revision not in seen:
        if revision == ancestor:
            return True
        seen.add(revision)
        revision = parents.get(revision)
    return False
