"""Tests for reanalysis.beyond.resampling.

Expected values come from direct computations in the test: all 2^n sign flips
enumerated with itertools.product, scipy.stats.permutation_test run exactly
(n_resamples=np.inf), the closed-form bootstrap SE of a mean (population SD / sqrt(n)),
and a percentile / BCa bootstrap written out here (Efron & Tibshirani 1993, ch. 14:
z0 = Phi^-1(share of replicates below the estimate), a = sum(u^3) / (6 sum(u^2)^1.5)
from jackknife deviations u).
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from reanalysis.beyond.resampling import bootstrap_ci, exact_sign_flip_p, paired_permutation_p

# integer differences: sums are exact in floating point, ties (|d| repeated) included
D10 = np.array([3, -1, 4, 1, -5, 9, 2, 6, -5, 3], dtype=float)


def enumerate_sign_flips(d):
    """Share of the 2^n sign vectors with |sum| >= |observed|, >= observed, <= observed."""
    d = list(d)
    obs = sum(d)
    sums = [sum(s * v for s, v in zip(signs, d))
            for signs in itertools.product((1, -1), repeat=len(d))]
    n = len(sums)
    return (sum(abs(s) >= abs(obs) for s in sums) / n, sum(s >= obs for s in sums) / n,
            sum(s <= obs for s in sums) / n)


# --- sign-flip tests ------------------------------------------------------------------

def test_permutation_p_exact_n10_against_enumeration():
    two, greater, less = enumerate_sign_flips(D10)
    before = D10 + 10.0
    after = np.full(10, 10.0)
    res = paired_permutation_p(before, after, n_resamples=5000, seed=1)
    assert res["exact"] and res["n_resamples"] == 1024
    assert res["p"] == pytest.approx(two, abs=1e-12)
    assert res["statistic"] == pytest.approx(D10.mean())
    assert paired_permutation_p(before, after, 5000, alternative="greater")["p"] == \
        pytest.approx(greater, abs=1e-12)
    assert paired_permutation_p(before, after, 5000, alternative="less")["p"] == \
        pytest.approx(less, abs=1e-12)


@pytest.mark.parametrize("method", ["enumeration", "integer convolution"])
def test_exact_sign_flip_against_enumeration_and_scipy(method):
    two, greater, less = enumerate_sign_flips(D10)
    for alt, expected in (("two-sided", two), ("greater", greater), ("less", less)):
        res = exact_sign_flip_p(D10, alternative=alt, method=method)
        assert res["method"] == method
        assert res["p"] == pytest.approx(expected, abs=1e-15)
        assert res["n_sign_flips"] == 1024
        sp = stats.permutation_test((D10,), lambda x, axis: np.mean(x, axis=axis),
                                    permutation_type="samples", n_resamples=np.inf,
                                    alternative=alt)
        assert res["p"] == pytest.approx(sp.pvalue, abs=1e-12)


def test_decimal_differences_both_methods_agree():
    # HbA1c-like changes to 0.1 (as in Table 1): floats such as 0.7 - 0.4 are not exact,
    # the convolution works on tenths. n = 16: 65536 sign vectors to enumerate.
    rng = np.random.default_rng(7)
    d = np.round(rng.normal(0.3, 1.0, 16), 1)
    two, greater, less = enumerate_sign_flips(np.round(d * 10).astype(int))   # in tenths
    conv = exact_sign_flip_p(d)
    enum = exact_sign_flip_p(d, method="enumeration")
    assert conv["method"] == "integer convolution" and conv["decimals"] == 1
    assert conv["p"] == pytest.approx(two, abs=1e-15)
    assert enum["p"] == pytest.approx(two, abs=1e-15)
    assert exact_sign_flip_p(d, alternative="greater")["p"] == pytest.approx(greater)


def test_large_n_convolution_against_monte_carlo():
    # n = 40 (2^40 sign vectors): the exact p against scipy's seeded Monte Carlo p.
    rng = np.random.default_rng(11)
    d = np.round(rng.normal(0.25, 1.0, 40), 1)
    exact = exact_sign_flip_p(d)
    assert exact["method"] == "integer convolution"
    mc = paired_permutation_p(d, np.zeros(40), n_resamples=200_000, seed=3)
    assert not mc["exact"]
    se = math.sqrt(exact["p"] * (1 - exact["p"]) / 200_000) * 2   # two-sided doubles
    assert abs(mc["p"] - exact["p"]) < 4 * se + 1e-5


def test_monte_carlo_is_seeded():
    rng = np.random.default_rng(5)
    b = rng.normal(7.5, 1, 30)
    a = b - rng.normal(0.2, 1, 30)
    p1 = paired_permutation_p(b, a, 2000, seed=42)["p"]
    assert p1 == paired_permutation_p(b, a, 2000, seed=42)["p"]
    # Monte Carlo p is (count + 1) / (n_resamples + 1) per tail: a multiple of 1/2001
    assert round(p1 * 2001 / 2) == pytest.approx(p1 * 2001 / 2, abs=1e-6)


def test_exact_sign_flip_refuses_large_off_grid():
    d = np.random.default_rng(0).normal(size=30)       # not on a decimal grid
    with pytest.raises(ValueError):
        exact_sign_flip_p(d)
    with pytest.raises(ValueError):
        exact_sign_flip_p(d[:5], method="integer convolution")


def test_all_zero_differences():
    # every sign vector gives sum 0 = observed: p = 1
    assert exact_sign_flip_p([0.0, 0.0, 0.0])["p"] == 1.0


# --- bootstrap ------------------------------------------------------------------------

X = np.round(np.random.default_rng(2025).normal(0.8, 1.1, 58), 1)


def test_bootstrap_is_deterministic():
    a = bootstrap_ci(X, n_boot=2000, seed=9)
    b = bootstrap_ci(X, n_boot=2000, seed=9)
    c = bootstrap_ci(X, n_boot=2000, seed=10)
    assert a == b
    assert (a["low"], a["high"]) != (c["low"], c["high"])


def test_bootstrap_se_of_mean_by_formula():
    # The bootstrap distribution of a mean has SD = population SD (ddof=0) / sqrt(n).
    res = bootstrap_ci(X, n_boot=20000, seed=1)
    expected = X.std(ddof=0) / math.sqrt(X.size)
    assert res["standard_error"] == pytest.approx(expected, rel=0.03)
    assert res["estimate"] == pytest.approx(X.mean())


def own_bootstrap(x, stat, n_boot, seed):
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    return stat(x[idx], axis=1)


def test_percentile_interval_against_own_bootstrap():
    reps = own_bootstrap(X, np.mean, 40000, 123)
    low, high = np.percentile(reps, [2.5, 97.5])
    res = bootstrap_ci(X, n_boot=20000, seed=1, method="percentile")
    se = X.std(ddof=0) / math.sqrt(X.size)
    assert res["low"] == pytest.approx(low, abs=0.05 * se * 2)
    assert res["high"] == pytest.approx(high, abs=0.05 * se * 2)


def test_bca_interval_against_own_bca():
    x = np.round(np.random.default_rng(8).lognormal(0, 0.8, 40), 2)   # skewed: BCa moves
    theta = x.mean()
    reps = own_bootstrap(x, np.mean, 40000, 321)
    z0 = stats.norm.ppf(np.mean(reps < theta))
    jack = np.array([np.delete(x, i).mean() for i in range(x.size)])
    u = jack.mean() - jack
    acc = (u ** 3).sum() / (6 * ((u ** 2).sum()) ** 1.5)
    qs = []
    for z in (stats.norm.ppf(0.025), stats.norm.ppf(0.975)):
        qs.append(stats.norm.cdf(z0 + (z0 + z) / (1 - acc * (z0 + z))))
    low, high = np.quantile(reps, qs)
    res = bootstrap_ci(x, n_boot=20000, seed=4, method="bca")
    se = x.std(ddof=0) / math.sqrt(x.size)
    assert res["low"] == pytest.approx(low, abs=0.1 * se)
    assert res["high"] == pytest.approx(high, abs=0.1 * se)
    pct = bootstrap_ci(x, n_boot=20000, seed=4, method="percentile")
    assert res["high"] > pct["high"]       # right skew: BCa shifts the interval up


def test_bootstrap_median_and_bad_method():
    res = bootstrap_ci(X, np.median, n_boot=2000, seed=0)
    assert res["estimate"] == np.median(X)
    assert res["low"] <= res["estimate"] <= res["high"]
    with pytest.raises(ValueError):
        bootstrap_ci(X, method="studentized")
