"""Tests for reanalysis.engine.feasibility: exact SD bounds, integer search, SPRITE.

Expected values come from hand arithmetic in the comments (exact fractions), from brute
force over grids of values written here (itertools and numpy, no project code), and from
Zang 2022 (../shared/papers/001_9beb37517b88e50d.txt) for the printed numbers. Printing
is done here with Python's decimal module (ROUND_HALF_UP / ROUND_HALF_DOWN), not with
the project's rounding code.
"""
from __future__ import annotations

import math
import statistics
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from itertools import combinations_with_replacement

import numpy as np
import pytest

from reanalysis.engine.feasibility import (FeasibilityResult, sd_bounds_continuous, sd_feasibility,
                                           variance_bounds_continuous)
from reanalysis.engine.rounding import Interval

F = Fraction
MODES = (ROUND_HALF_UP, ROUND_HALF_DOWN)


def printed(value: Fraction, decimals: int, mode, *, sqrt: bool = False) -> str:
    """value (or its square root) printed by the decimal module at 60 digits."""
    with localcontext() as ctx:
        ctx.prec = 60
        v = Decimal(value.numerator) / Decimal(value.denominator)
        if sqrt:
            v = v.sqrt()
        return str(v.quantize(Decimal(1).scaleb(-decimals), rounding=mode))


def sample_variance(data) -> Fraction:
    data = [F(v) for v in data]
    n = len(data)
    m = sum(data) / n
    return sum((v - m) ** 2 for v in data) / (n - 1)


def prints_as(data, mean: str, sd: str) -> bool:
    """Do the data's mean and SD print as the texts, half-up or half-down?"""
    n = len(data)
    m, var = F(sum(F(v) for v in data), n), sample_variance(data)
    md, sdd = -Decimal(mean).as_tuple().exponent, -Decimal(sd).as_tuple().exponent
    return (any(printed(m, md, mode) == mean for mode in MODES)
            and any(printed(var, sdd, mode, sqrt=True) == sd for mode in MODES))


# --- Zang 2022: "12 ± 7.6 weeks", range 8-24, n = 5 --------------------------------------

def test_zang_insulin_free_onset_sd_is_impossible():
    """Zang 2022, Results: "13.5% (5/37) patients became insulin-free at 8-24 weeks
    (12 ± 7.6 weeks)". n = 5, the range 8-24 observed, so one value is 8 and one 24.

    "12" stands for a mean in [11.5, 12.5] (half-up or half-down), so the five values sum
    to S in [57.5, 62.5] and the other three sum to S - 32 in [25.5, 30.5]. The largest
    spread puts the three free values at the bounds but one: two at 8 and the third at
    S - 32 - 16, i.e. 9.5 .. 14.5.
      S = 62.5: 8, 8, 8, 14.5, 24; mean 12.5; deviations -4.5, -4.5, -4.5, 2, 11.5;
                squares 20.25 * 3 + 4 + 132.25 = 197; variance 197 / 4 = 49.25.
      S = 57.5: 8, 8, 8, 9.5, 24; mean 11.5; deviations -3.5, -3.5, -3.5, -2, 12.5;
                squares 12.25 * 3 + 4 + 156.25 = 197; variance 49.25 again.
    In between the variance is smaller (convex in S), so the largest SD is
    sqrt(49.25) = 7.0178 < 7.55, the least SD that prints as 7.6: impossible."""
    for data in ([8, 8, 8, F("14.5"), 24], [8, 8, 8, F("9.5"), 24]):
        assert sample_variance(data) == F("49.25")
    assert F("49.25") < F("7.55") ** 2                       # 49.25 < 57.0025
    bounds = sd_bounds_continuous(F("11.5"), F("12.5"), 5, 8, 24,
                                  observed_min=8, observed_max=24)
    assert bounds.sd_max == pytest.approx(math.sqrt(49.25), abs=1e-12)
    exact = variance_bounds_continuous((F("11.5"), F("12.5")), 5, 8, 24,
                                       observed_min=8, observed_max=24)
    assert exact.variances.upper == F("49.25")
    result = sd_feasibility("12", "7.6", 5, 8, 24, observed_range=True)
    assert result.feasible is False and result.method == "continuous"
    assert "[7.55, 7.65]" in result.reason and "7.0178" in result.reason
    assert (result.mean_interval.lower, result.mean_interval.upper) == (F("11.5"), F("12.5"))
    # whole weeks: ruled out by the same bound
    assert sd_feasibility("12", "7.6", 5, 8, 24, observed_range=True,
                          integer=True).feasible is False


def test_zang_onset_brute_force_grid():
    """The same bound by brute force: the three free values on a grid of half weeks in
    [8, 24] (both bounds pinned), every triple, mean printing as 12."""
    grid = [8 + F(i, 2) for i in range(33)]
    best = max(sample_variance([8, 24, *t]) for t in combinations_with_replacement(grid, 3)
               if F(23, 2) <= F(32 + sum(t), 5) <= F(25, 2))
    assert best == F("49.25")


# --- Zang 2022: "37.2 ± 15.2 weeks" of insulin-free time --------------------------------

def _dp_extreme_squares(n: int, top: int):
    """Brute force by dynamic programming: for n values in 0..top (integers, grid units),
    the largest and smallest sum of squares for every total. Every multiset is covered
    (the DP adds one value at a time over all values); nothing about the extremes is
    assumed."""
    size = n * top + 1
    neg, pos = -(10 ** 18), 10 ** 18
    hi = np.full(size, neg, dtype=np.int64)
    lo = np.full(size, pos, dtype=np.int64)
    hi[0] = lo[0] = 0
    for _ in range(n):
        new_hi = np.full(size, neg, dtype=np.int64)
        new_lo = np.full(size, pos, dtype=np.int64)
        for v in range(top + 1):
            shifted_hi = np.full(size, neg, dtype=np.int64)
            shifted_lo = np.full(size, pos, dtype=np.int64)
            shifted_hi[v:] = np.where(hi[:size - v] > neg, hi[:size - v] + v * v, neg)
            shifted_lo[v:] = np.where(lo[:size - v] < pos, lo[:size - v] + v * v, pos)
            np.maximum(new_hi, shifted_hi, out=new_hi)
            np.minimum(new_lo, shifted_lo, out=new_lo)
        hi, lo = new_hi, new_lo
    return hi, lo


def test_zang_insulin_free_duration_bound_by_brute_force():
    """Zang 2022: the five insulin-free patients "remained insulin-free without re-use
    for 37.2 ± 15.2 weeks" (n = 5 from "13.5% (5/37)"), inside a 48-week follow-up, so
    each value is in [0, 48].

    Brute force over a grid of 1/20 week (0..960 units): every total giving a mean in
    [37.15, 37.25] (3715..3725 units), its largest sum of squares. The extreme data set
    (three at 48, one at 5 * 37.25 - 144 = 42.25, one at 0) lies on that grid, so the
    grid maximum is the exact one: (3 * 48^2 + 42.25^2 - 186.25^2 / 5) / 4 = 439.8125,
    SD 20.97. SD 15.2 (at least 15.15) is well inside [0, 20.97]: possible."""
    n, per_week = 5, 20
    hi, lo = _dp_extreme_squares(n, 48 * per_week)
    totals = range(3715, 3726)
    best = max(F(int(hi[t]) - F(t * t, n), (n - 1) * per_week ** 2) for t in totals)
    assert best == F(3 * 48 ** 2) / 4 + (F("42.25") ** 2 - F("186.25") ** 2 / 5) / 4
    assert best == F("439.8125")
    least = min(F(int(lo[t]) - F(t * t, n), (n - 1) * per_week ** 2) for t in totals)
    assert least == 0                                   # 37.2 five times (744 units)
    bounds = variance_bounds_continuous((F("37.15"), F("37.25")), n, 0, 48)
    assert (bounds.variances.lower, bounds.variances.upper) == (least, best)
    result = sd_feasibility("37.2", "15.2", n, 0, 48)
    assert result.feasible is True and result.method == "continuous"
    # in whole weeks too: the search returns a data set, checked here independently
    whole = sd_feasibility("37.2", "15.2", n, 0, 48, integer=True)
    assert whole.feasible is True and whole.method == "exhaustive"
    assert len(whole.example) == n and all(0 <= v <= 48 for v in whole.example)
    assert prints_as(whole.example, "37.2", "15.2")


def test_zang_duration_if_capped_by_follow_up_after_onset():
    """A labelled alternative reading, not the paper's statement: if the insulin-free
    time ended with the 48-week follow-up and began at week 8 at the earliest (onset
    8-24), each value would be at most 40. Then (brute force on the 1/20-week grid) the
    largest SD with a mean in [37.15, 37.25] is at mean 37.15: four at 40 and one at
    5 * 37.15 - 160 = 25.75, variance (4 * 1600 + 25.75^2 - 185.75^2 / 5) / 4 = 40.6125,
    SD 6.37 -- far below 15.15, so under that reading the SD is impossible. (The paper
    says all patients remain under follow-up, so the 0..48 reading above is the one
    tested as reported.)"""
    n, per_week = 5, 20
    hi, _ = _dp_extreme_squares(n, 40 * per_week)
    best = max(F(int(hi[t]) - F(t * t, n), (n - 1) * per_week ** 2)
               for t in range(3715, 3726))
    assert best == (4 * 1600 + F("25.75") ** 2 - F("185.75") ** 2 / 5) / 4 == F("40.6125")
    assert variance_bounds_continuous((F("37.15"), F("37.25")), n, 0, 40).variances.upper \
        == best
    assert sd_feasibility("37.2", "15.2", n, 0, 40).feasible is False


# --- exact bounds against brute force on grids -------------------------------------------

STEP = F(1, 24)     # all extreme data sets of the configurations below lie on this grid


def brute_bounds(n, lower, upper, mean_lo, mean_hi, obs_min=None, obs_max=None):
    """Least and largest variance over all multisets of n grid values in [lower, upper]
    with a mean in [mean_lo, mean_hi] (and the given observed minimum / maximum)."""
    units = range(int(lower / STEP), int(upper / STEP) + 1)
    lo_u, hi_u = mean_lo * n / STEP, mean_hi * n / STEP
    best_lo = best_hi = None
    for data in combinations_with_replacement(units, n):
        s = sum(data)
        if not lo_u <= s <= hi_u:
            continue
        if obs_min is not None and data[0] * STEP != obs_min:
            continue
        if obs_max is not None and data[-1] * STEP != obs_max:
            continue
        q = sum(v * v for v in data)
        var = F(n * q - s * s, n * (n - 1)) * STEP ** 2
        best_lo = var if best_lo is None else min(best_lo, var)
        best_hi = var if best_hi is None else max(best_hi, var)
    return best_lo, best_hi


# Grid choice: with bounds, pins and mean ends multiples of 1/2 and n <= 4, the free
# values' total is a multiple of 1/2, so the largest-variance data (bounds and one value
# total - bounds) and the least-variance data (equal values: total / f for f <= 4, or the
# pins' mean) are multiples of 1/24.
@pytest.mark.parametrize("n, lower, upper, mean_lo, mean_hi, obs_min, obs_max", [
    (2, 0, 2, F(1, 2), 1, None, None),
    (3, 0, 2, F(1, 2), F(3, 2), None, None),
    (3, 0, 2, F(3, 2), 2, None, None),
    (3, 0, 2, F(1, 2), 1, 0, 2),
    (3, 0, 2, 0, F(1, 2), 0, 2),
    (4, 0, 2, F(1, 2), 1, None, None),
    (4, 0, 2, 1, F(3, 2), 0, 2),
    (4, 0, 2, F(3, 2), 2, F(1, 2), None),
    (4, 0, 2, 0, F(1, 2), None, F(3, 2)),
    (4, 0, 2, F(1, 2), 1, F(1, 2), F(3, 2)),
])
def test_variance_bounds_match_brute_force(n, lower, upper, mean_lo, mean_hi, obs_min,
                                           obs_max):
    expected = brute_bounds(n, lower, upper, mean_lo, mean_hi, obs_min, obs_max)
    got = variance_bounds_continuous((mean_lo, mean_hi), n, lower, upper,
                                     observed_min=obs_min, observed_max=obs_max)
    if expected == (None, None):
        assert got is None
        return
    assert (got.variances.lower, got.variances.upper) == expected
    assert got.variances.lower_included and got.variances.upper_included
    # the data sets given for the two ends are admissible and have those variances
    for data, var in ((got.at_min, expected[0]), (got.at_max, expected[1])):
        assert len(data) == n and sample_variance(data) == var
        assert mean_lo <= F(sum(data), n) <= mean_hi
        assert min(data) >= (lower if obs_min is None else obs_min)
        assert max(data) <= (upper if obs_max is None else obs_max)
    sd = sd_bounds_continuous(mean_lo, mean_hi, n, lower, upper,
                              observed_min=obs_min, observed_max=obs_max)
    assert sd == pytest.approx((math.sqrt(expected[0]), math.sqrt(expected[1])))


def test_unreachable_mean():
    # three values in [0, 1] cannot have a mean in [2, 3]
    assert variance_bounds_continuous((2, 3), 3, 0, 1) is None
    with pytest.raises(ValueError):
        sd_bounds_continuous(2, 3, 3, 0, 1)
    result = sd_feasibility("2.5", "0.1", 3, 0, 1)
    assert result.feasible is False and "mean" in result.reason


def test_open_mean_interval_leaves_the_largest_variance_unattained():
    # Two values in [0, 1] with mean m >= 1/2: the spread is largest with 2m - 1 and 1,
    # variance (1 - (2m - 1))^2 / 2 = 2 (1 - m)^2, i.e. 1/2 at m = 1/2 and 1/8 at m = 3/4.
    # With m in (1/2, 3/4] the supremum 1/2 is not attained; with [1/2, 3/4) it is.
    for m in (F(1, 2), F(5, 8), F(3, 4)):
        assert sample_variance([2 * m - 1, 1]) == 2 * (1 - m) ** 2
    open_low = variance_bounds_continuous(Interval(F(1, 2), F(3, 4), False, True), 2, 0, 1)
    assert (open_low.variances.upper, open_low.variances.upper_included) == (F(1, 2), False)
    closed_low = variance_bounds_continuous(Interval(F(1, 2), F(3, 4), True, False), 2, 0, 1)
    assert (closed_low.variances.upper, closed_low.variances.upper_included) == (F(1, 2), True)


# --- integer data: exhaustive search against brute force ----------------------------------

def produced(n: int, top: int, decimals=(2, 2), observed: bool = False) -> set:
    """(mean, SD) texts that some multiset of n integers in 0..top prints as (with 0 and
    top both present when ``observed``)."""
    out = set()
    for data in combinations_with_replacement(range(top + 1), n):
        if observed and (data[0] != 0 or data[-1] != top):
            continue
        s, q = sum(data), sum(v * v for v in data)
        mean, var = F(s, n), F(n * q - s * s, n * (n - 1))
        for a in MODES:
            for b in MODES:
                out.add((printed(mean, decimals[0], a), printed(var, decimals[1], b, sqrt=True)))
    return out


@pytest.mark.parametrize("n, top, observed", [
    (2, 5, False), (3, 5, False), (4, 5, False), (5, 4, False), (4, 5, True), (5, 4, True),
])
def test_integer_search_matches_brute_force(n, top, observed):
    pairs = produced(n, top, observed=observed)
    means = sorted({m for m, _ in pairs}, key=Decimal)
    checked_false = 0
    for m in means:
        for hundredths in range(0, 400, 3):
            sd = f"{hundredths / 100:.2f}"
            result = sd_feasibility(m, sd, n, 0, top, integer=True, observed_range=observed)
            assert result.feasible is ((m, sd) in pairs), (m, sd, result.reason)
            if result.feasible:
                assert prints_as(result.example, m, sd)
                assert min(result.example) >= 0 and max(result.example) <= top
                if observed:
                    assert min(result.example) == 0 and max(result.example) == top
            else:
                checked_false += 1
                assert result.method in ("bounds", "exhaustive")
    for m, sd in pairs:                     # every produced pair, including all SDs
        assert sd_feasibility(m, sd, n, 0, top, integer=True,
                              observed_range=observed).feasible is True, (m, sd)
    assert checked_false > 100


def test_integer_bounds_are_exact():
    # Five integers in 0..4 with mean "2.00" (sum 10): least spread 2, 2, 2, 2, 2
    # (SD 0); largest 0, 0, 2, 4, 4 (squares 36, variance (36 - 20) / 4 = 4, SD 2).
    assert sample_variance([0, 0, 2, 4, 4]) == 4
    brute = max(sample_variance(d) for d in combinations_with_replacement(range(5), 5)
                if sum(d) == 10)
    assert brute == 4
    result = sd_feasibility("2.00", "1.00", 5, 0, 4, integer=True)
    assert (result.sd_min, result.sd_max) == (0.0, 2.0)


# --- SPRITE ------------------------------------------------------------------------------

LIKERT = [1] * 3 + [2] * 4 + [3] * 5 + [4] * 6 + [5] * 5 + [6] * 4 + [7] * 5   # n = 32


def test_sprite_finds_a_known_feasible_case_and_is_deterministic():
    n = len(LIKERT)
    mean = printed(F(sum(LIKERT), n), 2, ROUND_HALF_UP)
    sd = printed(sample_variance(LIKERT), 2, ROUND_HALF_UP, sqrt=True)
    assert (mean, sd) == (f"{statistics.mean(LIKERT):.2f}", f"{statistics.stdev(LIKERT):.2f}")
    first = sd_feasibility(mean, sd, n, 1, 7, integer=True, max_exhaustive=0, seed=7)
    assert first.feasible is True and first.method == "sprite"
    assert len(first.example) == n and prints_as(first.example, mean, sd)
    assert all(1 <= v <= 7 for v in first.example)
    again = sd_feasibility(mean, sd, n, 1, 7, integer=True, max_exhaustive=0, seed=7)
    assert again == first
    assert isinstance(first, FeasibilityResult)


def test_sprite_on_many_feasible_cases():
    """A sample of the (mean, SD) pairs that some 6 integers in 0..4 print as: SPRITE
    alone (no exhaustive search) finds a data set for at least 90% of them, each checked
    here, and otherwise says it found none -- never False, which would need a proof."""
    pairs = sorted(produced(6, 4))[::7]
    found = 0
    for m, sd in pairs:
        result = sd_feasibility(m, sd, 6, 0, 4, integer=True, max_exhaustive=0)
        assert result.feasible is not False, (m, sd, result.reason)
        if result.feasible:
            found += 1
            assert prints_as(result.example, m, sd)
    assert found >= len(pairs) * 9 // 10


def test_sprite_never_proves_impossibility():
    """Pairs no data set produces but that pass the bounds and the parity test: the
    exhaustive search says False, SPRITE alone says None ("not found")."""
    n, top = 5, 4
    pairs = produced(n, top)
    cases = 0
    for m in sorted({m for m, _ in pairs}, key=Decimal):
        for hundredths in range(0, 250):
            sd = f"{hundredths / 100:.2f}"
            if (m, sd) in pairs:
                continue
            exhaustive = sd_feasibility(m, sd, n, 0, top, integer=True)
            assert exhaustive.feasible is False
            if exhaustive.method != "exhaustive":
                continue
            seeded = sd_feasibility(m, sd, n, 0, top, integer=True, max_exhaustive=0,
                                    sprite_restarts=3, sprite_steps=200)
            assert seeded.feasible is None and seeded.method == "sprite"
            assert "not found by a seeded search" in seeded.reason
            cases += 1
    assert cases > 0
