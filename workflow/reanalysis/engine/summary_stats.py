"""Tests recomputed from printed summary statistics, with the rounding of the inputs.

A printed input such as "9.02" is a :class:`Box`: the printed value and the interval it
stands for ([9.015, 9.025]; the caller computes the bounds). Every t-test function returns
a :class:`Range` per statistic: its value at the printed inputs and its extremes over the
whole box, interior points included (if the mean difference can be 0, the largest p is 1).

How the extremes are found:

* t = d / se with se increasing in every SD, so t is monotone in d and |t| in each SD; with
  df fixed (Student, paired) the extremes of t and p are exact, from the ends of d and of
  the SDs (d = 0 when its interval contains 0).
* The SD of a change, sqrt(s1^2 + s2^2 - 2 r s1 s2), is convex in (s1, s2): its maximum
  is at a corner of the box, its minimum at a corner or where s1 = r s2 (s2 = r s1) meets
  an edge. It decreases in r, so with r unknown it lies between its minimum at r = 1
  (min |s1 - s2|, possibly 0: then t is infinite and p is 0) and its maximum at r = -1.
* Welch's df depends on the SDs only through the ratio of the squared standard errors, so
  its extremes are exact (at two corners, or its peak n1 + n2 - 2). p is not monotone in
  the SDs, but along a ray from SD 0 df is fixed and |t| falls: p's smallest value (with
  d at its largest |d|) lies on the two lower sides of the SD box and its largest (smallest
  |d|) on the two upper sides, each found along them by a dense grid refined by L-BFGS-B
  from the best grid point (deterministic).

Sign conventions: ``ttest_from_summary`` tests group 1 - group 2; ``paired_from_summary``
tests before - after (as ``scipy.stats.ttest_rel(before, after)`` and ``patient_level``);
``change_between_groups`` tests (a_after - a_before) - (b_after - b_before). p is two-sided.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

NAN = float("nan")
TESTS = ("student", "welch")


@dataclass(frozen=True)
class Box:
    """A printed number: ``value`` as printed, [lower, upper] the interval it stands for."""

    value: float
    lower: float
    upper: float

    def __post_init__(self):
        if not all(math.isfinite(x) for x in (self.value, self.lower, self.upper)):
            raise ValueError(f"Box bounds must be finite: {self}")
        if not self.lower <= self.value <= self.upper:
            raise ValueError(f"Box needs lower <= value <= upper: {self}")


@dataclass(frozen=True)
class Range:
    """A statistic at the printed values (nan where undefined) and its extremes."""

    value: float
    lower: float
    upper: float


MeanSD = tuple[Box, Box]  # (mean, SD) of one time point in change_between_groups


def difference(a: Box, b: Box) -> Range:
    """a - b over the boxes."""
    return Range(a.value - b.value, a.lower - b.upper, a.upper - b.lower)


# --- building blocks ----------------------------------------------------------------------

def _check(n_min: int, *, test: str | None = None, r: float | None = None, **ns: int) -> None:
    for name, n in ns.items():
        if int(n) != n or n < n_min:
            raise ValueError(f"{name} must be an integer >= {n_min}, got {n!r}")
    if test is not None and test not in TESTS:
        raise ValueError(f"test must be one of {TESTS}, got {test!r}")
    if r is not None and not -1.0 <= r <= 1.0:
        raise ValueError(f"r must lie in [-1, 1], got {r!r}")


def _sd(s: Box) -> Box:
    """An SD box cut at 0: the rounding box of a printed "0.0" reaches below 0."""
    return s if s.lower >= 0 else Box(max(s.value, 0.0), 0.0, max(s.upper, 0.0))


def _sd_change(s1, s2, r):
    """SD of the difference of two variables with SDs s1, s2 and correlation r."""
    return np.sqrt(np.maximum(s1 * s1 + s2 * s2 - 2 * r * s1 * s2, 0.0))


def _sd_change_bounds(s1: Box, s2: Box, r):
    """(min, max) of _sd_change over the box at r (r may be an array): exact, see above."""
    r = np.asarray(r, dtype=float)
    corners = [_sd_change(x, y, r) for x in (s1.lower, s1.upper) for y in (s2.lower, s2.upper)]
    edges = [_sd_change(np.clip(r * y, s1.lower, s1.upper), y, r) for y in (s2.lower, s2.upper)]
    edges += [_sd_change(x, np.clip(r * x, s2.lower, s2.upper), r) for x in (s1.lower, s1.upper)]
    return np.min(corners + edges, axis=0), np.max(corners, axis=0)


def _sd_change_range(s1: Box, s2: Box, r: float | None) -> tuple[float, float]:
    if r is None:  # the SD decreases in r: smallest at r = 1, largest at r = -1
        lo, hi = _sd_change_bounds(s1, s2, np.array([1.0, -1.0]))    # both r in one call
        return float(lo[0]), float(hi[1])
    lo, hi = _sd_change_bounds(s1, s2, r)
    return float(lo), float(hi)


def _welch_df(sd1, n1, sd2, n2):
    # As numpy floats: with both SDs 0 (both printed "0" or "0.0", or the box corner
    # at 0) df is 0/0 = nan under the caller's errstate, not a Python ZeroDivisionError.
    sd1, sd2 = np.asarray(sd1, dtype=float), np.asarray(sd2, dtype=float)
    v1, v2 = sd1 * sd1 / n1, sd2 * sd2 / n2
    return (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))


def _two_sample(d, sd1, n1, sd2, n2, welch: bool):
    """(t, df, p) of the two-sample test of a mean difference d (vectorised)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        res = stats.ttest_ind_from_stats(d, sd1, n1, 0.0, sd2, n2, equal_var=not welch)
        df = _welch_df(sd1, n1, sd2, n2) if welch else n1 + n2 - 2.0
    return res.statistic, df, res.pvalue


def _one_sample(d, sd, n):
    """(t, df, p) of the paired t-test of a mean difference d with SD sd (vectorised);
    t is taken as 0 when d == 0, even with sd == 0."""
    d, sd = np.asarray(d, dtype=float), np.asarray(sd, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(d == 0, 0.0, d * math.sqrt(n) / sd)
    # special.stdtr is the t CDF behind stats.t.sf, without its per-call overhead
    return t, n - 1.0, 2 * special.stdtr(n - 1.0, -np.abs(t))


def _d_ends(lo: float, hi: float) -> tuple[float, float]:
    """The difference of smallest and of largest |value| in [lo, hi]."""
    small = 0.0 if lo <= 0 <= hi else min(lo, hi, key=abs)
    return small, max(lo, hi, key=abs)


def _monotone(d_lo, d_hi, sd_lo: tuple, sd_hi: tuple, ev):
    """Exact t and p extremes when t = d / se, se increasing in each SD and df fixed.

    ``sd_lo`` / ``sd_hi``: the SDs at which se is smallest / largest; ``ev(d, *sds)``
    returns (t, df, p), elementwise in arrays. Returns ((t_min, t_max), (p_min, p_max)).
    """
    small, big = _d_ends(d_lo, d_hi)
    # the four ends in one elementwise call: t_max, t_min, p_max, p_min
    ends = [(d_hi, sd_lo if d_hi > 0 else sd_hi), (d_lo, sd_lo if d_lo < 0 else sd_hi),
            (small, sd_hi), (big, sd_lo if big != 0 else sd_hi)]
    t, _, p = ev(np.array([d for d, _ in ends]), *np.array([sds for _, sds in ends]).T)
    return (float(t[1]), float(t[0])), (float(p[3]), float(p[2]))


# What L-BFGS-B does by default when it estimates the gradient itself (scipy's
# approx_derivative): forward differences with the absolute step eps = 1e-8; and maxfun,
# its evaluation budget, counts those stepped evaluations.
_FD_STEP = 1e-8
_MAXFUN = 15_000
_EPS = np.finfo(float).eps


def _lbfgsb_unit_cube(f_rows, x0: np.ndarray, ftol: float, gtol: float,
                      maxiter: int = 15_000) -> float:
    """What ``optimize.minimize(f, x0, method="L-BFGS-B", bounds=[(0, 1)] * k,
    options={"ftol": ftol, "gtol": gtol, "maxiter": maxiter}).fun`` finds, f's gradient
    estimated as there by default, but each point and its k finite-difference steps taken
    in one call: ``f_rows(x)`` is f at each row of x, exactly as at that row alone.

    The steps (absolute 1e-8, reversed where one would leave [0, 1]) and the differences
    are scipy's, so every iterate is the same and only per-call overhead goes, minimize's
    front end included: fmin_l_bfgs_b runs the same solver (factr = ftol / eps exactly,
    eps being a power of two). maxfun is divided by k + 1, as scipy counts the steps.
    tests/test_summary_stats.py holds this to scipy's own runs."""
    k = len(x0)
    rows = np.arange(k)

    def value_and_gradient(x):
        h = np.where(x + _FD_STEP > 1.0, -_FD_STEP, _FD_STEP)
        points = np.repeat(x[None, :], k + 1, axis=0)
        points[1 + rows, rows] = x + h
        values = np.asarray(f_rows(points), dtype=float)
        with np.errstate(invalid="ignore"):  # inf - inf where f is infinite: nan, as in scipy
            return values[0], (values[1:] - values[0]) / ((x + h) - x)

    # L-BFGS-B's first test, before any step: stop if the projected gradient at x0 is within
    # gtol (a start at a corner or side of the cube with the gradient pointing out, as at most
    # starts of the Welch searches). Taken here, it skips the solver's setup; fun is f(x0).
    x0 = np.asarray(x0, dtype=float)
    value, gradient = value_and_gradient(x0)
    if np.isfinite(value) and np.isfinite(gradient).all():
        projected = np.where(gradient < 0, np.maximum(x0 - 1.0, gradient), np.minimum(x0 - 0.0, gradient))
        if np.max(np.abs(projected)) <= gtol:
            return value
    _, fun, _ = optimize.fmin_l_bfgs_b(value_and_gradient, x0, bounds=[(0.0, 1.0)] * k,
                                       factr=ftol / _EPS, pgtol=gtol, maxiter=maxiter,
                                       maxfun=_MAXFUN // (k + 1))
    return fun


@functools.lru_cache(maxsize=None)
def _unit_grid(k: int) -> np.ndarray:
    """The search grid of [0, 1]^k (every corner and the centre among its points)."""
    axis = np.linspace(0.0, 1.0, {1: 201, 2: 41, 3: 21}[k])
    grid = np.stack(np.meshgrid(*[axis] * k, indexing="ij"), axis=-1).reshape(-1, k)
    grid.flags.writeable = False                # shared between calls
    return grid


def _minimum(f, k: int) -> float:
    """Minimum of a vectorised f over the unit cube [0, 1]^k: a grid (which holds every
    corner and the centre), then L-BFGS-B from the best grid point. Deterministic."""
    grid = _unit_grid(k)
    values = f(grid)
    best = float(np.nanmin(values))
    for x0 in [grid[np.nanargmin(values)]]:
        # f is elementwise: each row of f(x) is f at that point alone
        fun = _lbfgsb_unit_cube(f, x0, ftol=1e-15, gtol=1e-12)
        if np.isfinite(fun):
            best = min(best, float(fun))
    return best


def _welch_t(d, sd1, n1, sd2, n2):
    """Welch's t with the arithmetic of ``stats.ttest_ind_from_stats(d, sd1, n1, 0.0, sd2,
    n2, equal_var=False)``, without the p-value it also computes (the searches need only t)."""
    sd1, sd2 = np.asarray(sd1, dtype=float), np.asarray(sd2, dtype=float)
    return np.divide(np.asarray(d, dtype=float) - 0.0, np.sqrt(sd1 ** 2 / n1 + sd2 ** 2 / n2))


def _t_logsf(x, df):
    """``stats.t.logsf(x, df)`` as scipy computes it (rv_continuous._logsf: the log of
    stdtr(df, -x) above the median, log1p(-stdtr(df, x)) at or below it), without the
    per-call argument handling. Non-finite inputs and df <= 0 go to scipy itself."""
    x, df = np.asarray(x, dtype=float), np.asarray(df, dtype=float)
    if not (np.isfinite(x).all() and np.isfinite(df).all() and (df > 0).all()):
        return stats.t.logsf(x, df)
    above = x > special.stdtrit(df, 0.5)
    with np.errstate(divide="ignore"):
        if above.all():
            out = np.log(special.stdtr(df, -x))
        elif not above.any():
            out = np.log1p(-special.stdtr(df, x))
        else:
            x, df, above = np.broadcast_arrays(x, df, above)
            below = ~above
            out = np.empty(x.shape)
            out[above] = np.log(special.stdtr(df[above], -x[above]))
            out[below] = np.log1p(-special.stdtr(df[below], x[below]))
    return out[()] if out.ndim == 0 else out


def _welch_df_range(n1: int, n2: int, sd_lo: tuple, sd_hi: tuple) -> tuple[float, float]:
    """Exact (min, max) of Welch's df over the SD box [sd_lo, sd_hi].

    With v = s^2 / n, df = (v1 + v2)^2 / (v1^2 / (n1 - 1) + v2^2 / (n2 - 1)) depends on the
    SDs only through rho = v1 / v2: it rises from n2 - 1 (rho = 0) to its peak n1 + n2 - 2 at
    rho = (n1 - 1) / (n2 - 1) and falls to n1 - 1 (rho -> inf). Over the box rho runs from
    the corner (s1 low, s2 high) to the corner (s1 high, s2 low), so the minimum is at one of
    those corners and the maximum at the peak when rho can reach it, else at a corner."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ends = _welch_df(np.array([sd_lo[0], sd_hi[0]]), n1, np.array([sd_hi[1], sd_lo[1]]), n2)
        v1, v2 = np.array([sd_lo[0], sd_hi[0]]) ** 2 / n1, np.array([sd_hi[1], sd_lo[1]]) ** 2 / n2
        rho = v1 / v2                              # v2 = 0: rho is inf, df is n1 - 1
    peak = (n1 - 1) / (n2 - 1)
    df_max = n1 + n2 - 2.0 if rho[0] <= peak <= rho[1] else float(np.nanmax(ends))
    return float(np.nanmin(ends)), df_max


def _side(a: tuple, b: tuple):
    """Points u in [0, 1] (rows of x) -> SDs (s1, s2) on the segment from corner a to b."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return lambda x: tuple((a + x[:, :1] * (b - a)).T)


def _welch(d_lo, d_hi, d_val, n1, n2, sd_val, sd_lo, sd_hi) -> dict[str, Range]:
    """Welch t, df, p over the box of d and of the SDs [sd_lo, sd_hi].

    t is monotone (_monotone) and df exact (_welch_df_range). p: along a ray from SD 0, df
    is fixed (it depends on v1 / v2 only) and |t| falls as the SDs grow, so the smallest p
    lies on the lower sides of the SD box (s1 or s2 at its low end) and the largest on the
    upper sides; each is found along each of those two sides (1-D) by _minimum."""
    ev = lambda d, s1, s2: _two_sample(d, s1, n1, s2, n2, welch=True)
    t_val, df_val, p_val = (float(v) for v in ev(d_val, *sd_val)) if sd_val else (NAN,) * 3
    (t_min, t_max), _ = _monotone(d_lo, d_hi, sd_lo, sd_hi, ev)
    small, big = _d_ends(d_lo, d_hi)
    df_min, df_max = _welch_df_range(n1, n2, sd_lo, sd_hi)

    def log_p(d, sds_of):  # log of the two-sided p: keeps the search sensible when p is tiny
        def f(x):
            s1, s2 = sds_of(x)
            with np.errstate(divide="ignore", invalid="ignore"):
                t, df = _welch_t(d, s1, n1, s2, n2), _welch_df(s1, n1, s2, n2)
            return math.log(2.0) + _t_logsf(np.abs(t), df)
        return f

    (lo1, lo2), (hi1, hi2) = sd_lo, sd_hi
    lower_sides = (_side((lo1, lo2), (lo1, hi2)), _side((lo1, lo2), (hi1, lo2)))
    upper_sides = (_side((hi1, hi2), (lo1, hi2)), _side((hi1, hi2), (hi1, lo2)))
    smallest = lambda values: float(np.fmin.reduce(list(values)))   # nan only if every side's is
    p_min = math.exp(smallest(_minimum(log_p(big, side), 1) for side in lower_sides)) if big != 0 else 1.0
    if big != 0 and max(sd_lo) <= 0:
        # Both SDs can reach 0 (e.g. two printed "0.0" SDs). At that corner df is 0/0,
        # which the search skips as nan, but towards it |t| -> inf while df stays >=
        # min(n1, n2) - 1 >= 1, so p -> 0: the infimum is 0, not the smallest p on the
        # sides (tests/test_properties.py, test_welch_sds_both_reaching_zero).
        p_min = 0.0
    p_max = 1.0 if small == 0 else math.exp(
        -smallest(_minimum(lambda x, side=side: -log_p(small, side)(x), 1) for side in upper_sides))
    # the printed point is in the box: keep it inside the bounds despite round-off
    return {"t": Range(t_val, t_min, t_max),
            "df": Range(df_val, float(np.fmin(df_min, df_val)), float(np.fmax(df_max, df_val))),
            "p": Range(p_val, float(np.fmin(p_min, p_val)), float(np.fmax(p_max, p_val)))}


# --- public functions --------------------------------------------------------------------

def ttest_from_summary(m1: Box, s1: Box, n1: int, m2: Box, s2: Box, n2: int,
                       test: str = "student") -> dict[str, Range]:
    """Two-sample t-test (group 1 - group 2) from printed means and SDs.

    ``test``: "student" (pooled SD) or "welch". Keys "t", "df", "p" (two-sided).
    """
    _check(2, test=test, n1=n1, n2=n2)
    s1, s2 = _sd(s1), _sd(s2)
    welch = test == "welch"
    d = difference(m1, m2)
    if welch:
        return _welch(d.lower, d.upper, d.value, n1, n2, (s1.value, s2.value),
                      (s1.lower, s2.lower), (s1.upper, s2.upper))
    ev = lambda dd, a, b: _two_sample(dd, a, n1, b, n2, welch=False)
    t, df, p = (float(v) for v in ev(d.value, s1.value, s2.value))
    (t_min, t_max), (p_min, p_max) = _monotone(d.lower, d.upper, (s1.lower, s2.lower),
                                               (s1.upper, s2.upper), ev)
    return {"t": Range(t, t_min, t_max), "df": Range(df, df, df), "p": Range(p, p_min, p_max)}


def paired_from_summary(before_m: Box, before_s: Box, after_m: Box, after_s: Box, n: int,
                        r: float | None = None) -> dict[str, Range]:
    """Paired t-test (before - after) from the per-time-point means and SDs.

    The SD of the differences is sqrt(s1^2 + s2^2 - 2 r s1 s2). With ``r`` None the
    correlation is unknown: every value is nan and the bounds cover r in [-1, 1] too
    (r = 1 with s1 = s2 possible gives SD 0, so t = +-inf and p = 0 unless d = 0).
    """
    _check(2, r=r, n=n)
    before_s, after_s = _sd(before_s), _sd(after_s)
    d = difference(before_m, after_m)
    sd_lo, sd_hi = _sd_change_range(before_s, after_s, r)
    (t_min, t_max), (p_min, p_max) = _monotone(d.lower, d.upper, (sd_lo,), (sd_hi,),
                                               lambda dd, sd: _one_sample(dd, sd, n))
    t = p = df = NAN
    if r is not None:
        sd = _sd_change(before_s.value, after_s.value, r)
        t, df, p = (float(v) for v in _one_sample(d.value, sd, n))
    return {"t": Range(t, t_min, t_max), "df": Range(df, n - 1.0, n - 1.0),
            "p": Range(p, p_min, p_max)}


@functools.lru_cache(maxsize=None)
def _t_crit(alpha: float, df: int) -> float:
    """The two-sided critical t (scipy's isf is slow enough to matter in loops)."""
    return float(stats.t.isf(alpha / 2, df))


def _threshold(d: float, s1: float, s2: float, n: int, alpha: float) -> float:
    """The r above which p < alpha, in closed form: p < alpha exactly when the SD of the
    change is below sqrt(c), c = n d^2 / t_crit^2, i.e. when r > (s1^2 + s2^2 - c) / (2 s1 s2).
    -1.0 when p < alpha already at r = -1; +inf when not even at r = 1."""
    c = n * d * d / _t_crit(alpha, n - 1) ** 2
    if s1 * s2 == 0:  # the SD of the change does not depend on r
        return -1.0 if s1 * s1 + s2 * s2 < c else math.inf
    r = (s1 * s1 + s2 * s2 - c) / (2 * s1 * s2)
    if r < -1.0:
        return -1.0
    return math.inf if r >= 1.0 else r


def r_threshold(before_m: Box, before_s: Box, after_m: Box, after_s: Box, n: int,
                alpha: float) -> Range:
    """The correlation r above which the paired p < alpha (p decreases as r increases).

    In closed form (see _threshold). Returns -1.0 if p < alpha for every r in [-1, 1] and +inf if
    for none (for example when the difference is 0). The bounds are over the box: the
    threshold r* = (s1^2 + s2^2 - c) / (2 s1 s2), c = n d^2 / t_crit^2, decreases in |d|;
    in (s1, s2) its maximum is at a corner and its minimum at a corner or at
    s1 = sqrt(s2^2 - c) (s2 = sqrt(s1^2 - c)) on an edge; the threshold is taken at those points.
    """
    _check(2, n=n)
    before_s, after_s = _sd(before_s), _sd(after_s)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}")
    d = difference(before_m, after_m)
    small, big = _d_ends(d.lower, d.upper)
    value = _threshold(d.value, before_s.value, after_s.value, n, alpha)
    a, b = before_s, after_s
    corners = [(x, y) for x in (a.lower, a.upper) for y in (b.lower, b.upper)]
    c = n * big * big / _t_crit(alpha, n - 1) ** 2
    edges = [(float(np.clip(math.sqrt(max(y * y - c, 0.0)), a.lower, a.upper)), y)
             for y in (b.lower, b.upper)]
    edges += [(x, float(np.clip(math.sqrt(max(x * x - c, 0.0)), b.lower, b.upper)))
              for x in (a.lower, a.upper)]
    lower = min(_threshold(big, x, y, n, alpha) for x, y in corners + edges)
    upper = max(_threshold(small, x, y, n, alpha) for x, y in corners)
    return Range(value, lower, upper)


def change_between_groups(a_before: MeanSD, a_after: MeanSD, b_before: MeanSD,
                          b_after: MeanSD, n_a: int, n_b: int, test: str = "student",
                          r: float | None = None) -> dict[str, Range]:
    """Two-sample t-test of the change (after - before) between arms A and B (A - B).

    Each time point is a (mean, SD) pair of Boxes. The SD of the change in each arm is
    sqrt(s_before^2 + s_after^2 - 2 r s_before s_after), with a given within-arm ``r``
    in both arms; with ``r`` None, each arm's r is unknown in [-1, 1] and need not equal
    the other's (nothing says the arms share one): values are nan and the bounds cover
    every pair of r, for Student and Welch alike.
    """
    _check(2, test=test, r=r, n_a=n_a, n_b=n_b)
    (am0, as0), (am1, as1), (bm0, bs0), (bm1, bs1) = a_before, a_after, b_before, b_after
    as0, as1, bs0, bs1 = map(_sd, (as0, as1, bs0, bs1))
    da, db = difference(am1, am0), difference(bm1, bm0)
    d = Range(da.value - db.value, da.lower - db.upper, da.upper - db.lower)
    (sa_lo, sa_hi), (sb_lo, sb_hi) = _sd_change_range(as0, as1, r), _sd_change_range(bs0, bs1, r)
    sd_val = None
    if r is not None:
        sd_val = (float(_sd_change(as0.value, as1.value, r)),
                  float(_sd_change(bs0.value, bs1.value, r)))
    if test == "welch":
        # each arm's SD of change over its own range (over r too when r is unknown)
        return _welch(d.lower, d.upper, d.value, n_a, n_b, sd_val, (sa_lo, sb_lo), (sa_hi, sb_hi))
    ev = lambda dd, sa, sb: _two_sample(dd, sa, n_a, sb, n_b, welch=False)
    (t_min, t_max), (p_min, p_max) = _monotone(d.lower, d.upper, (sa_lo, sb_lo), (sa_hi, sb_hi), ev)
    t = p = df = NAN
    if sd_val is not None:
        t, df, p = (float(v) for v in ev(d.value, *sd_val))
    df_b = n_a + n_b - 2.0
    return {"t": Range(t, t_min, t_max), "df": Range(df, df_b, df_b), "p": Range(p, p_min, p_max)}


def two_proportions(a: int, n1: int, b: int, n2: int, test: str = "chi2") -> dict[str, float]:
    """Test of the 2x2 table [[a, n1 - a], [b, n2 - b]].

    ``test``: "chi2" (Pearson, no continuity correction), "chi2_yates" or "fisher"
    (two-sided). Keys "p" and "statistic" (chi-square, or the sample odds ratio for Fisher).
    A chi-square on a table with an empty column gives p = 1 and statistic 0.
    """
    if not (0 <= a <= n1 and 0 <= b <= n2):
        raise ValueError(f"need 0 <= a <= n1 and 0 <= b <= n2, got {a}/{n1}, {b}/{n2}")
    table = [[a, n1 - a], [b, n2 - b]]
    if test in ("chi2", "chi2_yates") and a + b in (0, n1 + n2):
        # No events, or only events, in both arms: the proportions are equal, so p = 1
        # (as Fisher's test gives). scipy's chi2_contingency raises on the empty column,
        # which crashed run_check when the printed percents allow such a table, e.g.
        # "0%" of 201 (count 0 or 1) against "0%" of 1 (tests/test_properties.py).
        return {"p": 1.0, "statistic": 0.0}
    if test == "fisher":
        res = stats.fisher_exact(table, alternative="two-sided")
    elif test in ("chi2", "chi2_yates"):
        res = stats.chi2_contingency(table, correction=test == "chi2_yates")
    else:
        raise ValueError(f"test must be 'chi2', 'chi2_yates' or 'fisher', got {test!r}")
    return {"p": float(res.pvalue), "statistic": float(res.statistic)}


def proportion_difference_ci(a: int, n1: int, b: int, n2: int, method: str = "wald",
                             level: float = 0.95) -> tuple[float, float]:
    """CI of a/n1 - b/n2 in percentage points: "wald" or "newcombe" (hybrid Wilson score,
    Newcombe 1998 method 10), via statsmodels' confint_proportions_2indep (p1 - p2)."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    methods = {"wald": "wald", "newcombe": "newcomb"}
    if method not in methods:
        raise ValueError(f"method must be 'wald' or 'newcombe', got {method!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level!r}")
    low, upp = confint_proportions_2indep(a, n1, b, n2, method=methods[method],
                                          compare="diff", alpha=1 - level)
    return 100.0 * float(low), 100.0 * float(upp)
