import re

import pytest

from fieldwork.wording import render, template_faults


def test_fields_and_filters():
    values = {"count": 60, "denominator": 112, "percent": 54, "not_known": 1, "not_applicable": 0}
    assert render("in {count} of {denominator} cases ({percent} percent)", values) == "in 60 of 112 cases (54 percent)"
    assert render("In {not_known|words} case{not_known|s} it was not known", values) == "In one case it was not known"
    assert render("{count|Words} {count|was}", {"count": 0}) == "None was"
    assert render("{count|Words} case{count|s} {count|was}", {"count": 2}) == "Two cases were"
    assert render("{count|words}", {"count": 112}) == "112"


def test_unknown_fields_are_left_visible():
    assert render("{nope} and {count|nofilter}", {"count": 1}) == "{nope} and {count|nofilter}"


def test_every_case_counted_reads_all_as_the_report_writes_it():
    template = "in {count_of_denominator} police-charged cases reviewed"
    assert render(template, {"count": 20, "denominator": 20}) == "in all 20 police-charged cases reviewed"
    assert render(template, {"count": 17, "denominator": 20}) == "in 17 of the 20 police-charged cases reviewed"
    assert render(template, {"count": 1, "denominator": 1}) == "in 1 of the 1 police-charged cases reviewed"


def test_template_faults_name_the_unknown_field_and_filter():
    assert template_faults("in {count} of {denominator|words} ({percent} percent)") == []
    faults = template_faults("in {cuont} of {denominator|wrods}")
    assert len(faults) == 2 and "{cuont}" in faults[0] and "{denominator|wrods}" in faults[1]


def test_counts_of_none_and_one_read_as_english():
    assert render("used in {count|words_or_no} case{count|s}", {"count": 0}) == "used in no cases"
    assert render("used in {count|words_or_no} case{count|s}", {"count": 1}) == "used in one case"
    assert render("used in {count|words_or_no} case{count|s}", {"count": 3}) == "used in three cases"
    assert render("{count} case{count|s} {count|were} charged", {"count": 1}) == "1 case was charged"
    assert render("{count} case{count|s} {count|were} charged", {"count": 0}) == "0 cases were charged"


# A filter to one force or Area gives counts of 0 and 1 that the whole inspection never does:
# every sentence a shipped questionnaire writes must still read as English then (a lead pastes
# them into the draft report).
_WRONG = [re.compile(p) for p in (r"\b(1|one) cases\b", r"\bnone cases?\b", r"\b(0|no|[2-9]|\d{2,}|two|three) case\b(?! files?\b)",
                                  r"\b(1|one) case were\b", r"\b(0|[2-9]|\d{2,}) cases was\b")]


def _templates():
    from fieldwork.catalog import load_catalog

    for q in load_catalog().questionnaires.values():
        for question in q.questions:
            for code, template in question.findings.items():
                yield f"{q.id}.{question.name}={code}", template
        for ind in q.indicators:
            if ind.text:
                yield f"{q.id}.{ind.id}", ind.text


@pytest.mark.parametrize("count", [0, 1, 2, 12])
def test_every_shipped_sentence_reads_right_for_a_count_of_none_one_or_more(count):
    wrong = []
    for where, template in _templates():
        for denominator in sorted({max(count, 2), count + 3}):  # a count of 0 or 1 among several cases
            values = {"count": count, "denominator": denominator, "percent": 50, "not_known": 0, "not_applicable": 0,
                      "asked": denominator, "population": denominator, "answer": "yes", "answer_label": "Yes",
                      "question": "the question"}
            text = render(template, values)
            wrong += [f"{where}: {text!r}" for rule in _WRONG if rule.search(text)]
    assert not wrong, "\n".join(wrong)
