"""Tests for reanalysis.beyond.tipping.

Expected values are worked by hand in the comments, or found by brute force in the test:
every completion on a grid of [lo, hi]^k is run through scipy.stats.ttest_1samp (an
independent evaluation of p over the box), then refined with scipy.optimize from the
best grid points. The Matsuoka 2025 numbers (N = 61 reported, 58 printed; claims
'< 0.0001', '< 0.0000002') are from raw/matsuoka2025/claims.csv (M-ABS-01, -11, -13).
"""
from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from reanalysis.beyond.tipping import change_bounds, p_range_paired, tipping_mean, tipping_paired

ROOT = Path(__file__).resolve().parents[1]


def brute_force_p(changes, k, lo, hi, points):
    """p of every completion on a grid (itertools.product), by scipy.stats.ttest_1samp."""
    grid = np.linspace(lo, hi, points)
    configs = np.array(list(itertools.product(grid, repeat=k)))
    full = np.hstack([np.tile(np.asarray(changes, float), (len(configs), 1)), configs])
    p = stats.ttest_1samp(full, 0.0, axis=1).pvalue
    return configs, p


def refine(changes, lo, hi, start, sign):
    """Local optimisation of sign * p from a start point inside the box."""
    x = np.asarray(changes, float)

    def f(y):
        return sign * stats.ttest_1samp(np.concatenate([x, y]), 0.0).pvalue
    res = optimize.minimize(f, start, bounds=[(lo, hi)] * len(start), method="L-BFGS-B")
    return sign * res.fun


# --- hand-worked case -------------------------------------------------------------------

def test_hand_worked_range():
    # Printed changes 1, 2, 3 (S = 6, Q = 14), k = 1 in [-1, 5].
    # Diagonal stationary point v* = Q/S = 7/3: values 1, 2, 3, 7/3 have mean 25/12,
    # SS = (169 + 1 + 121 + 9)/144 = 25/12, SD = sqrt(25/36) = 5/6, t = (25/12)/(5/12) = 5.
    # Corners: v = -1 -> mean 1.25, SS = 8.75, t = 1.25 / (sqrt(8.75/3)/2) = 1.46385;
    #          v = 5  -> mean 2.75, SS = 8.75, t = 3.22047. The total cannot be 0.
    res = p_range_paired([1, 2, 3], 1, -1.0, 5.0)
    assert res["p_min"] == pytest.approx(2 * stats.t.sf(5.0, 3), rel=1e-9)
    assert res["config_p_min"] == [pytest.approx(7 / 3)]
    t_low = 1.25 / (math.sqrt(8.75 / 3) / 2)
    assert res["p_max"] == pytest.approx(2 * stats.t.sf(t_low, 3), rel=1e-9)
    assert res["config_p_max"] == [-1.0]


def test_hand_worked_tipping_value():
    # Same data, claim '< 0.05'. Reference = printed mean 2: values 1, 2, 3, 2, t =
    # 2 / sqrt(2/12) = 4.899 -> p < 0.05, holds. On the diagonal (k = 1) with
    # S = 6 + v, SS = 2 + (3/4)(2 - v)^2 (within + between), the claim fails where
    # |t| <= c = t_{0.975, 3}: 12 ((6 + v)/4)^2 = c^2 (2 + 0.75 (2 - v)^2), i.e.
    # (0.75 - 0.75 c^2) v^2 + (9 + 3 c^2) v + (27 - 5 c^2) = 0.
    c = stats.t.isf(0.025, 3)
    roots = np.roots([0.75 - 0.75 * c * c, 9 + 3 * c * c, 27 - 5 * c * c])
    roots = sorted(r.real for r in roots if abs(r.imag) < 1e-12 and -1 <= r.real <= 5)
    assert len(roots) == 1 and roots[0] < 2       # t(5) = 3.22 > c: no failure above
    res = tipping_paired([1, 2, 3], 1, -1.0, 5.0, "< 0.05")
    assert res["holds_reference"] and res["reference"] == pytest.approx(2.0)
    assert res["tipping_common_value"] == pytest.approx(roots[0], abs=1e-9)
    assert res["tipping_departure"] == pytest.approx(2 - roots[0], abs=1e-9)
    assert res["p_at_tipping"] == pytest.approx(0.05, rel=1e-8)
    assert res["overturnable"] and res["claim_reachable"]
    (fail,) = res["diagonal_fail_set"]
    assert fail["low"] == -1.0 and fail["low_included"]
    assert fail["high"] == pytest.approx(roots[0], abs=1e-9)
    # printed only: mean 2, SD 1, t = 2 sqrt(3), df 2
    assert res["p_printed"] == pytest.approx(2 * stats.t.sf(2 * math.sqrt(3), 2), rel=1e-9)
    assert not res["holds_printed"]


def test_mean_zero_reachable_gives_p_one():
    # S_m = 6, k = 2, [-5, 5]: the missing pair can sum to -6 (common value -3): t = 0.
    res = p_range_paired([1, 2, 3], 2, -5.0, 5.0)
    assert res["p_max"] == pytest.approx(1.0)
    assert res["config_p_max"] == [pytest.approx(-3.0), pytest.approx(-3.0)]


def test_not_overturnable_when_claim_holds_everywhere():
    # Tight bounds around a strong effect: every completion keeps p < 0.05.
    changes = [1.0, 1.2, 0.9, 1.1, 1.0, 0.8, 1.3]
    res = tipping_paired(changes, 2, 0.5, 1.5, "< 0.05")
    configs, p = brute_force_p(changes, 2, 0.5, 1.5, 41)
    assert p.max() < 0.05
    assert not res["overturnable"] and res["tipping_common_value"] is None
    assert res["diagonal_fail_set"] == []


# --- brute force over grids ------------------------------------------------------------

CASES = [
    # (changes, k, lo, hi)
    ([0.4, 1.1, -0.3, 0.9, 2.0, 0.2, 0.7], 1, -3.0, 4.0),
    ([0.4, 1.1, -0.3, 0.9, 2.0, 0.2, 0.7], 2, -3.0, 4.0),
    ([0.4, 1.1, -0.3, 0.9, 2.0, 0.2, 0.7], 3, -3.0, 4.0),
    ([1.5, 2.5, 0.5, 1.0, 3.0, 2.0], 2, 0.0, 2.0),         # total cannot reach 0
    ([1.5, 2.5, 0.5, 1.0, 3.0, 2.0], 3, 1.0, 6.0),         # all missing positive
    ([-0.2, 0.1, 0.3, -0.4, 0.2, 0.5, 0.0, 0.1], 2, -1.0, 1.0),
    ([5.0, 5.5, 6.0, 4.5], 3, 4.0, 30.0),                  # stationary point inside
]


@pytest.mark.parametrize("changes, k, lo, hi", CASES)
def test_extremes_against_brute_force(changes, k, lo, hi):
    res = p_range_paired(changes, k, lo, hi)
    points = {1: 2001, 2: 201, 3: 41}[k]
    configs, p = brute_force_p(changes, k, lo, hi, points)
    # the exact extremes bound every grid point ...
    assert res["p_min"] <= p.min() * (1 + 1e-9)
    assert res["p_max"] >= p.max() * (1 - 1e-9)
    # ... and local optimisation from the best grid points gets no further
    for start in configs[np.argsort(p)[:5]]:
        assert refine(changes, lo, hi, start, +1) >= res["p_min"] * (1 - 1e-7)
    for start in configs[np.argsort(p)[-5:]]:
        assert refine(changes, lo, hi, start, -1) <= res["p_max"] * (1 + 1e-7) + 1e-12
    # ... and are attained by the configurations returned (recomputed independently)
    full_min = np.concatenate([changes, res["config_p_min"]])
    full_max = np.concatenate([changes, res["config_p_max"]])
    assert stats.ttest_1samp(full_min, 0.0).pvalue == pytest.approx(res["p_min"], rel=1e-9)
    assert stats.ttest_1samp(full_max, 0.0).pvalue == pytest.approx(res["p_max"], rel=1e-9)
    assert all(lo <= y <= hi for y in res["config_p_min"] + res["config_p_max"])
    # the grid gets close to the exact values (it is dense)
    assert p.min() <= res["p_min"] * 1.05 + 1e-15
    assert p.max() >= res["p_max"] * 0.95


@pytest.mark.parametrize("claim", ["< 0.05", "< 0.01", "0.03", "> 0.2", "0.5"])
@pytest.mark.parametrize("changes, k, lo, hi", CASES[:3])
def test_overturnable_against_brute_force(changes, k, lo, hi, claim):
    from reanalysis.engine.rounding import parse_claim
    c = parse_claim(claim)
    res = tipping_paired(changes, k, lo, hi, claim)
    _, p = brute_force_p(changes, k, lo, hi, {1: 2001, 2: 201, 3: 41}[k])
    status = np.array([c.holds_for(v) for v in p])
    if not status.all():
        assert res["overturnable"]
    if status.any():
        assert res["claim_reachable"]
    # the diagonal sets: every grid point on the diagonal is classified as the claim says
    for v in np.linspace(lo, hi, 301):
        pv = stats.ttest_1samp(np.concatenate([changes, [v] * k]), 0.0).pvalue
        inside = any((iv["low"] < v < iv["high"]) or (v == iv["low"] and iv["low_included"])
                     or (v == iv["high"] and iv["high_included"])
                     for iv in res["diagonal_fail_set"])
        near_edge = any(min(abs(v - iv["low"]), abs(v - iv["high"])) < 1e-9
                        for iv in res["diagonal_fail_set"])
        if not near_edge:
            assert inside == (not c.holds_for(pv)), v


def test_matsuoka_overall_against_brute_force():
    # raw/matsuoka2025/table1_patients.csv: 58 printed of N = 61 (claims M-ABS-01);
    # changes before - after; bounds from HbA1c in [3, 20] and the inclusion >= 6.2.
    df = pd.read_csv(ROOT / "raw/matsuoka2025/table1_patients.csv")
    d = (df["hba1c_before"] - df["hba1c_after"]).round(10).to_numpy()
    lo, hi = change_bounds((6.2, 20.0), (3.0, 20.0))
    assert (lo, hi) == (pytest.approx(-13.8), pytest.approx(17.0))
    res = tipping_paired(d, 61 - len(d), lo, hi, "< 0.0001")
    assert res["m"] == 58 and res["k"] == 3
    _, p = brute_force_p(d, 3, lo, hi, 41)
    assert res["p_min"] <= p.min() * (1 + 1e-9) and res["p_max"] >= p.max() * (1 - 1e-9)
    assert res["p_printed"] == pytest.approx(stats.ttest_1samp(d, 0.0).pvalue, rel=1e-12)
    # three patients with large rises can take p above 1e-4 (a grid corner does)
    assert p.max() > 1e-4 and res["overturnable"]


def test_change_bounds_by_hand():
    # baseline in [6.2, 8] (moderate), follow-up in [3, 20]: change in [6.2-20, 8-3]
    assert change_bounds((6.2, 8.0), (3.0, 20.0)) == (pytest.approx(-13.8), pytest.approx(5.0))
    with pytest.raises(ValueError):
        change_bounds((8.0, 6.2), (3.0, 20.0))


def test_unknown_test_and_bad_input():
    with pytest.raises(NotImplementedError):
        tipping_paired([1, 2, 3], 1, 0, 1, "< 0.05", test="wilcoxon")
    with pytest.raises(ValueError):
        p_range_paired([1, 2, 3], 1, 2.0, 1.0)
    with pytest.raises(ValueError):
        p_range_paired([1, 2, 3], -1, 0.0, 1.0)


# --- tipping_mean -------------------------------------------------------------------------

def test_tipping_mean_by_hand():
    # values 1, 2, 3 (S = 6), k = 2 in [0, 10]: mean in [6/5, 26/5] = [1.2, 5.2].
    res = tipping_mean([1, 2, 3], 2, 0.0, 10.0, "2.0")
    assert res["mean_min"] == pytest.approx(1.2) and res["mean_max"] == pytest.approx(5.2)
    assert res["holds_printed"] and res["reachable"] and not res["holds_for_all"]
    # '2.0' stands for [1.95, 2.05]: total in [9.75, 10.25], missing sum in [3.75, 4.25],
    # missing mean in [1.875, 2.125].
    low, high = res["required_missing_mean"]
    assert low == pytest.approx(1.875) and high == pytest.approx(2.125)
    assert [b["k"] for b in res["by_k"]] == [0, 1, 2]
    # k' = 1: mean in [6/4, 16/4] = [1.5, 4.0]
    assert res["by_k"][1]["mean_min"] == pytest.approx(1.5)
    assert res["by_k"][1]["mean_max"] == pytest.approx(4.0)


@pytest.mark.parametrize("printed, reachable", [("5.2", True), ("5.3", False), ("5.25", False),
                                                ("1.1", False), ("1.2", True), ("> 5", True),
                                                ("< 1", False)])
def test_tipping_mean_reachability(printed, reachable):
    res = tipping_mean([1, 2, 3], 2, 0.0, 10.0, printed)
    assert res["reachable"] is reachable
    if not reachable:
        assert res["required_missing_mean"] is None


def test_tipping_mean_against_brute_force():
    # k = 2 on a grid of step 0.01: completions' means step by 0.01/6, finer than the
    # rounding interval of '1.72' (width 0.01), so the grid finds it if reachable.
    from reanalysis.engine.rounding import parse_claim
    values = [0.5, 1.4, -0.2, 0.9]
    claim = parse_claim("1.72")
    for k, lo, hi in [(2, -2.0, 4.0), (2, -2.0, 2.0), (1, -2.0, 4.0)]:
        res = tipping_mean(values, k, lo, hi, "1.72")
        grid = np.round(np.linspace(lo, hi, int(round((hi - lo) / 0.01)) + 1), 10)
        sums = np.add.reduce(np.meshgrid(*[grid] * k), axis=0).ravel() if k > 1 else grid
        means = (sum(values) + sums) / (len(values) + k)
        assert res["mean_min"] == pytest.approx(means.min())
        assert res["mean_max"] == pytest.approx(means.max())
        near = sums[np.abs(means - 1.72) < 0.006]
        hits = [s for s in near if claim.holds_for((sum(values) + s) / (len(values) + k))]
        assert res["reachable"] == bool(hits), (k, lo, hi)
        if hits:
            lo_req, hi_req = res["required_missing_mean"]
            assert lo_req - 1e-12 <= min(hits) / k and max(hits) / k <= hi_req + 1e-12
