"""Tests for reanalysis.engine.summary_stats: tests recomputed from printed summary statistics.

Every expected value is computed independently here: point values from scipy on synthetic
raw data built to have exactly the printed summaries; box extremes by brute force over a
dense grid of the box (and of r); proportions by hand formulas.
"""
from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from scipy import stats

from reanalysis.engine.summary_stats import (Box, Range, change_between_groups, difference,
                                             paired_from_summary, proportion_difference_ci,
                                             r_threshold, ttest_from_summary, two_proportions)


def P(text: str) -> Box:
    """A printed number and its rounding box: '9.02' -> [9.015, 9.025]."""
    half = float(Decimal(1).scaleb(Decimal(text).as_tuple().exponent)) / 2
    return Box(float(text), float(text) - half, float(text) + half)


def span(b: Box, k: int) -> np.ndarray:
    return np.linspace(b.lower, b.upper, k)


def standardised(n: int, seed_shift: float = 0.0) -> np.ndarray:
    """A fixed, non-symmetric vector with sample mean 0 and sample SD (ddof=1) 1."""
    z = np.log(np.arange(1, n + 1) + seed_shift) + (np.arange(n) % 3) * 0.7
    z = z - z.mean()
    return z / z.std(ddof=1)


def sample(mean: float, sd: float, n: int, shift: float = 0.0) -> np.ndarray:
    return mean + sd * standardised(n, shift)


def paired_sample(m1, s1, m2, s2, r, n):
    """Two vectors with exactly these means, SDs (ddof=1) and Pearson correlation r."""
    u = standardised(n)
    v = np.cos(np.arange(n)) + 0.1 * np.arange(n)
    v = v - v.mean()
    v = v - (v @ u) / (u @ u) * u  # orthogonal to u, still centred
    v = v / v.std(ddof=1)
    return m1 + s1 * u, m2 + s2 * (r * u + math.sqrt(1 - r * r) * v)


def assert_bounds(rng: Range, values, attained=True, rel=1e-9, tol_attain=1e-9):
    """No brute-force value lies outside [lower, upper]; the bounds are (nearly) reached."""
    values = np.asarray(values, dtype=float).ravel()
    values = values[~np.isnan(values)]
    lo, hi = values.min(), values.max()
    assert rng.lower <= (lo + rel * abs(lo) if np.isfinite(lo) else lo), (rng, lo)
    assert (hi - rel * abs(hi) if np.isfinite(hi) else hi) <= rng.upper, (rng, hi)
    if attained:
        for got, want in ((lo, rng.lower), (hi, rng.upper)):
            assert got == want or got == pytest.approx(want, rel=tol_attain, abs=1e-300), (rng, got)


def paired_p_by_hand(d, s1, s2, r, n):
    """(t, p) of the paired test of d with SD of differences sqrt(s1^2+s2^2-2 r s1 s2)."""
    sd = np.sqrt(np.maximum(s1 ** 2 + s2 ** 2 - 2 * r * s1 * s2, 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(d == 0, 0.0, d / (sd / np.sqrt(n)))
    return t, 2 * stats.t.sf(np.abs(t), n - 1)


# --- boxes ---------------------------------------------------------------------------------

def test_box_validates_and_difference_spans_the_boxes():
    with pytest.raises(ValueError):
        Box(1.0, 1.5, 2.0)
    with pytest.raises(ValueError):
        Box(float("nan"), 0.0, 1.0)
    b = P("9.02")
    assert (b.value, b.lower, b.upper) == pytest.approx((9.02, 9.015, 9.025), abs=1e-12)
    d = difference(P("9.02"), P("8.5"))
    assert (d.value, d.lower, d.upper) == pytest.approx((0.52, 9.015 - 8.55, 9.025 - 8.45))


# --- point values against raw data ----------------------------------------------------------

@pytest.mark.parametrize("test", ["student", "welch"])
def test_ttest_point_values_equal_ttest_ind_on_built_data(test):
    x1, x2 = sample(9.02, 1.13, 12), sample(8.41, 2.05, 17, shift=2.0)
    assert x1.mean() == pytest.approx(9.02) and x2.std(ddof=1) == pytest.approx(2.05)
    ref = stats.ttest_ind(x1, x2, equal_var=test == "student")
    res = ttest_from_summary(P("9.02"), P("1.13"), 12, P("8.41"), P("2.05"), 17, test=test)
    assert res["t"].value == pytest.approx(ref.statistic, rel=1e-10)
    assert res["p"].value == pytest.approx(ref.pvalue, rel=1e-10)
    assert res["df"].value == pytest.approx(ref.df, rel=1e-10)


@pytest.mark.parametrize("r", [-0.3, 0.4, 0.85])
def test_paired_point_values_equal_ttest_rel_on_built_data(r):
    before, after = paired_sample(9.0, 1.2, 8.3, 1.5, r, 15)
    assert np.corrcoef(before, after)[0, 1] == pytest.approx(r)
    assert after.std(ddof=1) == pytest.approx(1.5) and after.mean() == pytest.approx(8.3)
    ref = stats.ttest_rel(before, after)
    res = paired_from_summary(P("9.0"), P("1.2"), P("8.3"), P("1.5"), 15, r=r)
    assert res["t"].value == pytest.approx(ref.statistic, rel=1e-10)
    assert res["p"].value == pytest.approx(ref.pvalue, rel=1e-10)
    assert res["df"].value == ref.df


@pytest.mark.parametrize("test", ["student", "welch"])
def test_change_between_groups_point_values_equal_raw_data(test):
    r = 0.6
    a0, a1 = paired_sample(8.9, 1.1, 7.6, 1.3, r, 14)
    b0, b1 = paired_sample(9.1, 1.0, 8.8, 1.6, r, 19)
    ref = stats.ttest_ind(a1 - a0, b1 - b0, equal_var=test == "student")
    res = change_between_groups((P("8.9"), P("1.1")), (P("7.6"), P("1.3")),
                                (P("9.1"), P("1.0")), (P("8.8"), P("1.6")), 14, 19,
                                test=test, r=r)
    assert res["t"].value == pytest.approx(ref.statistic, rel=1e-10)
    assert res["p"].value == pytest.approx(ref.pvalue, rel=1e-10)
    assert res["df"].value == pytest.approx(ref.df, rel=1e-10)


# --- box extremes by brute force ------------------------------------------------------------

def two_sample_grid(m1, s1, n1, m2, s2, n2, welch, k=11):
    M1, S1, M2, S2 = np.meshgrid(span(m1, k), span(s1, k), span(m2, k), span(s2, k))
    return stats.ttest_ind_from_stats(M1, S1, n1, M2, S2, n2, equal_var=not welch)


@pytest.mark.parametrize("test", ["student", "welch"])
def test_two_sample_bounds_contain_and_reach_the_grid(test):
    args = (P("9.02"), P("1.1"), 20, P("8.5"), P("1.3"), 8)
    res = ttest_from_summary(*args, test=test)
    grid = two_sample_grid(*args, welch=test == "welch")
    assert_bounds(res["t"], grid.statistic)
    assert_bounds(res["p"], grid.pvalue, tol_attain=1e-6)
    assert res["p"].lower < res["p"].value < res["p"].upper


@pytest.mark.parametrize("test", ["student", "welch"])
def test_two_sample_mean_difference_spanning_zero_gives_p_one(test):
    args = (P("9.02"), P("1.1"), 20, P("9.02"), P("1.3"), 25)  # difference in [-0.01, 0.01]
    res = ttest_from_summary(*args, test=test)
    assert res["p"].value == 1.0 and res["p"].upper == 1.0
    assert res["t"].lower < 0 < res["t"].upper
    grid = two_sample_grid(*args, welch=test == "welch")  # the grid holds difference 0
    assert_bounds(res["p"], grid.pvalue, tol_attain=1e-6)
    assert_bounds(res["t"], grid.statistic)


def test_welch_smallest_p_lies_inside_an_edge_not_at_a_corner():
    # n1 = 2: Welch's df is near 1 when group 1 dominates, so a larger s2 first lowers p
    # (df grows) before raising it (se grows): the minimum is inside the s2 range.
    m1, s1, m2, s2 = P("13.0"), P("1.0"), P("10.0"), P("5.4")
    res = ttest_from_summary(m1, s1, 2, m2, s2, 40, test="welch")
    S1, S2 = np.meshgrid(span(s1, 101), span(s2, 401), indexing="ij")
    p = stats.ttest_ind_from_stats(m1.upper, S1, 2, m2.lower, S2, 40, equal_var=False).pvalue
    i, j = np.unravel_index(np.argmin(p), p.shape)
    assert 0 < j < p.shape[1] - 1  # the grid minimum is not at a corner
    corners = [p[a, b] for a in (0, -1) for b in (0, -1)]
    assert res["p"].lower < min(corners) * (1 - 1e-4)
    assert res["p"].lower <= p.min() and p.min() == pytest.approx(res["p"].lower, rel=1e-6)
    grid = two_sample_grid(m1, s1, 2, m2, s2, 40, welch=True, k=9)
    assert_bounds(res["p"], grid.pvalue, attained=False)
    # Welch's df over the box, by brute force
    v1, v2 = S1 ** 2 / 2, S2 ** 2 / 40
    df = (v1 + v2) ** 2 / (v1 ** 2 / 1 + v2 ** 2 / 39)
    assert_bounds(res["df"], df, tol_attain=1e-6)


def test_paired_with_r_reaches_the_smallest_sd_inside_an_edge():
    # r = 0.95: the SD of the differences is smallest at s2 = 9.5 (its lower end) and
    # s1 = r s2 = 9.025, inside the s1 range [8.5, 9.5]: not at a corner
    bm, bs, am, as_, n, r = P("20.0"), P("9"), P("18.0"), P("10"), 12, 0.95
    res = paired_from_summary(bm, bs, am, as_, n, r=r)
    D = np.subtract.outer(span(bm, 5), span(am, 5)).ravel()
    Dg, S1, S2 = np.meshgrid(D, span(bs, 201), span(as_, 201), indexing="ij")
    t, p = paired_p_by_hand(Dg, S1, S2, r, n)
    assert_bounds(res["t"], t, tol_attain=1e-6)
    assert_bounds(res["p"], p, tol_attain=1e-6)
    corners = [paired_p_by_hand(bm.upper - am.lower, x, y, r, n)[1]
               for x in (bs.lower, bs.upper) for y in (as_.lower, as_.upper)]
    assert res["p"].lower < min(corners) * (1 - 1e-2)


@pytest.mark.parametrize("sds, zero_possible", [(("1.1", "1.1"), True), (("1.1", "1.6"), False)])
def test_paired_with_unknown_r_covers_every_r(sds, zero_possible):
    bm, bs, am, as_, n = P("9.0"), P(sds[0]), P("8.5"), P(sds[1]), 20
    res = paired_from_summary(bm, bs, am, as_, n)
    assert all(math.isnan(res[k].value) for k in ("t", "df", "p"))
    D = np.subtract.outer(span(bm, 3), span(am, 3)).ravel()
    Dg, S1, S2, R = np.meshgrid(D, span(bs, 21), span(as_, 21), np.linspace(-1, 1, 41))
    t, p = paired_p_by_hand(Dg, S1, S2, R, n)
    assert_bounds(res["p"], p)
    assert_bounds(res["t"], t)
    assert (res["p"].lower == 0.0 and res["t"].upper == math.inf) is zero_possible
    assert (res["df"].lower, res["df"].upper) == (19.0, 19.0)


def test_paired_difference_spanning_zero_gives_p_one():
    res = paired_from_summary(P("9.0"), P("1.1"), P("9.0"), P("1.2"), 20, r=0.5)
    assert res["p"].upper == 1.0 and res["p"].value == 1.0 and res["t"].value == 0.0
    res = paired_from_summary(P("9.0"), P("1.1"), P("9.0"), P("1.2"), 20)
    assert res["p"].upper == 1.0


ARMS = ((P("8.9"), P("1.1")), (P("7.6"), P("1.3")), (P("9.1"), P("1.0")), (P("8.8"), P("1.6")))


@pytest.mark.parametrize("test", ["student", "welch"])
@pytest.mark.parametrize("r", [0.6, None])
def test_change_between_groups_bounds_by_brute_force(test, r):
    (a0, as0), (a1, as1), (b0, bs0), (b1, bs1) = ARMS
    n_a, n_b = 6, 19
    res = change_between_groups(*ARMS, n_a, n_b, test=test, r=r)
    d = (np.add.outer(span(a1, 3), -span(a0, 3)).ravel()[:, None]
         - np.add.outer(span(b1, 3), -span(b0, 3)).ravel()[None, :]).ravel()
    # r unknown: each arm's own r, not necessarily equal (a shared r would be narrower)
    rs = np.linspace(-1, 1, 21) if r is None else np.array([r])
    D, SA0, SA1, SB0, SB1, RA, RB = np.meshgrid(d, span(as0, 3), span(as1, 3), span(bs0, 3),
                                                span(bs1, 3), rs, rs if r is None else [0.0],
                                                indexing="ij")
    RB = RA if r is not None else RB
    sda = np.sqrt(SA0 ** 2 + SA1 ** 2 - 2 * RA * SA0 * SA1)
    sdb = np.sqrt(SB0 ** 2 + SB1 ** 2 - 2 * RB * SB0 * SB1)
    ref = stats.ttest_ind_from_stats(D, sda, n_a, 0.0, sdb, n_b, equal_var=test == "student")
    exact = test == "student" or r is not None  # else the grid is too coarse to reach them
    assert_bounds(res["t"], ref.statistic, attained=test == "student" and r is not None)
    assert_bounds(res["p"], ref.pvalue, attained=False)
    if exact:  # the extremes sit at grid points (corners, or r = +-1)
        assert ref.pvalue.min() == pytest.approx(res["p"].lower, rel=1e-6)
    assert ref.pvalue.max() == pytest.approx(res["p"].upper, rel=1e-2)
    assert math.isnan(res["p"].value) is (r is None)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="test"):
        ttest_from_summary(P("1.0"), P("1.0"), 5, P("2.0"), P("1.0"), 5, test="mann")
    with pytest.raises(ValueError, match="r must"):
        paired_from_summary(P("1.0"), P("1.0"), P("2.0"), P("1.0"), 5, r=1.5)
    with pytest.raises(ValueError, match="n must"):
        paired_from_summary(P("1.0"), P("1.0"), P("2.0"), P("1.0"), 1, r=0.5)


def test_an_sd_box_reaching_below_zero_is_cut_at_zero():
    args = (P("1.0"), P("1.0"), P("2.0"), P("0.0"), 5)  # "0.0" stands for [-0.05, 0.05]
    res = paired_from_summary(*args, r=0.5)
    cut = paired_from_summary(*args[:3], Box(0.0, 0.0, 0.05), 5, r=0.5)
    assert res == cut
    D, S1, S2 = np.meshgrid([-1.1, -1.0, -0.9], span(P("1.0"), 51), np.linspace(0, 0.05, 51))
    assert_bounds(res["p"], paired_p_by_hand(D, S1, S2, 0.5, 5)[1], tol_attain=1e-6)


# --- r threshold ----------------------------------------------------------------------------

def threshold_by_hand(d, s1, s2, n, alpha):
    """Closed form: p < alpha iff s1^2 + s2^2 - 2 r s1 s2 < n d^2 / t_crit^2."""
    c = n * d ** 2 / stats.t.isf(alpha / 2, n - 1) ** 2
    r = (s1 ** 2 + s2 ** 2 - c) / (2 * s1 * s2)
    return np.where(r < -1, -1.0, np.where(r >= 1, np.inf, r))


def test_r_threshold_gives_p_alpha_on_built_data_and_p_falls_with_r():
    args = (P("9.0"), P("1.1"), P("8.5"), P("1.2"), 20)
    thr = r_threshold(*args, alpha=0.05)
    assert -1 < thr.value < 1
    before, after = paired_sample(9.0, 1.1, 8.5, 1.2, thr.value, 20)
    assert stats.ttest_rel(before, after).pvalue == pytest.approx(0.05, abs=1e-9)
    p = [stats.ttest_rel(*paired_sample(9.0, 1.1, 8.5, 1.2, r, 20)).pvalue
         for r in np.linspace(-1, 0.99, 60)]
    assert np.all(np.diff(p) < 0)
    assert paired_p_by_hand(0.5, 1.1, 1.2, thr.value + 1e-4, 20)[1] < 0.05
    assert paired_p_by_hand(0.5, 1.1, 1.2, thr.value - 1e-4, 20)[1] > 0.05
    assert thr.value == pytest.approx(threshold_by_hand(0.5, 1.1, 1.2, 20, 0.05), abs=1e-12)


@pytest.mark.parametrize("bm, bs, am, as_, n", [("9.0", "1.1", "8.5", "1.2", 20),
                                                 ("9.0", "3.6", "8.5", "4.0", 30)])
def test_r_threshold_bounds_by_brute_force(bm, bs, am, as_, n):
    bm, bs, am, as_ = map(P, (bm, bs, am, as_))
    thr = r_threshold(bm, bs, am, as_, n, alpha=0.05)
    D = np.subtract.outer(span(bm, 5), span(am, 5)).ravel()
    Dg, S1, S2 = np.meshgrid(D, span(bs, 201), span(as_, 201), indexing="ij")
    assert_bounds(thr, threshold_by_hand(Dg, S1, S2, n, 0.05), tol_attain=1e-6)


def test_r_threshold_limits():
    # so large a difference that p < alpha for every r
    assert r_threshold(P("9.0"), P("0.5"), P("5.0"), P("0.5"), 30, 0.05).value == -1.0
    # so small a difference that p < alpha for no r with these SDs
    assert r_threshold(P("9.0"), P("1.1"), P("8.99"), P("2.5"), 10, 0.05).value == math.inf
    # a difference that can be 0: no r is enough at the upper bound
    assert r_threshold(P("9.0"), P("1.1"), P("9.0"), P("1.2"), 20, 0.05).upper == math.inf


# --- proportions ----------------------------------------------------------------------------

TABLES = [(12, 40, 22, 41), (3, 15, 9, 14), (56, 70, 48, 80)]


@pytest.mark.parametrize("a, n1, b, n2", TABLES)
def test_two_proportions_against_scipy_and_by_hand(a, n1, b, n2):
    table = np.array([[a, n1 - a], [b, n2 - b]], dtype=float)
    E = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / table.sum()
    chi2 = ((table - E) ** 2 / E).sum()
    yates = ((np.abs(table - E) - 0.5) ** 2 / E).sum()
    res = two_proportions(a, n1, b, n2, "chi2")
    assert res["statistic"] == pytest.approx(chi2, rel=1e-12)
    assert res["p"] == pytest.approx(stats.chi2.sf(chi2, 1), rel=1e-10)
    res = two_proportions(a, n1, b, n2, "chi2_yates")
    assert res["statistic"] == pytest.approx(yates, rel=1e-12)
    assert res["p"] == pytest.approx(stats.chi2.sf(yates, 1), rel=1e-10)
    ref = stats.chi2_contingency(table, correction=False)
    assert two_proportions(a, n1, b, n2)["p"] == pytest.approx(ref.pvalue, rel=1e-12)
    res = two_proportions(a, n1, b, n2, "fisher")
    assert res["statistic"] == pytest.approx(a * (n2 - b) / ((n1 - a) * b), rel=1e-12)
    assert res["p"] == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-12)
    with pytest.raises(ValueError):
        two_proportions(a, n1, b, n2, "g_test")


@pytest.mark.parametrize("a, n1, b, n2", TABLES)
@pytest.mark.parametrize("level", [0.95, 0.90])
def test_proportion_difference_ci_by_hand(a, n1, b, n2, level):
    p1, p2 = a / n1, b / n2
    z = stats.norm.ppf(1 - (1 - level) / 2)
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    wald = proportion_difference_ci(a, n1, b, n2, "wald", level)
    assert wald == pytest.approx((100 * (p1 - p2 - z * se), 100 * (p1 - p2 + z * se)), rel=1e-10)
    l1, u1 = stats.binomtest(a, n1).proportion_ci(confidence_level=level, method="wilson")
    l2, u2 = stats.binomtest(b, n2).proportion_ci(confidence_level=level, method="wilson")
    low = p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upp = p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    newcombe = proportion_difference_ci(a, n1, b, n2, "newcombe", level)
    assert newcombe == pytest.approx((100 * low, 100 * upp), rel=1e-10)


def test_newcombe_worked_example():
    # Newcombe (1998), Stat Med 17:873, example (a): 56/70 - 48/80, method 10 (and 1)
    # (published to 4 decimals as proportions: 0.0524 to 0.3339, and 0.0575 to 0.3425)
    newcombe = proportion_difference_ci(56, 70, 48, 80, "newcombe")
    assert newcombe == pytest.approx((5.24, 33.39), abs=0.005)
    assert proportion_difference_ci(56, 70, 48, 80, "wald") == pytest.approx((5.75, 34.25), abs=0.005)


# --- the searches' fast paths reproduce scipy to the last bit ------------------------------

def test_t_logsf_is_scipys_bit_for_bit():
    from reanalysis.engine.summary_stats import _t_logsf
    x = np.array([0.0, -0.0, 1e-300, 1e-8, 0.3, 1.0, 2.5, 8.0, 40.0, 1e4, -2.0, np.inf, np.nan])
    for df in (0.5, 1.0, 2.5, 7.0, 88.3, 1e6, np.inf, 0.0, -1.0, np.nan):
        np.testing.assert_array_equal(_t_logsf(x, df), stats.t.logsf(x, df))
    xs, dfs = np.meshgrid(np.linspace(-3, 30, 57), np.geomspace(0.7, 5e3, 31))
    np.testing.assert_array_equal(_t_logsf(xs, dfs), stats.t.logsf(xs, dfs))
    assert _t_logsf(2.0, 11.0) == stats.t.logsf(2.0, 11.0)


def test_welch_t_is_scipys_bit_for_bit():
    from reanalysis.engine.summary_stats import _welch_t
    rng = np.random.default_rng(7)
    d = rng.normal(scale=5, size=400)
    s1, s2 = rng.uniform(0, 9, 400), rng.uniform(0, 9, 400)
    s1[:5] = 0.0
    s2[:3] = 0.0
    for n1, n2 in ((2, 2), (17, 40), (300, 9)):
        with np.errstate(divide="ignore", invalid="ignore"):
            ref = stats.ttest_ind_from_stats(d, s1, n1, 0.0, s2, n2, equal_var=False).statistic
            np.testing.assert_array_equal(_welch_t(d, s1, n1, s2, n2), ref)


def _scipy_lbfgsb(f, x0, options):
    """scipy's L-BFGS-B on [0, 1]^k with its own finite-difference gradient."""
    from scipy import optimize
    return optimize.minimize(lambda x: float(f(x[None, :])[0]), x0, method="L-BFGS-B",
                             bounds=[(0.0, 1.0)] * len(x0), options=options)


@pytest.mark.parametrize("options", [{"ftol": 1e-15, "gtol": 1e-12},
                                     {"ftol": 1e-15, "gtol": 1e-12, "maxiter": 3},
                                     {"ftol": 1e-9, "gtol": 1e-5, "maxiter": 200}])
def test_batched_lbfgsb_takes_scipys_steps(options):
    """_lbfgsb_unit_cube evaluates a point and its finite-difference steps in one call;
    it must find what scipy's own run finds, to the last bit."""
    from reanalysis.engine import summary_stats
    cases = [  # interior optimum; optimum on the upper face (steps reversed there); log p
        (lambda x: (x[:, 0] - 0.3) ** 2 + 2 * (x[:, 1] - 0.6) ** 2 + 0.1 * x[:, 0] * x[:, 1],
         np.array([0.9, 0.1])),
        (lambda x: -np.log1p(x[:, 0]) - np.sin(2 * x[:, 1]) - x[:, 0] * x[:, 1],
         np.array([1.0, 0.2])),
        (lambda x: np.log(stats.t.sf(3 / np.sqrt((1 + 4 * x[:, 0]) / 9 + (0.5 + x[:, 1]) / 30),
                                     20 + 10 * x[:, 0] - 5 * x[:, 1])), np.array([0.5, 0.5])),
        (lambda x: ((x - np.array([0.2, 0.7, 1.3])) ** 2).sum(axis=1), np.array([0.0, 1.0, 0.5])),
        # starts where the projected gradient is 0 (a corner, the gradient pointing out):
        # scipy stops before its first step, and so must the shortcut taken before it
        (lambda x: x[:, 0] + 2 * x[:, 1], np.array([0.0, 0.0])),
        (lambda x: 3 * x[:, 0] - np.log1p(x[:, 1]), np.array([0.0, 1.0])),
        # at a corner, one component pointing out, the other in: scipy steps
        (lambda x: -x[:, 0] + (x[:, 1] - 0.4) ** 2, np.array([1.0, 0.0])),
        (lambda x: -x[:, 0] + (x[:, 1] - 0.4) ** 2, np.array([1.0, 0.4])),
    ]
    for f, x0 in cases:
        assert summary_stats._lbfgsb_unit_cube(f, x0, **options) == \
            _scipy_lbfgsb(f, x0, options).fun


def test_batched_lbfgsb_stops_where_scipy_does(monkeypatch):
    """With a small evaluation budget (maxfun counts the finite-difference steps in scipy)
    the search must stop at the same iterate."""
    from reanalysis.engine import summary_stats
    f = lambda x: 100 * (x[:, 1] - x[:, 0] ** 2) ** 2 + (0.9 - x[:, 0]) ** 2  # Rosenbrock
    for budget in (7, 20, 45, 80):          # each stops the search at another iterate
        monkeypatch.setattr(summary_stats, "_MAXFUN", budget)
        ref = _scipy_lbfgsb(f, np.array([0.1, 0.9]), {"ftol": 1e-15, "gtol": 1e-12,
                                                      "maxfun": budget})
        assert summary_stats._lbfgsb_unit_cube(f, np.array([0.1, 0.9]), 1e-15, 1e-12) == ref.fun


def test_vectorised_ends_equal_one_at_a_time():
    """_sd_change_range (r unknown) and _monotone evaluate their ends in one array call;
    each end must be what evaluating it alone gives, to the last bit (signs of 0 too)."""
    from reanalysis.engine.summary_stats import (_d_ends, _monotone, _one_sample, _sd_change_bounds,
                                                 _sd_change_range, _two_sample)
    boxes = [P("0.0"), Box(0.0, 0.0, 0.0), P("0.05"), P("1.2"), P("3.25"), P("10")]
    for s1 in boxes:
        for s2 in boxes:
            s1c, s2c = (Box(max(s.value, 0.0), max(s.lower, 0.0), s.upper) for s in (s1, s2))
            lo, hi = _sd_change_range(s1c, s2c, None)
            ref = (float(_sd_change_bounds(s1c, s2c, 1.0)[0]),
                   float(_sd_change_bounds(s1c, s2c, -1.0)[1]))
            assert (repr(lo), repr(hi)) == tuple(map(repr, ref))
    ev_one = lambda d, sd: _one_sample(d, sd, 12)
    ev_two = lambda d, a, b: _two_sample(d, a, 12, b, 30, welch=True)
    for d_lo, d_hi in [(-1.5, 2.0), (0.0, 0.0), (0.3, 0.7), (-2.0, -0.1), (0.0, 1.0)]:
        small, big = _d_ends(d_lo, d_hi)
        for ev, lo_sd, hi_sd in [(ev_one, (0.0,), (1.3,)), (ev_one, (0.4,), (0.9,)),
                                 (ev_two, (0.0, 0.0), (1.0, 2.0)), (ev_two, (0.5, 0.7), (0.6, 0.9))]:
            with np.errstate(all="ignore"):
                t_max = ev(d_hi, *(lo_sd if d_hi > 0 else hi_sd))[0]
                t_min = ev(d_lo, *(lo_sd if d_lo < 0 else hi_sd))[0]
                p_max = ev(small, *hi_sd)[2]
                p_min = ev(big, *(lo_sd if big != 0 else hi_sd))[2]
                got = _monotone(d_lo, d_hi, lo_sd, hi_sd, ev)
            assert repr(got) == repr(((float(t_min), float(t_max)), (float(p_min), float(p_max))))


@pytest.mark.parametrize("s1, n1, s2, n2", [
    ("1.1", 20, "1.3", 25),     # the ratio of squared SEs can reach (n1 - 1) / (n2 - 1)
    ("0.4", 12, "3.0", 50),     # it cannot: the peak lies outside the box
    ("0.0", 10, "2.5", 30),     # an SD box reaching 0
])
def test_welch_df_extremes_are_those_of_a_dense_grid(s1, n1, s2, n2):
    res = ttest_from_summary(P("9.0"), P(s1), n1, P("8.0"), P(s2), n2, test="welch")
    S1, S2 = np.meshgrid(span(P(s1), 401), span(P(s2), 401), indexing="ij")
    v1, v2 = S1 ** 2 / n1, S2 ** 2 / n2
    with np.errstate(divide="ignore", invalid="ignore"):   # both SDs 0: not a point of the box's df
        df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
    df = df[np.isfinite(df)]
    assert_bounds(res["df"], df, tol_attain=1e-4)
    # Welch's df never exceeds Student's n1 + n2 - 2 (reached where v1 / v2 = (n1 - 1) / (n2 - 1))
    assert res["df"].upper <= n1 + n2 - 2
