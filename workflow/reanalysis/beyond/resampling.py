"""Resampling checks on patient-level data: bootstrap intervals and sign-flip tests.

* :func:`bootstrap_ci`: scipy.stats.bootstrap with a seeded numpy Generator, so a run
  is reproducible (same seed, same interval).
* :func:`paired_permutation_p`: the paired permutation (sign-flip) test of the mean
  difference, via scipy.stats.permutation_test(permutation_type='samples'), which
  swaps before and after within pairs. scipy (1.17) enumerates all 2^n swaps when
  n_resamples >= 2^n (exact, p = count / 2^n); otherwise it draws n_resamples random
  swaps with the seeded Generator and uses p = (count + 1) / (n_resamples + 1).
  The two-sided p is scipy's: twice the smaller one-sided p, capped at 1 (for the
  symmetric sign-flip distribution the same as counting |T| >= |t|).
* :func:`exact_sign_flip_p`: the exact sign-flip p without sampling: by enumerating
  all 2^n sign vectors for n <= ``max_enumerate`` (default 20), and for any n when the
  differences lie on a decimal grid (HbA1c to 0.1 %: differences are multiples of
  0.1) by counting the distribution of the signed sum with exact integer
  convolution, so Matsuoka's n = 58 gets an exact p.

Ties with the observed statistic are counted as at least as extreme; float statistics
are compared with scipy's relative tolerance (100 machine epsilons), integer sums
exactly. Zero differences are flipped too (as scipy does); they do not change the sum.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Callable, Iterable

import numpy as np
from scipy import stats

METHODS = ("percentile", "bca", "basic")


def bootstrap_ci(x: Iterable[float], stat: Callable = np.mean, n_boot: int = 9999,
                 seed: int = 0, level: float = 0.95, method: str = "percentile") -> dict:
    """Bootstrap confidence interval of ``stat`` (which must accept ``axis=`` to be
    vectorised; np.mean / np.median do).

    Returns {estimate, low, high, standard_error, level, method, n, n_boot, seed}.
    ``method``: 'percentile', 'bca' (bias-corrected and accelerated) or 'basic'."""
    method = method.lower()
    if method not in METHODS:
        raise ValueError(f"method {method!r}: choose from {METHODS}")
    data = np.asarray(list(x), dtype=float)
    if data.size < 2:
        raise ValueError("a bootstrap needs at least two values")
    res = stats.bootstrap((data,), stat, n_resamples=n_boot, confidence_level=level,
                          method={"bca": "BCa"}.get(method, method),
                          rng=np.random.default_rng(seed))
    return {"estimate": float(stat(data)), "low": float(res.confidence_interval.low),
            "high": float(res.confidence_interval.high),
            "standard_error": float(res.standard_error), "level": level, "method": method,
            "n": int(data.size), "n_boot": int(n_boot), "seed": seed}


def _mean_difference(x, y, axis=-1):
    return np.mean(x - y, axis=axis)


def paired_permutation_p(before: Iterable[float], after: Iterable[float],
                         n_resamples: int = 9999, seed: int = 0,
                         alternative: str = "two-sided") -> dict:
    """Sign-flip permutation test of the mean of before - after.

    Returns {statistic (mean difference), p, exact (all 2^n swaps enumerated),
    n, n_resamples (the number scipy used: 2^n when exact), alternative, seed}."""
    x = np.asarray(list(before), dtype=float)
    y = np.asarray(list(after), dtype=float)
    if x.shape != y.shape or x.ndim != 1 or x.size < 1:
        raise ValueError("before and after must be equally long, non-empty sequences")
    res = stats.permutation_test((x, y), _mean_difference, permutation_type="samples",
                                 n_resamples=n_resamples, alternative=alternative,
                                 vectorized=True, rng=np.random.default_rng(seed))
    exact = n_resamples >= 2 ** x.size
    return {"statistic": float(res.statistic), "p": float(res.pvalue), "exact": exact,
            "n": int(x.size), "n_resamples": int(2 ** x.size if exact else n_resamples),
            "alternative": alternative, "seed": seed}


def _on_grid(d: np.ndarray, max_decimals: int) -> int | None:
    """The fewest decimals (<= max_decimals) at which every value is a whole number of
    units, or None."""
    for dec in range(max_decimals + 1):
        scaled = d * 10 ** dec
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1, np.abs(scaled))):
            return dec
    return None


def _tail_counts_enumerate(d: np.ndarray) -> tuple[int, int, int]:
    """(# sums <= observed, # sums >= observed, # |sum| >= |observed|) over all 2^n
    sign vectors, with scipy's relative tolerance; in chunks of 2^16 sign vectors."""
    n = d.size
    obs = float(d.sum())
    gamma = abs(obs) * np.finfo(float).eps * 100
    le = ge = both = 0
    bits = np.arange(n)
    chunk = 1 << min(n, 16)
    for start in range(0, 1 << n, chunk):
        idx = np.arange(start, start + chunk, dtype=np.int64)
        signs = 1 - 2 * ((idx[:, None] >> bits) & 1)
        sums = signs @ d
        le += int(np.count_nonzero(sums <= obs + gamma))
        ge += int(np.count_nonzero(sums >= obs - gamma))
        both += int(np.count_nonzero(np.abs(sums) >= abs(obs) - gamma))
    return le, ge, both


def _tail_counts_convolve(a: list[int]) -> tuple[int, int, int]:
    """The same counts for integer values by the exact distribution of sum(+-a_i):
    counts[s] over s in [-T, T], T = sum |a_i|, built one value at a time with Python
    integers (no overflow at 2^n)."""
    total = sum(abs(v) for v in a)
    counts = [0] * (2 * total + 1)
    counts[total] = 1
    reach = 0
    for v in (abs(v) for v in a):
        new = [0] * (2 * total + 1)
        for s in range(total - reach, total + reach + 1):
            c = counts[s]
            if c:
                new[s + v] += c
                new[s - v] += c
        counts = new
        reach += v
    obs = sum(a)
    le = sum(counts[: obs + total + 1])
    ge = sum(counts[obs + total:])
    both = sum(c for s, c in enumerate(counts) if abs(s - total) >= abs(obs))
    return le, ge, both


def exact_sign_flip_p(d: Iterable[float], alternative: str = "two-sided",
                      max_enumerate: int = 20, max_decimals: int = 6,
                      method: str | None = None) -> dict:
    """Exact sign-flip p for the mean of the paired differences ``d`` (H0: the
    distribution of d is symmetric about 0), with no sampling.

    Differences on a decimal grid (at most ``max_decimals`` decimals) are counted by
    exact convolution of the integer signed sums (any n); otherwise all 2^n sign vectors
    are enumerated, for n <= ``max_enumerate``. ``method`` ('enumeration' or
    'integer convolution') forces one of the two. Two-sided: the share of sign vectors
    with |sum| >= |observed sum| (equal to scipy's 2 * min(one-sided) for this symmetric
    distribution, capped at 1). 'greater' / 'less': share with sum >= / <= observed.

    Returns {statistic (mean of d), p, p_fraction (exact 'count/2^n' text), n,
    n_sign_flips (2^n), method ('enumeration' | 'integer convolution'), decimals}."""
    x = np.asarray(list(d), dtype=float)
    if x.ndim != 1 or x.size < 1:
        raise ValueError("need a non-empty sequence of differences")
    if alternative not in ("two-sided", "greater", "less"):
        raise ValueError(f"alternative {alternative!r}")
    n = x.size
    if method not in (None, "enumeration", "integer convolution"):
        raise ValueError(f"method {method!r}")
    dec = None if method == "enumeration" else _on_grid(x, max_decimals)
    if dec is not None and np.abs(np.round(x * 10 ** dec)).sum() <= 10 ** 6:
        a = [int(v) for v in np.round(x * 10 ** dec)]
        le, ge, both = _tail_counts_convolve(a)
        method = "integer convolution"
    elif method == "integer convolution":
        raise ValueError(f"the differences are not on a grid of at most {max_decimals} "
                         "decimals (or their integer sum exceeds 10^6)")
    elif n <= max_enumerate:
        le, ge, both = _tail_counts_enumerate(x)
        method, dec = "enumeration", None
    else:
        raise ValueError(f"n = {n} > max_enumerate = {max_enumerate} and the differences are "
                         f"not on a grid of at most {max_decimals} decimals")
    count = {"two-sided": both, "greater": ge, "less": le}[alternative]
    frac = Fraction(count, 2 ** n)
    return {"statistic": float(x.mean()), "p": float(frac), "p_fraction": f"{count}/{2 ** n}",
            "n": int(n), "n_sign_flips": 2 ** n, "method": method, "decimals": dec}
