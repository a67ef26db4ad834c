from fieldwork.wording import render


def test_fields_and_filters():
    values = {"count": 60, "denominator": 112, "percent": 54, "not_known": 1, "not_applicable": 0}
    assert render("in {count} of {denominator} cases ({percent} percent)", values) == "in 60 of 112 cases (54 percent)"
    assert render("In {not_known|words} case{not_known|s} it was not known", values) == "In one case it was not known"
    assert render("{count|Words} {count|was}", {"count": 0}) == "None was"
    assert render("{count|Words} case{count|s} {count|was}", {"count": 2}) == "Two cases were"
    assert render("{count|words}", {"count": 112}) == "112"


def test_unknown_fields_are_left_visible():
    assert render("{nope} and {count|nofilter}", {"count": 1}) == "{nope} and {count|nofilter}"
