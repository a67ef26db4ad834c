"""XLSForm's ``begin loop over LIST`` (issue 12): read as pyxform builds it — a group named after the
loop holding one group per choice, each with a copy of the loop's questions (``%(name)s`` and
``%(label)s`` put in) — instead of being refused; answers given in a tool's export (KoboToolbox's
``contacts/police/made``, ODK Central's ``contacts-police-made``) import, and export and import
back identical, in our layout and both tools'."""

from __future__ import annotations

import pytest

from fieldwork import db, startup
from fieldwork.catalog import load_catalog
from fieldwork.problems import ProblemError
from fieldwork.questionnaire.xlsform import import_xlsform
from fieldwork.services import findings, importing, inspections
from exports import exporting
from models import User
from tests.conftest import new_database_url
from tests.wide_helpers import LEAD_USER, answers_by_case
from tests.xlsform_collection import xlsx

FORM = """
| survey |
|        | type                   | name      | label                         | relevant       |
|        | select_one yes_no      | charged   | Charged?                      |                |
|        | begin loop over agency | contacts  | Contact with each agency      |                |
|        | select_one yes_no      | made      | Contact made by %(label)s?    |                |
|        | text                   | why       | Why not (%(name)s)?           | ../made = 'no' |
|        | end loop               |           |                               |                |
|        | select_one yes_no      | reviewed  | Reviewed?                     |                |
| choices |
|         | list_name | name   | label  |
|         | yes_no    | yes    | Yes    |
|         | yes_no    | no     | No     |
|         | agency    | police | Police |
|         | agency    | cps    | CPS    |
|         | agency    | none   | None   |
| settings |
|          | form_id  | version |
|          | agencies | 1       |
"""


def test_a_loop_reads_as_one_group_per_choice_as_pyxform_builds_it():
    q = import_xlsform(xlsx(FORM), frameworks=load_catalog().frameworks, name="agencies.xlsx")
    assert [x.name for x in q.questions] == ["charged", "contacts/police/made", "contacts/police/why",
                                             "contacts/cps/made", "contacts/cps/why", "reviewed"]
    assert q.question("contacts/cps/made").label == "Contact made by CPS?"
    assert q.question("contacts/police/why").label == "Why not (police)?"
    # ../made is the copy beside it, as in pyxform's XForm (relevant="../made = 'no'" in each group)
    assert q.question("contacts/cps/why").relevant == "${contacts/cps/made} = 'no'"
    assert [s.title for s in q.sections if any(x.section == s.id for x in q.questions)] == [
        "General", "Police", "CPS", "General (continued)"]
    assert not q.repeats  # a loop's groups are fixed: no entries to add


def test_a_loop_over_a_list_missing_is_refused_by_pyxform_with_its_row():
    from fieldwork.problems import ProblemError

    with pytest.raises(ProblemError) as err:
        import_xlsform(xlsx(FORM.replace("begin loop over agency", "begin loop over agencies")),
                       frameworks=load_catalog().frameworks, name="agencies.xlsx")
    assert any(p.row == 3 for p in err.value.problems)


CASES = [("HS-0001", "yes", "yes", "", "no", "no reply", "yes"),
         ("HS-0002", "no", "no", "not asked", "yes", "", "no"),
         ("HS-0003", "yes", "", "", "", "", "")]


def kobo_csv() -> bytes:
    lines = ["case_ref;charged;contacts/police/made;contacts/police/why;contacts/cps/made;contacts/cps/why;reviewed;"
             "_uuid;_submission_time;_index"]
    for n, case in enumerate(CASES, start=1):
        lines.append(";".join(case) + f";00000000-0000-4000-8000-{n:012d};2024-05-01T10:00:00;{n}")
    return ("\n".join(lines) + "\n").encode()


def odk_csv() -> bytes:
    lines = ["SubmissionDate,case_ref,charged,contacts-police-made,contacts-police-why,contacts-cps-made,"
             "contacts-cps-why,reviewed,meta-instanceID,KEY"]
    for n, case in enumerate(CASES, start=1):
        key = f"uuid:00000000-0000-4000-8000-{n:012d}"
        lines.append("2024-05-01T10:00:00.000Z," + ",".join(case) + f",{key},{key}")
    return ("\n".join(lines) + "\n").encode()


def load(engine):
    with db.session_scope(engine) as s:
        inspections.add_xlsform(s, xlsx(FORM), inspections.inspection_by_code(s, None), actor="test",
                                name="agencies.xlsx")


def import_bytes(engine, data, name):
    with db.session_scope(engine) as s:
        return importing.import_file(s, LEAD_USER, "agencies", data, name)


EXPECTED = {
    "HS-0001": {"charged": "yes", "contacts/police/made": "yes", "contacts/cps/made": "no",
                "contacts/cps/why": "no reply", "reviewed": "yes"},
    "HS-0002": {"charged": "no", "contacts/police/made": "no", "contacts/police/why": "not asked",
                "contacts/cps/made": "yes", "reviewed": "no"},
    "HS-0003": {"charged": "yes"},
}


@pytest.mark.parametrize("writer, name", [(kobo_csv, "agencies_kobo.csv"), (odk_csv, "agencies_odk.csv")])
def test_a_tools_export_of_a_loop_imports_under_each_groups_question(engine, writer, name):
    load(engine)
    assert import_bytes(engine, writer(), name).written == 3
    assert {ref: answers for ref, (answers, _) in answers_by_case(engine, "agencies").items()} == EXPECTED


@pytest.mark.parametrize("layout", ["ours", "kobo", "odk"])
def test_answers_in_a_loop_export_and_import_back_identical(engine, tmp_path, layout):
    load(engine)
    import_bytes(engine, kobo_csv(), "agencies_kobo.csv")
    with db.session_scope(engine) as s:
        data = (exporting.export_csv(s, LEAD_USER, "agencies") if layout == "ours" else
                exporting.export_layout(s, LEAD_USER, "agencies", layout, file_name=f"out_{layout}.csv"))
        before = findings.compute(s, "agencies").to_dict()
    data = data if isinstance(data, bytes) else data.encode()
    other = startup.open_engine(new_database_url(tmp_path, "other"))
    load(other)
    with db.session_scope(other) as s:  # the receiving database has the inspector's account, as it must
        s.add(User(name="lead1", role="lead", password_hash="!"))
    assert import_bytes(other, data, f"out_{layout}.csv").written == 3
    assert answers_by_case(other, "agencies") == answers_by_case(engine, "agencies")
    with db.session_scope(other) as s:
        assert findings.compute(s, "agencies").to_dict() == before


def test_a_slot_keeps_a_question_keyed_by_its_group_path_whole():
    """A loop's copy (or any name used twice) is keyed ``contacts/police/made``: a slot reads back
    the entry's instance path only from its leading ``name[n]`` steps."""
    from fieldwork.questionnaire.entries import slot, split

    assert split("contacts/police/made") == ("", "contacts/police/made")
    assert split(slot("incident[2]/pin[1]", "victim/age")) == ("incident[2]/pin[1]", "victim/age")
    assert split("incident[2]/when") == ("incident[2]", "when") and split("charged") == ("", "charged")


def test_an_inspector_answers_a_loops_questions_with_their_skip_logic(engine):
    """In the app a loop's groups are sections like any other: answers saved by their keys, each
    copy's ../made read beside it, and what skip logic hides cleared."""
    from fieldwork.services import assessments, cases
    from tests.assess_helpers import INSPECTOR1

    load(engine)
    with db.session_scope(engine) as s:
        case = cases.add_case(s, INSPECTOR1, inspection=None, questionnaire_id="agencies", case_ref="HS-0001",
                              context={})
    with db.session_scope(engine) as s:
        saved = assessments.save(s, INSPECTOR1, case.assessment_uid, 1, {
            "contacts/police/made": ("no", None), "contacts/police/why": ("no reply", None),
            "contacts/cps/made": ("yes", None)})
    with db.session_scope(engine) as s:
        saved = assessments.save(s, INSPECTOR1, case.assessment_uid, saved.version,
                                 {"contacts/police/made": ("yes", None)})
        view = assessments.load(s, INSPECTOR1, case.assessment_uid)
    assert {k: v for k, v in view.answers.items() if k.startswith("contacts/")} == {
        "contacts/police/made": "yes", "contacts/cps/made": "yes"}  # police's "why" no longer asked: cleared
    with db.session_scope(engine) as s:
        with pytest.raises(ProblemError) as err:  # the cps copy's "why" is not asked: an answer is refused
            assessments.save(s, INSPECTOR1, case.assessment_uid, saved.version,
                             {"contacts/cps/why": ("late", None)})
    assert [p.item for p in err.value.problems] == ["contacts/cps/why"], err.value.problems
