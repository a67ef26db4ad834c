"""The statistics behind the findings' uncertainty, written once and tested against the
published worked examples (tests/test_stats.py).

* ``wilson``: the Wilson score interval for a single proportion (Wilson 1927; method 3 of
  Newcombe, "Two-sided confidence intervals for the single proportion: comparison of seven
  methods", Statistics in Medicine 1998;17:857-872). It stays inside 0..100 and is sound at
  0 of n and n of n, where the simple "Wald" interval collapses to a point.
* ``newcombe_difference``: the hybrid score interval for the difference of two independent
  proportions (method 10 of Newcombe, "Interval estimation for the difference between
  independent proportions: comparison of eleven methods", Statistics in Medicine
  1998;17:873-890), built from the two Wilson intervals. A group's figure is said to differ
  from the rest of the inspection only when this interval excludes 0.
* ``sample_size``: the cases needed for a margin of error at an expected percentage
  (Cochran, Sampling Techniques, 3rd ed. 1977, equations 4.2 and 4.1: n0 = z^2 p(1-p) / d^2,
  and with a finite population N, n = n0 / (1 + (n0 - 1) / N)).

Everything is plain floats; no dependency (the formulae are a few lines, and scipy would
add 100 MB and a second of start-up to every command for one constant).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile: two-sided 95 %
SMALL_N = 10  # a denominator under this is marked small_n and shown with a caution
_Z = {90: 1.6448536269514722, 95: Z95, 99: 2.5758293035489004}


def z_for(confidence: float) -> float:
    """z for a two-sided confidence level given in percent (90, 95 or 99)."""
    try:
        return _Z[int(round(confidence))]
    except KeyError:
        raise ValueError(f"confidence must be 90, 95 or 99 percent, not {confidence}") from None


def wilson(count: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for count of n as proportions (0..1); None when n is 0."""
    if n <= 0:
        return None
    p = count / n
    z2 = z * z
    centre = 2 * n * p + z2
    spread = z * math.sqrt(z2 + 4 * n * p * (1 - p))
    low = 0.0 if count == 0 else (centre - spread) / (2 * (n + z2))
    high = 1.0 if count == n else (centre + spread) / (2 * (n + z2))
    return low, high


def wilson_percent(count: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    """The Wilson interval in percent, one decimal (half up), or (None, None) when n is 0."""
    interval = wilson(count, n, z)
    if interval is None:
        return None, None
    return one_decimal(100 * interval[0]), one_decimal(100 * interval[1])


def one_decimal(x: float) -> float:
    # half up, as the report rounds; the tiny offset keeps 12.25 (stored as 12.2499999...) at 12.3
    return math.floor(x * 10 + 0.5 + 1e-9) / 10


def newcombe_difference(count1: int, n1: int, count2: int, n2: int, z: float = Z95) -> tuple[float, float] | None:
    """The hybrid score interval (Newcombe 1998, method 10) for p1 - p2, as proportions;
    None when either denominator is 0."""
    a, b = wilson(count1, n1, z), wilson(count2, n2, z)
    if a is None or b is None:
        return None
    p1, p2 = count1 / n1, count2 / n2
    (l1, u1), (l2, u2) = a, b
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return low, high


@dataclass(frozen=True)
class Comparison:
    """A group's figure against the rest of the inspection (the cases outside the group)."""
    rest_count: int
    rest_denominator: int
    low: float | None  # the difference group - rest, in percentage points, one decimal
    high: float | None

    @property
    def differs(self) -> bool:
        """True only when the 95 % interval of the difference excludes 0."""
        return self.low is not None and (self.low > 0 or self.high < 0)


def compare_with_rest(count: int, n: int, total_count: int, total_n: int, z: float = Z95) -> Comparison:
    rest_count, rest_n = total_count - count, total_n - n
    interval = newcombe_difference(count, n, rest_count, rest_n, z)
    if interval is None:
        return Comparison(rest_count, rest_n, None, None)
    return Comparison(rest_count, rest_n, _signed_decimal(100 * interval[0]), _signed_decimal(100 * interval[1]))


def _signed_decimal(x: float) -> float:
    # symmetric rounding, so -3.25 and 3.25 round to the same magnitude, and -0.0 reads 0.0
    r = math.copysign(one_decimal(abs(x)), x)
    return 0.0 if r == 0 else r


@dataclass(frozen=True)
class SamplePlan:
    expected: float  # percent
    margin: float  # percentage points either side
    confidence: float  # percent
    per_group: int  # cases for each group (force) to reach the margin on its own
    groups: int
    total: int  # per_group x groups
    overall_margin: float  # the margin the total gives for the inspection as a whole (points)
    population: int | None  # the finite population each group is drawn from, if given


def sample_size(margin: float, expected: float = 50.0, *, confidence: float = 95, groups: int = 1,
                population: int | None = None) -> SamplePlan:
    """Cases per group (and in all) for a margin of ``margin`` percentage points either side
    of an expected ``expected`` percent. Cochran (1977) 4.2 and, given a finite population
    per group, 4.1. Raises ValueError naming the value that is out of range."""
    if not 0 < margin < 100:
        raise ValueError(f"the margin must be between 0 and 100 percentage points, not {margin}")
    if not 0 <= expected <= 100:
        raise ValueError(f"the expected percentage must be between 0 and 100, not {expected}")
    if groups < 1:
        raise ValueError(f"the number of groups must be at least 1, not {groups}")
    if population is not None and population < 1:
        raise ValueError(f"the population must be at least 1 case, not {population}")
    z = z_for(confidence)
    p, d = expected / 100, margin / 100
    # an expected 0 or 100 percent would need no cases at all; plan for the worst case near it
    pq = max(p * (1 - p), 0.01 * 0.99)
    n0 = z * z * pq / (d * d)
    n = n0 / (1 + (n0 - 1) / population) if population else n0
    per_group = math.ceil(n - 1e-9)
    if population:
        per_group = min(per_group, population)
    total = per_group * groups
    overall = 100 * z * math.sqrt(pq / total)
    if population:  # the finite population correction for the whole inspection's N
        big_n = population * groups
        overall *= math.sqrt(max(big_n - total, 0) / max(big_n - 1, 1))
    return SamplePlan(expected, margin, confidence, per_group, groups, total, one_decimal(overall), population)


def plan_text(plan: SamplePlan) -> str:
    each = "each force" if plan.groups > 1 else "the sample"
    lines = [f"For ±{plan.margin:g} points at {plan.confidence:g}% confidence around an expected {plan.expected:g}%:",
             f"  {plan.per_group} case files for {each}"
             + (f" (drawn from {plan.population} cases each)" if plan.population else "")]
    if plan.groups > 1:
        lines.append(f"  {plan.total} case files in all ({plan.groups} forces), which give ±{plan.overall_margin:g} "
                     "points for the inspection as a whole")
    lines.append("  (Cochran 1977: n = z²p(1−p)/d², with the finite population correction where a population "
                 "is given)")
    return "\n".join(lines)
