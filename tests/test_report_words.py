"""The draft report's words for its filters and breakdown (exports/report_words.py): as a
report prints them, never a question's whole wording nor a code in brackets (walk 23, F19)."""

from __future__ import annotations

from exports import report_words

NAMES = {"force": "Force", "cps_area": "CPS Area", "domestic_abuse": "Domestic abuse", "plea": "Plea"}
CODES = {"force": {"durham": "Durham Constabulary", "gwent": "Gwent Police"},
         "cps_area": {"north_east": "CPS North East"},
         "domestic_abuse": {"yes": "Yes", "no": "No"}, "plea": {"guilty": "Guilty", "not_guilty": "Not guilty"}}


def test_a_place_filter_reads_as_the_place_only():
    assert report_words.filters_phrase({"force": ["durham"]}, NAMES, CODES) == "Durham Constabulary only"
    assert report_words.filters_phrase({"force": ["durham", "gwent"]}, NAMES, CODES) == (
        "Durham Constabulary and Gwent Police only")
    assert report_words.filters_phrase({"cps_area": ["north_east"]}, NAMES, CODES) == "CPS North East only"


def test_other_filters_read_by_their_short_label_and_answers_in_words():
    assert report_words.filters_phrase({"force": ["durham"], "domestic_abuse": ["no"]}, NAMES, CODES) == (
        "Durham Constabulary only; Domestic abuse: No")
    assert report_words.filters_phrase({"plea": ["guilty", "not_guilty"]}, NAMES, CODES) == "Plea: Guilty or Not guilty"
    assert report_words.filters_phrase({}, NAMES, CODES) == ""
    # a code without a label is shown as it is rather than dropped
    assert report_words.filters_phrase({"plea": ["other"]}, NAMES, CODES) == "Plea: other"


def test_the_breakdown_reads_by_its_short_label_inside_a_sentence():
    assert report_words.breakdown_phrase("force", NAMES) == "by force"
    assert report_words.breakdown_phrase("domestic_abuse", NAMES) == "by domestic abuse"
    assert report_words.breakdown_phrase("cps_area", NAMES) == "by CPS Area"  # an acronym keeps its capitals
    assert report_words.breakdown_phrase(None, NAMES) == ""
    for by in NAMES:  # never the code in brackets
        assert "(" not in report_words.breakdown_phrase(by, NAMES)


def test_lists_are_joined_as_a_sentence_joins_them():
    assert report_words.either(["A"], "or") == "A"
    assert report_words.either(["A", "B"], "and") == "A and B"
    assert report_words.either(["A", "B", "C"], "or") == "A, B or C"
