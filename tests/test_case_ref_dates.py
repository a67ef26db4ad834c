"""A date of birth is refused in any part of a case reference, however it is written behind a
prefix (HS-198403-12, HS-19840312, HS-12-03-1984, HS-120384), while zero-padded sequence
numbers (HS-0001, the demo's, the synthetic generator's) are accepted."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldwork.services import case_refs

BEHIND_A_PREFIX = ["HS-198403-12", "HS-19840312", "HS-12-03-1984", "HS-120384", "PIN-120384", "PIN-12-03-84",
                   "PIN-1203-84", "PIN-1984-0312", "GMP/1984/03/12", "RC-03121984", "HS-0019840312",
                   "PIN-12.3.1984", "X_120384_7",
                   # the attacker re-test of stop 21: one-digit days or months run together
                   "HS-3121984", "HS-1231984", "HS-1984312", "HS-31284", "HS-12384", "HS-19843-12", "HS-198431-2"]
ACCEPTED = ["HS-0001", "hs-0001", "PIN-0001", "GMP/2016/0456", "HS_0201", "RC-1", "HS-9999", "SYN-0000123",
            "SYN-9999999", "HS-0042-1", "HS-10001", "HS-20000", "HS-1000001"]


@pytest.mark.parametrize("ref", BEHIND_A_PREFIX)
def test_a_date_of_birth_behind_a_prefix_is_refused(ref):
    why = case_refs.problem(ref) or ""
    # some read as another personal detail first (a phone number)
    assert any(w in why for w in ("a date", "National Insurance", "phone number")), (ref, why)
    assert case_refs.looks_personal(ref.replace("HS", "PIN")) == "a date (of birth?)" or "0019840312" in ref


@pytest.mark.parametrize("ref", ACCEPTED)
def test_sequence_numbers_are_accepted(ref):
    assert case_refs.problem(ref) is None, case_refs.problem(ref)


WRITTEN = [
    lambda d: d.strftime("%Y%m%d"), lambda d: d.strftime("%d%m%Y"), lambda d: d.strftime("%Y%m-%d"),
    lambda d: d.strftime("%d-%m-%Y"), lambda d: d.strftime("%d%m%y"), lambda d: d.strftime("%d-%m-%y"),
    lambda d: d.strftime("%Y/%m/%d"), lambda d: d.strftime("%d.%m.%Y"), lambda d: d.strftime("%m%d%Y"),
    lambda d: d.strftime("%d%m-%y"),
]


@settings(max_examples=300, deadline=None)
@given(born=st.dates(min_value=date(1900, 1, 1), max_value=date.today()),
       way=st.sampled_from(range(len(WRITTEN))),
       prefix=st.sampled_from(["HS", "PIN", "RC", "GMP", "X", "AB"]),
       joint=st.sampled_from(["-", "/", "_", "."]))
def test_every_way_of_writing_a_date_of_birth_is_refused(born, way, prefix, joint):
    ref = f"{prefix}{joint}{WRITTEN[way](born)}"
    assert case_refs.problem(ref) is not None, ref


@settings(max_examples=300, deadline=None)
@given(n=st.integers(min_value=0, max_value=9999), prefix=st.sampled_from(["HS", "PIN", "RC", "CASE", "LIF"]),
       joint=st.sampled_from(["-", "/", "_"]))
def test_a_four_digit_sequence_number_is_always_accepted(n, prefix, joint):
    """The form the app suggests and the demo uses (HS-0001 ... HS-9999)."""
    assert case_refs.problem(f"{prefix}{joint}{n:04d}") is None


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=1, max_value=999_999))
def test_the_synthetic_generators_references_are_accepted(n):
    # below a million the seven digits start with 0, which no day, month or year does; a file
    # holds at most 100,000 rows. From a million on a reference can read as a date (SYN-1984101).
    assert case_refs.problem(f"SYN-{n:07d}") is None


@pytest.mark.parametrize("ref, what", [
    ("HS-7700900123", "a phone number"), ("HS-7700-900-123", "a phone number"),  # a mobile without its 0
    ("HS-00447700900123", "a phone number"),
    ("HS-120384", "a date (of birth?)"),  # a date before the NI number's shape it also has
    ("HS000123", "a National Insurance number"),  # as an NI number is written (never with a dash)
    ("AB123456C", "a National Insurance number"),
])
def test_what_the_attacker_re_test_got_through_is_named(ref, what):
    assert case_refs.looks_personal(ref) == what
