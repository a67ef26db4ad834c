"""How the Assess form names a repeat group's entries in its sentences (walk 24, W19): an
abbreviation keeps its capitals ("Add PIN to Incident 1", never "pIN"), and a number of entries
the form sets is said by the answer that sets it, never as XPath."""

from __future__ import annotations

from fieldwork.questionnaire import entries
from fieldwork.ui.entry_panels import _count_words, in_sentence
from tests.repeat_helpers import build


def test_a_label_in_a_sentence_keeps_an_abbreviation():
    assert in_sentence("Incident") == "incident"
    assert in_sentence("PIN issued") == "PIN issued"
    assert in_sentence("PIN") == "PIN"
    assert in_sentence("Contact with the victim") == "contact with the victim"


def test_the_number_of_entries_follows_the_answer_in_words():
    q = build()
    worked = entries.Entries(q, {"n_hearings": "2"})
    assert _count_words(worked, "hearing", "") == "The number of entries follows the answer to “Hearings” (2)."


def test_an_unlabelled_calculation_is_named_in_words_on_the_form():
    from fieldwork.ui.answer_widgets import calculate_label
    from tests.test_repeat_calculations_saved import FORM

    q = build(FORM)
    assert calculate_label(q, q.question("total_calls"), "total_calls") == (
        "Total calls (worked out: sum(Calls made))")
    assert calculate_label(q, q.question("charged"), "Charged? *") == "Charged? *"
