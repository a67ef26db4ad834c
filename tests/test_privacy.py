import pytest

from fieldwork.services.privacy import case_ref_problem, note_warnings


@pytest.mark.parametrize("ref", ["HS-0001", "GMP/2016/0456", "case_12", "A1"])
def test_pseudonymous_refs_pass(ref):
    assert case_ref_problem(ref) is None


@pytest.mark.parametrize("ref", ["", "Jane Smith", "jsmith@example.org", "Smith", "x" * 41 + "1", "HS 0001"])
def test_refs_that_may_identify_someone_are_refused(ref):
    assert case_ref_problem(ref)


@pytest.mark.parametrize("note, kind", [
    ("victim called on 07700 900123", "a phone number"),
    ("email from someone@example.org", "an email address"),
    ("DOB 01/02/1980", "a date of birth"),
    ("lives near M1 1AE", "a postcode"),
    ("spoke to Mr Bloggs", "a person's name"),
    ("the suspect Joe Bloggs attended", "a person's name"),
])
def test_notes_that_look_like_personal_data_are_flagged(note, kind):
    assert kind in note_warnings(note)


def test_ordinary_evidence_notes_are_not_flagged():
    assert note_warnings("MG3 p4: Crown Prosecution Service advised s2A; DASH p2 supplementary questions blank") == []
