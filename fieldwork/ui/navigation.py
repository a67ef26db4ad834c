"""Which pages exist and who may see them: one table, read by the router (fieldwork_app.py).

Hiding a page here is a convenience, not a check: every page also calls
``fieldwork.ui.session.require`` with its roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from fieldwork.ui.session import ADMIN, INSPECTOR, LEAD


@dataclass(frozen=True)
class PageSpec:
    path: str  # file in pages/
    title: str
    icon: str
    roles: tuple[str, ...]
    group: str = "Fieldwork"
    visibility: str = "visible"  # "hidden": reached by a link only (e.g. a case opened from a finding)


PAGES: list[PageSpec] = [
    PageSpec("pages/criteria.py", "Criteria", ":material/account_tree:", (INSPECTOR, LEAD, ADMIN)),
    PageSpec("pages/cases.py", "Cases", ":material/folder_open:", (INSPECTOR, LEAD, ADMIN)),
    PageSpec("pages/sample.py", "Sample", ":material/shuffle:", (INSPECTOR, LEAD, ADMIN)),
    PageSpec("pages/assess.py", "Assess", ":material/edit_note:", (INSPECTOR, LEAD)),
    PageSpec("pages/evidence.py", "Evidence", ":material/record_voice_over:", (INSPECTOR, LEAD)),
    PageSpec("pages/findings.py", "Findings", ":material/bar_chart:", (LEAD, ADMIN), "Findings"),
    PageSpec("pages/judgements.py", "Judgements", ":material/gavel:", (LEAD, ADMIN), "Findings"),
    PageSpec("pages/case_view.py", "Case (read-only)", ":material/visibility:", (LEAD, ADMIN), "Findings",
             "hidden"),
    PageSpec("pages/questionnaires.py", "Questionnaires", ":material/assignment:", (LEAD, ADMIN), "Data"),
    PageSpec("pages/import_data.py", "Import", ":material/upload_file:", (LEAD, ADMIN), "Data"),
    PageSpec("pages/export.py", "Export", ":material/download:", (LEAD, ADMIN), "Data"),
    PageSpec("pages/bundles.py", "Bundles", ":material/move_up:", (INSPECTOR, LEAD, ADMIN), "Data"),
    PageSpec("pages/conflicts.py", "Conflicts", ":material/call_split:", (LEAD, ADMIN), "Quality"),
    PageSpec("pages/second_marking.py", "Second marking", ":material/rate_review:", (LEAD, ADMIN), "Quality"),
    PageSpec("pages/moderation.py", "Moderation", ":material/balance:", (LEAD, ADMIN), "Quality"),
    PageSpec("pages/audit.py", "Audit", ":material/history:", (LEAD, ADMIN), "Administration"),
    PageSpec("pages/users.py", "Users", ":material/group:", (ADMIN,), "Administration"),
    PageSpec("pages/account.py", "My account", ":material/person:", (INSPECTOR, LEAD, ADMIN), "Account"),
]


START = "start"  # the start page's name at the root ("/"), so that its own address is free for it


def address(spec: PageSpec) -> str:
    """The page's address ("findings" for /findings): the same for every role, its start page too."""
    return PurePosixPath(spec.path).stem


def pages_for(role: str | None) -> list[PageSpec]:
    return [p for p in PAGES if role in p.roles]


# Where each role lands after signing in: an inspector on their cases (the latest draft one
# click away), a lead on the findings, an admin on the accounts.
REFUSED_KEY = "fieldwork_refused_page"  # the page asked for, when the role may not open it
HOME = {INSPECTOR: "pages/cases.py", LEAD: "pages/findings.py", ADMIN: "pages/users.py"}


def home(role: str | None) -> str | None:
    return HOME.get(role)


def refused_for(role: str | None) -> list[PageSpec]:
    """The pages a role may not open: their addresses say so in words, not "page not found"."""
    return [p for p in PAGES if role not in p.roles]
