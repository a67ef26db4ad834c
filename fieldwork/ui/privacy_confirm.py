"""Ask before saving text that looks as if it holds personal details (F22: a victim's name and
phone number in an evidence summary were saved first and warned about after). The rules are
the services' own (``privacy.note_warnings``, reached through the service's check); this module
only remembers, for one form, the exact text a person has been warned about, so that "Save
anyway" saves that text and nothing else: any change to the text asks again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

import streamlit as st

from fieldwork.ui import components


def _state(key: str) -> str:
    return f"privacy_held_{key}"


def fingerprint(texts: Iterable[str]) -> str:
    return hashlib.sha256(json.dumps([t or "" for t in texts]).encode()).hexdigest()


def hold(key: str, warnings: list[str], texts: Iterable[str]) -> None:
    """The person is being warned about these texts: ask before saving them."""
    st.session_state[_state(key)] = {"fingerprint": fingerprint(texts), "warnings": list(warnings)}


def clear(key: str) -> None:
    st.session_state.pop(_state(key), None)


def ask(key: str, texts: Iterable[str], *, what: str = "it") -> bool:
    """Draw the held warnings with "Save anyway" while the texts are the ones warned about;
    True when Save anyway is pressed. Texts changed since: the warning is dropped (the next
    save checks them again)."""
    held = st.session_state.get(_state(key))
    if not held:
        return False
    if held["fingerprint"] != fingerprint(texts):
        clear(key)
        return False
    st.warning(f"Not saved yet: check {what} for personal details first.  \n"
               + "  \n".join(f"- {capital(w)}." for w in held["warnings"])
               + "  \nRemove names, phone numbers, email addresses, dates of birth and postcodes, then save "
               "again; or, if these are not personal details, save as it stands.", icon=":material/shield:")
    return components.pressed("Save anyway", key=f"{key}_anyway", icon=":material/save:")


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]
