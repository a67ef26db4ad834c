"""Users and Audit at a 1,024 px window with the sidebar open (walk 25, V8): every column shown has
a width in pixels, together under the narrowest main column, so the Users table's state reads
"disabled" (it read "d", the later columns off to the right) and Audit's Change and Details are in
view; the Audit filters stand two a row, so their labels and values are not cut."""

from __future__ import annotations

import json

import pytest

from fieldwork import audit, db
from fieldwork.services import accounts
from fieldwork.services.permissions import command_line_actor
from fieldwork.ui import findings_grid
from fieldwork.ui.components import tables
from tests.accounts_helpers import cheap_hashing, make_user  # noqa: F401 (fixture)
from tests.apptest import page
from tests.pages.test_users_page import users_page


def _widths(shown) -> dict[str, int]:
    columns = json.loads(shown.proto.columns)
    return {name: c["width"] for name, c in columns.items() if not c.get("hidden") and name != "_index"}


@pytest.mark.usefixtures("cheap_hashing")
def test_the_users_table_fits_the_narrowest_column_with_the_state_in_words(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        make_user(s, "admin1", "admin")
        make_user(s, "inspector1", forces=["durham", "gwent"])
        accounts.set_active(s, command_line_actor(), "inspector1", False)
    at = users_page(db_url, monkeypatch)
    assert not at.exception
    shown = at.dataframe[0]
    widths = _widths(shown)
    # the state beside the role, where the narrowest window still shows it
    assert list(shown.value.columns) == ["name", "role", "state", "forces", "failed sign-ins", "last sign-in",
                                         "created"]
    assert set(widths) == set(shown.value.columns)
    assert all(isinstance(w, int) for w in widths.values()), widths
    assert sum(widths.values()) <= findings_grid.NARROWEST_COLUMN, widths
    assert widths["state"] >= 8 * 7 + 12  # "disabled": eight characters of about 7 px, and the cell's padding
    assert list(shown.value["state"]) == ["active", "disabled"]
    # forces and times wrap: rows taller than the 64 px above which Streamlit wraps a cell
    assert shown.proto.row_height > tables.WRAPS_ABOVE


def test_the_audit_table_and_filters_fit_the_narrowest_column(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        audit.record(s, "inspector1", audit.ANSWER_CHANGED, case_ref="HS-0001", question="vps_taken",
                     old_value="no", new_value="yes")
    at = page("pages/audit.py", db_url, monkeypatch, user="lead1", role="lead").run()
    assert not at.exception
    widths = _widths(at.dataframe[0])
    assert set(widths) == {"When", "Who", "What", "Case", "Change", "Details"}
    assert all(isinstance(w, int) for w in widths.values()), widths
    assert sum(widths.values()) <= findings_grid.NARROWEST_COLUMN, widths
    assert min(widths, key=widths.get) == "Case" and max(widths, key=widths.get) == "Details"
    assert at.dataframe[0].proto.row_height > tables.WRAPS_ABOVE  # the time wraps onto its second line
    # the four filters two a row, each half the column: a quarter of 564 px cut "(everyone)"
    filters = [at.selectbox(key="audit_actor"), at.multiselect(key="audit_actions"), at.date_input(key="audit_dates"),
               at.text_input(key="audit_case_ref")]
    assert all(f is not None for f in filters)
    weights = [c.proto.weight for c in at.columns]
    assert len(weights) >= 4 and all(w == weights[0] for w in weights[:4]), weights
