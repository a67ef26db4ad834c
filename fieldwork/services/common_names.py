"""Common given names and surnames, so that a case reference cannot be one (issue 17, stop 22).

The list is Faker's (https://pypi.org/project/Faker/, MIT licence; its person providers hold
the given names and surnames most common in each country, the US ones from the Social Security
Administration's and the Census Bureau's published counts), read from the installed package on
first use — offline, no download — for the English-speaking countries and the countries most
people born abroad and living in England and Wales come from. Only names of three or more
letters A-Z count: two letters cannot be told from a prefix such as HS.

A reference's prefix is a code, not a name, but some codes are spelled like names (``CASE``,
``KENT``, ``DEV``): ``KNOWN_PREFIXES`` lists those an inspection's files use, and the inspection
file's own pattern adds the words it spells out (``case_ref_pattern = "LAW/[0-9]{4}"``).
"""

from __future__ import annotations

import importlib
import re
from functools import lru_cache

LOCALES = ("en_GB", "en_US", "en_IE", "en_IN", "en_PK", "en_NG", "en_NZ", "pl_PL", "ro_RO", "pt_PT", "it_IT",
           "es_ES", "fr_FR", "de_DE", "lt_LT", "lv_LV", "bg_BG", "tr_TR", "nl_NL", "sk_SK", "cs_CZ", "hu_HU")
_ATTRIBUTES = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary", "last_names",
               "last_names_male", "last_names_female", "last_names_nonbinary", "male_last_names", "unisex_last_names")
_LETTERS = re.compile(r"[A-Za-z]{3,}")

# Prefixes of case files' references that are spelled like a name: kinds of reference (CASE, REF,
# URN, PIN: police incident number), this toolkit's own (HS: harassment and stalking, SYN: the
# synthetic generator, LIF: Living in fear, RC, EV), and police forces and CPS systems whose
# short names are also names (KENT, DEV for Devon, CHE for Cheshire, SUR for Surrey, POL for police,
# HAM for Hampshire, CID, DASH: the risk form, LAW, CPS, CMS, NICHE, ATHENA, STORM).
KNOWN_PREFIXES = frozenset({
    "CASE", "REF", "URN", "PIN", "HS", "SYN", "LIF", "RC", "EV", "CRN", "CRIS", "CMS", "CPS", "CJS", "NICHE",
    "ATHENA", "STORM", "KENT", "AVON", "DEV", "DEVON", "CHE", "SUR", "POL", "HAM", "CID", "DASH", "LAW", "GMP",
    "MPS", "MET", "BTP", "WMP", "WYP", "SYP", "NYP", "TVP", "DUR", "ESSEX", "DORSET", "GWENT", "DYFED",
})


@lru_cache(maxsize=1)
def names() -> frozenset[str]:
    """The common given names and surnames, in capitals (read once, about half a second)."""
    found: set[str] = set()
    for locale in LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in _ATTRIBUTES:
            found.update(n.upper() for n in map(str, getattr(provider, attribute, ())) if _LETTERS.fullmatch(n))
    return frozenset(found)


def pattern_words(pattern: str | None) -> set[str]:
    """The words an inspection's own pattern spells out (its prefixes), in capitals."""
    if not pattern:
        return set()
    # drop classes, escapes, counts and group syntax ((?:, (?=, (?P<name>, (?i)): the rest is spelled out
    literal = re.sub(r"\[[^\]]*\]|\\[A-Za-z]|\{[^}]*\}|\(\?(?:[:!=]|<[=!]|P<\w+>|[aiLmsux]+\))", " ", pattern)
    return {w.upper() for w in re.findall(r"[A-Za-z]{2,}", literal)}


def name_in(ref: str, pattern: str | None = None) -> str | None:
    """The first run of letters in ``ref`` that is a common name (or an initial and one: JSmith),
    unless it is a known prefix or one the inspection's pattern spells; or None."""
    allowed = KNOWN_PREFIXES | pattern_words(pattern)
    common = names()
    for run in re.findall(r"[A-Za-z]+", ref):
        word = run.upper()
        if word in allowed:
            continue
        if word in common or (len(word) >= 5 and word[1:] in common):
            return run
    return None
