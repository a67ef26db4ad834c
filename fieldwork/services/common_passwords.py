"""Is this password among those attackers try first? NIST SP 800-63B (5.1.1.2) asks that a new
password be checked against a list of commonly used or compromised passwords.

The list is zxcvbn's ``passwords`` frequency list (30,000 passwords most often found in leaked
password sets; zxcvbn-python, MIT licence), read once. Beyond the exact word, a password is
refused when what is left after taking digits and punctuation off its ends is on the list
(``password12345``, ``qwertyuiop123``, ``Summer2024!!``), or when zxcvbn's estimate puts it
within 10^8 guesses (score below 3): a keyboard walk, a repeated word, a date; and when what is
left is one dictionary word, name or word of this service (``Autumn2026!!``, ``fieldwork2026``).
"""

from __future__ import annotations

import re
from functools import lru_cache

_ENDS = re.compile(r"^[\d\W_]+|[\d\W_]+$")
# Words of this service (NIST SP 800-63B 5.1.1.2 asks for "context-specific words, such as the name
# of the service"): fieldwork2026 was accepted (attacker re-test 22)
CONTEXT_WORDS = ("fieldwork", "inspection", "inspector", "inspectorate", "hmicfrs", "hmic", "hmcpsi", "stalking",
                 "harassment", "livinginfear", "police", "cps", "casefile", "casereview")
MIN_SCORE = 3  # zxcvbn: 3 is "safely unguessable: moderate protection from offline slow-hash attacks"


@lru_cache(maxsize=1)
def common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


@lru_cache(maxsize=1)
def words() -> frozenset[str]:
    """One word a dictionary attack tries with digits and symbols round it (Autumn2026!!): zxcvbn's
    English words (Wikipedia, film and television), given names and surnames, and this service's."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    lists = ("english_wikipedia", "us_tv_and_film", "female_names", "male_names", "surnames")
    return frozenset(w for name in lists for w in FREQUENCY_LISTS[name]) | frozenset(CONTEXT_WORDS)


# what attackers' rules undo first: digits and symbols standing for letters (1nsp3ct10n, P0l1c3, 4utumn)
_LEET = [str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}),
         str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "l"})]


def _dictionary_word(lowered: str) -> bool:
    """One word once its digits and symbols are read as letters, with digits and symbols round it:
    every span of the password with only digits and symbols outside it is tried."""
    text = lowered[:64]
    outside = [not c.isalpha() for c in text]
    for start in range(len(text)):
        if not all(outside[:start]):
            break
        for end in range(len(text), start + 2, -1):
            if not all(outside[end:]):
                break
            for table in _LEET:
                core = text[start:end].translate(table)
                if core.isalpha() and (core in words() or core in common()):
                    return True
    return False


def _service_words_only(lowered: str) -> bool:
    """Only this service's words, however joined or repeated: fieldwork inspection, hmicfrs_hmicfrs."""
    tokens = re.findall(r"[a-z]+", lowered)
    return bool(tokens) and all(t in CONTEXT_WORDS for t in tokens)


def problem(password: str, name: str = "") -> str | None:
    """Why this password is too easily guessed, in words, or None."""
    lowered = password.lower()
    core = _ENDS.sub("", lowered)
    if lowered in common() or (core and core in common()):
        return "this password (or its word with digits and symbols added) is among the first an attacker tries"
    if core and _ENDS.sub("", core.replace(" ", "")) in words() or _dictionary_word(lowered):
        return ("this password is one word with digits or symbols added, the first thing a dictionary attack "
                "tries: a few unrelated words strung together are stronger and easier to remember")
    if _service_words_only(lowered):
        return "this password is made of this service's own words (fieldwork, inspection ...), which attackers try first"
    from zxcvbn import zxcvbn

    if zxcvbn(password[:100], user_inputs=[*CONTEXT_WORDS, *([name] if name else [])])["score"] < MIN_SCORE:
        return ("this password is easy to guess (a common word, a keyboard pattern, a repeat or a date): "
                "a few unrelated words strung together are stronger and easier to remember")
    return None
