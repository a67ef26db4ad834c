"""The audit trail: who did what and when. Rows are only ever added (the database refuses
UPDATE and DELETE on the table). Details hold counts and file names, never case content;
answer changes hold the old and new codes, which are codes, not free text."""

from __future__ import annotations

import getpass
import json
import os

from sqlmodel import Session

from fieldwork import audit_guard_sql
from models import AuditEvent

# Actions, named once so the Audit page can filter on them.
SIGN_IN = "sign_in"
SIGN_IN_FAILED = "sign_in.failed"
SIGN_OUT = "sign_out"
CASE_CREATED = "case.created"
ASSESSMENT_CREATED = "assessment.created"
ANSWER_CHANGED = "answer.changed"
NOTE_CHANGED = "note.changed"
ANSWER_CLEARED = "answer.cleared"  # cleared because skip logic made the question irrelevant
ENTRY_ADDED = "entry.added"  # an entry of a repeat group (detail: repeat, instance)
ENTRY_REMOVED = "entry.removed"  # an entry removed, its answers deleted, the later ones renumbered
STATUS_CHANGED = "status.changed"
CHANGE_CHOSEN = "change.chosen"  # two places changed one question; the inspector chose which to keep
IMPORT = "import"
IMPORT_REFUSED = "import.refused"  # the file name and how many problems of each kind, never its content
EXPORT = "export"
MERGE = "merge"
MODERATION = "moderation"
SECOND_MARKING = "second_marking"
QUESTIONNAIRE_ADDED = "questionnaire.added"
USER_CHANGED = "user.changed"
DEMO_LOADED = "demo.loaded"
# a start found guard triggers dropped and made them again / a newer version added a guard (detail: guards);
# written with the guards' SQL, which the start (fieldwork.audit_tables) and verify read them back with
GUARD_RESTORED, GUARD_ADDED = audit_guard_sql.GUARD_RESTORED, audit_guard_sql.GUARD_ADDED
REPORT = "report"  # the draft report written (fieldwork report, the Findings page)


def record(
    session: Session,
    actor: str,
    action: str,
    *,
    inspection_id: int | None = None,
    case_ref: str | None = None,
    assessment_uid: str | None = None,
    question: str | None = None,
    old_value: str | None = None,
    new_value: str | None = None,
    **detail,
) -> AuditEvent:
    """Add an audit row in the caller's transaction: it commits or rolls back with the change."""
    event = AuditEvent(
        actor=actor, action=action, inspection_id=inspection_id, case_ref=case_ref,
        assessment_uid=assessment_uid, question=question, old_value=old_value, new_value=new_value,
        detail=json.dumps(detail, default=str, sort_keys=True) if detail else "",
    )
    # imported here: audit_chain imports the models, which this module must not need at import time
    from fieldwork.services import audit_chain

    audit_chain.seal(session, event)  # chained to the row before it: tampering shows (fieldwork audit verify)
    session.add(event)
    return event


def os_user() -> str:
    """The command line acts for the operating-system user who runs it (contract section 8)."""
    try:
        name = getpass.getuser()
    except Exception:  # no user database entry, e.g. in a container
        name = os.environ.get("USER", "") or "unknown"
    return f"os:{name}"
