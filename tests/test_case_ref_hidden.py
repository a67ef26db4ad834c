"""Personal details hidden in one group of a reference, spread a digit a group, or in an
instance id's shape are refused wherever a reference enters (attacker re-test 22, F1); the
references the app, the demonstration data and ODK make still pass."""

from __future__ import annotations

import uuid

import pytest

from fieldwork.services import case_refs, privacy

REFUSED = {
    "HS-0001-07700900123": "a phone number",
    "HS-07700900123-1": "a phone number",
    "HS-1-07700900123": "a phone number",
    "HS-07700-900123-1": "a phone number",
    "HS-1-447700900123": "a phone number",
    "HS-2-0-0-3-1-9-8-4": "a date",
    "HS-20-03-19-84": "a date",
    "HS-1-2-0-3-1-9-8-4-7": "a date",
    "19840312-0000-4000-8000-000000000001": "a date",
    "5f2c9a1e-0000-4000-8000-447700900123": "a phone number",
    "sMiTh-0003": "a name",
    "jAnE-0001": "a name",
}

ACCEPTED = ["HS-0001", "HS-0402", "GMP/2016/0456", "PIN-0001", "case_12", "HS-000123", "HS_0201", "SYN-01234",
            "RC-1", "HS-1-2-3-4", "HS-0001-0002-0003-0004", "A-1-1-1-1"]


@pytest.mark.parametrize("ref, what", sorted(REFUSED.items()))
def test_hidden_details_are_refused_in_words(ref, what):
    said = privacy.case_ref_problem(ref)
    assert said is not None and f"looks like {what}" in said, (ref, said)


@pytest.mark.parametrize("ref", ACCEPTED)
def test_references_as_inspections_write_them_pass(ref):
    assert privacy.case_ref_problem(ref) is None, ref


def test_random_instance_ids_pass():
    refused = [i for i in (str(uuid.UUID(int=n * 2654435761 % (1 << 128), version=4)) for n in range(1, 3001))
               if case_refs.problem(i) is not None]
    assert refused == []
    assert case_refs.problem("uuid:" + str(uuid.UUID(int=7, version=4))) is None
