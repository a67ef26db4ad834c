"""The interval, the difference method and the planner against published worked examples."""

import json

import pytest

from fieldwork import cli

from fieldwork import stats

# Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of seven
# methods. Statistics in Medicine 1998;17:857-872, Table I, method 3 (Wilson score, no
# continuity correction), 95 %.
NEWCOMBE_1998_SINGLE = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
    (29, 29, 0.8830, 1.0000),
]

# Newcombe RG. Interval estimation for the difference between independent proportions:
# comparison of eleven methods. Statistics in Medicine 1998;17:873-890, Table II, examples
# (a)-(h), method 10 (hybrid score interval, no continuity correction), 95 %, to 4 decimals.
# The paper's table itself could not be read where this was written; the values are checked
# against reproductions of it that others published:
# - (a) and (b): the R package propint's tests ("ci.two.indep.props produces the results
#   reported in Newcombe1998": 0.0524-0.3339 and 0.1705-0.8090);
# - (a), (b) and (g): the SAS reference values of the "newcombe-score" method in the R
#   binomial-difference tests (0.0524-0.3339, 0.1705-0.8090, 0.6791-1.0000), as in
#   Fagerland, Lydersen & Laake, Statistical Methods in Medical Research 2015;24:224-254;
# - (c)-(h): Table II as transcribed, to 4 decimals, in several independent test suites of
#   method 10 (one names its source, P. Belisle and L. Joseph's reproduction at
#   joseph.research.mcgill.ca/PBelisle/ProportionsDiffCIsNewcombe.html); all agree, e.g. (c)
#   6/7 - 2/7 gives 0.0582 to 0.8062.
# Rows (e), (f) and (h) also follow from Table I's Wilson limits of 0/10 and 0/20 (0.2775,
# 0.1611), which test_wilson_matches_newcombe_table_i checks against the single-proportion paper.
NEWCOMBE_1998_DIFFERENCE = [
    (56, 70, 48, 80, 0.0524, 0.3339),  # (a)
    (9, 10, 3, 10, 0.1705, 0.8090),  # (b)
    (6, 7, 2, 7, 0.0582, 0.8062),  # (c)
    (5, 56, 0, 29, -0.0381, 0.1926),  # (d)
    (0, 10, 0, 20, -0.1611, 0.2775),  # (e)
    (0, 10, 0, 10, -0.2775, 0.2775),  # (f)
    (10, 10, 0, 20, 0.6791, 1.0000),  # (g)
    (10, 10, 0, 10, 0.6075, 1.0000),  # (h)
]


@pytest.mark.parametrize("count,n,low,high", NEWCOMBE_1998_SINGLE)
def test_wilson_matches_newcombe_table_i(count, n, low, high):
    got = stats.wilson(count, n)
    assert round(got[0], 4) == low and round(got[1], 4) == high


def test_wilson_percent_one_decimal_and_zero_denominator():
    assert stats.wilson_percent(81, 263) == (25.5, 36.6)
    assert stats.wilson_percent(0, 20) == (0.0, 16.1)  # 0 of n: from exactly 0
    assert stats.wilson_percent(29, 29) == (88.3, 100.0)  # n of n: to exactly 100
    assert stats.wilson_percent(0, 0) == (None, None)
    assert stats.wilson(3, 0) is None


@pytest.mark.parametrize("c1,n1,c2,n2,low,high", NEWCOMBE_1998_DIFFERENCE)
def test_difference_matches_newcombe_method_10(c1, n1, c2, n2, low, high):
    got = stats.newcombe_difference(c1, n1, c2, n2)
    assert round(got[0], 4) == low and round(got[1], 4) == high


def test_compare_with_rest_flags_only_when_the_interval_excludes_zero():
    # the example: 7 of 16 in one force beside 11 of 16 in another (the rest)
    same = stats.compare_with_rest(7, 16, 18, 32)
    assert (same.rest_count, same.rest_denominator) == (11, 16)
    assert same.low < 0 < same.high and not same.differs
    # Newcombe's example (b) as a group of 10 against a rest of 10
    apart = stats.compare_with_rest(9, 10, 12, 20)
    assert (apart.low, apart.high) == (17.1, 80.9) and apart.differs
    assert stats.compare_with_rest(0, 0, 5, 10).differs is False


def test_small_n_threshold():
    assert stats.SMALL_N == 10


def test_sample_size_textbook_values():
    # Cochran 1977: 50 % expected, +-5 points at 95 % -> 384.16 -> 385 cases; with N = 1000 -> 278
    assert stats.sample_size(5, 50).per_group == 385
    assert stats.sample_size(5, 50, population=1000).per_group == 278
    plan = stats.sample_size(10, 50, groups=6)
    assert (plan.per_group, plan.total) == (97, 582)
    assert plan.overall_margin == 4.1  # 1.96 * sqrt(.25 / 582)
    # a more extreme expected percentage needs fewer cases; 99 % needs more than 95 %
    assert stats.sample_size(10, 20).per_group == 62
    assert stats.sample_size(10, 50, confidence=99).per_group == 166
    # the population caps the sample: a force with 40 cases a year cannot give more
    assert stats.sample_size(2, 50, population=40).per_group <= 40


@pytest.mark.parametrize("kwargs", [dict(margin=0), dict(margin=10, expected=120), dict(margin=10, groups=0),
                                    dict(margin=10, confidence=80), dict(margin=10, population=0)])
def test_sample_size_refuses_out_of_range(kwargs):
    with pytest.raises(ValueError):
        stats.sample_size(**kwargs)


def test_plan_command(capsys):
    assert cli.main(["plan", "--margin", "10", "--expected", "50", "--groups", "6"]) == 0
    out = capsys.readouterr()[0]
    assert "97 case files for each force" in out and "582 case files in all" in out
    assert cli.main(["plan", "--margin", "10", "--groups", "1", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr()[0])["per_group"] == 97
    assert cli.main(["plan", "--margin", "0", "--groups", "1"]) == 1
    assert "margin must be between 0 and 100" in capsys.readouterr()[1]
