"""What Assess says when the case in its address is not one the user may score here.

A link or a bookmark may name any case number. The refusal says which kind of "not yours" it
is (``case_access``): outside the forces the account covers, another inspector's, excluded from
the sample, or no such case. It names neither the case's reference nor its force, only the
forces the account itself covers.
"""

from __future__ import annotations

from fieldwork import db
from fieldwork.services import case_access
from fieldwork.services.permissions import Actor
from fieldwork.ui import session
from fieldwork.ui.components import force_labels

WORDS = {
    case_access.OUTSIDE_FORCES: "That case is outside the forces your account may see ({forces}), so it cannot be "
                                "opened here.",
    case_access.NOT_YOURS: "That case is not one of yours in this inspection: only the inspector who scores it "
                           "opens it here.",
    case_access.EXCLUDED: "That case was excluded from the sample, so it is no longer scored.",
    case_access.GONE: "There is no case with that number in this inspection: it may have been removed, or the link "
                      "is from another inspection.",
}


def refusal(actor: Actor, wanted: str, inspection) -> str:
    """Why the address's case (``wanted``, as typed) is not opened, in words."""
    reason = case_access.GONE
    if wanted.isdigit() and len(wanted) < 10:  # a database integer; a longer one names no case
        with db.session_scope(session.engine()) as s:
            reason = case_access.why_not_listed(s, actor, int(wanted), inspection=inspection)
    names = force_labels()
    return WORDS[reason].format(forces=", ".join(names.get(f, f) for f in actor.forces))
