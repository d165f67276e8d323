"""Property-based tests (hypothesis) of the rounding-aware recomputation engine.

The principle under test: a printed summary number ("5.23") stands for the interval of
values that round to it; the engine takes printed values as boxes and returns a statistic
at the printed values with its lowest and highest value over the box (a ``Range``). So for
random raw data the TRUE statistic, computed here independently with scipy from the raw
data, must lie inside the engine's interval built from the rounded summaries.

How numbers are printed here (independent of ``rounding.py``): a summary value is rounded
EXACTLY with rational arithmetic (``fractions.Fraction``): a float is taken at its exact
binary value (``Fraction(x)``, so no formatting noise from repr or ``format``), a count
ratio or an integer mean is an exact fraction, and an SD of integer data is the square
root of an exact fraction (decided by integer square roots). The rounding is half-up
(ties away from zero, as ``decimal.ROUND_HALF_UP``) for the float summaries; for the
integer-data tests of scrutiny's functions (GRIM, GRIMMER) the scheme is drawn from
half-up, half-even and half-down, all of which their default "up or down" covers; the
percentages that the engine rebuilds counts from are printed half-up or half-even, the
engine's reading of a printed number (rounding.printed_interval). The text
keeps its trailing zeros ("5.00"). Boxes are then rebuilt from ``parse_number(text)``'s
lower/upper, as ``summary_level.Row.box`` does.

Tolerance: the true statistic comes from scipy on the raw data, the engine's bounds from
scipy on box corners; both are double precision, so a true value exactly on a box edge
(e.g. an integer mean 2.5 printed as "3") may differ from the engine's bound in the last
bits. Containment is asserted up to a relative 1e-9 (``REL``) plus an absolute 1e-300
(``ABS``, p-values that small are at the bottom of the double range). Welch's df and p
extremes are not exact but searched numerically (a grid refined by L-BFGS-B, as the
summary_stats docstring says); the search stops a few 1e-9 (relative) short of a flat
optimum (seen: df maximum 18.99999993 against 18.99999998 on a smaller box), so Welch's
df and p bounds are held to ``WELCH_REL`` = 1e-6 instead.

Settings: one derandomized hypothesis profile (no example database, no deadline), so every
run draws the same examples (the project's determinism rule).
"""
from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from reanalysis.engine.rounding import (READINGS, parse_claim, parse_number, printed_interval,
                                        round_exact, round_to, snap, unround)
from reanalysis.engine.scrutiny import counts_from_percent, grim, grimmer
from reanalysis.audit.summary_level import ROUNDING, parse_row, run_check
from reanalysis.engine.summary_stats import (Box, Range, change_between_groups, difference,
                                             paired_from_summary, r_threshold, ttest_from_summary,
                                             two_proportions)

settings.register_profile("properties", derandomize=True, database=None, deadline=None,
                          max_examples=120)
settings.load_profile("properties")

REL = 1e-9
WELCH_REL = 1e-6
ABS = 1e-300
HALF = Fraction(1, 2)
PRINT_SCHEMES = ("half_up", "half_even", "half_down")
# how the engine reads a printed number, input or claim (rounding.printed_interval)
ENGINE_SCHEMES = ("half_up", "half_even")
PROPORTION_TESTS = ("chi2", "chi2_yates", "fisher")


# --- printing, independently of rounding.py ------------------------------------------------

def _carry(excess: Fraction, kept: int, scheme: str) -> int:
    """1 if the kept digits go up: the dropped part is above a half, or a tie rounds up."""
    if excess != 0:
        return int(excess > 0)
    return {"half_up": 1, "half_down": 0, "half_even": kept % 2}[scheme]


def _text(negative: bool, units: int, d: int) -> str:
    """``units`` in steps of 10^-d as text with exactly d decimals ("-0" is written "0")."""
    digits = str(units).rjust(d + 1, "0")
    body = f"{digits[:-d]}.{digits[-d:]}" if d else digits
    return ("-" if negative and units else "") + body


def print_fraction(q: Fraction | int | float, d: int, scheme: str = "half_up") -> str:
    """q (a float at its exact binary value) rounded to d decimals, as printed text."""
    q = Fraction(q)
    scaled = abs(q) * 10 ** d
    kept = math.floor(scaled)
    return _text(q < 0, kept + _carry(scaled - kept - HALF, kept, scheme), d)


def print_sqrt(v: Fraction, d: int, scheme: str = "half_up") -> str:
    """sqrt(v) (v >= 0 rational) rounded to d decimals: with y = sqrt(v) 10^d, the kept
    part is isqrt(floor(y^2)) = floor(y), and y - (kept + 1/2) has the sign of
    y^2 - (kept + 1/2)^2, both exact rationals."""
    y2 = Fraction(v) * 10 ** (2 * d)
    kept = math.isqrt(math.floor(y2))
    return _text(False, kept + _carry(y2 - Fraction(2 * kept + 1, 2) ** 2, kept, scheme), d)


def box(text: str) -> Box:
    """The engine's box of a printed number (as ``summary_level.Row.box``)."""
    p = parse_number(text)
    return Box(float(p.value), float(p.lower), float(p.upper))


def mean_sd(x: np.ndarray, d: int) -> tuple[str, str]:
    """Mean and sample SD (ddof=1) of x printed half-up to d decimals."""
    return print_fraction(float(np.mean(x)), d), print_fraction(float(np.std(x, ddof=1)), d)


def _slack(bound: float, rel: float) -> float:
    """The floating tolerance at a bound (none at an infinite bound: t = +-inf, SD 0)."""
    return rel * abs(bound) + ABS if math.isfinite(bound) else 0.0


def rel_for(test: str, key: str) -> float:
    """The relative tolerance of a statistic's bounds (module docstring)."""
    return WELCH_REL if test == "welch" and key in ("df", "p") else REL


def within(x: float, r: Range, rel: float = REL) -> bool:
    """x in [r.lower, r.upper], up to the floating tolerance described in the docstring."""
    return r.lower - _slack(r.lower, rel) <= x <= r.upper + _slack(r.upper, rel)


def show(r: Range) -> str:
    return f"[{r.lower!r}, {r.upper!r}] (value {r.value!r})"


def ordered(r: Range) -> bool:
    """lower <= value <= upper. nan stands for undefined (the value with r unknown; 0/0
    when a mean difference and the SDs are all exactly 0) and is left out."""
    defined = [x for x in (r.lower, r.value, r.upper) if not math.isnan(x)]
    return all(a <= b for a, b in zip(defined, defined[1:]))


def contains(outer: Range, inner: Range, rel: float = REL) -> bool:
    """outer's interval holds inner's (up to the floating tolerance); an undefined (nan)
    bound of inner, 0/0 on a degenerate box, asks nothing of outer."""
    return ((math.isnan(inner.lower) or outer.lower - _slack(outer.lower, rel) <= inner.lower)
            and (math.isnan(inner.upper)
                 or inner.upper <= outer.upper + _slack(outer.upper, rel)))


# --- strategies ------------------------------------------------------------------------------

@st.composite
def samples(draw, min_size: int = 2, max_size: int = 60, size: int | None = None):
    """Measurements loc + scale * z with z on a 0.001 grid in [-4, 4]: floats with binary
    noise, of varied location and spread, ties and exact halves included."""
    loc = draw(st.integers(-100, 100))
    scale = draw(st.sampled_from([0.01, 0.1, 1.0, 2.7, 15.0]))
    n = size if size is not None else draw(st.integers(min_size, max_size))
    z = draw(st.lists(st.integers(-4000, 4000), min_size=n, max_size=n))
    return np.array([loc + scale * (k / 1000) for k in z])


@st.composite
def paired_samples(draw):
    """(before, after) of one group: after = mix * before + another sample, so the
    correlation ranges from strongly negative to strongly positive."""
    n = draw(st.integers(2, 60))
    before = draw(samples(size=n))
    z2 = draw(samples(size=n))
    mix = draw(st.sampled_from([-3.0, -1.0, -0.3, 0.0, 0.3, 1.0, 3.0]))
    return before, mix * before + z2


decimals = st.integers(0, 3)


@st.composite
def boxes(draw, lo: float = -50.0, hi: float = 50.0, sd: bool = False):
    """An arbitrary box: a value and two half-widths. A mean box may be a point (an exact
    value); an SD box has positive width, like every printed SD's (cut at 0 by the
    engine). Point SD boxes at 0 in both arms are left out: that is two SDs known to be
    exactly 0, not a printed input, and the statistics are 0/0 there (Student returns
    nan; Welch's search raises numpy's "All-NaN slice" ValueError)."""
    value = draw(st.floats(0.0 if sd else lo, hi, allow_subnormal=False))
    widths = [0.0005, 0.005, 0.05, 0.5, 3.0] if sd else [0.0, 0.0005, 0.005, 0.05, 0.5, 3.0]
    below, above = draw(st.sampled_from(widths)), draw(st.sampled_from(widths))
    return Box(value, value - below, value + above)


@st.composite
def nested_boxes(draw, sd: bool = False):
    """(outer, inner): inner = [lower + u (value - lower), upper - v (upper - value)]; an
    inner SD box keeps a positive width (u, v < 1), as in ``boxes``."""
    outer = draw(boxes(sd=sd))
    most = 0.9 if sd else 1.0
    u, v = draw(st.floats(0, most)), draw(st.floats(0, most))
    lower = outer.lower + u * (outer.value - outer.lower)
    upper = outer.upper - v * (outer.upper - outer.value)
    lower, upper = min(lower, outer.value), max(upper, outer.value)
    return outer, Box(outer.value, lower, upper)


# --- 1. two-sample t ---------------------------------------------------------------------------

@given(x1=samples(), x2=samples(), d=decimals, test=st.sampled_from(["student", "welch"]))
def test_two_sample_t_interval_contains_true_statistics(x1, x2, d, test):
    """Property 1: for two random samples, the t, df and p that scipy.stats.ttest_ind
    computes from the raw data (equal_var for Student, not for Welch) lie in the intervals
    ttest_from_summary returns for the means and SDs printed to d decimals."""
    assume(np.std(x1, ddof=1) > 0 and np.std(x2, ddof=1) > 0)
    (m1, s1), (m2, s2) = mean_sd(x1, d), mean_sd(x2, d)
    res = ttest_from_summary(box(m1), box(s1), len(x1), box(m2), box(s2), len(x2), test)
    true = stats.ttest_ind(x1, x2, equal_var=test == "student")
    for key, value in (("t", true.statistic), ("df", true.df), ("p", true.pvalue)):
        assert within(float(value), res[key], rel_for(test, key)), (
            f"{test} {key}: true {value!r} outside {show(res[key])} for {m1} ± {s1} "
            f"(n = {len(x1)}) vs {m2} ± {s2} (n = {len(x2)})")
        assert ordered(res[key])


@settings(max_examples=40)
@given(x1=samples(), x2=samples(), d=decimals, test=st.sampled_from(["student", "welch"]))
def test_two_sample_t_through_summary_level_rows(x1, x2, d, test):
    """Property 1 through the pipeline's own construction: rows "mean ± SD" parsed by
    summary_level.parse_row and checked by run_check give a p interval holding scipy's."""
    assume(np.std(x1, ddof=1) > 0 and np.std(x2, ddof=1) > 0)
    rows = {}
    for arm, x in (("A", x1), ("B", x2)):
        m, s = mean_sd(x, d)
        raw = {"value_id": arm, "arm": arm, "outcome": "y", "timepoint": "end", "n": len(x),
               "form": "mean_dispersion", "dispersion": "sd", "value": f"{m} ± {s}", "_where": "1 (line 2)"}
        rows[arm] = parse_row(raw, Path("summaries.csv"))
    records = run_check({"kind": "two_sample_t", "a": "A", "b": "B", "test": test}, rows, {})
    p = next(r for r in records if r["statistic"] == "p")
    true = stats.ttest_ind(x1, x2, equal_var=test == "student").pvalue
    assert within(float(true), Range(p["value"], p["low"], p["high"]), rel_for(test, "p"))


# --- 2. paired t ---------------------------------------------------------------------------------

@given(data=paired_samples(), d=decimals)
def test_paired_interval_contains_true_p(data, d):
    """Property 2: for random paired data, the t and p of scipy.stats.ttest_rel(before,
    after) lie in the ranges paired_from_summary returns for the printed before/after
    means and SDs with r unknown in [-1, 1] (the SD of the differences is exactly
    sqrt(s1^2 + s2^2 - 2 r s1 s2) with r the sample correlation, which lies in [-1, 1])."""
    before, after = data
    assume(np.std(before - after, ddof=1) > 0)
    (mb, sb), (ma, sa) = mean_sd(before, d), mean_sd(after, d)
    res = paired_from_summary(box(mb), box(sb), box(ma), box(sa), len(before))
    true = stats.ttest_rel(before, after)
    for key, value in (("t", true.statistic), ("p", true.pvalue)):
        assert within(float(value), res[key]), (
            f"paired {key}: true {value!r} outside {show(res[key])} for {mb} ± {sb} -> "
            f"{ma} ± {sa}, n = {len(before)}")
        assert ordered(res[key])
    assert res["df"].lower == res["df"].upper == len(before) - 1


@given(data=paired_samples(), d=decimals, alpha=st.sampled_from([0.05, 0.01, 0.001]))
def test_r_threshold_agrees_with_true_correlation(data, d, alpha):
    """Property 2b: r_threshold is the correlation above which the paired p < alpha. With
    the true summaries the true r is above the true threshold iff the true p < alpha, and
    the true threshold lies in the returned range; so p < alpha implies r > lower, and
    p >= alpha implies r <= upper (r and p from the raw data; cases within 1e-9 of alpha
    are skipped, floating error decides them)."""
    before, after = data
    assume(np.std(before, ddof=1) > 0 and np.std(after, ddof=1) > 0)
    assume(np.std(before - after, ddof=1) > 0)
    (mb, sb), (ma, sa) = mean_sd(before, d), mean_sd(after, d)
    thr = r_threshold(box(mb), box(sb), box(ma), box(sa), len(before), alpha)
    p = float(stats.ttest_rel(before, after).pvalue)
    r = float(stats.pearsonr(before, after).statistic)
    assert thr.lower <= thr.upper
    if p < alpha * (1 - REL):
        assert r > thr.lower - REL, f"p = {p} < {alpha} with r = {r} but threshold {thr}"
    elif p > alpha * (1 + REL):
        assert r <= thr.upper + REL, f"p = {p} >= {alpha} with r = {r} but threshold {thr}"


# --- 3. two proportions from printed percentages ----------------------------------------------

def _true_p(a: int, n1: int, b: int, n2: int, test: str) -> float:
    table = [[a, n1 - a], [b, n2 - b]]
    if test == "fisher":
        return float(stats.fisher_exact(table).pvalue)
    return float(stats.chi2_contingency(table, correction=test == "chi2_yates").pvalue)


@st.composite
def count_pairs(draw):
    n1, n2 = draw(st.integers(1, 400)), draw(st.integers(1, 400))
    return draw(st.integers(0, n1)), n1, draw(st.integers(0, n2)), n2


@given(counts=count_pairs(), d=st.integers(0, 2), scheme=st.sampled_from(ENGINE_SCHEMES),
       test=st.sampled_from(PROPORTION_TESTS))
def test_percentages_recover_counts_and_p(counts, d, scheme, test):
    """Property 3: with a of n1 and b of n2 printed as percentages to d decimals (half-up
    or half-even: the engine's reading of a printed number, summary_level.ROUNDING; a
    half-down tie such as 3/8 = 37.5% printed "37" is a labelled reading, see
    test_half_down_tie_is_not_the_as_reported_reading), counts_from_percent under the
    engine's schemes returns the true counts among its candidates, and the spread
    of two_proportions' p over all candidate pairs (as summary_level._spread) holds the p
    of scipy's chi2_contingency (plain or Yates) or fisher_exact on the true table."""
    a, n1, b, n2 = counts
    # The true chi-square is undefined for a table with an empty row or column.
    assume(test == "fisher" or (0 < a + b < n1 + n2))
    pa = print_fraction(Fraction(100 * a, n1), d, scheme)
    pb = print_fraction(Fraction(100 * b, n2), d, scheme)
    ca, cb = counts_from_percent(pa, n1, ROUNDING), counts_from_percent(pb, n2, ROUNDING)
    assert a in ca and b in cb, f"{a}/{n1} -> {pa}% gave {ca}; {b}/{n2} -> {pb}% gave {cb}"
    ps = [two_proportions(x, n1, y, n2, test)["p"] for x in ca for y in cb]
    true = _true_p(a, n1, b, n2, test)
    assert within(true, Range(math.nan, min(ps), max(ps))), (test, pa, pb, ps, true)


@settings(max_examples=40)
@given(counts=count_pairs(), d=st.integers(0, 2), test=st.sampled_from(PROPORTION_TESTS))
def test_percentages_through_summary_level_rows(counts, d, test):
    """Property 3 through the pipeline's own construction (percent rows, run_check)."""
    a, n1, b, n2 = counts
    assume(test == "fisher" or (0 < a + b < n1 + n2))
    rows = {}
    for arm, k, n in (("A", a, n1), ("B", b, n2)):
        raw = {"value_id": arm, "arm": arm, "outcome": "y", "timepoint": "end", "n": n,
               "form": "percent", "dispersion": None, "_where": "1 (line 2)",
               "value": print_fraction(Fraction(100 * k, n), d)}
        rows[arm] = parse_row(raw, Path("summaries.csv"))
    (rec,) = run_check({"kind": "two_proportions", "a": "A", "b": "B", "test": test}, rows, {})
    low, high = (rec["value"], rec["value"]) if rec["low"] is None else (rec["low"], rec["high"])
    assert within(_true_p(a, n1, b, n2, test), Range(math.nan, low, high)), rec


# --- 4. GRIM and GRIMMER -------------------------------------------------------------------------

integer_data = st.one_of(
    st.lists(st.integers(1, 7), min_size=1, max_size=200),      # Likert items
    st.lists(st.integers(18, 90), min_size=1, max_size=200),    # ages
    st.lists(st.integers(-20, 20), min_size=1, max_size=200),   # change scores
)


@given(x=integer_data, d=decimals, scheme=st.sampled_from(PRINT_SCHEMES))
def test_grim_accepts_means_of_integer_data(x, d, scheme):
    """Property 4: the mean of n integers printed to d decimals (trailing zeros kept) is
    GRIM-consistent with n, and the true sum is among the candidate sums."""
    n, total = len(x), sum(x)
    text = print_fraction(Fraction(total, n), d, scheme)
    res = grim(text, n)
    assert res.consistent and total in res.candidates, (text, n, res.reason)


@given(people=st.lists(st.lists(st.integers(0, 4), min_size=3, max_size=3), min_size=1,
                       max_size=80),
       d=decimals, scheme=st.sampled_from(PRINT_SCHEMES))
def test_grim_accepts_multi_item_means(people, d, scheme):
    """Property 4b: the mean over n people of their mean of 3 integer items is a sum over
    3n integers divided by 3n, so grim(..., items=3) accepts it."""
    n, total = len(people), sum(map(sum, people))
    text = print_fraction(Fraction(total, 3 * n), d, scheme)
    res = grim(text, n, items=3)
    assert res.consistent and total in res.candidates, (text, n, res.reason)


@given(counts=count_pairs(), d=st.integers(0, 2), scheme=st.sampled_from(PRINT_SCHEMES))
def test_grim_accepts_percentages_of_counts(counts, d, scheme):
    """Property 4c: k of n printed as a percentage is GRIM-consistent (percent=True)."""
    k, n = counts[0], counts[1]
    text = print_fraction(Fraction(100 * k, n), d, scheme)
    res = grim(text, n, percent=True)
    assert res.consistent and k in res.candidates, (text, n, res.reason)


@given(x=integer_data.filter(lambda v: len(v) >= 2), d=decimals,
       scheme=st.sampled_from(PRINT_SCHEMES))
def test_grimmer_accepts_mean_and_sd_of_integer_data(x, d, scheme):
    """Property 4d: the mean and the sample SD (n - 1 denominator, as scrutiny.grimmer
    documents) of n >= 2 integers, printed to d decimals, pass GRIMMER, and the true sum
    is among the passing sums. The SD is rounded exactly (print_sqrt)."""
    n, total, squares = len(x), sum(x), sum(v * v for v in x)
    variance = (squares - Fraction(total * total, n)) / (n - 1)
    mean_text = print_fraction(Fraction(total, n), d, scheme)
    sd_text = print_sqrt(variance, d, scheme)
    res = grimmer(mean_text, sd_text, n)
    assert res.consistent and total in res.candidates, (mean_text, sd_text, n, res.reason)


# --- 5. monotonicity, symmetry and shape ---------------------------------------------------------

two_arm = st.tuples(boxes(), boxes(sd=True), st.integers(2, 60),
                    boxes(), boxes(sd=True), st.integers(2, 60))


@given(arms=two_arm, test=st.sampled_from(["student", "welch"]))
def test_swapping_arms_negates_t_and_keeps_p(arms, test):
    """Property 5a: group 2 - group 1 has the same p and df intervals as group 1 -
    group 2, and the t interval mirrored about 0."""
    m1, s1, n1, m2, s2, n2 = arms
    ab = ttest_from_summary(m1, s1, n1, m2, s2, n2, test)
    ba = ttest_from_summary(m2, s2, n2, m1, s1, n1, test)
    for key in ("p", "df"):
        assert (ba[key].lower, ba[key].upper) == pytest.approx(
            (ab[key].lower, ab[key].upper), rel=rel_for(test, key), abs=ABS), key
    assert (ba["t"].lower, ba["t"].upper) == pytest.approx(
        (-ab["t"].upper, -ab["t"].lower), rel=REL, abs=ABS)


@given(s1=st.floats(0.01, 30), n1=st.integers(2, 60), s2=st.floats(0.01, 30),
       n2=st.integers(2, 60), diffs=st.lists(st.floats(-40, 40), min_size=2, max_size=2),
       test=st.sampled_from(["student", "welch"]))
def test_p_non_increasing_in_mean_difference(s1, n1, s2, n2, diffs, test):
    """Property 5b: with the SDs and ns fixed, the p at the printed values does not grow
    as the absolute mean difference grows (neither df depends on the means)."""
    small, big = sorted(diffs, key=abs)
    sd1, sd2 = Box(s1, s1, s1), Box(s2, s2, s2)
    zero = Box(0.0, 0.0, 0.0)
    p_small = ttest_from_summary(Box(small, small, small), sd1, n1, zero, sd2, n2, test)["p"]
    p_big = ttest_from_summary(Box(big, big, big), sd1, n1, zero, sd2, n2, test)["p"]
    assert p_big.value <= p_small.value * (1 + REL) + ABS


@given(counts=count_pairs(), test=st.sampled_from(PROPORTION_TESTS))
def test_two_proportions_symmetric(counts, test):
    """Property 5c: the 2x2 test's p does not change when the arms are swapped, nor when
    events and non-events are swapped."""
    a, n1, b, n2 = counts
    assume(test == "fisher" or (0 < a + b < n1 + n2))
    p = two_proportions(a, n1, b, n2, test)["p"]
    assert two_proportions(b, n2, a, n1, test)["p"] == pytest.approx(p, rel=REL, abs=ABS)
    assert two_proportions(n1 - a, n1, n2 - b, n2, test)["p"] == pytest.approx(p, rel=REL, abs=ABS)


@given(arms=two_arm, test=st.sampled_from(["student", "welch"]),
       r=st.one_of(st.none(), st.floats(-1, 1)), alpha=st.sampled_from([0.05, 0.01]))
def test_ranges_are_ordered(arms, test, r, alpha):
    """Property 5d: every Range satisfies lower <= value <= upper (value nan only where
    the engine says it is undefined, r unknown), and p-values lie in [0, 1]."""
    m1, s1, n1, m2, s2, n2 = arms
    results = {"ttest": ttest_from_summary(m1, s1, n1, m2, s2, n2, test),
               "paired": paired_from_summary(m1, s1, m2, s2, n1, r),
               "change": change_between_groups((m1, s1), (m2, s2), (m2, s2), (m1, s1),
                                               n1, n2, test, r)}
    for name, res in results.items():
        for key, rng in res.items():
            assert ordered(rng), (name, key, rng)
            if key in ("p", "df") and name != "ttest" and r is None:
                assert math.isnan(rng.value), (name, key, rng)
        assert 0.0 <= res["p"].lower <= res["p"].upper <= 1.0, (name, res["p"])
    assert ordered(difference(m1, m2))
    assert ordered(r_threshold(m1, s1, m2, s2, n1, alpha))


# Widening the box: the intervals for d and d + 1 decimals of the same data need NOT nest.
# x = 0.149 prints as "0.1" ([0.05, 0.15]) and as "0.15" ([0.145, 0.155]), which reaches
# beyond 0.15 (0.155 prints as "0.2"); so the (d+1)-decimal box is not inside the
# d-decimal one and neither are the statistics' intervals. What must hold is monotonicity
# under box inclusion, tested with explicitly nested boxes below.
def test_boxes_of_finer_printing_need_not_nest():
    """The counterexample above, with the engine's boxes."""
    coarse, fine = box(print_fraction(0.149, 1)), box(print_fraction(0.149, 2))
    assert (coarse.lower, coarse.upper) == (0.05, 0.15)
    assert (fine.lower, fine.upper) == (0.145, 0.155)
    assert fine.upper > coarse.upper


@given(a=nested_boxes(), sa=nested_boxes(sd=True), n1=st.integers(2, 60),
       b=nested_boxes(), sb=nested_boxes(sd=True), n2=st.integers(2, 60))
def test_student_interval_monotone_in_box(a, sa, n1, b, sb, n2):
    """Property 5e: Student t and p extremes are exact (docstring), so shrinking every
    box can only shrink the intervals; so for the difference."""
    outer = ttest_from_summary(a[0], sa[0], n1, b[0], sb[0], n2, "student")
    inner = ttest_from_summary(a[1], sa[1], n1, b[1], sb[1], n2, "student")
    for key in ("t", "p"):
        assert contains(outer[key], inner[key]), (key, outer[key], inner[key])
    assert contains(difference(a[0], b[0]), difference(a[1], b[1]))


@settings(max_examples=60)
@given(a=nested_boxes(), sa=nested_boxes(sd=True), n1=st.integers(2, 60),
       b=nested_boxes(), sb=nested_boxes(sd=True), n2=st.integers(2, 60))
def test_welch_interval_monotone_in_box(a, sa, n1, b, sb, n2):
    """Property 5e (Welch): shrinking the boxes can only shrink the t, df and p ranges;
    df and p up to the numerical search's accuracy (WELCH_REL, module docstring). This
    found the p -> 0 corner the search missed (test_welch_sds_both_reaching_zero)."""
    outer = ttest_from_summary(a[0], sa[0], n1, b[0], sb[0], n2, "welch")
    inner = ttest_from_summary(a[1], sa[1], n1, b[1], sb[1], n2, "welch")
    for key in ("t", "df", "p"):
        assert contains(outer[key], inner[key], rel_for("welch", key)), (
            key, outer[key], inner[key])


@given(a=nested_boxes(), sa=nested_boxes(sd=True), b=nested_boxes(), sb=nested_boxes(sd=True),
       n=st.integers(2, 60), r=st.one_of(st.none(), st.floats(-1, 1)))
def test_paired_interval_monotone_in_box(a, sa, b, sb, n, r):
    """Property 5e (paired): exact extremes, so nested boxes give nested t and p intervals,
    for r unknown and for a fixed r."""
    outer = paired_from_summary(a[0], sa[0], b[0], sb[0], n, r)
    inner = paired_from_summary(a[1], sa[1], b[1], sb[1], n, r)
    for key in ("t", "p"):
        assert contains(outer[key], inner[key]), (key, outer[key], inner[key])


@given(before=boxes(), s_before=boxes(sd=True), after=boxes(), s_after=boxes(sd=True),
       n=st.integers(2, 60), r=st.floats(-1, 1))
def test_paired_unknown_r_covers_every_r(before, s_before, after, s_after, n, r):
    """Property 5f: with r unknown the paired p interval lies in [0, 1] and holds the
    interval for any fixed r in [-1, 1] (and the value at that r)."""
    unknown = paired_from_summary(before, s_before, after, s_after, n)
    fixed = paired_from_summary(before, s_before, after, s_after, n, r)
    assert 0.0 <= unknown["p"].lower <= unknown["p"].upper <= 1.0
    for key in ("t", "p"):
        assert contains(unknown[key], fixed[key]), (key, unknown[key], fixed[key])
        assert within(fixed[key].value, unknown[key])


# --- the rounding module ---------------------------------------------------------------------

rationals = st.builds(Fraction, st.integers(-10 ** 7, 10 ** 7), st.integers(1, 2000))


@given(q=rationals, d=st.integers(0, 4), scheme=st.sampled_from(PRINT_SCHEMES))
def test_round_then_unround_contains_the_value(q, d, scheme):
    """Property 5g: rounding.round_exact of a rational q to d decimals agrees with the
    independent printer here, parse_number of that text has a closed interval holding q,
    and rounding.unround under the same scheme holds q with its end-point rules."""
    unit = Decimal(1).scaleb(-d)
    printed = round_exact(q, unit, scheme)
    assert Decimal(print_fraction(q, d, scheme)) == printed
    p = parse_number(print_fraction(q, d, scheme))
    assert Fraction(p.lower) <= q <= Fraction(p.upper)
    assert unround(p, (scheme,)).contains(q)


@given(v=st.builds(Fraction, st.integers(0, 10 ** 7), st.integers(1, 2000)),
       d=st.integers(0, 4), scheme=st.sampled_from(PRINT_SCHEMES))
def test_round_exact_sqrt_agrees(v, d, scheme):
    """Property 5g (square roots): rounding.round_exact(..., sqrt=True) agrees with the
    independent print_sqrt, so GRIMMER's SD rounding is the exact one."""
    unit = Decimal(1).scaleb(-d)
    assert round_exact(v, unit, scheme, sqrt=True) == Decimal(print_sqrt(v, d, scheme))


@given(x=st.floats(-1e6, 1e6, allow_subnormal=False), d=st.integers(0, 4),
       scheme=st.sampled_from(["half_up", "half_even"]))
def test_round_to_float_interval_contains_value(x, d, scheme):
    """Property 5g (floats): round_to snaps a float to 12 significant digits before
    rounding (documented: binary noise), so its printed interval holds snap(x) exactly and
    x itself only up to that snapping: x = 0.14999999999999999 has more digits than
    that and snaps to the tie 0.15, which prints as "0.2" ([0.15, 0.25])."""
    unit = Decimal(1).scaleb(-d)
    p = parse_number(str(round_to(x, unit, scheme)))
    assert p.lower <= snap(x) <= p.upper
    slack = Decimal(abs(x)) * Decimal("1e-12")
    assert p.lower - slack <= Decimal(x) <= p.upper + slack


@given(units=st.integers(-10 ** 5, 10 ** 5), printed_d=st.integers(0, 3),
       end=st.sampled_from(["lower", "upper"]), offset=st.sampled_from([-1, 0, 1]),
       finer=st.integers(1, 3))
def test_claim_overlaps_a_point_iff_it_holds(units, printed_d, end, offset, finer):
    """Property 5g (claims): a point interval [v, v] meets an '=' claim exactly when v
    satisfies it, Claim.overlaps(v, v) == Claim.holds_for(v), for v on and just around
    either half-way point of the printed number, negative numbers included."""
    claim = parse_claim(str(Decimal(units).scaleb(-printed_d)))
    v = getattr(claim.number, end) + offset * Decimal(1).scaleb(-printed_d - finer)
    assert claim.overlaps(v, v) == claim.holds_for(v), (claim.text, v)


printed_numbers = st.builds(lambda units, d: str(Decimal(units).scaleb(-d)),
                            st.integers(-10 ** 6, 10 ** 6), st.integers(0, 4))


@given(text=printed_numbers, offset=st.sampled_from([-1, 0, 1]), finer=st.integers(1, 3),
       where=st.sampled_from(["lower", "upper", "value"]))
def test_input_and_claim_read_a_printed_number_alike(text, offset, finer, where):
    """Issue 18, item 6: one interval for a printed number, whether it is an input of a
    check or a claim. The input path (summary_level.parse_row -> Row.box for the
    continuous searches, and unround under summary_level.ROUNDING for the exact
    reconstructions: GRIM, counts from a percent) and the claim path (Claim.interval,
    holds_for, overlaps) give the same ends and the same end rules, for points on, just
    inside and just outside either half-way point, negative numbers included. The
    expected membership is worked independently: v is in the interval iff the printer
    of this module (half-up or half-even, exact rationals) prints it as the text."""
    row = parse_row({"value_id": "X", "arm": "a", "outcome": "y", "timepoint": "t", "n": 10,
                     "form": "mean", "dispersion": None, "_where": "1 (line 2)", "value": text},
                    Path("summaries.csv"))
    p, claim = parse_number(text), parse_claim(text)
    exact = unround(p, ROUNDING)
    assert ROUNDING == READINGS["as_reported"] == ENGINE_SCHEMES
    assert exact == printed_interval(p)
    b = row.box("mean")
    assert (b.lower, b.upper) == (float(exact.lower), float(exact.upper))
    assert claim.interval() == (p.lower, p.upper)
    assert (Fraction(p.lower), Fraction(p.upper)) == (exact.lower, exact.upper)
    assert claim.number.interval_text() == exact.text()
    v = getattr(p, where) + offset * Decimal(1).scaleb(-p.decimals - finer)
    d = p.decimals
    prints = any(Decimal(print_fraction(Fraction(v), d, s)) == p.value for s in ENGINE_SCHEMES)
    assert exact.contains(v) is prints, (text, v)
    assert claim.holds_for(v) is prints, (text, v)
    assert claim.overlaps(v, v) is prints, (text, v)


@given(n=st.integers(1, 300), units=st.integers(0, 1000), d=st.integers(0, 2))
def test_percent_input_and_percent_claim_agree(n, units, d):
    """The same rule for a printed percent: the counts the input path reconstructs
    (counts_from_percent under summary_level.ROUNDING) are exactly the counts k whose
    percent 100 k / n the claim path accepts (parse_claim(percent).holds_for)."""
    text = str(Decimal(units).scaleb(-d))
    assume(Decimal(text) <= 100)
    claim = parse_claim(text)
    expected = tuple(k for k in range(n + 1) if claim.holds_for(Decimal(100 * k) / Decimal(n)))
    assert counts_from_percent(text, n, ROUNDING) == expected


def test_half_down_tie_is_not_the_as_reported_reading():
    """3 of 8 is 37.5% exactly (binary-exact too): half-up and half-even both print 38,
    only half-down (or truncation) prints 37. As an input and as a claim "37" stands for
    [36.5, 37.5), so neither path finds the count 3; "38" does, both ways."""
    assert counts_from_percent("37", 8, ROUNDING) == ()
    assert not parse_claim("37").holds_for(Decimal(300) / 8)
    assert counts_from_percent("38", 8, ROUNDING) == (3,)
    assert parse_claim("38").holds_for(Decimal(300) / 8)
    assert counts_from_percent("37", 8, ("truncate",)) == (3,)


# --- regression tests: the minimal cases of failures the properties found ---------------

def test_welch_with_both_printed_sds_zero():
    """Both SDs printed "0" crashed Welch (ZeroDivisionError in _welch_df on Python
    floats); minimal case of test_two_sample_t_interval_contains_true_statistics."""
    x = np.array([0.0] * 25 + [1e-5])
    m, s = mean_sd(x, 0)
    assert (m, s) == ("0", "0")
    res = ttest_from_summary(box(m), box(s), 26, box(m), box(s), 26, "welch")
    true = stats.ttest_ind(x, x, equal_var=False)      # t = 0, p = 1, df = 50
    assert within(float(true.pvalue), res["p"], WELCH_REL)
    assert within(float(true.df), res["df"], WELCH_REL)


def test_welch_sds_both_reaching_zero():
    """Means and SDs printed "0.0 ± 0.0" in both arms: the true SDs may be tiny, so p can
    be as small as one likes, but the grid search (which skips the 0/0 corner) gave a
    smallest p of about 1e-30. Found by test_welch_interval_monotone_in_box (nested boxes
    whose SD boxes touch 0 gave inner p.lower < outer p.lower); this is the raw-data form."""
    x1 = np.array([0.0] * 9 + [3e-5])
    x2 = x1 + 0.049
    (m1, s1), (m2, s2) = mean_sd(x1, 1), mean_sd(x2, 1)
    assert (m1, s1, m2, s2) == ("0.0", "0.0", "0.0", "0.0")
    res = ttest_from_summary(box(m1), box(s1), 10, box(m2), box(s2), 10, "welch")
    true = stats.ttest_ind(x1, x2, equal_var=False)    # t about -11549, p about 3e-63
    assert res["p"].lower == 0.0
    assert within(float(true.pvalue), res["p"], WELCH_REL)
    assert within(float(true.statistic), res["t"])


def test_two_proportions_empty_column():
    """1 of 201 (0.4975%) and 0 of 1 both print as "0%"; the candidate counts include the
    table [[0, 201], [0, 1]] with no events at all, on which scipy's chi2_contingency
    raises, so run_check crashed. Minimal case of test_percentages_recover_counts_and_p."""
    assert counts_from_percent("0", 201, ROUNDING) == (0, 1)
    assert counts_from_percent("0", 1, ROUNDING) == (0,)
    for test in ("chi2", "chi2_yates"):
        assert two_proportions(0, 201, 0, 1, test) == {"p": 1.0, "statistic": 0.0}
        assert two_proportions(201, 201, 1, 1, test)["p"] == 1.0
    # Fisher's test has no such problem and also gives 1 on this table
    assert two_proportions(0, 201, 0, 1, "fisher")["p"] == float(
        stats.fisher_exact([[0, 201], [0, 1]]).pvalue) == 1.0
    rows = {arm: parse_row({"value_id": arm, "arm": arm, "outcome": "y", "timepoint": "end",
                            "n": n, "form": "percent", "dispersion": None, "_where": "1 (line 2)",
                            "value": "0"}, Path("summaries.csv"))
            for arm, n in (("A", 201), ("B", 1))}
    (rec,) = run_check({"kind": "two_proportions", "a": "A", "b": "B"}, rows, {})
    true = float(stats.chi2_contingency([[1, 200], [0, 1]], correction=False).pvalue)
    assert rec["low"] <= true <= rec["high"] == 1.0


def test_claim_endpoints_of_negative_numbers():
    """Half-up rounds ties away from zero, so for a negative printed number the upper
    half-way point prints as it and the lower one only under half-even with an even last
    digit. Claim.overlaps used the rule for positive numbers; minimal case of
    test_claim_overlaps_a_point_iff_it_holds (claim "-1", v = -1.5)."""
    minus_one = parse_claim("-1")
    # -1.5 prints as -2 both ways (half-up: away from zero; half-even: 2 is even)
    assert not minus_one.holds_for(Decimal("-1.5"))
    assert not minus_one.overlaps(-1.5, -1.5)
    assert not minus_one.overlaps(-3.0, -1.5)
    # -0.5 prints as -1 under half-up
    assert minus_one.holds_for(Decimal("-0.5"))
    assert minus_one.overlaps(-0.5, -0.5) and minus_one.overlaps(-0.5, 2.0)
    assert minus_one.number.interval_text() == "(-1.5, -0.5]"
    # -2.5 prints as -2 under half-even (2 is even), -1.5 as -2 under half-up
    assert parse_claim("-2").overlaps(-3.0, -2.5)
    assert parse_claim("-2").number.interval_text() == "[-2.5, -1.5]"
    # positive numbers are unchanged: 35.5 prints as 36 both ways
    assert parse_claim("35").number.interval_text() == "[34.5, 35.5)"
    assert not parse_claim("35").overlaps(35.5, 36.0)
