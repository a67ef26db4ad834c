"""What forms other people wrote rely on, beyond a verdict (tests/test_xlsform_verdicts.py):
paths in expressions, count()/sum()/join(), one name in two groups, select_one_external,
a file of choices that did not come with the form, a rule naming a later question, the
oldest select spellings, and faults named where they are (sheet, row, column, reason)."""

from __future__ import annotations

import pytest
from pyxform.xls2xform import convert

from fieldwork.catalog import load_catalog
from fieldwork.problems import ProblemError
from fieldwork.questionnaire.answers import convert as convert_answer
from fieldwork.questionnaire.loader import CYCLE
from fieldwork.questionnaire.xlsform import export_xlsform, import_xlsform
from tests.xlsform_collection import ACCEPTED, PYXFORM_REFUSES, YES_NO, xlsx


def read(markdown: str, name: str = "form.xlsx"):
    return import_xlsform(xlsx(markdown), name=name, frameworks=load_catalog().frameworks)


def refused(markdown: str, name: str = "form.xlsx") -> list:
    with pytest.raises(ProblemError) as err:
        read(markdown, name)
    return err.value.problems


def test_paths_resolve_to_the_question_they_point_at_and_are_worked_out():
    q = read(ACCEPTED["relative_paths.xlsx"])
    assert q.section("inputs").relevant == "${source} = 'user'"  # ./source on the group: inside it
    assert q.question("prior").relevant == "${source} != ''"
    assert q.question("next").calculation == "${prior} + 1"
    assert q.question("total").calculation == "${prior} + ${visits}"
    worked = q.with_calculations({"visits": "3", "source": "user", "prior": "2"})
    assert (worked["next"], worked["total"]) == ("3", "5")
    # outside a repeat a question is a nodeset of one when answered: its sum is its number
    assert (worked["n_visits"], worked["all_prior"], worked["joined"]) == ("1", "5", "user")
    assert (q.with_calculations({})["n_visits"], q.with_calculations({})["all_prior"]) == ("0", "0")
    # the group's rule names a question inside it (as CHT forms do): that one sees its own answer
    assert {"source", "prior"} <= q.relevant_names({"source": "user"})
    assert not {"source", "prior"} & q.relevant_names({"source": "other"})


def test_one_name_in_two_groups_is_kept_under_its_group_path():
    q = read(ACCEPTED["same_name_in_groups.xlsx"])
    assert [x.name for x in q.questions] == ["victim/age", "school", "suspect/age", "gap"]
    assert q.question("school").relevant == "${victim/age} < 18"
    assert q.with_calculations({"victim/age": "15", "suspect/age": "40"})["gap"] == "25"
    assert "school" in q.relevant_names({"victim/age": "15"})
    assert "school" not in q.relevant_names({"victim/age": "30"})


def test_naming_a_shared_name_is_refused_with_its_row_and_the_way_out():
    markdown, row = PYXFORM_REFUSES["ambiguous_name.xlsx"]
    [p] = refused(markdown)
    assert (p.row, p.field, p.source) == (row, "relevant", "form.xlsx survey")
    assert "The name 'age' appears more than once" in p.message  # pyxform's words: it refused the form first


def test_select_one_external_takes_its_list_from_the_external_choices_sheet():
    q = read(ACCEPTED["external_list.xlsx"])
    assert q.codes("force") == ["durham", "kent"]
    from fieldwork.questionnaire.loader import filtered_choices
    assert [c.code for c in filtered_choices(q, q.question("force"), {"region": "south"})] == ["kent"]


def test_a_list_in_a_file_that_did_not_come_with_the_form_takes_a_typed_code(tmp_path):
    q = read(ACCEPTED["from_absent_file.xlsx"])
    station, units = q.question("station"), q.question("units")
    assert (station.type, station.choices, units.choices) == ("select_one", "stations.csv", "units.xml")
    assert convert_answer(q, station, "north_1") == ("north_1", None)
    assert convert_answer(q, station, "two words")[0] is None
    assert convert_answer(q, units, "a b") == ("a b", None)
    # exported as it came: the type names the file again, and pyxform converts it
    path = export_xlsform(q, tmp_path / "again.xlsx")
    convert(xlsform=path.read_bytes(), file_type=".xlsx", form_name="data")
    assert import_xlsform(path, frameworks=load_catalog().frameworks).to_dict() == q.to_dict()


def test_a_value_looked_up_in_a_file_on_the_device_is_kept_as_given():
    q = read(ACCEPTED["instance_lookup.xlsx"])
    assert q.with_calculations({"existing": "b7", "xid": "b7-id"})["xid"] == "b7-id"
    assert q.with_calculations({"existing": "b7"})["xid"] == ""  # the file is not here to look in


def test_a_rule_may_name_a_later_question_and_calculations_follow_what_they_use():
    q = read(ACCEPTED["later_reference.xlsx"])
    worked = q.with_calculations({"reported": "2016-02-01", "charged": "2016-03-14"})
    assert (worked["days"], worked["weeks"]) == ("42", "6")
    assert "why_late" in q.relevant_names(worked)
    assert "why_late" not in q.relevant_names(q.with_calculations({"reported": "2016-02-01",
                                                                   "charged": "2016-02-10"}))


def test_a_true_circle_is_refused_with_the_row_of_each_question_in_it():
    problems = refused("""
| survey |
|        | type      | name | label | calculation | relevant    |
|        | calculate | a    |       | ${b} + 1    |             |
|        | calculate | b    |       | ${a} + 1    |             |
|        | integer   | c    | C     |             | ${d} > 1    |
|        | integer   | d    | D     |             | ${c} > 1    |
|        | integer   | e    | E     |             | ${a} > 1    |
""")
    assert [(p.code, p.row, p.item, p.field) for p in problems] == [
        (CYCLE, 2, "a", "calculation"), (CYCLE, 3, "b", "calculation"),
        (CYCLE, 4, "c", "relevant"), (CYCLE, 5, "d", "relevant")]
    assert "a → b → a" in problems[0].message


def test_the_oldest_select_spellings_read_as_pyxform_reads_them():
    q = read(ACCEPTED["old_select_syntax.xlsx"])
    assert [(x.name, x.type, x.choices) for x in q.questions] == [
        ("a", "select_one", "yes_no"), ("b", "select_one", "yes_no"), ("c", "select_multiple", "yes_no")]


def test_the_oldest_spelling_is_read_the_same_when_pyxform_refuses_the_form_for_another_fault():
    problems = refused("""
| survey |
|        | type                              | name | label |
|        | select one from yes_no            | a    | A     |
|        | select all that apply from yes_no | c    | C     |
|        | fancy_thing                       | d    | D     |
""" + YES_NO)
    assert [(p.row, p.field) for p in problems] == [(4, "type")]  # the list is yes_no, not 'from'


def test_a_fault_in_the_header_is_named_on_row_1():
    [p] = refused("""
| survey |
|        | type | name | label | label |
|        | text | a    | A     | B     |
""")
    assert (p.source, p.row) == ("form.xlsx survey", 1) and "Duplicate column header" in p.message


def test_a_fault_on_a_begin_group_row_is_named_on_that_row():
    [p] = refused("""
| survey |
|        | type        | name | label | relevant        |
|        | text        | a    | A     |                 |
|        | begin group | g    | G     | ${nobody} = 'x' |
|        | text        | b    | B     |                 |
|        | end group   |      |       |                 |
""")
    assert (p.row, p.item, p.field) == (3, "g", "relevant")


def test_our_faults_name_sheet_row_and_column_in_row_order_each_once():
    problems = refused("""
| survey |
|        | type              | name | label | relevant            | calculation |
|        | text              | a    | A     | ${bb} = 'yes'       |             |
|        | select_one yes_no | b    | B     |                     |             |
|        | calculate         | c    |       |                     | ${zz} + 1   |
|        | text              | d    | D     | ${bb} = 'yes'       |             |
| choices |
|         | list_name | name | label |
|         | yes_no    | yes  | Yes   |
|         | yes_no    | no   | No    |
| settings |
|          | form_id | version | framework |
|          | f       | 1       | nonesuch  |
""")
    shown = [(p.source, p.row, p.field) for p in problems]
    assert shown == [("form.xlsx survey", 2, "relevant"), ("form.xlsx survey", 4, "calculation"),
                     ("form.xlsx survey", 5, "relevant"), ("form.xlsx settings", None, "framework")]
    assert len(set(problems)) == len(problems)


def test_a_duplicate_choice_says_column_name_as_xlsform_does():
    markdown, row = PYXFORM_REFUSES["duplicate_choice.xlsx"]
    problems = refused(markdown)
    assert [(p.source, p.row, p.field, p.item) for p in problems] == [("form.xlsx choices", row, "name", "yes_no")]
    assert "allow_choice_duplicates" in problems[0].message
    assert str(problems[0]).startswith("form.xlsx choices: row 4: list 'yes_no': column 'name': 'yes' appears twice")


def test_a_duplicate_choice_found_by_our_checks_is_named_by_column_name():
    # the same fault when pyxform accepted the workbook (a TOML-style list has no such check)
    from fieldwork.questionnaire.loader import build_questionnaire
    data = {"questionnaire": {"id": "f", "version": "1"},
            "choices": {"yn": [{"code": "y", "_row": 2}, {"code": "y", "_row": 3}]},
            "sections": [], "questions": []}
    with pytest.raises(ProblemError) as err:
        build_questionnaire(data, source="f.xlsx", frameworks={}, sheets=True)
    [p] = err.value.problems
    assert (p.source, p.row, p.field) == ("f.xlsx choices", 3, "name")


def test_allow_choice_duplicates_is_kept_on_export_so_the_form_still_converts(tmp_path):
    q = read(ACCEPTED["older_types.xlsx"], name="older_types.xlsx")
    path = export_xlsform(q, tmp_path / "older.xlsx")
    convert(xlsform=path.read_bytes(), file_type=".xlsx", form_name="data")
    assert import_xlsform(path, frameworks=load_catalog().frameworks).to_dict() == q.to_dict()


@pytest.mark.parametrize("name", ["relative_paths.xlsx", "same_name_in_groups.xlsx", "external_list.xlsx",
                                  "later_reference.xlsx", "old_select_syntax.xlsx"])
def test_these_forms_export_to_a_form_pyxform_converts_and_come_back_the_same(name, tmp_path):
    q = read(ACCEPTED[name], name=name)
    path = export_xlsform(q, tmp_path / name)
    convert(xlsform=path.read_bytes(), file_type=".xlsx", form_name="data")
    assert import_xlsform(path, frameworks=load_catalog().frameworks, name=name).to_dict() == q.to_dict()


UNKNOWN_CODE_FORM = """
| survey |
|        | type                   | name    | label   | relevant              | constraint        |
|        | select_one yes_no      | seen    | Seen?   |                       |                   |
|        | text                   | detail  | Detail  | ${seen} = 'maybe'     |                   |
|        | text                   | other   | Other   | ${seen} != ''         |                   |
|        | select_one_from_file places.csv | place | Place |                   | ${place} != 'x9'  |
""" + YES_NO


def test_a_rule_comparing_with_a_code_not_in_its_list_is_imported_with_a_warning(tmp_path):
    # pyxform converts such a form, so it is imported; the import says where the rule can never hold
    convert(xlsform=xlsx(UNKNOWN_CODE_FORM), file_type=".xlsx", form_name="data")
    q = read(UNKNOWN_CODE_FORM)
    [w] = q.warnings  # '' (not answered) and an absent file's list (codes unknown) are never flagged
    assert (w.source, w.row, w.field, w.item) == ("form.xlsx survey", 3, "relevant", "detail")
    assert "'maybe'" in w.message and "this rule can never hold as written" in w.message
    from fieldwork.questionnaire.xlsform import warning_lines
    assert warning_lines(q) == [f"Warning: {w}"]
    assert str(w).startswith("form.xlsx survey: row 3: question 'detail': column 'relevant':")
    assert q.question("detail").relevant == "${seen} = 'maybe'"


@pytest.mark.parametrize("root, settings", [("data", ""), ("visit", """
| settings |
|          | form_id | name  |
|          | f       | visit |
""")])
def test_a_repeat_named_like_the_survey_root_is_refused_with_its_row_as_pyxform_refuses_it(root, settings):
    form = f"""
| survey |
|        | type         | name   | label |
|        | text         | ref    | Ref   |
|        | begin repeat | {root} | Visit |
|        | date         | when   | When  |
|        | end repeat   |        |       |
""" + settings
    with pytest.raises(Exception, match="survey root"):
        convert(xlsform=xlsx(form), file_type=".xlsx", form_name="data")
    with pytest.raises(ProblemError) as err:
        import_xlsform(xlsx(form), name="form.xlsx", frameworks=load_catalog().frameworks, allow_repeats=True)
    [p] = err.value.problems
    assert (p.source, p.row, p.item) == ("form.xlsx survey", 3, root)
    assert "must not be the same as the survey root" in p.message


def test_a_group_named_like_the_survey_root_is_imported_as_pyxform_converts_it():
    form = """
| survey |
|        | type        | name | label |
|        | begin group | data | Data  |
|        | text        | ref  | Ref   |
|        | end group   |      |       |
"""
    convert(xlsform=xlsx(form), file_type=".xlsx", form_name="data")
    assert [x.name for x in read(form).questions] == ["ref"]


@pytest.mark.parametrize("data", [
    b"not a workbook",  # the file itself
    xlsx(PYXFORM_REFUSES["ambiguous_name.xlsx"][0]),  # pyxform's refusal
    xlsx("""
| survey |
|        | type | name | label | relevant       |
|        | text | a    | A     | ${nobody} = 1  |
"""),  # ours
])
def test_every_refused_questionnaire_has_one_headline_and_names_its_sheet_the_same_way(data):
    with pytest.raises(ProblemError) as err:
        import_xlsform(data, name="form.xlsx", frameworks=load_catalog().frameworks)
    assert err.value.summary == "questionnaire form.xlsx was refused"
    for p in err.value.problems:
        assert p.source == "form.xlsx" or p.source.split(" ", 1)[1] in (
            "survey", "choices", "settings", "external_choices", "indicators", "findings"), p


def test_the_import_command_prints_the_warning_and_imports_the_form(tmp_path, db_url, capsys):
    from fieldwork.cli import main
    path = tmp_path / "form.xlsx"
    path.write_bytes(xlsx(UNKNOWN_CODE_FORM))
    assert main(["--db", db_url, "questionnaire", "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert ("Warning: form.xlsx survey: row 3: question 'detail': column 'relevant': relevant compares ${seen} with "
            "'maybe'") in out and "this rule can never hold as written" in out


FILTER_TYPO_FORM = """
| survey |
|        | type                | name     | label    | choice_filter     |
|        | select_one forces   | force    | Force    |                   |
|        | select_one areas    | cps_area | CPS Area | forse=${force}    |
|        | select_one areas    | area_ok  | Area     | force=${force}    |
| choices |
|         | list_name | name       | label          | force  |
|         | forces    | durham     | Durham         |        |
|         | forces    | sussex     | Sussex         |        |
|         | areas     | north_east | CPS North East | durham |
|         | areas     | south_east | CPS South East | sussex |
"""


def test_a_choice_filter_naming_a_column_the_list_does_not_have_is_said_at_import(tmp_path):
    # walk 24, W14: `forse` for `force` filtered every choice out, found only in Assess; pyxform
    # converts such a form, so it is imported, with a warning naming the row, column and reason
    convert(xlsform=xlsx(FILTER_TYPO_FORM), file_type=".xlsx", form_name="data")
    q = read(FILTER_TYPO_FORM)
    [w] = q.warnings
    assert (w.source, w.row, w.field, w.item) == ("form.xlsx survey", 3, "choice_filter", "cps_area")
    assert "'forse'" in w.message and "its columns: force, label, name" in w.message
    assert "could never be answered" in w.message


def test_a_settings_fault_is_not_said_of_the_question_on_the_same_row_of_the_survey():
    # walk 24, W19: settings row 2's instance_name was said of question 'start' (survey row 2)
    form = """
| survey |
|        | type     | name  | label |
|        | start    | start |       |
|        | text     | ref   | Ref   |
| settings |
|          | form_id | instance_name     |
|          | f       | concat(${today})  |
"""
    [p] = refused(form)
    assert (p.source, p.row, p.field, p.item) == ("form.xlsx settings", 2, "instance_name", None)
    assert "question 'start'" not in str(p) and "today" in p.message
