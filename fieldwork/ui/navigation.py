"""Which pages exist and who may see them: one table, read by the router (fieldwork_app.py).

Hiding a page here is a convenience, not a check: every page also calls
``fieldwork.ui.session.require`` with its roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldwork.ui.session import ADMIN, INSPECTOR, LEAD


@dataclass(frozen=True)
class PageSpec:
    path: str  # file in pages/
    title: str
    icon: str
    roles: tuple[str, ...]
    group: str = "Fieldwork"


PAGES: list[PageSpec] = [
    PageSpec("pages/criteria.py", "Criteria", ":material/account_tree:", (INSPECTOR, LEAD, ADMIN)),
]


def pages_for(role: str | None) -> list[PageSpec]:
    return [p for p in PAGES if role in p.roles]
