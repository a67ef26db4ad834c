"""Users (admin): the accounts, and adding, disabling, resetting passwords, changing roles
and forces. Every change goes through fieldwork.services.accounts and is audited."""

import pandas as pd
import streamlit as st

from fieldwork import db
from fieldwork.catalog import load_catalog
from fieldwork.problems import ProblemError
from fieldwork.services import accounts
from fieldwork.services.permissions import ROLES
from fieldwork.ui import components, session

user = session.require(session.ADMIN)
engine = session.engine()
forces = {c.code: c.label for c in load_catalog().codes.forces}


ADD_FIELDS = ("users_add_name", "users_add_role", "users_add_forces", "users_add_password", "users_add_password2")


def act(change, done: str, key: str, *, clear: tuple[str, ...] = ()) -> bool:
    """Run one change in its own transaction; show every problem or say what was done. After
    a change that was made, the fields in ``clear`` start empty (an account added must not
    leave its password in the form for the next one)."""
    try:
        with db.session_scope(engine) as s:
            change(s)
    except ProblemError as exc:
        components.show_problems(exc, key=f"{key}_problems")
        return False
    st.session_state["users_done"] = done
    st.session_state["users_clear"] = clear
    st.rerun()
    return True


# Before the widgets are drawn again, each field is given its empty value, not forgotten: a key
# dropped from the session state leaves the browser's widget showing what it held, so the next
# account kept the last one's name, password and force limits (walk 25, V1: an account meant for
# every force was limited to the first one's forces without a word).
EMPTY = {"users_add_name": "", "users_add_role": ROLES[0], "users_add_forces": [], "users_add_password": "",
         "users_add_password2": ""}
for field in st.session_state.pop("users_clear", ()):
    st.session_state[field] = EMPTY.get(field)


def when(moment) -> str:
    return components.local_time(moment) or "never"


st.title("Users")
st.caption("Inspectors see the inspection's cases (only their forces, if limited) and edit their own assessments; "
           "leads see everything and run findings, exports, merges and moderation; admins manage accounts and "
           "questionnaires. Passwords need at least "
           f"{accounts.MIN_PASSWORD} characters. Accounts are disabled, never deleted, so the audit trail keeps "
           "its names.")
if "users_done" in st.session_state:
    st.success(st.session_state.pop("users_done"))

with db.session_scope(engine) as s:
    people = accounts.list_users(s, user)
# Pixel widths summing under the narrowest main column (564 px: a 1,024 px window with the
# sidebar open; findings_grid.NARROWEST_COLUMN), the state beside the role: at 1,024 px the
# state read "a"/"d" and the later columns were off to the right (walk 25, V8). Streamlit
# shares a wider column's spare width among them; times and forces wrap onto lines of 13 characters.
WIDTHS = {"name": 90, "role": 76, "state": 68, "forces": 110, "failed sign-ins": 54, "last sign-in": 78,
          "created": 78}  # role 76: "inspector" whole on one line (58 px broke it "inspec/tor")
SHORT = {"failed sign-ins": "failed"}  # the heading's whole name stays as its help
components.table(pd.DataFrame([{
    "name": u.name, "role": u.role, "state": "disabled" if not u.active else "locked" if u.locked else "active",
    "forces": ", ".join(forces.get(f, f) for f in u.forces) or "every force",
    "failed sign-ins": u.failed_attempts, "last sign-in": when(u.last_sign_in_at), "created": when(u.created_at),
} for u in people], columns=list(WIDTHS)), key="users_table", wide=["forces", "last sign-in", "created"], line_chars=13,
    column_config={c: st.column_config.Column(SHORT.get(c, c), width=w, help=c if c in SHORT else None)
                   for c, w in WIDTHS.items()})

# keyed and tracked: the tab an admin works in stays selected after a change (untracked, every
# rerun that moved the page's content put them back on "Add an account")
add_tab, change_tab = st.tabs(["Add an account", "Change an account"], key="users_tab", on_change="rerun")

with add_tab, st.form("users_add", clear_on_submit=False):
    name = st.text_input("Login name", key="users_add_name", placeholder="e.g. inspector7", max_chars=32)
    role = st.selectbox("Role", ROLES, key="users_add_role")
    limit = st.multiselect("Limit to forces (leave empty for every force)", list(forces), key="users_add_forces",
                           format_func=forces.get)
    first = st.text_input("Password", type="password", key="users_add_password", autocomplete="new-password")
    again = st.text_input("Same password again", type="password", key="users_add_password2",
                          autocomplete="new-password")
    if components.pressed("Add account", key="users_add_account_submit", form=True, type="primary"):
        if first != again:
            st.error("The two passwords differ.")
        else:
            act(lambda s: accounts.add_user(s, user, name, role, first, limit), f"Added {name.strip().lower()}.",
                "users_add", clear=ADD_FIELDS)

with change_tab:
    if not people:
        st.info("No accounts yet.")
    else:
        names = [u.name for u in people]
        chosen = st.selectbox("Account", names, key="users_chosen")
        account = next(u for u in people if u.name == chosen)
        c1, c2 = st.columns(2)
        with c1, st.form("users_role"):
            new_role = st.selectbox("Role", ROLES, index=ROLES.index(account.role) if account.role in ROLES else 0,
                                    key=f"users_new_role_{chosen}")  # per account: a key shared by all
            # kept the previous account's role on screen (admin1's "admin" over inspector5), one
            # press from giving it to the account now chosen
            if components.pressed("Change role", key="users_change_role_submit", form=True):
                act(lambda s: accounts.set_role(s, user, chosen, new_role), f"{chosen} is now {new_role}.",
                    "users_role")
        with c2, st.form("users_forces"):
            new_forces = st.multiselect("Forces (empty: every force)", list(forces),
                                        default=[f for f in account.forces if f in forces], key=f"users_new_forces_{chosen}",
                                        format_func=forces.get)
            if components.pressed("Change forces", key="users_change_forces_submit", form=True):
                act(lambda s: accounts.set_forces(s, user, chosen, new_forces), f"Forces of {chosen} changed.",
                    "users_forces")
        with st.form("users_password", clear_on_submit=True):
            st.markdown("**Reset the password** (also lifts a lock after failed sign-ins). Tell the person "
                        "the new password by another channel than the one you use for their user name.")
            pw = st.text_input("New password", type="password", key="users_reset_password",
                               autocomplete="new-password")
            pw2 = st.text_input("Same password again", type="password", key="users_reset_password2",
                                autocomplete="new-password")
            if components.pressed("Reset password", key="users_reset_password_submit", form=True):
                if pw != pw2:
                    st.error("The two passwords differ.")
                else:
                    act(lambda s: accounts.set_password(s, user, chosen, pw), f"Password of {chosen} reset.",
                        "users_password")
        if account.active:
            if components.pressed(f"Disable {chosen}", key="users_disable", icon=":material/block:",
                         help="They can no longer sign in; a session they have open ends at their next click."):
                act(lambda s: accounts.set_active(s, user, chosen, False), f"{chosen} disabled.", "users_disable")
        elif components.pressed(f"Enable {chosen}", key="users_enable", icon=":material/check_circle:"):
            act(lambda s: accounts.set_active(s, user, chosen, True), f"{chosen} enabled.", "users_enable")
