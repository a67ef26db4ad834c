"""Skip logic said in words for the person told why an answer is refused (walk 24, W5):
questions by their labels, codes by theirs, never the XPath."""

from __future__ import annotations

import pytest

from fieldwork.questionnaire import rule_words
from tests.forms import build

FORM = """
| type                  | name     | label                  | relevant                                            |
| select_one yes_no     | charged  | Was a suspect charged? |                                                     |
| select_multiple risks | risks    | Risk factors           |                                                     |
| integer               | score    | DASH score             |                                                     |
| text                  | a        | A                      | ${charged} = 'yes'                                  |
| text                  | b        | B                      | ${charged} != 'yes' and ${score} >= 14              |
| text                  | c        | C                      | selected(${risks}, 'threats') or ${score} > 20      |
| text                  | d        | D                      | ${score} != ''                                      |
| text                  | e        | E                      | not(${charged} = 'no')                              |
| text                  | f        | F                      | ${score} + 1 > 3                                    |
| begin group           | g        | Charge                 | ${charged} = 'yes'                                  |
| text                  | h        | H                      | ${score} < 5                                        |
| end group             |          |                        |                                                     |
"""
CHOICES = """
| list_name | name     | label           |
| yes_no    | yes      | Yes             |
| yes_no    | no       | No              |
| risks     | threats  | Threats to kill |
| risks     | escalate | Escalation      |
"""


@pytest.mark.parametrize("name, said", [
    ("a", "asked only when “Was a suspect charged?” is Yes"),
    ("b", "asked only when “Was a suspect charged?” is not Yes and “DASH score” is at least 14"),
    ("c", "asked only when “Risk factors” includes Threats to kill or “DASH score” is more than 20"),
    ("d", "asked only when “DASH score” is answered"),
    ("e", "asked only when not (“Was a suspect charged?” is No)"),
    ("f", "asked only when other answers call for it"),
    ("h", "asked only when “Was a suspect charged?” is Yes and “DASH score” is less than 5"),  # with its group's
])
def test_a_rule_in_words(name, said):
    q = build(FORM, choices=CHOICES)
    assert rule_words.asked_only_when(q, name) == said
