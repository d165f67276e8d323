"""Regression to the mean (RTM) when subjects are selected on their baseline.

Model (Barnett AG, van der Pols JC, Dobson AJ. Regression to the mean: what it is and
how to deal with it. Int J Epidemiol 2005;34:215-220): a subject's measurement at
baseline is X = T + e1 and at follow-up Y = T + e2, with the true value
T ~ N(mu, sigma_b^2) and independent errors e1, e2 ~ N(0, sigma_w^2). The total SD is
sigma = sqrt(sigma_b^2 + sigma_w^2) and the correlation of X and Y is
rho = sigma_b^2 / sigma^2. Without any treatment and without drift, the expected fall
(baseline minus follow-up) of the subjects whose baseline lies in [c1, c2] is

    RTM = sigma_w^2 / sigma * (phi(z1) - phi(z2)) / (Phi(z2) - Phi(z1)),
    z1 = (c1 - mu) / sigma,  z2 = (c2 - mu) / sigma,

because E[X - Y | X] = (1 - rho)(X - mu) and (1 - rho) sigma = sigma_w^2 / sigma. With
c2 = +inf (selection above c = c1) this is Barnett's sigma_w^2/sigma * C(z),
C(z) = phi(z) / (1 - Phi(z)). With c1 = -inf (selection below c2) it is negative: the
selected subjects are expected to rise. The sign convention is the config's
``hba1c_reduction`` (before minus after): a positive RTM is a spurious *fall*.

Limitations: mu and sigma are those of the population the subjects were selected
from; they cannot in general be estimated from the selected sample alone, so they are
inputs, and the config should cite where they come from. :func:`fit_truncated_normal`
says whether a given sample identifies them: the maximum-likelihood normal truncated at
the cut-off, with the 95% profile-likelihood interval of its mean. As the mean goes to
minus infinity (with sigma^2 / (c - mu) fixed) a normal truncated below at c tends to an
exponential tail above c, whose likelihood is the limit of the profile; where that limit
lies within the interval's cut-off of the maximum, the interval is unbounded below and
the population is not identifiable (any mean below the upper end fits about as well, and
the maximum itself, often far below 0, is an artefact of a flat likelihood). The within-person SD
sigma_w is rarely known and is best varied (:func:`rtm_sensitivity`). Normality,
equal variance at both times and no secular drift are assumed.
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np
import pandas as pd
from scipy import optimize, stats

_PROFILE_LEVEL = 0.95


def _truncnorm_nll(x: np.ndarray, lower: float, mu: float, sigma: float) -> float:
    return -float(stats.truncnorm.logpdf(x, (lower - mu) / sigma, np.inf, loc=mu, scale=sigma).sum())


def _profile_nll(x: np.ndarray, lower: float, mu: float) -> float:
    """min over sigma of the negative log-likelihood at mean mu. sigma is searched on a log
    scale around sqrt(max(var, excess (lower - mu))), the scale of the exponential limit."""
    excess = float(x.mean()) - lower
    centre = 0.5 * math.log(max(float(x.var()), excess * max(lower - mu, 0.0), 1e-12))
    res = optimize.minimize_scalar(lambda ls: _truncnorm_nll(x, lower, mu, math.exp(ls)),
                                   bounds=(centre - 6, centre + 6), method="bounded",
                                   options={"xatol": 1e-10})
    return float(res.fun)


def exponential_limit_nll(x: Iterable[float], lower: float) -> float:
    """The negative log-likelihood of the exponential tail above ``lower`` with its MLE mean
    excess t = mean(x) - lower: n log t + sum(x - lower) / t = n (log t + 1), the limit of a
    normal truncated below at ``lower`` as its mean goes to minus infinity."""
    x = np.asarray(list(x), dtype=float)
    t = float(x.mean()) - lower
    if not t > 0:
        raise ValueError("every value must lie above the cut-off")
    return x.size * (math.log(t) + 1.0)


def fit_truncated_normal(x: Iterable[float], lower: float, level: float = _PROFILE_LEVEL) -> dict:
    """Maximum-likelihood normal truncated below at ``lower`` (scipy.stats.truncnorm,
    Nelder-Mead on (mu, log sigma)), the population a sample selected at ``lower`` would
    come from, with the profile-likelihood interval of its mean at ``level``.

    Returns ``mu``, ``sigma``, ``success``, ``neg_log_likelihood``, ``share_above`` (the
    share of the fitted population above the cut-off), ``limit_nll`` (the exponential
    limit's, :func:`exponential_limit_nll`), ``mu_low`` (-inf when the limit lies within the
    cut-off chi2(1, level) / 2 of the maximum), ``mu_high`` (where the profile reaches that
    cut-off above the maximum) and ``identifiable`` (both ends finite)."""
    x = np.asarray(list(x), dtype=float)
    if np.any(x <= lower):
        raise ValueError(f"every value must lie above the cut-off {lower}")

    def nll(theta):
        return _truncnorm_nll(x, lower, theta[0], math.exp(theta[1]))

    res = optimize.minimize(nll, [float(x.mean()), math.log(float(x.std(ddof=1)))],
                            method="Nelder-Mead",
                            options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 20000})
    mu, sigma, best = float(res.x[0]), math.exp(float(res.x[1])), float(res.fun)
    limit = exponential_limit_nll(x, lower)
    cut = best + float(stats.chi2.ppf(level, 1)) / 2

    def above(m):
        return _profile_nll(x, lower, m) - cut
    # above the maximum the profile rises without bound: step up until it crosses
    step = max(float(x.std(ddof=1)), 1e-3)
    top = max(mu, float(x.mean()))
    while above(top) < 0:
        top += step
        step *= 2
    mu_high = float(optimize.brentq(above, mu, top, xtol=1e-10))
    if limit <= cut:
        mu_low = -math.inf
    else:
        step, bottom = max(float(x.std(ddof=1)), 1e-3), mu
        while above(bottom) < 0:
            bottom -= step
            step *= 2
        mu_low = float(optimize.brentq(above, bottom, mu, xtol=1e-10))
    return {"mu": mu, "sigma": sigma, "success": bool(res.success), "neg_log_likelihood": best,
            "share_above": float(stats.norm.sf((lower - mu) / sigma)), "limit_nll": limit,
            "mu_low": mu_low, "mu_high": mu_high, "level": level,
            "identifiable": math.isfinite(mu_low) and bool(res.success)}


def _check_sds(sigma_total: float, sigma_within: float) -> None:
    if not (sigma_total > 0 and math.isfinite(sigma_total)):
        raise ValueError(f"sigma_total must be positive and finite, got {sigma_total!r}")
    if not (0 <= sigma_within <= sigma_total):
        raise ValueError(f"sigma_within must lie in [0, sigma_total = {sigma_total}], "
                         f"got {sigma_within!r}")


def truncated_mean_shift(z1: float, z2: float) -> float:
    """E[Z | z1 < Z < z2] for a standard normal Z: (phi(z1) - phi(z2)) / (Phi(z2) - Phi(z1)).

    The probability in the denominator is taken from the tail it is smallest in (sf
    when the interval lies above 0), and the one-sided case z2 = +inf as
    exp(logpdf(z1) - logsf(z1)), so that far tails do not lose all their digits."""
    if not z1 < z2:
        raise ValueError(f"empty selection interval: z1 = {z1}, z2 = {z2}")
    if math.isinf(z2) and math.isinf(z1):
        return 0.0
    if math.isinf(z2):
        return float(np.exp(stats.norm.logpdf(z1) - stats.norm.logsf(z1)))
    if math.isinf(z1):
        return float(-np.exp(stats.norm.logpdf(z2) - stats.norm.logcdf(z2)))
    num = stats.norm.pdf(z1) - stats.norm.pdf(z2)
    if z1 > 0:
        den = stats.norm.sf(z1) - stats.norm.sf(z2)
    else:
        den = stats.norm.cdf(z2) - stats.norm.cdf(z1)
    if den <= 0:
        raise ValueError(f"selection interval [{z1}, {z2}] (in SD units) has no probability "
                         "mass in double precision")
    return float(num / den)


def _z(bound: float | None, mu: float, sigma: float, default: float) -> float:
    return default if bound is None else (float(bound) - mu) / sigma


def rtm_effect(mu: float, sigma_total: float, sigma_within: float,
               lower: float | None = None, upper: float | None = None) -> float:
    """Expected fall (baseline minus follow-up) from RTM alone among subjects whose
    baseline lies in [lower, upper] (None = unbounded on that side).

    ``mu``, ``sigma_total``: mean and total SD of the baseline in the population selected
    from; ``sigma_within``: within-person SD (sigma_w). Barnett et al. 2005, eq. for
    selection above a cut-off, written for an interval (see the module text). Whether
    the bounds are strict does not matter for a continuous baseline."""
    _check_sds(sigma_total, sigma_within)
    z1 = _z(lower, mu, sigma_total, -math.inf)
    z2 = _z(upper, mu, sigma_total, math.inf)
    return sigma_within ** 2 / sigma_total * truncated_mean_shift(z1, z2)


def within_correlation(sigma_total: float, sigma_within: float) -> float:
    """rho = sigma_b^2 / sigma^2 = 1 - sigma_w^2 / sigma^2."""
    _check_sds(sigma_total, sigma_within)
    return 1.0 - (sigma_within / sigma_total) ** 2


def rtm_from_sample(baseline_values: Iterable[float], lower: float | None = None,
                    upper: float | None = None, *, sigma_within: float, mu: float,
                    sigma_total: float,
                    follow_up_values: Iterable[float] | None = None) -> dict:
    """RTM for a selected sample, with the population's ``mu`` and ``sigma_total`` given.

    Returns a dict:
      n, n_outside_selection (baselines outside [lower, upper]: the selection the
        formula assumes is not the one the sample shows if this is > 0),
      baseline_mean, rho,
      rtm_expected: :func:`rtm_effect` (truncated-normal expectation),
      rtm_given_baselines: (1 - rho) * (mean baseline - mu), the expected fall given the
        baselines actually observed (E[X - Y | X = x] = (1 - rho)(x - mu), averaged),
    and with ``follow_up_values`` (same order as the baselines):
      observed_fall (mean of baseline minus follow-up),
      fall_net_of_rtm (observed_fall - rtm_given_baselines),
      fall_net_of_rtm_expected (observed_fall - rtm_expected).
    """
    x = np.asarray(list(baseline_values), dtype=float)
    if x.size == 0:
        raise ValueError("no baseline values")
    rho = within_correlation(sigma_total, sigma_within)
    outside = np.zeros(x.size, dtype=bool)
    if lower is not None:
        outside |= x < lower
    if upper is not None:
        outside |= x > upper
    out = {"n": int(x.size), "n_outside_selection": int(outside.sum()),
           "baseline_mean": float(x.mean()), "rho": rho,
           "rtm_expected": rtm_effect(mu, sigma_total, sigma_within, lower, upper),
           "rtm_given_baselines": (1.0 - rho) * (float(x.mean()) - mu)}
    if follow_up_values is not None:
        y = np.asarray(list(follow_up_values), dtype=float)
        if y.shape != x.shape:
            raise ValueError(f"{y.size} follow-up values for {x.size} baselines")
        fall = float(np.mean(x - y))
        out |= {"observed_fall": fall,
                "fall_net_of_rtm": fall - out["rtm_given_baselines"],
                "fall_net_of_rtm_expected": fall - out["rtm_expected"]}
    return out


def rtm_sensitivity(mu: float, sigma_total: float, sigma_within_values: Iterable[float],
                    lower: float | None = None, upper: float | None = None, *,
                    baseline_values: Iterable[float] | None = None,
                    follow_up_values: Iterable[float] | None = None) -> pd.DataFrame:
    """One row per within-person SD: sigma_within, rho, rtm_expected, and with
    ``baseline_values`` also the columns of :func:`rtm_from_sample` (rtm_given_baselines,
    and with follow-up values observed_fall, fall_net_of_rtm, fall_net_of_rtm_expected).
    The total SD is held at ``sigma_total``: a larger sigma_w means a smaller rho."""
    base = None if baseline_values is None else list(baseline_values)
    follow = None if follow_up_values is None else list(follow_up_values)
    rows = []
    for sw in sigma_within_values:
        sw = float(sw)
        row = {"sigma_within": sw, "rho": within_correlation(sigma_total, sw),
               "rtm_expected": rtm_effect(mu, sigma_total, sw, lower, upper)}
        if base is not None:
            res = rtm_from_sample(base, lower, upper, sigma_within=sw, mu=mu,
                                  sigma_total=sigma_total, follow_up_values=follow)
            row |= {k: v for k, v in res.items()
                    if k in ("rtm_given_baselines", "observed_fall", "fall_net_of_rtm",
                             "fall_net_of_rtm_expected", "n", "n_outside_selection")}
        rows.append(row)
    return pd.DataFrame(rows)
