"""Tipping points for patients who are reported but not printed.

A paper reports N patients but its table prints m < N of them; the k = N - m missing
patients are unknown, but each one's change lies within physiological bounds [lo, hi]
(given by the caller, e.g. from :func:`change_bounds`). Two questions:

* :func:`tipping_paired`: over every way of filling in the k changes within
  [lo, hi]^k, how small and how large can the p of the paired t-test (a one-sample t
  on the N changes, two-sided, H0 mean 0) be, can the printed claim about p fail, and
  how far from a neutral imputation must a common value of the k changes go before it
  fails?
* :func:`tipping_mean`: the range of a (subgroup) mean with k further values, and
  whether a printed mean is reachable.

Exact extremes of the t-test p over the box. The p depends on the missing values
y_1..y_k only through s = sum(y) and q = sum(y^2), and decreases with |t|,
t = S sqrt((N-1)/N) / sqrt(SS), S the total sum and SS = Q - S^2/N the total sum of
squared deviations. For a fixed s:

* |t| is largest when q is smallest, i.e. all y equal to s/k. So the smallest p lies on
  the diagonal y_1 = ... = y_k = v, and along it t(v) has a single stationary point,
  v* = Q_m / S_m (Q_m, S_m: sum of squares and sum of the printed changes; setting
  d/dv [S/sqrt(SS)] = 0 gives Q_m - S_m v = 0). Candidates: v = lo, hi, v*.
* |t| is smallest when q is largest: a maximum of the convex q on the polytope
  {y in box, sum y = s} sits at a vertex, where at most one y is strictly inside
  [lo, hi]. So the largest p lies on an edge of the box: j values at lo, k-1-j at hi
  and one free u, whose stationary point is u* = Q'/S' (sums over the other N-1
  values). Candidates: the k+1 corners (by symmetry only the count at lo matters) and
  the k edge stationary points. If the total can be 0 (-S_m in [k lo, k hi]) the
  largest p is 1, at the common value -S_m / k.

The box is connected and p continuous on it, so the reachable p form the interval
[p_min, p_max]; a claim (a convex set of p, see rounding.Claim) can fail iff it fails at
p_min or at p_max. tests/test_tipping.py checks the extremes by brute force on grids.

Limitations: only the paired t-test (two-sided, as in the pipeline's pingouin call);
the missing patients are assumed to have both measurements; bounds apply to each
missing change independently; 'smallest departure' is measured along the diagonal
(all k missing changes equal), which is one path of many -- the exact range over the
whole box is reported separately (p_min, p_max).
"""
from __future__ import annotations

import math
from decimal import Decimal
from typing import Iterable, Sequence

import numpy as np
from scipy import optimize, stats

from reanalysis.engine.rounding import parse_claim

TESTS = ("paired_t",)


def change_bounds(before_range: tuple[float, float],
                  after_range: tuple[float, float]) -> tuple[float, float]:
    """Bounds of a change before - after when before and after lie in the given ranges
    (e.g. baseline [6.2, 20] by the inclusion criterion and a physiological range, follow-up
    [3, 20]): (before_lo - after_hi, before_hi - after_lo)."""
    (b_lo, b_hi), (a_lo, a_hi) = before_range, after_range
    if b_lo > b_hi or a_lo > a_hi:
        raise ValueError("ranges must be (low, high) with low <= high")
    return b_lo - a_hi, b_hi - a_lo


def _p_value(values: np.ndarray) -> float:
    """Two-sided one-sample t-test p (H0: mean 0), from scipy; 0 when every value is
    equal and non-zero (SD 0, |t| infinite), 1 when every value is 0."""
    if np.ptp(values) == 0:
        return 1.0 if values[0] == 0 else 0.0
    return float(stats.ttest_1samp(values, 0.0).pvalue)


def _complete(changes: np.ndarray, missing: Sequence[float]) -> np.ndarray:
    return np.concatenate([changes, np.asarray(missing, dtype=float)])


def _candidates(changes: np.ndarray, k: int, lo: float, hi: float) -> list[tuple[float, ...]]:
    """Configurations of the k missing values among which the extremes of p lie (see
    the module text)."""
    s_m, q_m = float(changes.sum()), float((changes ** 2).sum())
    cands: list[tuple[float, ...]] = []
    # corners: j at lo, k - j at hi
    for j in range(k + 1):
        cands.append((lo,) * j + (hi,) * (k - j))
    # diagonal stationary point v* = Q_m / S_m
    if s_m != 0:
        v = q_m / s_m
        if lo < v < hi:
            cands.append((v,) * k)
    # edges: j at lo, k-1-j at hi, one free u; stationary u* = Q'/S'
    for j in range(k):
        fixed = (lo,) * j + (hi,) * (k - 1 - j)
        s_o = s_m + sum(fixed)
        q_o = q_m + sum(f * f for f in fixed)
        if s_o != 0:
            u = q_o / s_o
            if lo < u < hi:
                cands.append(fixed + (u,))
    # mean zero reachable: p = 1 at the common value -S_m / k
    if k * lo <= -s_m <= k * hi:
        cands.append((-s_m / k,) * k)
    return cands


def p_range_paired(changes: Iterable[float], k: int, lo: float, hi: float) -> dict:
    """Exact smallest and largest two-sided paired-t p over [lo, hi]^k, with the k
    missing changes that attain them: {p_min, config_p_min, p_max, config_p_max,
    n_candidates}."""
    x = np.asarray(list(changes), dtype=float)
    _check(x, k, lo, hi)
    if k == 0:
        p = _p_value(x)
        return {"p_min": p, "config_p_min": [], "p_max": p, "config_p_max": [],
                "n_candidates": 1}
    cands = _candidates(x, k, lo, hi)
    ps = [_p_value(_complete(x, c)) for c in cands]
    i_min, i_max = int(np.argmin(ps)), int(np.argmax(ps))
    return {"p_min": ps[i_min], "config_p_min": list(cands[i_min]),
            "p_max": ps[i_max], "config_p_max": list(cands[i_max]),
            "n_candidates": len(cands)}


def _check(x: np.ndarray, k: int, lo: float, hi: float) -> None:
    if x.size < 1 or x.size + k < 2:
        raise ValueError("a t-test needs at least two values in all")
    if not (isinstance(k, (int, np.integer)) and k >= 0):
        raise ValueError(f"k must be a non-negative integer, got {k!r}")
    if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
        raise ValueError(f"bounds must be finite with lo <= hi, got [{lo}, {hi}]")


def _claim_thresholds(claim) -> list[float]:
    """The p values at which a claim can change from holding to failing."""
    num = claim.number
    points = [num.lower, num.upper] if claim.op == "=" else [num.value]
    return [float(p) for p in points if Decimal(0) < p < Decimal(1)]


def _diagonal_sets(x: np.ndarray, k: int, lo: float, hi: float, claim) -> tuple[list, list]:
    """Where on the diagonal (all k missing = v, v in [lo, hi]) the claim fails and where
    it holds, as lists of intervals {low, high, low_included, high_included}. p(v) is
    monotone between the stationary point v* and the zero of the total, so each claim
    threshold is crossed at most once per piece and is located with brentq; the claim's
    status is then constant on each open piece between crossings."""
    s_m, q_m = float(x.sum()), float((x ** 2).sum())

    def p_of(v: float) -> float:
        return _p_value(_complete(x, (v,) * k))

    splits = {lo, hi}
    if s_m != 0 and lo < q_m / s_m < hi:
        splits.add(q_m / s_m)
    if lo < -s_m / k < hi:
        splits.add(-s_m / k)
    splits = sorted(splits)
    points = set(splits)
    for thr in _claim_thresholds(claim):
        for a, b in zip(splits, splits[1:]):
            fa, fb = p_of(a) - thr, p_of(b) - thr
            if fa == 0:
                points.add(a)
            elif fa * fb < 0:
                points.add(optimize.brentq(lambda v: p_of(v) - thr, a, b,
                                           xtol=1e-13, rtol=4 * np.finfo(float).eps))
    points = sorted(points)
    # the diagonal as alternating elements: point, open piece, point, ..., point
    elements = []
    for i, v in enumerate(points):
        elements.append((v, v, claim.holds_for(p_of(v))))
        if i + 1 < len(points):
            b = points[i + 1]
            elements.append((v, b, claim.holds_for(p_of((v + b) / 2)), "open"))
    fail, hold = [], []
    for status, out in ((False, fail), (True, hold)):
        run = None
        for el in elements:
            is_point = len(el) == 3
            if el[2] == status:
                if run is None:
                    run = {"low": el[0], "high": el[1], "low_included": is_point,
                           "high_included": is_point}
                else:
                    run["high"], run["high_included"] = el[1], is_point
            elif run is not None:
                out.append(run)
                run = None
        if run is not None:
            out.append(run)
    return fail, hold


def tipping_paired(changes: Iterable[float], k: int, lo: float, hi: float, claim: str,
                   test: str = "paired_t", reference: float | None = None) -> dict:
    """How the k missing patients could move the paired test's p, and whether the
    printed ``claim`` about p (e.g. '< 0.0001', '0.0122') survives.

    ``changes``: the m printed paired differences (either sign convention; the test is
    two-sided); ``k``: patients reported but not printed; [lo, hi]: bounds of each
    missing change; ``reference``: the neutral common value of the k missing changes
    from which the departure is measured (default: the mean of the printed changes,
    i.e. imputation at the observed mean).

    Returns a dict with keys
      test, claim, m, k, n_total, lo, hi,
      p_printed, holds_printed: p of the m printed patients and the claim on it,
      p_min, config_p_min, p_max, config_p_max: exact extremes over [lo, hi]^k and the
        k missing changes attaining them,
      holds_at_p_min, holds_at_p_max,
      claim_reachable: some completion satisfies the claim,
      overturnable: some completion makes the claim fail,
      reference, p_reference, holds_reference,
      diagonal_fail_set, diagonal_hold_set: the common values v in [lo, hi] of the k
        missing changes at which the claim fails / holds, as lists of intervals
        {low, high, low_included, high_included},
      tipping_common_value: the end of the failing interval nearest the reference (the
        reference itself if the claim already fails there; None if no common value
        fails), tipping_value_fails: whether that end point itself fails (False when it
        is the limit of an open interval, e.g. p exactly at a '<' threshold),
      tipping_departure: its distance from the reference, p_at_tipping,
      method: a sentence on how the extremes were found.
    """
    if test not in TESTS:
        raise NotImplementedError(f"test {test!r}: only {TESTS} is implemented")
    c = parse_claim(claim)
    x = np.asarray(list(changes), dtype=float)
    _check(x, k, lo, hi)
    rng = p_range_paired(x, k, lo, hi)
    p_printed = _p_value(x) if x.size >= 2 else float("nan")
    ref = float(np.mean(x)) if reference is None else float(reference)
    ref = min(max(ref, lo), hi)
    out = {"test": test, "claim": c.text, "m": int(x.size), "k": int(k),
           "n_total": int(x.size + k), "lo": lo, "hi": hi,
           "p_printed": p_printed,
           "holds_printed": bool(c.holds_for(p_printed)) if x.size >= 2 else None,
           **{key: rng[key] for key in ("p_min", "config_p_min", "p_max", "config_p_max")},
           "holds_at_p_min": c.holds_for(rng["p_min"]),
           "holds_at_p_max": c.holds_for(rng["p_max"]),
           "claim_reachable": c.overlaps(rng["p_min"], rng["p_max"])}
    out["overturnable"] = not (out["holds_at_p_min"] and out["holds_at_p_max"])
    p_ref = _p_value(_complete(x, (ref,) * k))
    out |= {"reference": ref, "p_reference": p_ref, "holds_reference": c.holds_for(p_ref)}
    fail, hold = _diagonal_sets(x, k, lo, hi, c) if k > 0 else ([], [])
    out["diagonal_fail_set"], out["diagonal_hold_set"] = fail, hold
    tip, tip_included = None, None
    if k > 0 and not out["holds_reference"]:
        tip, tip_included = ref, True
    elif fail:
        ends = [(iv[end], iv[end + "_included"]) for iv in fail for end in ("low", "high")]
        tip, tip_included = min(ends, key=lambda e: abs(e[0] - ref))
    out["tipping_common_value"] = tip
    out["tipping_value_fails"] = tip_included
    out["tipping_departure"] = None if tip is None else abs(tip - ref)
    out["p_at_tipping"] = None if tip is None else _p_value(_complete(x, (tip,) * k))
    out["method"] = (f"two-sided one-sample t-test on the {x.size} printed and {k} missing "
                     f"changes (scipy.stats.ttest_1samp); extremes of p over "
                     f"[{lo:g}, {hi:g}]^{k} from {rng['n_candidates']} exact candidates "
                     "(corners, diagonal and edge stationary points); departure along the "
                     f"diagonal from the reference {ref:g}")
    return out


def tipping_mean(values: Iterable[float], k: int, lo: float, hi: float,
                 printed_mean: str) -> dict:
    """Range of the mean of ``values`` plus k unknown values in [lo, hi], and whether the
    printed mean (a claim such as '1.72' or '> 0') is reachable.

    Returns a dict with keys
      claim, m, k, n_total, lo, hi,
      mean_printed (of the m values), holds_printed,
      mean_min, mean_max: (S + k lo)/(m + k), (S + k hi)/(m + k),
      reachable: the claim holds for some completion (Claim.overlaps),
      holds_for_all: it holds for every completion,
      required_missing_mean: (low, high), the average of the k missing values for which
        the mean prints as claimed, cut to [lo, hi] (half-way end points are not
        resolved here; ``reachable`` is), or None when unreachable or k = 0,
      by_k: the same range and reachability for each k' = 0..k (when only some of the
        missing patients belong to the subgroup): [{k, mean_min, mean_max, reachable}].
    """
    c = parse_claim(printed_mean)
    x = np.asarray(list(values), dtype=float)
    if x.size + k < 1:
        raise ValueError("no values")
    if not (isinstance(k, (int, np.integer)) and k >= 0):
        raise ValueError(f"k must be a non-negative integer, got {k!r}")
    if not lo <= hi:
        raise ValueError(f"bounds must satisfy lo <= hi, got [{lo}, {hi}]")
    s, m = float(x.sum()), int(x.size)

    def span(kk):
        n = m + kk
        return (s + kk * lo) / n, (s + kk * hi) / n

    by_k = []
    for kk in range(k + 1):
        if m + kk == 0:
            continue
        a, b = span(kk)
        by_k.append({"k": kk, "mean_min": a, "mean_max": b, "reachable": c.overlaps(a, b)})
    mean_min, mean_max = span(k)
    out = {"claim": c.text, "m": m, "k": int(k), "n_total": m + int(k), "lo": lo, "hi": hi,
           "mean_printed": float(x.mean()) if m else float("nan"),
           "holds_printed": bool(c.holds_for(float(x.mean()))) if m else None,
           "mean_min": mean_min, "mean_max": mean_max,
           "reachable": c.overlaps(mean_min, mean_max),
           "holds_for_all": c.holds_for(mean_min) and c.holds_for(mean_max),
           "by_k": by_k}
    req = None
    if k > 0 and out["reachable"]:
        c_lo, c_hi = (float(b) for b in c.interval())
        n = m + k
        low = max((n * c_lo - s) / k, lo) if math.isfinite(c_lo) else lo
        high = min((n * c_hi - s) / k, hi) if math.isfinite(c_hi) else hi
        req = (low, high)
    out["required_missing_mean"] = req
    return out
