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
from; they cannot be estimated from the selected sample alone (the truncation point and
the moments are not identifiable from a truncated sample of this size), so they are
inputs, and the config should cite where they come from. The within-person SD
sigma_w is rarely known and is best varied (:func:`rtm_sensitivity`). Normality,
equal variance at both times and no secular drift are assumed.
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np
import pandas as pd
from scipy import stats


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
