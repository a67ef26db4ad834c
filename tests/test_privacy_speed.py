"""The personal-data check on notes runs in linear time: a 10,000-character note of any shape
is checked in under 10 ms, and eight times the text takes about eight times as long (a quadratic
check, as before, took 2 s for 10,000 characters and 15 s for 40,000)."""

from __future__ import annotations

import time

import pytest

from fieldwork.services import privacy

SHAPES = {  # the inputs that made the old patterns rescan from every position
    "one word": "a" * 10_000, "digits": "0" * 10_000, "letter digit": "A1" * 5_000, "dots": "a." * 5_000,
    "at signs": "@a" * 5_000, "titles": "Mr " * 3_333, "capitals": "Aaa\n" * 2_500, "spaces": "Aaa " + " " * 9_996,
    "prose": ("Crime report p.7 records the DASH at first contact; the officer in charge " * 200)[:10_000],
}


def fastest(text: str, runs: int = 5) -> float:
    """CPU seconds of the fastest of several runs: the check's own time, not the time other
    processes on a shared machine take (a wall-clock ratio failed under load 12-18)."""
    best = float("inf")
    for _ in range(runs):
        privacy._warnings.cache_clear()
        start = time.process_time()
        privacy.note_warnings(text)
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("shape", SHAPES)
def test_a_10000_character_note_is_checked_in_under_10_ms(shape):
    text = SHAPES[shape]
    assert len(text) == 10_000 or shape == "titles"
    assert fastest(text) < 0.010


@pytest.mark.parametrize("shape", ["one word", "digits", "dots", "at signs"])
def test_the_time_grows_linearly_with_the_note(shape):
    short, long = SHAPES[shape], SHAPES[shape] * 8
    # linear is 8 times; a shared machine's noise is allowed up to 32; quadratic would be 64 times
    assert fastest(long, 9) < 32 * max(fastest(short, 9), 0.0005)


def test_it_still_finds_what_it_found():
    found = privacy.note_warnings("mail jane.doe@example.org, ring 07700 900123, SW1A 1AA, saw Mr Smith; "
                                  "date of birth on file")
    assert found == ["an email address", "a phone number", "a date of birth", "a postcode", "a person's name"]
