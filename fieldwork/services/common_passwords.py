"""Is this password among those attackers try first? NIST SP 800-63B (5.1.1.2) asks that a new
password be checked against a list of commonly used or compromised passwords.

The list is zxcvbn's ``passwords`` frequency list (30,000 passwords most often found in leaked
password sets; zxcvbn-python, MIT licence), read once. Beyond the exact word, a password is
refused when what is left after taking digits and punctuation off its ends is on the list
(``password12345``, ``qwertyuiop123``, ``Summer2024!!``), or when zxcvbn's estimate puts it
within 10^8 guesses (score below 3): a keyboard walk, a repeated word, a date.
"""

from __future__ import annotations

import re
from functools import lru_cache

_ENDS = re.compile(r"^[\d\W_]+|[\d\W_]+$")
MIN_SCORE = 3  # zxcvbn: 3 is "safely unguessable: moderate protection from offline slow-hash attacks"


@lru_cache(maxsize=1)
def common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def problem(password: str, name: str = "") -> str | None:
    """Why this password is too easily guessed, in words, or None."""
    lowered = password.lower()
    core = _ENDS.sub("", lowered)
    if lowered in common() or (core and core in common()):
        return "this password (or its word with digits and symbols added) is among the first an attacker tries"
    from zxcvbn import zxcvbn

    if zxcvbn(password[:100], user_inputs=[name] if name else [])["score"] < MIN_SCORE:
        return ("this password is easy to guess (a common word, a keyboard pattern, a repeat or a date): "
                "a few unrelated words strung together are stronger and easier to remember")
    return None
