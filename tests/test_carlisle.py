"""Carlisle's baseline check (reanalysis.beyond.carlisle).

Expected values come from MEPtoolkit's documented test case (four printed ".80" give
0.046164081; /work/shared/reference/meptoolkit/README.md and MEPtoolkit
tests/testthat/test-carlisle.R, which also expects 0.9801026 for the Welch p-values of
two printed rows), from scipy (norm, t, f, chi2, combine_pvalues, ttest_ind_from_stats)
and from formulas worked in the tests themselves.
"""
import itertools
import math

import numpy as np
import pytest
from scipy import stats

from reanalysis.beyond.carlisle import (baseline_p_by_simulation, carlisle_trial,
                                        printed_p_interval, stouffer, stouffer_lower_tail,
                                        stouffer_printed, stouffer_z)

TESTTHAT_TOL = 1.5e-8   # testthat::expect_equal's default relative tolerance


def _by_hand(ps):
    """1 - Phi(sum Phi^-1(p) / sqrt(k)), written out with scipy.stats.norm."""
    return 1 - stats.norm.cdf(sum(stats.norm.ppf(p) for p in ps) / math.sqrt(len(ps)))


# --- Stouffer --------------------------------------------------------------------------

def test_meptoolkit_reference_four_printed_080():
    # MEPtoolkit test-carlisle.R: carlisle(c(".80", ".80", ".80", ".80"))$Provided_p[2]
    assert stouffer([0.80] * 4) == pytest.approx(0.046164081, rel=TESTTHAT_TOL)
    assert stouffer_printed([".80"] * 4).value == pytest.approx(0.046164081, rel=TESTTHAT_TOL)


def test_meptoolkit_reference_welch_rows():
    # MEPtoolkit test-carlisle.R: t_slicer on two printed rows, then carlisle(); the
    # Welch RIVETS (printed-value) combination is expected to be 0.9801026. The Welch
    # p-values are computed here with scipy, independently of this package.
    rows = [(1.20, 1.2, 60, 2.1, 2.5, 30), (1.25, 1.25, 60, 2.15, 2.55, 30)]
    ps = [stats.ttest_ind_from_stats(*row, equal_var=False).pvalue for row in rows]
    assert stouffer(ps) == pytest.approx(0.9801026, abs=5e-8)


def test_stouffer_by_hand():
    assert stouffer([0.5]) == pytest.approx(0.5, abs=1e-15)
    assert stouffer([0.5, 0.5, 0.5]) == pytest.approx(0.5, abs=1e-15)
    # Phi^-1(0.025) = -Phi^-1(0.975): z = 0, combined 0.5
    assert stouffer([0.025, 0.975]) == pytest.approx(0.5, abs=1e-12)
    # one p: 1 - Phi(Phi^-1(p)) = 1 - p
    assert stouffer([0.975]) == pytest.approx(0.025, rel=1e-12)
    # two p = 0.975: z = 2 * 1.959963984540054 / sqrt(2) (textbook quantile)
    z = 2 * 1.959963984540054 / math.sqrt(2)
    assert stouffer([0.975, 0.975]) == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)),
                                                     rel=1e-10)
    for ps in ([0.1, 0.3, 0.9], [0.01, 0.5, 0.7, 0.99, 0.2]):
        assert stouffer(ps) == pytest.approx(_by_hand(ps), rel=1e-12)
        assert stouffer_lower_tail(ps) == pytest.approx(1 - _by_hand(ps), rel=1e-12)


def test_relation_to_scipy_combine_pvalues():
    # scipy: Z = sum(Phi^-1(1 - p_i)) / sqrt(k), p = 1 - Phi(Z), i.e. Z = -z and its p
    # is the other tail of MEPtoolkit's combination.
    for ps in ([0.8] * 4, [0.1, 0.3, 0.9], [0.02, 0.6, 0.45]):
        res = stats.combine_pvalues(ps, method="stouffer")
        assert res.statistic == pytest.approx(-stouffer_z(ps), rel=1e-12)
        assert res.pvalue == pytest.approx(1 - stouffer(ps), rel=1e-12)
        assert res.pvalue == pytest.approx(stouffer_lower_tail(ps), rel=1e-12)


def test_printed_p_interval():
    assert printed_p_interval(".80") == pytest.approx((0.80, 0.795, 0.805))
    assert printed_p_interval("0.5") == pytest.approx((0.5, 0.45, 0.55))
    assert printed_p_interval("1.0") == pytest.approx((1.0, 0.95, 1.0))     # cut at 1
    assert printed_p_interval("0.00") == pytest.approx((0.0, 0.0, 0.005))   # cut at 0
    assert printed_p_interval("<.001") == pytest.approx((0.001, 0.0, 0.001))
    assert printed_p_interval("> 0.5") == pytest.approx((0.5, 0.5, 1.0))
    with pytest.raises(ValueError):
        printed_p_interval("1.5")


@pytest.mark.parametrize("texts", [[".80"] * 4, [".80", ".5", "0.123", "<.001", "0.97"]])
def test_stouffer_printed_corners_brute_force(texts):
    # all 2^k corners of the rounding intervals, combined by hand (as MEPtoolkit does)
    ends = {".80": (0.795, 0.805), ".5": (0.45, 0.55), "0.123": (0.1225, 0.1235),
            "<.001": (1e-300, 0.001), "0.97": (0.965, 0.975)}
    values = {".80": 0.8, ".5": 0.5, "0.123": 0.123, "<.001": 0.001, "0.97": 0.97}
    corners = [_by_hand(c) for c in itertools.product(*(ends[t] for t in texts))]
    res = stouffer_printed(texts)
    assert res.value == pytest.approx(_by_hand([values[t] for t in texts]), rel=1e-12)
    assert res.lower == pytest.approx(min(corners), rel=1e-9, abs=1e-300)
    assert res.upper == pytest.approx(max(corners), rel=1e-9, abs=1e-300)
    # direction: the smallest combined p is with every p at the top of its interval
    assert res.lower == pytest.approx(_by_hand([ends[t][1] for t in texts]), rel=1e-12)
    assert res.lower <= res.value <= res.upper


# --- the simulation ----------------------------------------------------------------------

def _anova_by_hand(means, sds, ns):
    m, s, n = (np.asarray(x, dtype=float) for x in (means, sds, ns))
    k, big_n = len(m), n.sum()
    ssb = float(n @ (m - n @ m / big_n) ** 2)
    msw = float(((n - 1) * s ** 2).sum() / (big_n - k))
    f = ssb / (k - 1) / msw
    return f, stats.f.sf(f, k - 1, big_n - k), stats.chi2.sf(ssb / msw, k - 1)


MANY = (["50.123457", "53.876543", "51.500000"], ["4.000000", "5.000000", "4.500000"],
        [6, 6, 6])


def test_simulation_is_deterministic():
    a = baseline_p_by_simulation(*MANY, n_sim=2000, seed=11)
    b = baseline_p_by_simulation(*MANY, n_sim=2000, seed=11)
    c = baseline_p_by_simulation(*MANY, n_sim=2000, seed=12)
    assert a["p"] == b["p"] and a["tie_share"] == b["tie_share"]
    assert a["p"] != c["p"]


def test_simulation_with_printed_sds_converges_to_known_variance_p():
    # rounding to 6 decimals is negligible; with the printed SDs held fixed only the
    # means vary, so p -> P(chi2_{k-1} >= SSB / MSW) (worked by hand), not the F p
    f, p_f, p_chi2 = _anova_by_hand(*MANY)
    res = baseline_p_by_simulation(*MANY, n_sim=20000, seed=3)
    assert res["F"] == pytest.approx(f, rel=1e-9)
    assert res["anova_p"] == pytest.approx(p_f, rel=1e-9)
    assert res["known_variance_p"] == pytest.approx(p_chi2, rel=1e-9)
    assert res["tie_share"] == 0
    assert abs(res["p"] - p_chi2) < 4 * res["mc_se"]
    assert abs(p_f - p_chi2) > 6 * res["mc_se"]       # the two references differ here


def test_simulation_with_simulated_sds_converges_to_anova_p():
    f, p_f, _ = _anova_by_hand(*MANY)
    res = baseline_p_by_simulation(*MANY, n_sim=20000, seed=4, sds_mode="simulated")
    assert abs(res["p"] - p_f) < 4 * res["mc_se"]
    assert res["mc_se"] == pytest.approx(math.sqrt(res["p"] * (1 - res["p"]) / 20000))


def test_two_groups_match_student_t_test():
    means, sds, ns = ["20.314159", "21.271828"], ["3.000000", "3.500000"], [12, 15]
    p_t = stats.ttest_ind_from_stats(20.314159, 3.0, 12, 21.271828, 3.5, 15).pvalue
    res = baseline_p_by_simulation(means, sds, ns, n_sim=20000, seed=5, sds_mode="simulated")
    assert res["anova_p"] == pytest.approx(p_t, rel=1e-9)
    assert abs(res["p"] - p_t) < 4 * res["mc_se"]


def test_rounding_of_identical_printed_means():
    # Three printed means of "50" (SD 5, n 25: SE of a mean 1, printed to 1 unit). The
    # analytic p is 1, but a simulated trial only ties with F = 0 when all three rounded
    # means are equal, with probability P_eq = sum_j q_j^3, q_j = P(N(50, 1) in
    # [j - 0.5, j + 0.5)); ties count half, so p = 1 - P_eq / 2.
    j = np.arange(30, 71)
    q = stats.norm.cdf(j + 0.5, 50, 1) - stats.norm.cdf(j - 0.5, 50, 1)
    p_eq = float((q ** 3).sum())
    res = baseline_p_by_simulation(["50", "50", "50"], ["5", "5", "5"], [25, 25, 25],
                                   n_sim=20000, seed=6)
    assert res["anova_p"] == pytest.approx(1.0)
    assert res["p_ge"] == 1.0
    se_tie = math.sqrt(p_eq * (1 - p_eq) / 20000)
    assert abs(res["tie_share"] - p_eq) < 4 * se_tie
    assert abs(res["p"] - (1 - p_eq / 2)) < 4 * se_tie / 2
    assert res["p"] < 0.97                        # far from the analytic p = 1


def test_simulation_rejects_bad_input():
    with pytest.raises(ValueError):
        baseline_p_by_simulation([50.1, 50.2], ["1.0", "1.0"], [10, 10])     # not text
    with pytest.raises(ValueError):
        baseline_p_by_simulation(["50.1"], ["1.0"], [10])                     # one group
    with pytest.raises(ValueError):
        baseline_p_by_simulation(["50.1", "50.2"], ["1.0", "1.0"], [10, 1])
    with pytest.raises(ValueError):
        baseline_p_by_simulation(["50.1", "50.2"], ["1.0", "1.0"], [10, 10], sds_mode="x")


# --- a whole table -----------------------------------------------------------------------

def test_carlisle_trial_four_printed_080_reads_too_alike():
    res = carlisle_trial([{"name": f"v{i}", "p": ".80"} for i in range(4)])
    assert res["combined"].value == pytest.approx(0.046164081, rel=TESTTHAT_TOL)
    assert res["combined_lower_tail"].value == pytest.approx(1 - 0.046164081, rel=1e-7)
    lo, hi = _by_hand([0.805] * 4), _by_hand([0.795] * 4)
    assert (res["combined"].lower, res["combined"].upper) == pytest.approx((lo, hi))
    assert (res["combined_lower_tail"].lower, res["combined_lower_tail"].upper) == \
        pytest.approx((1 - hi, 1 - lo))
    assert res["share_above_half"] == 1.0 and res["k"] == 4
    assert "ALIKE" in res["reading"] and "DIFFERENT" not in res["reading"]


def test_carlisle_trial_mixes_printed_p_and_means():
    variables = [{"name": "age", "p": "0.03"},
                 {"name": "weight", "means": ["70.1", "75.9"], "sds": ["8.0", "9.0"],
                  "ns": [40, 40]},
                 {"name": "height", "means": ["170", "166", "172"], "sds": ["7", "8", "6"],
                  "ns": [30, 30, 30]}]
    res = carlisle_trial(variables)
    p_weight = stats.ttest_ind_from_stats(70.1, 8.0, 40, 75.9, 9.0, 40).pvalue
    p_height = _anova_by_hand([170, 166, 172], [7, 8, 6], [30, 30, 30])[1]
    ps = [0.03, p_weight, p_height]
    assert [v["p"].value for v in res["variables"]] == pytest.approx(ps, rel=1e-9)
    assert res["combined"].value == pytest.approx(_by_hand(ps), rel=1e-9)
    assert res["combined"].value + res["combined_lower_tail"].value == pytest.approx(1)
    uppers = [v["p"].upper for v in res["variables"]]
    assert res["combined"].lower == pytest.approx(_by_hand(uppers), rel=1e-9)
    assert res["share_below_0.05"] == pytest.approx(sum(p < 0.05 for p in ps) / 3)
    assert "DIFFERENT" in res["reading"]


def test_carlisle_trial_simulation_method_uses_the_simulation():
    var = {"name": "x", "means": ["10.2", "10.9"], "sds": ["2.1", "2.3"], "ns": [20, 22]}
    res = carlisle_trial([{"name": "p", "p": ".40"}, var], means_method="simulation",
                         n_sim=3000, seed=9)
    sim = baseline_p_by_simulation(var["means"], var["sds"], var["ns"], n_sim=3000, seed=10)
    assert res["variables"][1]["p"].value == sim["p"]
    assert res["combined"].value == pytest.approx(_by_hand([0.40, sim["p"]]), rel=1e-12)


def test_carlisle_trial_rejects_bad_variables():
    with pytest.raises(ValueError):
        carlisle_trial([])
    with pytest.raises(ValueError):
        carlisle_trial([{"name": "x", "means": ["1.0", "2.0"]}])
    with pytest.raises(ValueError):
        carlisle_trial([{"name": "x", "p": "1.2"}])


def test_a_simulated_p_of_zero_is_a_bound():
    # printed means far apart for their SDs and n: no simulated trial is as extreme, so the
    # Monte Carlo p is reported as below 1 / (n_sim + 1) (Phipson & Smyth 2010), never as 0
    sim = baseline_p_by_simulation(["10.0", "14.0"], ["1.0", "1.0"], [20, 20], n_sim=999, seed=3)
    assert sim["p"] == 0 and sim["p_upper_bound"] == pytest.approx(1 / 1000)
    kept = baseline_p_by_simulation(["10.0", "10.2"], ["1.0", "1.0"], [20, 20], n_sim=999, seed=3)
    assert kept["p"] > 0 and kept["p_upper_bound"] is None
    # in a trial, that variable's p is the bound and the combination is a bound too:
    # Phi(z) at the bound (an upper bound on Phi(z)), 1 - Phi(z) a lower bound
    res = carlisle_trial([{"name": "far", "means": ["10.0", "14.0"], "sds": ["1.0", "1.0"], "ns": [20, 20]},
                          {"name": "printed", "p": "0.40"}], means_method="simulation", n_sim=999, seed=3)
    far = res["variables"][0]
    assert far["bounded"] and (far["p"].value, far["p"].lower, far["p"].upper) == (1 / 1000, 0.0, 1 / 1000)
    z = (stats.norm.ppf(1 / 1000) + stats.norm.ppf(0.40)) / math.sqrt(2)
    assert res["combined_lower_tail"].value == pytest.approx(stats.norm.cdf(z), rel=1e-12)
    assert res["combined"].value == pytest.approx(stats.norm.sf(z), rel=1e-12)
    assert (res["n_bounded"], res["combined_lower_tail_op"], res["combined_op"]) == (1, "<", ">")
    assert res["combined_lower_tail"].lower == 0.0       # p in [0, bound]
    exact = carlisle_trial([{"name": "printed", "p": "0.40"}, {"name": "other", "p": "0.60"}])
    assert (exact["n_bounded"], exact["combined_op"]) == (0, "=")
