"""Loading the criteria folder, and every kind of questionnaire that is refused on load."""

from __future__ import annotations

import pytest

from fieldwork import contract
from fieldwork.catalog import load_catalog
from fieldwork.problems import ProblemError
from fieldwork.questionnaire import loader
from tests.forms import build


def test_both_questionnaires_load_with_every_contract_variable():
    catalog = load_catalog()
    for qid, (variables, indicators) in contract.QUESTIONNAIRES.items():
        q = catalog.questionnaires[qid]
        assert q.version
        for name, codes in variables.items():
            assert q.has_question(name), name
            if isinstance(codes, tuple):
                assert sorted(q.codes(name)) == sorted(codes), name
        assert [i.id for i in q.indicators if i.id in indicators] == list(indicators)
        assert all(not q.question(n).required for n in [x.name for x in q.questions] if n not in variables)


def test_framework_has_six_general_and_26_specific_criteria_worded_as_table_1():
    fw = load_catalog().frameworks["harassment_stalking_2017"]
    assert [g.id for g in fw.general] == ["1", "2", "3", "4", "5", "6"]
    assert len(fw.specific_ids) == 26
    assert fw.specific("3.1").text == ("The police use risk assessment screening tools effectively to assess "
                                       "risk to victims and families.")
    assert fw.specific("5.3").text == ("Decisions on disposal of cases are appropriate and taken at the right "
                                       "level (i.e. police/CPS), in accordance with guidance/protocols.")


def test_every_case_review_question_evidences_a_criterion():
    q = load_catalog().questionnaires["case_review"]
    for question in q.questions:
        if question.section != "context":
            assert question.criteria, question.name
        assert question.guidance, question.name


def test_skip_logic_of_case_review():
    q = load_catalog().questionnaires["case_review"]
    asked = q.relevant_names({"charged_by": "police", "enhanced_risk_assessment": "dash", "vps_taken": "yes"})
    assert "police_charge_code_applied" in asked and "mg3_case_analysis" not in asked
    assert "dash_supplementary_questions" in asked and "vps_offered" not in asked
    assert q.irrelevant_answers({"charged_by": "police", "mg3_case_analysis": "fully_met"}) == ["mg3_case_analysis"]


GOOD = """
| type             | name       | label          | relevant              | required | criteria |
| begin group      | context    | Context        |                       |          |          |
| select_one charge| charged_by | Charged by     |                       | yes      |          |
| select_one yes_no| referred   | Referred?      | ${charged_by} = 'cps' | yes      | 6.2      |
| end group        | context    |                |                       |          |          |
"""


def test_a_good_form_builds():
    q = build(GOOD)
    assert [x.name for x in q.questions] == ["charged_by", "referred"]
    assert q.sections[0].title == "Context"
    assert q.question("referred").criteria == ("6.2",)


def faults(survey: str, **kwargs) -> list[tuple[str, str | None, int | None]]:
    with pytest.raises(ProblemError) as err:
        build(survey, **kwargs)
    return [(p.code, p.item, p.row) for p in err.value.problems]


def test_comparing_with_a_code_not_in_the_list_is_a_warning_as_pyxform_converts_it():
    q = build("""
| type              | name | label | relevant          |
| select_one yes_no | a    | A     |                   |
| select_one yes_no | b    | B     | ${a} = 'maybe'    |
""")
    assert [(p.code, p.item, p.row) for p in q.warnings] == [(loader.UNKNOWN_CODE, "b", 3)]


@pytest.mark.parametrize("survey, expected", [
    ("""
| type              | name | label | relevant    |
| select_one yes_no | a    | A     | ${nobody} = 'yes' |
""", (loader.UNKNOWN_VARIABLE, "a", 2)),
    ("""
| type              | name | label |
| select_one yes_no | a    | A     |
| select_one yes_no | a    | Again |
""", (loader.DUPLICATE_NAME, "a", 3)),
    ("""
| type              | name | label | criteria |
| select_one yes_no | a    | A     | 9.9      |
""", (loader.UNKNOWN_CRITERION, "a", 2)),
    ("""
| type              | name | label | relevant        |
| select_one yes_no | a    | A     | ${b} = 'yes'    |
| select_one yes_no | b    | B     | ${a} = 'no'     |
""", (loader.CYCLE, "a", 2)),
    ("""
| type              | name | label | relevant        |
| select_one yes_no | a    | A     | ${a} = 'yes'    |
""", (loader.SELF_REFERENCE, "a", 2)),
    ("""
| type              | name | label | relevant                |
| select_one yes_no | a    | A     | __import__('os')        |
""", (loader.BAD_EXPRESSION, "a", 2)),
    ("""
| type              | name | label |
| select_one colours| a    | A     |
""", (loader.UNKNOWN_CHOICES, "a", 2)),
    ("""
| type              | name     | label |
| select_one yes_no | 2bad     | A     |
""", (loader.BAD_NAME, "2bad", 2)),
])
def test_refused_questionnaires_name_the_question_row_and_fault(survey, expected):
    assert expected in faults(survey)


def test_every_fault_is_reported_not_only_the_first():
    found = faults("""
| type              | name | label | relevant       | criteria |
| select_one yes_no | a    | A     | ${zz} = 'yes'  | 0.1      |
| select_one yes_no | a    | B     |                |          |
""")
    assert {code for code, _, _ in found} == {loader.UNKNOWN_VARIABLE, loader.UNKNOWN_CRITERION, loader.DUPLICATE_NAME}


def test_refusal_message_names_file_question_and_fault():
    with pytest.raises(ProblemError) as err:
        build("""
| type              | name | label | relevant       |
| select_one yes_no | a    | A     | ${zz} = 'yes'  |
""")
    text = str(err.value)
    assert "test.xlsx" in text and "'a'" in text and "${zz}" in text


def test_unknown_code_in_an_indicator_is_refused():
    found = faults(GOOD, indicators="""
| id   | label | population | condition               |
| ind1 | I     |            | ${charged_by} = 'court' |
""")
    assert (loader.UNKNOWN_CODE, "ind1", 2) in found


def test_a_typo_in_a_findings_wording_is_refused_not_printed_in_the_report():
    found = faults(GOOD, indicators="""
| id   | label | population | condition                | text                                   |
| ind1 | I     |            | ${charged_by} = 'police' | in {cuont} of {denominator} ({percnet} percent) |
""")
    assert found.count((loader.BAD_TEMPLATE, "ind1", 2)) == 2  # each typo named, the good field not


def test_contract_questionnaire_missing_a_variable_or_requiring_an_extra_is_refused():
    found = faults("""
| type              | name     | label | required |
| text              | case_ref | Ref   | yes      |
| select_one yes_no | extra    | X     | yes      |
""", settings={"form_id": "pin_review", "version": "9", "framework": "harassment_stalking_2017"})
    codes = {code for code, _, _ in found}
    assert loader.CONTRACT_MISMATCH in codes and loader.REQUIRED_NOT_ALLOWED in codes


def test_repeat_groups_are_refused_with_the_row_until_they_are_supported():
    found = faults("""
| type                  | name | label |
| start                 | start|       |
| select_multiple yes_no| a    | A     |
| begin repeat          | r    | R     |
| integer               | n    | N     |
| end repeat            |      |       |
""")
    assert ("repeat_not_supported", "r", 4) in found
