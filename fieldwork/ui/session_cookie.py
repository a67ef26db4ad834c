"""The browser's session cookie: set at sign-in, kept fresh while in use, cleared at sign-out.

Streamlit reads cookies (``st.context.cookies``, those sent when the browser connected) but
has no way to set one from Python, so a small Custom Component (v2) does it in the page's
JavaScript. The cookie holds the session token of fieldwork.services.session_tokens and is
``Path=/; SameSite=Strict`` (never sent with a request another site starts), ``Secure`` on
https, where it also takes the ``__Host-`` prefix (the browser then refuses it from plain
http or a sub-domain). Its Max-Age is the idle limit: a browser left alone forgets it when
the server would refuse it anyway, and never beyond the session's absolute limit (12 hours
from sign-in: fieldwork.services.session_tokens caps it). It cannot be HttpOnly: an HttpOnly
cookie can only be set by an HTTP response header, and Streamlit gives a script no response
to set one on (the page talks to the server over a WebSocket); so the server's checks are what
count: a token is worthless once revoked, idle or expired, and ``SameSite=Strict`` keeps it
off requests other sites start.

Clearing after a session was ended (signed out, disabled, revoked elsewhere; not one that sat
idle) also drops the evidence notes this browser kept unsaved for it (note_keeper's
``localStorage`` copies): typing in a session that has ended is never saved later unseen.

A sign-in finishes only when the browser holds the cookie: while the server waits, the
component reports back a digest of the token it wrote (``session.cookie_held``), or
``refused:<digest>`` where the browser would not keep it; so nothing shows the person signed
in before an address they open next would be signed in too.

Clearing removes the cookie only if it still holds the token being cleared, so signing out
in one tab never clears a newer sign-in made in another.
"""

from __future__ import annotations

import streamlit as st

NAME = "fieldwork_session"
SECURE_NAME = "__Host-fieldwork_session"  # on https
KEY = "fieldwork_session_cookie"

# The function runs when the component mounts and again whenever its data changes (not on
# every rerun): the server changes the data when the cookie must be set afresh or cleared.
_JS = """
export default function (component) {
  const { data } = component;
  if (!data || !data.name) return;
  const secure = window.location.protocol === "https:" || data.name.startsWith("__Host-");
  const attributes = "; Path=/; SameSite=Strict" + (secure ? "; Secure" : "");
  const held = document.cookie.split("; ").find((c) => c.startsWith(data.name + "="));
  if (data.action === "set") {
    document.cookie = data.name + "=" + data.token + attributes + "; Max-Age=" + Math.max(0, data.max_age | 0);
    // Tell the server the browser holds it (or would not keep it): the sign-in finishes only then.
    const kept = document.cookie.split("; ").includes(data.name + "=" + data.token);
    if (data.report) component.setStateValue("held", (kept ? "" : "refused:") + data.tag);
  } else if (data.action === "clear" && (held === undefined || held === data.name + "=" + data.token)) {
    if (held !== undefined) document.cookie = data.name + "=" + attributes + "; Max-Age=0";
    // The session ended (signed out, or refused: account disabled, signed out elsewhere): notes
    // typed in it and never saved are dropped from this browser, so that they are not saved at
    // the next sign-in without the person seeing them (fieldwork.ui.note_keeper keeps them).
    if (data.drop_prefix) {
      for (let i = localStorage.length - 1; i >= 0; i--) {
        const key = localStorage.key(i);
        if (key && key.startsWith(data.drop_prefix)) localStorage.removeItem(key);
      }
    }
  }
}
"""

_component = st.components.v2.component("fieldwork_session_cookie", js=_JS, isolate_styles=True)


def cookie_name(url: str | None) -> str:
    """The cookie's name for the address the browser shows (``st.context.url``)."""
    return SECURE_NAME if (url or "").lower().startswith("https://") else NAME


def render(wish: dict | None) -> str | None:
    """Draw the (invisible) component with what the browser should do, if anything:
    ``{"action": "set", "token", "tag", "max_age", "stamp"}`` or ``{"action": "clear", "token"}``.
    Returns what the browser last reported: the tag of the cookie it holds, or ``refused:<tag>``."""
    if not wish:
        return None
    result = _component(key=KEY, data={**wish, "name": cookie_name(st.context.url)},
                        default={"held": None}, on_held_change=lambda: None)
    return result.get("held")
