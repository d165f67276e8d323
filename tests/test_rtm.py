"""Tests for reanalysis.beyond.rtm (regression to the mean; Barnett, van der Pols & Dobson,
Int J Epidemiol 2005;34:215-220).

Expected values come from the formula worked by hand with the ``math`` module
(phi(z) = exp(-z^2/2)/sqrt(2 pi), 1 - Phi(z) = erfc(z/sqrt 2)/2), from an independent
library (scipy.stats.truncnorm.mean, the mean of a truncated normal), and from a seeded
simulation of the Barnett model X = T + e1, Y = T + e2 with no treatment.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from reanalysis.beyond.rtm import (exponential_limit_nll, fit_truncated_normal, rtm_effect, rtm_from_sample,
                                   rtm_sensitivity, truncated_mean_shift, within_correlation)


def phi(z):
    return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def upper_tail(z):
    return math.erfc(z / math.sqrt(2)) / 2


def test_cutoff_at_the_mean_by_hand():
    # c = mu: z = 0, C(0) = phi(0) / 0.5 = 2 / sqrt(2 pi) = sqrt(2 / pi) = 0.7978845608.
    # sigma_w^2 / sigma = 0.25 / 1 = 0.25 -> 0.25 * 0.7978845608 = 0.1994711402.
    assert rtm_effect(0.0, 1.0, 0.5, lower=0.0) == pytest.approx(0.1994711402, abs=1e-10)


def test_cutoff_one_sd_above_by_hand():
    # mu = 7.5, sigma_b = 1.2, sigma_w = 0.5: sigma = sqrt(1.44 + 0.25) = 1.3;
    # c = 8.8 -> z = 1.3 / 1.3 = 1. RTM = 0.25 / 1.3 * phi(1) / (1 - Phi(1)).
    sigma = math.sqrt(1.2 ** 2 + 0.5 ** 2)
    expected = 0.25 / sigma * phi(1.0) / upper_tail(1.0)
    # phi(1) = 0.2419707245, 1 - Phi(1) = 0.1586552539, ratio 1.5251352, * 0.1923077
    assert expected == pytest.approx(0.2933, abs=1e-4)
    assert rtm_effect(7.5, sigma, 0.5, lower=8.8) == pytest.approx(expected, rel=1e-12)


def test_interval_by_hand():
    # [c1, c2] = [mu - sigma, mu + 2 sigma]: (phi(-1) - phi(2)) / (Phi(2) - Phi(-1)).
    mu, sigma, sw = 7.0, 1.5, 0.6
    num = phi(-1.0) - phi(2.0)
    den = (1 - upper_tail(2.0)) - upper_tail(1.0)   # Phi(2) - Phi(-1); Phi(-1) = 1 - Phi(1)
    expected = sw ** 2 / sigma * num / den
    assert rtm_effect(mu, sigma, sw, lower=mu - sigma, upper=mu + 2 * sigma) == \
        pytest.approx(expected, rel=1e-12)


def test_symmetric_interval_has_no_rtm():
    assert rtm_effect(7.0, 1.5, 0.6, lower=6.0, upper=8.0) == pytest.approx(0.0, abs=1e-15)


def test_selection_below_is_a_rise():
    # Mirror image of selection above mu + d: the same size, opposite sign.
    above = rtm_effect(7.0, 1.5, 0.6, lower=7.9)
    below = rtm_effect(7.0, 1.5, 0.6, upper=6.1)
    assert below == pytest.approx(-above, rel=1e-12)
    assert above > 0


@pytest.mark.parametrize("z1, z2", [(-1.0, 2.0), (0.3, 0.9), (-3.0, -2.5), (4.0, 9.0),
                                    (1.0, math.inf), (-math.inf, -0.5), (8.0, math.inf),
                                    (30.0, math.inf)])
def test_truncated_shift_matches_scipy_truncnorm(z1, z2):
    # An independent library: the mean of a standard normal truncated to (z1, z2).
    assert truncated_mean_shift(z1, z2) == pytest.approx(stats.truncnorm.mean(z1, z2),
                                                         rel=1e-9)


def test_interval_form_tends_to_one_sided_form():
    mu, sigma, sw, c = 7.5, 1.3, 0.5, 8.0
    one_sided = rtm_effect(mu, sigma, sw, lower=c)
    diffs = [abs(rtm_effect(mu, sigma, sw, lower=c, upper=c + d) - one_sided)
             for d in (1.0, 2.0, 4.0, 8.0, 16.0)]
    assert all(a > b for a, b in zip(diffs, diffs[1:]))      # monotone approach
    assert diffs[-1] < 1e-12


def test_far_tail_is_finite():
    # z = 40: C(z) ~ z + 1/z (Mills ratio); a naive phi/(1 - Phi) gives 0/0.
    val = rtm_effect(0.0, 1.0, 1.0, lower=40.0)
    assert val == pytest.approx(40 + 1 / 40, rel=1e-3)


def test_simulation_without_treatment_matches_formula():
    # Barnett's model: T ~ N(mu, sigma_b^2), X = T + e1, Y = T + e2, no treatment.
    rng = np.random.default_rng(20050215)
    mu, sb, sw, c = 7.5, 1.2, 0.5, 8.0
    n = 400_000
    t = rng.normal(mu, sb, n)
    x = t + rng.normal(0, sw, n)
    y = t + rng.normal(0, sw, n)
    sel = x > c
    fall = x[sel] - y[sel]
    se = fall.std(ddof=1) / math.sqrt(sel.sum())
    expected = rtm_effect(mu, math.hypot(sb, sw), sw, lower=c)
    assert abs(fall.mean() - expected) < 4 * se
    # and an interval selection (a 'moderate' band)
    band = (x >= 6.2) & (x <= 8.0)
    fall_b = x[band] - y[band]
    se_b = fall_b.std(ddof=1) / math.sqrt(band.sum())
    expected_b = rtm_effect(mu, math.hypot(sb, sw), sw, lower=6.2, upper=8.0)
    assert abs(fall_b.mean() - expected_b) < 4 * se_b


def test_rho_by_hand():
    # sigma_b = 1.2, sigma_w = 0.5: rho = 1.44 / 1.69 = 0.852071...
    assert within_correlation(1.3, 0.5) == pytest.approx(1.44 / 1.69, rel=1e-12)


def test_rtm_from_sample_by_hand():
    # mu = 7, sigma = 1, sigma_w = 0.6: rho = 1 - 0.36 = 0.64.
    # Baselines 8, 9, 10 (mean 9): given baselines, (1 - 0.64)(9 - 7) = 0.72.
    # Follow-ups 7.5, 8, 9.5: falls 0.5, 1, 0.5 -> mean 2/3; net = 2/3 - 0.72.
    res = rtm_from_sample([8.0, 9.0, 10.0], 7.5, sigma_within=0.6, mu=7.0,
                          sigma_total=1.0, follow_up_values=[7.5, 8.0, 9.5])
    assert res["n"] == 3 and res["n_outside_selection"] == 0
    assert res["rho"] == pytest.approx(0.64)
    assert res["rtm_given_baselines"] == pytest.approx(0.72)
    assert res["observed_fall"] == pytest.approx(2 / 3)
    assert res["fall_net_of_rtm"] == pytest.approx(2 / 3 - 0.72)
    # the truncated-normal expectation for selection above 7.5 (z = 0.5), by hand
    exp_ = 0.36 * phi(0.5) / upper_tail(0.5)
    assert res["rtm_expected"] == pytest.approx(exp_, rel=1e-12)
    assert res["fall_net_of_rtm_expected"] == pytest.approx(2 / 3 - exp_)


def test_rtm_from_sample_flags_baselines_outside_the_selection():
    res = rtm_from_sample([6.0, 7.0, 9.0], 6.2, 8.0, sigma_within=0.5, mu=7.0,
                          sigma_total=1.0)
    assert res["n_outside_selection"] == 2


def test_sensitivity_table():
    sws = [0.0, 0.3, 0.6, 1.0]
    tab = rtm_sensitivity(7.0, 1.0, sws, lower=8.0, baseline_values=[8.5, 9.5],
                          follow_up_values=[8.0, 9.0])
    assert list(tab["sigma_within"]) == sws
    # sigma_w = 0: no measurement error, no RTM; sigma_w = sigma: rho = 0.
    assert tab["rtm_expected"].iloc[0] == 0.0
    assert tab["rho"].iloc[-1] == pytest.approx(0.0)
    # RTM grows with sigma_w^2 at a fixed total SD: sw^2 * C(1), C(1) by hand
    c1 = phi(1.0) / upper_tail(1.0)
    assert np.allclose(tab["rtm_expected"], [sw ** 2 * c1 for sw in sws], rtol=1e-12)
    # given baselines: sw^2 * (9 - 7); observed fall 0.5
    assert np.allclose(tab["rtm_given_baselines"], [sw ** 2 * 2 for sw in sws])
    assert np.allclose(tab["fall_net_of_rtm"], [0.5 - sw ** 2 * 2 for sw in sws])


@pytest.mark.parametrize("sigma_total, sigma_within", [(1.0, 1.5), (0.0, 0.0), (1.0, -0.1)])
def test_bad_sds(sigma_total, sigma_within):
    with pytest.raises(ValueError):
        rtm_effect(7.0, sigma_total, sigma_within, lower=8.0)


def test_empty_interval():
    with pytest.raises(ValueError):
        rtm_effect(7.0, 1.0, 0.5, lower=8.0, upper=8.0)


# --- can the population be estimated from a selected sample? ---------------------------------

def test_exponential_limit_is_the_truncated_normal_far_below():
    # a normal truncated below at c with mean mu -> -inf and sigma^2 = t (c - mu) tends to an
    # exponential tail above c with mean t; at its MLE t = mean(x) - c its nll is n (log t + 1)
    x = np.array([6.3, 6.5, 7.0, 7.4, 8.1, 9.6])
    c, t = 6.2, float(np.mean(x) - 6.2)
    assert exponential_limit_nll(x, c) == pytest.approx(len(x) * (math.log(t) + 1), rel=1e-12)
    mu = -1e5
    sigma = math.sqrt(t * (c - mu))
    far = -stats.truncnorm.logpdf(x, (c - mu) / sigma, np.inf, loc=mu, scale=sigma).sum()
    assert far == pytest.approx(exponential_limit_nll(x, c), rel=1e-4)


def test_a_large_truncated_normal_sample_identifies_its_population():
    rng = np.random.default_rng(7)
    mu, sigma, c = 7.4, 1.3, 6.2
    x = stats.truncnorm.rvs((c - mu) / sigma, np.inf, loc=mu, scale=sigma, size=3000, random_state=rng)
    fit = fit_truncated_normal(x, c)
    assert fit["identifiable"]
    assert fit["mu_low"] < mu < fit["mu_high"]
    assert fit["mu_high"] - fit["mu_low"] < 0.5
    # the interval's ends are where the profile likelihood is chi2(1, 0.95) / 2 above its minimum
    cut = fit["neg_log_likelihood"] + stats.chi2.ppf(0.95, 1) / 2
    for end in (fit["mu_low"], fit["mu_high"]):
        prof = min(-stats.truncnorm.logpdf(x, (c - end) / s, np.inf, loc=end, scale=s).sum()
                   for s in np.linspace(0.8, 2.5, 3401))
        assert prof == pytest.approx(cut, abs=2e-3)


def test_an_exponential_looking_sample_does_not():
    # values above 6.2 that fall off like an exponential tail: the fitted mean runs far below
    # 0 and the profile interval is unbounded below; its upper end is still finite
    x = 6.2 + stats.expon.ppf((np.arange(60) + 0.5) / 60, scale=1.3)
    fit = fit_truncated_normal(x, 6.2)
    assert not fit["identifiable"] and fit["mu_low"] == -math.inf
    assert fit["mu"] < 0 and math.isfinite(fit["mu_high"])
    assert fit["limit_nll"] - fit["neg_log_likelihood"] < stats.chi2.ppf(0.95, 1) / 2
