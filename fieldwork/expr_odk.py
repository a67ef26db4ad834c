"""ODK's XPath functions beyond the ones every expression reader knows: the few more this app
works out, and what it says of those it does not (ODK XForms specification, "XPath
functions"; getodk.github.io/xforms-spec, docs.getodk.org/form-operators-functions).

``uuid()`` and ``random()`` give a new value each time they are worked out, so, like
``today()``, they are worked out once — when the case is added or first saved — and the value
is kept (``expr.CLOCK_FUNCTIONS``): an ``instanceID`` of ``concat('uuid:', uuid())`` does
not change on every save. A function ODK has and this app does not is refused by name with
the reason, never as an "unknown name" to be written ``${name}``.
"""

from __future__ import annotations

import secrets
import string
import uuid as uuid_module

# name -> (fewest, most) arguments
ARITY: dict[str, tuple[int, int | None]] = {
    "uuid": (0, 1), "random": (0, 0), "substring-before": (2, 2), "substring-after": (2, 2),
    "translate": (3, 3), "boolean-from-string": (1, 1),
}
ONCE = {"uuid", "random"}  # a new value each time: worked out once, then kept

# ODK functions refused where the form is read (row and column named), each with why
NOT_WORKED_OUT: dict[str, str] = {
    "digest": "it hashes text on the device",
    "base64-decode": "it decodes text the device received",
    "extract-signed": "it checks a signature with a key held on the device",
    "area": "it measures a shape drawn on the device's map",
    "distance": "it measures a trace drawn on the device's map",
    "geofence": "it tests a point against a shape on the device's map",
    "randomize": "it shuffles a choice list on the device; the app keeps the form's order",
    "checklist": "count the answers with if() and + instead",
    "weighted-checklist": "add up the weights with if() and + instead",
    "count-non-empty": "use count() of the question in the repeat group instead",
    "date-time": "use date() for a date",
    "decimal-time": "it turns a time of day into a fraction of a day",
    "jr:itext": "it looks up a translation on the device; the app shows one language",
    "version": "it reads the version of ODK Collect on the device",
    "property": "it reads a property of the device",
    "last": "use indexed-repeat() with count() instead",
}


def call(name: str, text: list[str]) -> object:
    """The value of one of ``ARITY``'s functions, from its arguments as text."""
    if name == "uuid":
        if not text:
            return str(uuid_module.uuid4())
        try:
            length = max(0, min(int(float(text[0])), 256))
        except ValueError:
            return ""
        alphabet = string.ascii_letters + string.digits
        return "".join(secrets.choice(alphabet) for _ in range(length))
    if name == "random":
        return secrets.randbelow(10**15) / 10**15
    if name == "substring-before":
        head, found, _ = text[0].partition(text[1])
        return head if found and text[1] else ""
    if name == "substring-after":
        _, found, tail = text[0].partition(text[1])
        return tail if found else ""
    if name == "translate":  # XPath 1.0: each character of the 2nd mapped to the 3rd's, or dropped
        table = {}
        for i, ch in enumerate(text[1]):
            table.setdefault(ord(ch), text[2][i] if i < len(text[2]) else None)
        return text[0].translate(table)
    if name == "boolean-from-string":
        return text[0].strip().lower() in ("true", "1")
    raise TypeError(f"no function {name}")  # pragma: no cover: only ARITY's names come here


def refusal(name: str) -> str:
    """The words for a function ODK has and this app does not work out."""
    return f"{name}() is an ODK function this app does not work out ({NOT_WORKED_OUT[name]})"
