"""Evidence notes saved while the inspector types, and kept in the browser until the server
has them.

Streamlit's text area sends its text only when the inspector leaves the box (or presses
Ctrl+Enter), so a note typed when the laptop lid closes or the connection drops would be
lost. This component, mounted once inside the assessment form, adds two things without
replacing the text areas (which keep their labels, keys and tests):

- after a pause in typing (``PAUSE_MS``), and when the page is hidden or closed, it sends
  the notes typed so far (trigger ``typed``), which the form saves like any other change;
- every keystroke is also written to the browser's ``localStorage`` under the assessment's
  uid and the question, and removed once the server reports holding that text. A note the
  server never received (lid closed, connection lost, tab closed) is sent back when the
  assessment is next opened in this browser (trigger ``recovered``), with the stored text it
  was typed over (``base``), so the form can tell a plain recovery from one that would
  overwrite a note changed elsewhere since.

Only evidence notes pass through here (document and page references, never personal
details: the form warns when a note looks otherwise), and the browser's copy lives only
until the server confirms it.
"""

from __future__ import annotations

import os
import re
from typing import Callable, Mapping

import streamlit as st

PAUSE_MS = int(os.environ.get("FIELDWORK_NOTE_PAUSE_MS", "700"))  # a pause in typing this long sends the note
STORE_PREFIX = "fieldwork-note:"

_JS = """
export default function (component) {
  const { data, setTriggerValue } = component;
  // One document listener for the page's life; each run only refreshes what it reads.
  const K = window.__fieldworkNoteKeeper || (window.__fieldworkNoteKeeper = { pending: {}, timer: null, sent: {}, sentRecovery: {} });
  K.data = data;
  K.send = setTriggerValue;
  const storeKey = (uid, q) => `${data.prefix}${uid}:${q}`;
  const questionOf = (el) => {
    const box = el.closest('[class*="st-key-"]');
    if (!box) return null;
    for (const cls of box.classList) {
      if (K.data.fields[cls]) return K.data.fields[cls];
    }
    return null;
  };
  const flush = () => {
    clearTimeout(K.timer);
    K.timer = null;
    const notes = K.pending;
    if (!Object.keys(notes).length) return;
    K.pending = {};
    for (const [q, text] of Object.entries(notes)) K.sent[storeKey(K.data.uid, q)] = text;
    K.send('typed', { uid: K.data.uid, notes });
  };
  if (!K.installed) {
    K.installed = true;
    document.addEventListener('input', (ev) => {
      const el = ev.target;
      if (!(el instanceof HTMLTextAreaElement) || !K.data || !K.data.editable) return;
      const q = questionOf(el);
      if (!q) return;
      const key = storeKey(K.data.uid, q);
      let base = K.data.saved[q] || '';
      try {
        const old = JSON.parse(localStorage.getItem(key) || 'null');
        if (old && typeof old.base === 'string') base = old.base;  // typed over what was stored first
        localStorage.setItem(key, JSON.stringify({ text: el.value, base }));
      } catch (e) { /* storage full or blocked: the pause still sends the note */ }
      K.pending[q] = el.value;
      clearTimeout(K.timer);
      K.timer = setTimeout(flush, K.data.pause_ms);
    }, true);
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') flush(); });
    window.addEventListener('pagehide', flush);
  }
  // What the server holds now: drop the browser's copies it confirms (or was told to drop),
  // and send back, once per page, the ones it never received.
  const recovered = [];
  const prefix = `${data.prefix}${data.uid}:`;
  for (let i = localStorage.length - 1; i >= 0; i--) {
    const key = localStorage.key(i);
    if (!key || !key.startsWith(prefix)) continue;
    const q = key.slice(prefix.length);
    let entry = null;
    try { entry = JSON.parse(localStorage.getItem(key)); } catch (e) { entry = null; }
    if (!entry || typeof entry.text !== 'string') { localStorage.removeItem(key); continue; }
    const saved = data.saved[q] || '';
    if (K.sent[key] === saved && entry.base !== saved) {  // the server holds what this page sent: type on from there
      entry.base = saved;
      localStorage.setItem(key, JSON.stringify(entry));
    }
    if (entry.text === saved || (data.dropped[q] !== undefined && data.dropped[q] === entry.text)) {
      localStorage.removeItem(key);
    } else if (data.editable && !(q in K.pending) && K.sentRecovery[key] !== entry.text) {
      K.sentRecovery[key] = entry.text;
      recovered.push({ question: q, text: entry.text, base: entry.base || '' });
    }
  }
  if (recovered.length) setTriggerValue('recovered', { uid: data.uid, notes: recovered });
}
"""

_COMPONENT = st.components.v2.component("fieldwork.note_keeper", js=_JS, isolate_styles=False)


def css_class(widget_key: str) -> str:
    """The class Streamlit gives a keyed widget's element (as its frontend writes it)."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", widget_key.strip())


def keep_notes(key: str, *, uid: str, note_keys: Mapping[str, str], saved: Mapping[str, str],
               dropped: Mapping[str, str], editable: bool, on_typed: Callable[[], None],
               on_recovered: Callable[[], None]) -> None:
    """Mount the keeper. ``note_keys``: question -> its note widget's key; ``saved``: the
    notes the server holds; ``dropped``: texts the inspector chose to discard."""
    _COMPONENT(key=key, data={"uid": uid, "fields": {css_class(k): q for q, k in note_keys.items()},
                              "saved": dict(saved), "dropped": dict(dropped), "editable": editable,
                              "pause_ms": PAUSE_MS, "prefix": STORE_PREFIX},
               on_typed_change=on_typed, on_recovered_change=on_recovered, height=0)


def sent(key: str, event: str, uid: str) -> dict[str, str] | list[dict] | None:
    """What the browser sent with ``event`` for this assessment on this run, if anything."""
    value = st.session_state.get(key)
    payload = getattr(value, event, None) if value is not None else None
    if payload is None and isinstance(value, Mapping):
        payload = value.get(event)
    if not isinstance(payload, Mapping) or payload.get("uid") != uid:
        return None
    return payload.get("notes")
