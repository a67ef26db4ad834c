"""Criteria in the Evidence page's pickers read whole (walk 23, F19: "3.1 The police use risk
assessment screening tools effectively to assess r", cut mid-word, no ellipsis): each option is
its number and its wording cut at a word with "…", and the full wording of what is chosen is
shown under the picker."""

from __future__ import annotations

from fieldwork.catalog import load_catalog
from tests.apptest import page

FRAMEWORK = load_catalog().frameworks["harassment_stalking_2017"]


def full(code: str) -> str:
    return f"{code} {FRAMEWORK.specific(code).text}"


def test_options_are_cut_at_a_word_and_the_chosen_criterion_is_shown_whole(engine, db_url, monkeypatch):
    at = page("pages/evidence.py", db_url, monkeypatch, forces=("durham",)).run()
    assert not at.exception
    pickers = [at.selectbox(key="ev_ex_crit_0_0"), at.multiselect(key="ev_criteria_0"),
               at.selectbox(key="ev_filter_criterion")]
    option = pickers[0].format_func("3.1")
    assert option.endswith(" …") and len(option) < len(full("3.1"))
    assert full("3.1").startswith(option.removesuffix(" …"))
    assert full("3.1")[len(option) - 2] == " "  # the cut falls between two words
    for picker in pickers:
        for code in FRAMEWORK.specific_ids:
            shown = picker.format_func(code)
            assert shown == full(code) or (shown.endswith(" …") and full(code).startswith(shown[:-2] + " "))
    assert not any("3.1 The police" in c.value for c in at.caption)
    at.selectbox(key="ev_ex_crit_0_0").select("3.1").run()
    at.multiselect(key="ev_criteria_0").set_value(["1.5", "3.1"]).run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert full("3.1") in captions
    assert f"{full('1.5')}  \n{full('3.1')}" in captions
