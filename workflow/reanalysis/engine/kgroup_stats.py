"""Tests across k groups and r x c tables, recomputed from printed summary statistics.

One-way ANOVA (``anova_from_summary``) takes each group's printed mean and SD as a
:class:`~reanalysis.engine.summary_stats.Box` and returns, per statistic, a
:class:`~reanalysis.engine.summary_stats.Range`: the value at the printed numbers and the
extremes over the whole box, interior extrema included (as in ``summary_stats``).

How the ANOVA extremes are found (means are shifted by a common constant first: nothing
depends on their location):

* Both F statistics have the form S(m, w) = sum w_i (m_i - mbar_w)^2 in the means, with
  mbar_w the w-weighted mean (w_i = n_i for Fisher, n_i / s_i^2 for Welch). S is convex
  in m, so its maximum over the mean box is at one of its 2^k corners (enumerated: at
  most ``MAX_GROUPS`` = 12 groups, 4096 corners; more groups are refused). Since
  S(m, w) = min_c sum w_i (m_i - c)^2, its minimum over the box is
  min_c sum w_i dist(c, [lo_i, hi_i])^2, a convex piecewise quadratic in the scalar c
  solved exactly segment by segment; it is 0 when all mean intervals share a point.
* Fisher: F = (SSB / (k - 1)) / (SSW / (N - k)) with SSB = S(m, n) and
  SSW = sum (n_i - 1) s_i^2 increasing in every SD, and p = f.sf(F, k - 1, N - k)
  decreasing in F: all extremes are exact (SSB min over SSW max, SSB max over SSW min).
  Conventions as in ``summary_stats``: F = 0 when SSB = 0 (even with SSW = 0), F = inf
  when SSB > 0 and SSW = 0.
* Welch: F = [S(m, w) / (k - 1)] / [1 + 2 (k - 2) / (k^2 - 1) * T] with
  T = sum (1 - w_i / W)^2 / (n_i - 1) and df2 = (k^2 - 1) / (3 T). At fixed SDs the means
  enter through S only, so for every SD point the extremes over the means are exact (as
  above); over the SD box (k dimensions) they are searched: a grid (every corner and the
  centre while the grid fits, else Sobol points), then L-BFGS-B from the three best grid
  points. Deterministic, not guaranteed global. Where all mean intervals share a point the
  largest p is 1 exactly and the smallest F is 0. An SD box reaching 0 is searched down to
  1e-6 of its upper end (the limit is finite when one SD goes to 0); when two or more SDs
  can reach 0 the largest F is inf and the smallest p is 0 (two groups of zero variance
  with different means).

Contingency tables (``contingency_test``): Pearson chi-square, Yates-corrected chi-square
(2 x 2), G-test (all from ``scipy.stats.chi2_contingency``), Fisher's exact test (2 x 2,
``scipy.stats.fisher_exact``) and the Fisher-Freeman-Halton exact test for r x c tables.
scipy 1.17 has no exact r x c Fisher test (``fisher_exact`` with ``method=None`` on an
r x c table silently runs a 9999-sample Monte Carlo), so the exact test is written here:
every table with the observed margins is enumerated (vectorised, at most
``FFH_EXACT_LIMIT`` = 1,000,000 tables) and the probabilities of the tables no more
probable than the observed one are summed, with R's relative tolerance 1e-7 (R's
``fisher.test`` uses ``relErr <- 1e-7`` in the 2 x 2 case). Above the limit the p-value is
a seeded Monte Carlo estimate from ``scipy.stats.fisher_exact(method=MonteCarloMethod)``,
(1 + #{tables with probability <= observed}) / (B + 1), like R's
``simulate.p.value = TRUE``; its standard error sqrt(p (1 - p) / B) is in the note.
All-zero rows and columns are dropped first (as R's ``fisher.test`` does when simulating);
a table left with one row or one column gives p = 1 and the note says so.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence

import numpy as np
from scipy import special, stats

from .scrutiny import counts_from_percent
from .summary_stats import Box, Range, _lbfgsb_unit_cube

NAN = float("nan")
ANOVA_TESTS = ("fisher", "welch")
CONTINGENCY_TESTS = ("chi2", "chi2_yates", "g_test", "fisher", "fisher_freeman_halton")
MAX_GROUPS = 12            # the largest S over the mean box is found among 2^k corners
FFH_EXACT_LIMIT = 1_000_000  # the most tables the exact Fisher-Freeman-Halton enumerates
FFH_REL_ERR = 1e-7         # "probability <= observed" up to this relative error, as R
_SD_FLOOR = 1e-6           # an SD box reaching 0 is searched down to this share of its top
_GRID_BUDGET = 2_000       # grid points of the Welch search (fewer when 2^k is large); L-BFGS-B refines
_WORK_BUDGET = 50_000_000  # grid points x corners x groups per Welch search
_CHUNK = 2_000_000         # corners x groups per batch of the corner enumeration


# --- ANOVA ----------------------------------------------------------------------------

def _check_anova(means, sds, ns, test) -> None:
    if test not in ANOVA_TESTS:
        raise ValueError(f"test must be one of {ANOVA_TESTS}, got {test!r}")
    k = len(means)
    if k < 2:
        raise ValueError(f"ANOVA needs at least 2 groups, got {k}")
    if len(sds) != k or len(ns) != k:
        raise ValueError(f"need one mean, SD and n per group: got {k} means, "
                         f"{len(sds)} SDs, {len(ns)} ns")
    if k > MAX_GROUPS:
        raise ValueError(f"at most {MAX_GROUPS} groups: the largest F is found among the "
                         f"2^k corners of the mean box, {2 ** k} for k = {k}")
    for i, (m, s, n) in enumerate(zip(means, sds, ns), start=1):
        if not isinstance(m, Box) or not isinstance(s, Box):
            raise ValueError(f"group {i}: mean and SD must be Box objects, got {m!r}, {s!r}")
        if isinstance(n, bool) or int(n) != n or n < 2:
            raise ValueError(f"group {i}: n must be an integer >= 2, got {n!r}")
        if s.value < 0:
            raise ValueError(f"group {i}: an SD cannot be negative, got {s.value!r}")


def _corners(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The 2^k corners of the box [lo, hi], shape (2^k, k)."""
    k = len(lo)
    bits = (np.arange(2 ** k)[:, None] >> np.arange(k)[None, :]) & 1
    return np.where(bits == 1, hi, lo)


def _row_by_row(w: np.ndarray, m: np.ndarray) -> np.ndarray:
    """w @ m computed one row of w at a time. BLAS takes another kernel for several rows
    (gemm) than for one (gemv), and they round differently; row by row, each row gets
    exactly what evaluating its point alone gives."""
    return np.concatenate([np.array(w[i:i + 1]) @ m for i in range(len(w))])


def _spread_max(corners: np.ndarray, w: np.ndarray, row_by_row: bool = False) -> np.ndarray:
    """max over the corners of S(m, w) = sum w_i (m_i - mbar_w)^2, for each row of w.

    Written in the centred form: sum w m^2 - (sum w m)^2 / W cancels badly when one weight
    dominates (an SD near 0 in Welch's weights)."""
    w = np.atleast_2d(w)
    out = np.empty(len(w))
    step = max(1, _CHUNK // corners.size)
    wsum = w.sum(axis=1)
    for a in range(0, len(w), step):
        ww = w[a:a + step]
        weighted = _row_by_row(ww, corners.T) if row_by_row else ww @ corners.T
        centre = weighted / wsum[a:a + step, None]                           # (g, 2^k)
        dev = corners[None, :, :] - centre[:, :, None]                      # (g, 2^k, k)
        out[a:a + step] = np.einsum("gk,gck->gc", ww, dev * dev).max(axis=1)
    return out


def _spread_min_over(lo: np.ndarray, hi: np.ndarray):
    """The function w -> min over the box [lo, hi] of S(m, w), for each row of w: exactly
    min_c sum w_i dist(c, [lo_i, hi_i])^2, convex and piecewise quadratic in c.

    What depends on the box alone (the segments between interval ends, and the squared
    distances at those ends) is computed once here, not at every w of a search."""
    if lo.max() <= hi.min():            # all intervals share a point: S can be 0
        return lambda w, row_by_row=False: np.zeros(len(np.atleast_2d(w)))
    b = np.unique(np.concatenate([lo, hi]))
    left, right = b[:-1], b[1:]                                             # segments
    above = hi[None, :] <= left[:, None]      # interval wholly below the segment: c > hi
    below = lo[None, :] >= right[:, None]     # interval wholly above the segment: c < lo
    target = np.where(above, hi, 0.0) + np.where(below, lo, 0.0)            # (S, k)
    active = (above | below).astype(float)

    def squared_distance(c):
        dist = np.maximum(lo - c[:, :, None], 0.0) + np.maximum(c[:, :, None] - hi, 0.0)
        return dist * dist
    at_ends = squared_distance(b[None, :])                                  # (1, B, k)

    def spread_min(w, row_by_row=False):
        w = np.atleast_2d(w)
        product = _row_by_row if row_by_row else np.matmul
        with np.errstate(divide="ignore", invalid="ignore"):
            c = product(w, target.T) / product(w, active.T)                # (G, S)
        c = np.clip(np.where(np.isfinite(c), c, left), left, right)
        sq = np.concatenate([np.broadcast_to(at_ends, (len(w),) + at_ends.shape[1:]),
                             squared_distance(c)], axis=1)
        return np.einsum("gk,gck->gc", w, sq).min(axis=1)
    return spread_min


def _spread_min(lo: np.ndarray, hi: np.ndarray, w: np.ndarray) -> np.ndarray:
    """min over the box [lo, hi] of S(m, w), for each row of w (see _spread_min_over)."""
    return _spread_min_over(lo, hi)(w)


def _f_logsf(x, dfn, dfd, median=None):
    """``stats.f.logsf(x, dfn, dfd)`` as scipy computes it (rv_continuous._logsf: the log
    of fdtrc above the median, log1p(-fdtr) at or below it), without the per-call argument
    handling that dominated the Welch search. Inputs outside (0, inf) or with a df not
    finite and positive go to scipy itself. ``median``: fdtri(dfn, dfd, 0.5) if known."""
    x, dfn, dfd = (np.asarray(a, dtype=float) for a in (x, dfn, dfd))
    valid = (0 < x) & (x < np.inf) & (0 < dfn) & (dfn < np.inf) & (0 < dfd) & (dfd < np.inf)
    if not valid.all():
        return stats.f.logsf(x, dfn, dfd)
    above = x > (special.fdtri(dfn, dfd, 0.5) if median is None else median)
    with np.errstate(divide="ignore"):
        if above.all():
            out = np.log(special.fdtrc(dfn, dfd, x))
        elif not above.any():
            out = np.log1p(-special.fdtr(dfn, dfd, x))
        else:
            x, dfn, dfd, above = np.broadcast_arrays(x, dfn, dfd, above)
            below = ~above
            out = np.empty(x.shape)
            out[above] = np.log(special.fdtrc(dfn[above], dfd[above], x[above]))
            out[below] = np.log1p(-special.fdtr(dfn[below], dfd[below], x[below]))
    return out[()] if out.ndim == 0 else out


def _fisher_f(ssb: float, ssw: float, df1: float, df2: float) -> float:
    if ssb == 0:
        return 0.0
    if ssw == 0:
        return math.inf
    return (ssb / df1) / (ssw / df2)


def _fisher_anova(means, sds, ns) -> dict[str, Range]:
    from statsmodels.stats.oneway import anova_generic

    k = len(means)
    n = np.asarray(ns, dtype=float)
    df1, df2 = k - 1.0, float(n.sum() - k)
    ref = float(np.mean([m.value for m in means]))
    lo = np.array([m.lower for m in means]) - ref
    hi = np.array([m.upper for m in means]) - ref
    s_lo = np.array([s.lower for s in sds])
    s_hi = np.array([s.upper for s in sds])
    ssb_min = float(_spread_min(lo, hi, n)[0])
    ssb_max = float(_spread_max(_corners(lo, hi), n)[0])
    f_min = _fisher_f(ssb_min, float(((n - 1) * s_hi ** 2).sum()), df1, df2)
    f_max = _fisher_f(ssb_max, float(((n - 1) * s_lo ** 2).sum()), df1, df2)

    m_val = np.array([m.value for m in means])
    s_val = np.array([s.value for s in sds])
    if np.any(s_val > 0):
        res = anova_generic(m_val, s_val ** 2, n, use_var="equal")
        f_val, p_val = float(res.statistic), float(res.pvalue)
    else:                   # every SD printed as 0: the conventions above
        w_mean = float(n @ m_val / n.sum())
        f_val = _fisher_f(float(n @ (m_val - w_mean) ** 2), 0.0, df1, df2)
        p_val = float(stats.f.sf(f_val, df1, df2))
    p_min, p_max = (float(stats.f.sf(f, df1, df2)) for f in (f_max, f_min))
    # the printed point is in the box: keep it inside the bounds despite round-off
    return {"F": Range(f_val, min(f_min, f_val), max(f_max, f_val)),
            "df1": Range(df1, df1, df1), "df2": Range(df2, df2, df2),
            "p": Range(p_val, min(p_min, p_val), max(p_max, p_val))}


def _unit_points(k: int) -> np.ndarray:
    """Deterministic search points in [0, 1]^k: an odd grid (every corner and the centre)
    when one fits the budget, else the corners, else Sobol points; the centre always."""
    budget = int(min(_GRID_BUDGET, _WORK_BUDGET // (k * 2 ** k)))
    per_axis = 3
    while (per_axis + 2) ** k <= budget:
        per_axis += 2
    if per_axis ** k <= budget:
        axis = np.linspace(0.0, 1.0, per_axis)
        return np.stack(np.meshgrid(*[axis] * k, indexing="ij"), axis=-1).reshape(-1, k)
    if 2 ** k <= budget:
        pts = _corners(np.zeros(k), np.ones(k))
    else:
        m = max(1, int(math.log2(budget)))
        pts = stats.qmc.Sobol(d=k, scramble=False).random_base2(m)
    return np.vstack([pts, np.full((1, k), 0.5)])


def _search_min(f_rows, points: np.ndarray, values: np.ndarray, k: int,
                starts: int = 3) -> float:
    """Smallest of f: its ``values`` on ``points``, then L-BFGS-B from the best ``starts``.
    ``f_rows(x)``: f at each row of x, exactly as at that row alone."""
    best = float(np.nanmin(values)) if np.any(np.isfinite(values)) else NAN
    order = np.argsort(np.where(np.isnan(values), np.inf, values), kind="stable")[:starts]
    for x0 in points[order]:
        fun = _lbfgsb_unit_cube(f_rows, x0, ftol=1e-15, gtol=1e-12, maxiter=200)
        if np.isfinite(fun):
            best = float(np.fmin(best, float(fun)))
    return best


def _welch_parts(lo: np.ndarray, hi: np.ndarray, s_bottom: np.ndarray, s_top: np.ndarray,
                 n: np.ndarray):
    """parts(x, row_by_row=False): Welch's ANOVA at SD points x in [0, 1]^k (rows, mapped
    onto [s_bottom, s_top]) as (F min over the means, F max over the means, df2), each a
    function computed when called, so an objective pays only for what it reads (df2 needs
    neither spread). With ``row_by_row`` each row is exactly what its point alone gives
    (see _row_by_row)."""
    k = len(n)
    df1 = k - 1.0
    corners = _corners(lo, hi)
    spread_min = _spread_min_over(lo, hi)

    def parts(x, row_by_row=False):
        s = s_bottom + np.atleast_2d(x) * (s_top - s_bottom)
        w = n / (s * s)
        share = w / w.sum(axis=1, keepdims=True)
        t = ((1 - share) ** 2 / (n - 1)).sum(axis=1)
        denom = df1 * (1 + 2 * (k - 2) / (k * k - 1.0) * t)
        return (lambda: spread_min(w, row_by_row) / denom,
                lambda: _spread_max(corners, w, row_by_row) / denom,
                lambda: (k * k - 1.0) / (3 * t))
    return parts


def _welch_anova(means, sds, ns) -> dict[str, Range]:
    from statsmodels.stats.oneway import anova_generic

    k = len(means)
    n = np.asarray(ns, dtype=float)
    df1 = k - 1.0
    ref = float(np.mean([m.value for m in means]))
    lo = np.array([m.lower for m in means]) - ref
    hi = np.array([m.upper for m in means]) - ref
    s_top = np.array([s.upper for s in sds])
    if np.any(s_top <= 0):
        raise ValueError("Welch's ANOVA needs every SD box to reach above 0")
    s_bottom = np.array([max(s.lower, _SD_FLOOR * s.upper) for s in sds])
    common = lo.max() <= hi.min()
    parts = _welch_parts(lo, hi, s_bottom, s_top, n)

    points = _unit_points(k)
    grid_low, grid_high, grid_df2 = (part() for part in parts(points))
    on_grid = (lambda: grid_low, lambda: grid_high, lambda: grid_df2)
    # p_min and p_max on the grid share df2: its medians (fdtri, the costly part) once
    grid_median = special.fdtri(df1, grid_df2, 0.5)

    def log_sf(f, df2):
        with np.errstate(divide="ignore"):
            return _f_logsf(f, df1, df2, grid_median if df2 is grid_df2 else None)

    objectives = {  # name: function of the parts, minimised over the SD box
        "F_min": lambda fl, fh, d: fl(),
        "F_max": lambda fl, fh, d: -fh(),
        "df2_min": lambda fl, fh, d: d(),
        "df2_max": lambda fl, fh, d: -d(),
        "p_min": lambda fl, fh, d: log_sf(fh(), d()),
        "p_max": lambda fl, fh, d: -log_sf(fl(), d()),
    }
    found = {}
    for name, g in objectives.items():
        if common and name in ("F_min", "p_max"):
            continue
        # p decides verdicts: refined from the best three grid points; F and df2 (shown
        # for reading) from the best one
        found[name] = _search_min(lambda x, g=g: g(*parts(x, row_by_row=True)), points,
                                  g(*on_grid), k, starts=3 if name.startswith("p_") else 1)
    f_min = 0.0 if common else found["F_min"]
    p_max = 1.0 if common else math.exp(-found["p_max"])
    f_max, p_min = -found["F_max"], math.exp(found["p_min"])
    zero = np.array([s.lower <= 0 for s in sds])
    fixed = np.all(lo[zero] == hi[zero]) and len(set(lo[zero])) <= 1
    if zero.sum() >= 2 and not fixed:
        # two groups whose SDs can both reach 0, with means that can differ: F -> inf
        f_max, p_min = math.inf, 0.0

    m_val = np.array([m.value for m in means])
    s_val = np.array([s.value for s in sds])
    f_val = p_val = df2_val = NAN
    if np.all(s_val > 0):
        res = anova_generic(m_val, s_val ** 2, n, use_var="unequal")
        f_val, p_val, df2_val = float(res.statistic), float(res.pvalue), float(res.df_denom)
    fmin, fmax = (lambda a, b: float(np.fmin(a, b))), (lambda a, b: float(np.fmax(a, b)))
    return {"F": Range(f_val, fmin(f_min, f_val), fmax(f_max, f_val)),
            "df1": Range(df1, df1, df1),
            "df2": Range(df2_val, fmin(found["df2_min"], df2_val),
                         fmax(-found["df2_max"], df2_val)),
            "p": Range(p_val, fmin(p_min, p_val), fmax(p_max, p_val))}


def anova_from_summary(means: Sequence[Box], sds: Sequence[Box], ns: Sequence[int],
                       test: str = "fisher") -> dict[str, Range]:
    """One-way ANOVA across k >= 2 groups from printed means, SDs (n - 1 denominator)
    and group sizes.

    ``test``: "fisher" (pooled variance; extremes exact) or "welch" (Welch 1951; extremes
    over the SDs searched). Keys "F", "df1", "df2", "p". Values from statsmodels'
    ``anova_generic``; nan for Welch when a printed SD is 0. An SD box reaching below 0
    (a printed "0.0") is cut at 0; a negative printed SD is an error.
    """
    _check_anova(means, sds, ns, test)
    sds = [s if s.lower >= 0 else Box(s.value, 0.0, s.upper) for s in sds]
    return (_fisher_anova if test == "fisher" else _welch_anova)(list(means), sds, list(ns))


# --- contingency tables ----------------------------------------------------------------

def _as_table(table) -> np.ndarray:
    try:
        t = np.asarray(table)
    except ValueError:          # ragged rows
        t = np.empty(0)
    if t.ndim != 2 or t.size == 0:
        raise ValueError(f"table must be a non-empty r x c list of counts, got {table!r}")
    if t.dtype.kind not in "iuf" or not np.all(np.isfinite(t)) \
            or not np.all(np.equal(np.mod(t, 1), 0)) or np.any(t < 0):
        raise ValueError(f"table cells must be non-negative integers, got {table!r}")
    return t.astype(np.int64)


def _ffh_exact(t: np.ndarray, limit: int) -> tuple[float, float, int] | None:
    """Fisher-Freeman-Halton p by enumerating every table with the margins of ``t``:
    (p, probability of t, number of tables), or None when there are more than ``limit``.

    Column by column, cell by cell, each partial table is extended by every value its cell
    can take while the rest stays fillable (a column's cell is at least what the rows below
    cannot hold); so every partial table completes to at least one table, and the number of
    partial tables never exceeds the number of tables: the limit is checked before each
    expansion."""
    if t.shape[0] > t.shape[1]:
        t = t.T                                     # the narrower side holds the state
    r, c = t.shape
    rows, cols, total = t.sum(axis=1), t.sum(axis=0), int(t.sum())
    lgf = special.gammaln(np.arange(total + 1) + 1.0)          # log k!
    rem = rows[None, :].copy()                                 # remaining row sums
    acc = np.zeros(1)                                          # sum of log x! so far
    for j in range(c - 1):
        left = np.full(len(rem), cols[j], dtype=np.int64)      # still to place in column j
        for i in range(r - 1):
            room = rem[:, i + 1:].sum(axis=1)
            low = np.maximum(0, left - room)
            high = np.minimum(rem[:, i], left)
            ways = high - low + 1
            size = int(ways.sum())
            if size > limit:
                return None
            idx = np.repeat(np.arange(len(rem)), ways)
            x = low[idx] + np.arange(size) - np.repeat(np.cumsum(ways) - ways, ways)
            rem, left, acc = rem[idx], left[idx] - x, acc[idx] + lgf[x]
            rem[:, i] -= x
        rem[:, r - 1] -= left
        acc = acc + lgf[left]
    acc = acc + lgf[rem].sum(axis=1)                           # the last column is rem
    const = lgf[rows].sum() + lgf[cols].sum() - lgf[total]
    log_p = const - acc
    log_obs = const - lgf[t].sum()
    p = float(np.exp(log_p[log_p <= log_obs + math.log1p(FFH_REL_ERR)]).sum())
    return min(p, 1.0), math.exp(log_obs), len(log_p)


def contingency_test(table: Sequence[Sequence[int]], test: str, *, seed: int = 20170801,
                     mc_samples: int = 100_000,
                     exact_limit: int = FFH_EXACT_LIMIT) -> dict:
    """Test of independence in an r x c table of counts.

    ``test``: "chi2" (Pearson, no continuity correction), "chi2_yates" (2 x 2 only),
    "g_test" (likelihood ratio, no correction), "fisher" (2 x 2 only, two-sided) or
    "fisher_freeman_halton" (r x c exact; Monte Carlo with ``mc_samples`` tables drawn with
    numpy's Generator seeded by ``seed`` when more than ``exact_limit`` tables have the
    observed margins). Returns {"p", "statistic", "df", "method", "note"}: the statistic
    is the chi-square or G, the sample odds ratio for "fisher", and the null probability
    of the observed table for "fisher_freeman_halton"; df is None for the exact tests.
    All-zero rows and columns are dropped; if one row or column is left, p = 1.
    """
    if test not in CONTINGENCY_TESTS:
        raise ValueError(f"test must be one of {CONTINGENCY_TESTS}, got {test!r}")
    t0 = _as_table(table)
    if test in ("chi2_yates", "fisher") and t0.shape != (2, 2):
        hint = "; use 'fisher_freeman_halton'" if test == "fisher" else ""
        raise ValueError(f"{test!r} needs a 2 x 2 table, got {t0.shape[0]} x "
                         f"{t0.shape[1]}{hint}")
    if isinstance(mc_samples, bool) or int(mc_samples) != mc_samples or mc_samples < 1:
        raise ValueError(f"mc_samples must be a positive integer, got {mc_samples!r}")
    keep_r, keep_c = t0.sum(axis=1) > 0, t0.sum(axis=0) > 0
    t = t0[keep_r][:, keep_c]
    dropped = ""
    if t.shape != t0.shape:
        dropped = (f"dropped {int((~keep_r).sum())} empty row(s) and "
                   f"{int((~keep_c).sum())} empty column(s); ")
    chi_like = test in ("chi2", "chi2_yates", "g_test")
    names = {"chi2": "Pearson chi-square (no continuity correction)",
             "chi2_yates": "Pearson chi-square with Yates' continuity correction",
             "g_test": "G-test (likelihood ratio, no continuity correction)",
             "fisher": "Fisher's exact test (two-sided)",
             "fisher_freeman_halton": "Fisher-Freeman-Halton exact test"}
    if min(t.shape) < 2:
        note = (f"{dropped}the table has a single non-empty row or column "
                f"({t.shape[0]} x {t.shape[1]} left): independence holds trivially, p = 1")
        return {"p": 1.0, "statistic": 0.0 if chi_like else NAN, "df": 0 if chi_like else None,
                "method": names[test], "note": note}
    if chi_like:
        kw = {"lambda_": "log-likelihood"} if test == "g_test" else {}
        res = stats.chi2_contingency(t, correction=test == "chi2_yates", **kw)
        expected = res.expected_freq
        small = int((expected < 5).sum())
        note = dropped + (f"{small} of {expected.size} expected counts < 5 "
                          f"(smallest {expected.min():.3g})" if small
                          else "all expected counts >= 5")
        return {"p": float(res.pvalue), "statistic": float(res.statistic),
                "df": int(res.dof), "method": names[test], "note": note}
    if test == "fisher":
        res = stats.fisher_exact(t, alternative="two-sided")
        return {"p": float(res.pvalue), "statistic": float(res.statistic), "df": None,
                "method": names[test], "note": dropped + "statistic: sample odds ratio"}
    exact = _ffh_exact(t, exact_limit)
    if exact is not None:
        p, prob, count = exact
        note = (f"{dropped}exact: all {count} tables with the observed margins enumerated; "
                f"statistic: null probability of the observed table")
        return {"p": p, "statistic": prob, "df": None,
                "method": names[test] + " (exact enumeration)", "note": note}
    method = stats.MonteCarloMethod(n_resamples=int(mc_samples),
                                    rng=np.random.default_rng(seed))
    res = stats.fisher_exact(t, method=method)
    p = float(res.pvalue)
    se = math.sqrt(p * (1 - p) / mc_samples)
    note = (f"{dropped}Monte Carlo: more than {exact_limit} tables with the observed "
            f"margins; p = (1 + count) / (B + 1) from B = {mc_samples} tables drawn with "
            f"seed {seed}; standard error sqrt(p(1-p)/B) = {se:.2g}; statistic: null "
            f"probability of the observed table")
    return {"p": p, "statistic": float(res.statistic), "df": None,
            "method": names[test] + f" (Monte Carlo, B = {mc_samples})", "note": note}


def contingency_from_printed(cells: Sequence[Sequence[int | tuple[str, int]]], *,
                             schemes: tuple[str, ...] = ("half_up", "half_even"),
                             max_tables: int = 100_000) -> Iterator[list[list[int]]]:
    """Every table of counts compatible with printed cells.

    Each cell is an exact count (int), ``(percent_text, n)``: a percentage of ``n``
    printed as ``percent_text`` ("12.5" or "12.5%"), whose possible counts come from
    ``scrutiny.counts_from_percent`` under ``schemes``, or a ``list`` of possible counts
    (e.g. ``scrutiny.nearest_counts`` where a percent fits none). Raises ValueError when a cell fits
    no count, or when more than ``max_tables`` tables would result; otherwise returns an
    iterator over the tables (lists of lists of int), in lexicographic order of the cells.
    """
    if not cells or not all(cells) or len({len(row) for row in cells}) != 1:
        raise ValueError("cells must be a non-empty rectangular list of rows")
    options: list[tuple[int, ...]] = []
    for i, row in enumerate(cells, start=1):
        for j, cell in enumerate(row, start=1):
            if isinstance(cell, list) and cell and all(
                    isinstance(c, (int, np.integer)) and not isinstance(c, bool) and c >= 0 for c in cell):
                options.append(tuple(int(c) for c in cell))
            elif isinstance(cell, tuple):
                percent, n = cell
                percent = str(percent).strip().removesuffix("%").strip()
                found = counts_from_percent(percent, n, schemes=schemes)
                if not found:
                    raise ValueError(f"cell ({i}, {j}): no count out of {n} prints as "
                                     f"{percent}%")
                options.append(tuple(found))
            elif isinstance(cell, (int, np.integer)) and not isinstance(cell, bool) \
                    and cell >= 0:
                options.append((int(cell),))
            else:
                raise ValueError(f"cell ({i}, {j}) must be a count >= 0 or "
                                 f"(percent_text, n), got {cell!r}")
    count = math.prod(len(o) for o in options)
    if count > max_tables:
        raise ValueError(f"{count} compatible tables, more than max_tables = {max_tables}")
    width = len(cells[0])
    return ([list(flat[a:a + width]) for a in range(0, len(flat), width)]
            for flat in itertools.product(*options))


def contingency_range(tables, test: str, **kwargs) -> Range:
    """p of ``contingency_test`` over every table given (e.g. from
    ``contingency_from_printed``): value = p when there is one table, else nan; lower and
    upper = the smallest and largest p. ``kwargs`` go to ``contingency_test``."""
    ps = [contingency_test(t, test, **kwargs)["p"] for t in tables]
    if not ps:
        raise ValueError("no table to test")
    return Range(ps[0] if len(ps) == 1 else NAN, min(ps), max(ps))
