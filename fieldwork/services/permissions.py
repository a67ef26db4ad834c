"""Who may do what, checked in the core (pages and the command line both go through here).

An inspector sees the inspection's cases (optionally only some forces) and edits only the
assessments they own; a lead sees everything and runs findings, exports, merges and
moderation; an admin manages accounts and questionnaires. The command line acts for the
operating-system user (contract section 8) with the admin's rights, since whoever can open
the database file can read it anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldwork.catalog import load_catalog
from fieldwork.problem_codes import PERMISSION_DENIED
from fieldwork.problems import Problem, ProblemError

INSPECTOR, LEAD, ADMIN = "inspector", "lead", "admin"
ROLES = (INSPECTOR, LEAD, ADMIN)
LEADS = (LEAD, ADMIN)


@dataclass(frozen=True)
class Actor:
    name: str
    role: str
    forces: tuple[str, ...] = field(default=())  # empty: every force
    # Set by the app's session (fieldwork.ui.session): this actor is a signed-in browser session,
    # re-checked against the database by every write (fieldwork.services.actor_check).
    signed_in: bool = field(default=False, compare=False)
    token: str | None = field(default=None, compare=False, repr=False)  # the session's token, if it has one

    @property
    def is_lead(self) -> bool:
        return self.role in LEADS

    def sees_force(self, force: str | None) -> bool:
        return not self.forces or self.is_lead or force in self.forces


class PermissionDenied(ProblemError):
    """Said to the person refused, in the second person throughout: "You (inspector1, inspector)
    may not …" (stop 25: "inspector1 (inspector) may not … a force you do not cover" mixed the two).
    ``why``, if given, follows the action after a colon."""

    def __init__(self, actor: Actor, action: str, why: str = ""):
        words = f"You ({actor.name}, {actor.role}) may not {action}" + (f": {why}" if why else "")
        super().__init__([Problem(PERMISSION_DENIED, words)], f"not allowed: {action}")


def require_role(actor: Actor, roles: tuple[str, ...], action: str) -> None:
    if actor.role not in roles:
        raise PermissionDenied(actor, action)


def require_owner(actor: Actor, inspector: str, action: str = "change another inspector's assessment") -> None:
    """Only the assessment's own inspector edits it (a lead moderates; it does not overwrite)."""
    if actor.name != inspector:
        raise PermissionDenied(actor, action)


def require_force(actor: Actor, force: str | None, action: str = "open cases of this force") -> None:
    if not actor.sees_force(force):
        raise PermissionDenied(actor, action)


def require_case_force(actor: Actor, force: str | None, case_ref: str, action: str = "open") -> None:
    """A case of a force the account does not cover, said with the case, its force and the
    account's forces by name: "You (inspector1, inspector) may not open HS-0031: it is a case of
    Durham Constabulary, and your account covers Gwent Police only." Only for a case the person
    already had (their own assessment): an address naming any case is answered without its
    reference or force (services/case_access.py)."""
    if actor.sees_force(force):
        return
    names = {c.code: c.label for c in load_catalog().codes.forces}
    whose = f"a case of {names.get(force, force)}" if force else "a case with no force recorded"
    covered = " and ".join(names.get(f, f) for f in actor.forces)
    raise PermissionDenied(actor, f"{action} {case_ref}", f"it is {whose}, and your account covers {covered} only")


def command_line_actor() -> Actor:
    from fieldwork.audit import os_user

    return Actor(os_user(), ADMIN)
