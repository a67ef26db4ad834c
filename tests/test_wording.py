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
