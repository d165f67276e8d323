"""Effects for meta-analysis from printed summaries, and random-effects pooling.

Change from baseline (``mean_change_from_summary``, ``between_arm_change``): papers print
the mean and SD at each time point but rarely the SD of the change, which needs the
within-person correlation r: SD_change = sqrt(s1^2 + s2^2 - 2 r s1 s2) (Cochrane
Handbook, section 6.5.2.8). r is unknown, so every result is given at each r of a list
and over r in [-1, 1]; every printed number is a :class:`~reanalysis.engine.summary_stats.Box`
and every result a :class:`~reanalysis.engine.summary_stats.Range` (value at the printed
numbers, extremes over the boxes). The SD of the change is convex in (s1, s2) and
decreasing in r; its exact extremes over a box come from ``summary_stats`` (see its
notes). The mean change depends on the means only and the SE on the SDs only, so
CI ends d -/+ t * SE have exact extremes at the ends of d and of the SE (Student). For
Welch's two-arm CI the t quantile depends on the SDs: its half-width is searched on the
SD box (grid + L-BFGS-B, ``summary_stats._minimum``; deterministic, not guaranteed
global). Quantiles are Student t (``scipy.stats.t.ppf``).

``median_iqr_to_mean_sd``: Wan X, Wang W, Liu J, Tong T. BMC Med Res Methodol
2014;14:135, scenario C3 (median, quartiles and n): mean ~ (q1 + m + q3) / 3 and
SD ~ (q3 - q1) / eta(n), eta(n) = 2 Phi^-1((0.75 n - 0.125) / (n + 0.25)); eta tends to
2 Phi^-1(0.75) = 1.349 (the Cochrane Handbook's "IQR / 1.35" for large samples).

Pooling (``pool_random_effects``) uses statsmodels' ``combine_effects`` (0.15.0) with
normal-based 95% CIs (as R metafor's ``rma`` by default). Two corrections to its output:
statsmodels 0.15.0 does not truncate the DerSimonian-Laird tau^2 at 0 (Q < k - 1 gives a
negative tau^2, and random-effects weights 1 / (v_i + tau^2) that may be negative), and
its I^2 = 1 - (k - 1) / Q is not truncated either. Here tau^2 = max(0, DL) as
DerSimonian & Laird (1986) define it: when the raw DL value is negative the pooling is
rerun with ``method_re="pm"``, which returns tau^2 = 0 exactly in that case (the
Paule-Mandel estimating equation is Q - (k - 1) < 0 at tau^2 = 0), so the random-effects
rows equal the fixed-effect ones; and I^2 = max(0, (Q - (k - 1)) / Q) (Higgins &
Thompson 2002).

Hartung-Knapp-Sidik-Jonkman (HKSJ) interval (``random_hksj``; Hartung & Knapp, Stat Med
2001;20:3875-3889; Sidik & Jonkman, Stat Med 2002;21:3153-3159): the same random-effects
estimate mu, with the variance q / sum(w_i), q = sum(w_i (y_i - mu)^2) / (k - 1) and
w_i = 1 / (v_i + tau^2), and a t quantile with k - 1 degrees of freedom:
mu -/+ t(k - 1) sqrt(q / sum w_i). statsmodels returns this variance as ``var_hksj_re``
(its "random effect wls" row, ``conf_int(use_t=True)``); it equals R metafor's
``rma(..., test="knha")`` (tested on Kacker's example). The ad hoc modification that
keeps q >= 1 (Roever, Knapp & Friede, BMC Med Res Methodol 2015;15:99) is not applied,
as metafor's default does not apply it. With very few studies (2-4) the normal interval
of DerSimonian-Laird is too narrow (its tau^2 is badly estimated and treated as known);
HKSJ accounts for that uncertainty, at the price of wide intervals (Bender et al., Res
Synth Methods 2018;9:382-392; IntHout, Ioannidis & Borm, BMC Med Res Methodol
2014;14:25).
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

from reanalysis.engine.summary_stats import (Box, Range, _minimum, _sd, _sd_change, _sd_change_bounds,
                                             _sd_change_range, difference)

NAN = float("nan")
DEFAULT_R = (0.0, 0.5, 0.8)
ARM_TESTS = ("student", "welch")
RE_METHODS = {"dl": "dl", "pm": "pm", "iterated": "iterated"}
MeanSD = tuple[Box, Box]


def _check_r(r_values) -> tuple[float, ...]:
    rs = tuple(float(r) for r in r_values)
    if not rs:
        raise ValueError("need at least one correlation r")
    for r in rs:
        if not -1.0 <= r <= 1.0:
            raise ValueError(f"r must lie in [-1, 1], got {r!r}")
    return rs


def _check_n(name: str, n, n_min: int = 2) -> int:
    if isinstance(n, bool) or int(n) != n or n < n_min:
        raise ValueError(f"{name} must be an integer >= {n_min}, got {n!r}")
    return int(n)


def _check_level(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level!r}")
    return float(level)


def _pair(x, what: str) -> MeanSD:
    if (not isinstance(x, (tuple, list)) or len(x) != 2
            or not all(isinstance(b, Box) for b in x)):
        raise ValueError(f"{what}: give (mean, SD) as two Box objects, got {x!r}")
    if x[1].value < 0:
        raise ValueError(f"{what}: an SD cannot be negative, got {x[1]!r}")
    return x[0], _sd(x[1])


def _ci(d: Range, se_val: float, se_lo: float, se_hi: float, crit: float):
    """(ci_low, ci_high) Ranges of d -/+ crit * se: exact, d and se vary independently."""
    low = Range(d.value - crit * se_val, d.lower - crit * se_hi, d.upper - crit * se_lo)
    high = Range(d.value + crit * se_val, d.lower + crit * se_lo, d.upper + crit * se_hi)
    return low, high


# --- change from baseline, one arm -----------------------------------------------------

def mean_change_from_summary(before: MeanSD, after: MeanSD, n: int,
                             r_values: Sequence[float] = DEFAULT_R,
                             level: float = 0.95) -> dict:
    """Mean change (after - before) with its CI, at each r and over r in [-1, 1].

    ``before``, ``after``: (mean Box, SD Box); ``n``: the participants measured at both
    times. SE = sqrt(s1^2 + s2^2 - 2 r s1 s2) / sqrt(n); CI = change -/+ t(level, n - 1) SE.

    Returns ``change`` (Range), ``df``, ``t_crit``, ``by_r`` (a list, one dict per r:
    ``r``, ``sd_change``, ``se``, ``ci_low``, ``ci_high`` as Ranges, ``variance``
    = se^2 at the printed numbers), and ``over_r`` (r anywhere in [-1, 1], boxes
    included): ``se``, ``ci_low``, ``ci_high``, ``width`` as Range(nan, min, max) and
    ``envelope`` (lowest CI end, highest CI end); plus ``at_printed``: at the printed
    numbers, the widest CI (r = -1) and the narrowest (r = 1) with their SEs.
    """
    n = _check_n("n", n)
    rs = _check_r(r_values)
    level = _check_level(level)
    (m1, s1), (m2, s2) = _pair(before, "before"), _pair(after, "after")
    d = difference(m2, m1)
    crit = float(stats.t.ppf(0.5 + level / 2, n - 1))
    root = math.sqrt(n)
    by_r = []
    for r in rs:
        sd_val = float(_sd_change(s1.value, s2.value, r))
        lo, hi = (float(v) for v in _sd_change_bounds(s1, s2, r))
        se = Range(sd_val / root, lo / root, hi / root)
        ci_low, ci_high = _ci(d, se.value, se.lower, se.upper, crit)
        by_r.append({"r": r, "sd_change": Range(sd_val, lo, hi), "se": se,
                     "ci_low": ci_low, "ci_high": ci_high, "variance": se.value ** 2})
    sd_lo, sd_hi = _sd_change_range(s1, s2, None)
    se_lo, se_hi = sd_lo / root, sd_hi / root
    low, high = _ci(d, NAN, se_lo, se_hi, crit)
    se_widest = float(_sd_change(s1.value, s2.value, -1.0)) / root
    se_narrowest = float(_sd_change(s1.value, s2.value, 1.0)) / root
    return {
        "change": d, "df": float(n - 1), "t_crit": crit, "level": level, "by_r": by_r,
        "over_r": {"se": Range(NAN, se_lo, se_hi), "ci_low": low, "ci_high": high,
                   "width": Range(NAN, 2 * crit * se_lo, 2 * crit * se_hi),
                   "envelope": (low.lower, high.upper)},
        "at_printed": {"se_widest": se_widest, "se_narrowest": se_narrowest,
                       "ci_widest": (d.value - crit * se_widest, d.value + crit * se_widest),
                       "ci_narrowest": (d.value - crit * se_narrowest,
                                        d.value + crit * se_narrowest)},
    }


# --- difference in change between two arms ------------------------------------------------

def _arm_se(sa, sb, na: int, nb: int, test: str):
    """(SE, df) of the difference of two independent mean changes (vectorised)."""
    sa, sb = np.asarray(sa, dtype=float), np.asarray(sb, dtype=float)
    if test == "student":
        df = float(na + nb - 2)
        pooled = ((na - 1) * sa * sa + (nb - 1) * sb * sb) / df
        return np.sqrt(pooled * (1.0 / na + 1.0 / nb)), np.full(np.shape(pooled), df)
    va, vb = sa * sa / na, sb * sb / nb
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (va + vb) ** 2 / (va * va / (na - 1) + vb * vb / (nb - 1))
    return np.sqrt(va + vb), df


def _arm_ci(d: Range, sd_val, sd_lo, sd_hi, na, nb, test, level):
    """SE, df and CI Ranges for SD-of-change boxes [sd_lo_i, sd_hi_i] of the two arms."""
    q = 0.5 + level / 2
    se_val = df_val = crit_val = NAN
    if sd_val is not None:
        se_val, df_val = (float(v) for v in _arm_se(*sd_val, na, nb, test))
        crit_val = float(stats.t.ppf(q, df_val)) if np.isfinite(df_val) else NAN
    se_lo = float(_arm_se(sd_lo[0], sd_lo[1], na, nb, test)[0])
    se_hi = float(_arm_se(sd_hi[0], sd_hi[1], na, nb, test)[0])
    if test == "student":
        df = float(na + nb - 2)
        crit = float(stats.t.ppf(q, df))
        h_lo, h_hi = crit * se_lo, crit * se_hi
        df_range = Range(df, df, df)
    else:
        def sds_of(x):
            return (sd_lo[0] + x[:, 0] * (sd_hi[0] - sd_lo[0]),
                    sd_lo[1] + x[:, 1] * (sd_hi[1] - sd_lo[1]))

        def half(x):
            se, df = _arm_se(*sds_of(x), na, nb, test)
            with np.errstate(invalid="ignore"):
                return np.where(se > 0, stats.t.ppf(q, df) * se, 0.0)

        def dfs(x):
            return _arm_se(*sds_of(x), na, nb, test)[1]

        h_lo, h_hi = _minimum(half, 2), -_minimum(lambda x: -half(x), 2)
        df_range = Range(df_val, float(np.fmin(_minimum(dfs, 2), df_val)),
                         float(np.fmax(-_minimum(lambda x: -dfs(x), 2), df_val)))
        if sd_val is not None:      # the printed point is in the box
            h_lo, h_hi = min(h_lo, crit_val * se_val), max(h_hi, crit_val * se_val)
    low = Range(d.value - crit_val * se_val, d.lower - h_hi, d.upper - h_lo)
    high = Range(d.value + crit_val * se_val, d.lower + h_lo, d.upper + h_hi)
    return Range(se_val, se_lo, se_hi), df_range, low, high


def between_arm_change(treatment: tuple[MeanSD, MeanSD], n_t: int,
                       control: tuple[MeanSD, MeanSD], n_c: int,
                       r_values: Sequence[float] = DEFAULT_R, level: float = 0.95,
                       test: str = "student") -> dict:
    """Difference in mean change between arms, (T_after - T_before) - (C_after - C_before),
    with its CI at each r (the same r in both arms) and over r in [-1, 1].

    ``treatment``, ``control``: (before, after), each a (mean Box, SD Box) pair.
    ``test``: "student" (pooled SD of change, df = n_t + n_c - 2; extremes exact) or
    "welch" (SE sqrt(s_t^2 / n_t + s_c^2 / n_c), Welch-Satterthwaite df; CI extremes
    searched). Returns ``difference`` (Range), ``by_r`` (per r: ``r``, ``sd_change_t``,
    ``sd_change_c``, ``se``, ``df``, ``ci_low``, ``ci_high`` Ranges and ``variance`` =
    se^2 at the printed numbers) and ``over_r``: ``se``, ``ci_low``, ``ci_high`` as
    Range(nan, min, max) and ``envelope``, with each arm's SD of change over its whole
    range for r in [-1, 1] (the SE extremes are at r = 1 and r = -1 in both arms, so
    they do not depend on whether the arms share r).
    """
    if test not in ARM_TESTS:
        raise ValueError(f"test must be one of {ARM_TESTS}, got {test!r}")
    n_t, n_c = _check_n("n_t", n_t), _check_n("n_c", n_c)
    rs = _check_r(r_values)
    level = _check_level(level)
    (tm0, ts0), (tm1, ts1) = (_pair(x, "treatment") for x in treatment)
    (cm0, cs0), (cm1, cs1) = (_pair(x, "control") for x in control)
    dt, dc = difference(tm1, tm0), difference(cm1, cm0)
    d = Range(dt.value - dc.value, dt.lower - dc.upper, dt.upper - dc.lower)
    by_r = []
    for r in rs:
        vt, vc = float(_sd_change(ts0.value, ts1.value, r)), float(_sd_change(cs0.value, cs1.value, r))
        (t_lo, t_hi), (c_lo, c_hi) = _sd_change_range(ts0, ts1, r), _sd_change_range(cs0, cs1, r)
        se, df, low, high = _arm_ci(d, (vt, vc), (t_lo, c_lo), (t_hi, c_hi), n_t, n_c,
                                    test, level)
        by_r.append({"r": r, "sd_change_t": Range(vt, t_lo, t_hi),
                     "sd_change_c": Range(vc, c_lo, c_hi), "se": se, "df": df,
                     "ci_low": low, "ci_high": high, "variance": se.value ** 2})
    (t_lo, t_hi), (c_lo, c_hi) = _sd_change_range(ts0, ts1, None), _sd_change_range(cs0, cs1, None)
    se, df, low, high = _arm_ci(d, None, (t_lo, c_lo), (t_hi, c_hi), n_t, n_c, test, level)
    return {"difference": d, "test": test, "level": level, "by_r": by_r,
            "over_r": {"se": se, "df": df, "ci_low": low, "ci_high": high,
                       "envelope": (low.lower, high.upper)}}


# --- median (IQR) to mean (SD) ---------------------------------------------------------------

def _as_box(x, what: str) -> Box:
    if isinstance(x, Box):
        return x
    if isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x):
        return Box(float(x), float(x), float(x))
    raise ValueError(f"{what}: give a Box or a finite number, got {x!r}")


def wan_eta(n: int) -> float:
    """eta(n) = 2 Phi^-1((0.75 n - 0.125) / (n + 0.25)) (Wan et al. 2014, scenario C3)."""
    n = _check_n("n", n)
    return float(2 * stats.norm.ppf((0.75 * n - 0.125) / (n + 0.25)))


def median_iqr_to_mean_sd(median, q1, q3, n: int) -> dict:
    """Wan et al. (2014) estimates of the mean and SD from the median, quartiles and n.

    Inputs are Boxes (printed numbers) or plain numbers. mean = (q1 + median + q3) / 3 is
    increasing in all three and SD = (q3 - q1) / eta(n) increasing in q3, decreasing in
    q1, so the extremes over the boxes are exact (the SD cut at 0). Returns ``mean``,
    ``sd`` (Ranges), ``eta`` and ``method``.
    """
    m, a, b = _as_box(median, "median"), _as_box(q1, "q1"), _as_box(q3, "q3")
    if not a.value <= m.value <= b.value:
        raise ValueError(f"need q1 <= median <= q3, got {a.value}, {m.value}, {b.value}")
    eta = wan_eta(n)
    mean = Range((a.value + m.value + b.value) / 3, (a.lower + m.lower + b.lower) / 3,
                 (a.upper + m.upper + b.upper) / 3)
    sd = Range((b.value - a.value) / eta, max(0.0, (b.lower - a.upper) / eta),
               (b.upper - a.lower) / eta)
    return {"mean": mean, "sd": sd, "eta": eta,
            "method": "Wan et al. 2014 (BMC Med Res Methodol 14:135), scenario C3: "
                      "mean = (q1 + median + q3) / 3, SD = (q3 - q1) / eta(n), "
                      f"eta({n}) = {eta:.6g}"}


# --- random-effects pooling --------------------------------------------------------------------

def _row(frame, i: int) -> dict:
    row = frame.iloc[i]
    return {"estimate": float(row["eff"]), "se": float(row["sd_eff"]),
            "ci_low": float(row["ci_low"]), "ci_high": float(row["ci_upp"])}


def _hksj(res, alpha: float) -> dict:
    """The HKSJ row of a statsmodels CombineResults: the random-effects estimate, its
    variance q / sum(w_i) (``var_hksj_re``) and a t(k - 1) interval."""
    ci = res.conf_int(alpha=alpha, use_t=True)[3]
    return {"estimate": float(res.mean_effect_re), "se": float(math.sqrt(res.var_hksj_re)),
            "ci_low": float(ci[0]), "ci_high": float(ci[1]), "df": int(res.k - 1),
            "q_scale": float(res.scale_hksj_re)}


def pool_random_effects(effects: Sequence[float], variances: Sequence[float],
                        labels: Sequence[str] | None = None, method: str = "dl",
                        level: float = 0.95, **re_options) -> dict:
    """Fixed- and random-effects pooling with statsmodels' ``combine_effects``.

    ``method``: "dl" (DerSimonian-Laird, tau^2 truncated at 0) or "pm" / "iterated"
    (Paule-Mandel; ``re_options`` go to statsmodels' iteration, default atol 1e-10,
    maxiter 500). CIs are normal-based at ``level``.

    Returns ``k``, ``method``, ``random`` and ``fixed`` (estimate, se, ci_low,
    ci_high), ``random_hksj`` (the same estimate with the Hartung-Knapp-Sidik-Jonkman
    se and t(k - 1) interval, plus ``df`` and ``q_scale``, the factor q by which it
    rescales the random-effects variance), ``tau2``, ``tau2_untruncated`` (statsmodels' raw DL value; equal to tau2
    for PM), ``i2`` (truncated at 0), ``q``, ``q_df``, ``q_p`` (chi-square test of
    homogeneity), ``weights_random`` and ``weights_fixed`` (relative, by label),
    ``pm_equation`` (PM only: Q(tau^2) - (k - 1) at the solution, 0 when converged,
    negative when tau^2 = 0; None for DL) and ``table`` (statsmodels' ``summary_frame()``).
    """
    from statsmodels.stats.meta_analysis import combine_effects

    if method not in RE_METHODS:
        raise ValueError(f"method must be one of {sorted(RE_METHODS)}, got {method!r}")
    level = _check_level(level)
    eff = np.asarray(effects, dtype=float)
    var = np.asarray(variances, dtype=float)
    k = eff.size
    if eff.ndim != 1 or var.shape != eff.shape:
        raise ValueError("need one effect and one variance per study")
    if k < 2:
        raise ValueError(f"pooling needs at least 2 studies, got {k}")
    if not (np.all(np.isfinite(eff)) and np.all(np.isfinite(var)) and np.all(var > 0)):
        raise ValueError("effects must be finite and variances finite and > 0")
    labels = [str(x) for x in (labels if labels is not None else range(1, k + 1))]
    if len(labels) != k:
        raise ValueError(f"need {k} labels, got {len(labels)}")
    alpha = 1 - level
    kwds = {}
    if method != "dl":
        kwds = {"atol": 1e-10, "maxiter": 500, **re_options}
    with np.errstate(invalid="ignore", divide="ignore"):  # a negative DL tau^2, redone below
        res = combine_effects(eff, var, method_re=RE_METHODS[method], row_names=labels,
                              alpha=alpha, **kwds)
    raw_tau2 = float(res.tau2)
    if method == "dl" and raw_tau2 < 0:
        # statsmodels 0.15.0 leaves the DL tau^2 negative when Q < k - 1; PM gives 0 then
        with np.errstate(divide="ignore"):  # statsmodels' I^2 when Q = 0; replaced below
            res = combine_effects(eff, var, method_re="pm", row_names=labels, alpha=alpha)
        if float(res.tau2) != 0.0:  # cannot happen: PM's equation is Q - (k - 1) < 0 at 0
            raise RuntimeError(f"expected tau^2 = 0 from PM, got {res.tau2}")
    tau2 = float(res.tau2)
    frame = res.summary_frame(alpha=alpha, use_t=False)
    q = float(res.q)
    w = 1 / (var + tau2)
    m = float(w @ eff / w.sum())
    homog = res.test_homogeneity()
    return {
        "k": k, "method": method, "level": level,
        "random": _row(frame, k + 1), "fixed": _row(frame, k),
        "random_hksj": _hksj(res, alpha),
        "tau2": tau2, "tau2_untruncated": raw_tau2,
        "i2": max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0,
        "q": q, "q_df": k - 1, "q_p": float(homog.pvalue),
        "weights_random": dict(zip(labels, map(float, res.weights_rel_re))),
        "weights_fixed": dict(zip(labels, map(float, res.weights_rel_fe))),
        "pm_equation": None if method == "dl" else float(w @ (eff - m) ** 2 - (k - 1)),
        "table": frame,
    }


# --- pooling with r unknown --------------------------------------------------------------------

def _study_effect(study: dict, r: float, level: float, test: str) -> tuple[str, float, float]:
    if "effect" in study and "variance" in study:
        return "given", float(study["effect"]), float(study["variance"])
    if "treatment" in study and "control" in study:
        t, c = study["treatment"], study["control"]
        res = between_arm_change((t["before"], t["after"]), t["n"],
                                 (c["before"], c["after"]), c["n"], r_values=(r,),
                                 level=level, test=test)
        return "between_arm", res["difference"].value, res["by_r"][0]["variance"]
    if all(key in study for key in ("before", "after", "n")):
        res = mean_change_from_summary(study["before"], study["after"], study["n"],
                                       r_values=(r,), level=level)
        return "one_arm", res["change"].value, res["by_r"][0]["variance"]
    raise ValueError(f"study {study.get('label')!r}: give 'effect' and 'variance', or "
                     "'before', 'after', 'n', or 'treatment' and 'control'")


def pool_over_r(studies: Sequence[dict], r_values: Sequence[float] = DEFAULT_R,
                method: str = "dl", level: float = 0.95, test: str = "student",
                **re_options) -> dict:
    """Random-effects pooling of change scores repeated at each r of ``r_values``.

    ``studies``: dicts with ``label`` and one of: ``before``, ``after`` ((mean, SD) Box
    pairs) and ``n`` (one-arm mean change); ``treatment`` and ``control`` (each a dict
    with ``before``, ``after``, ``n``: difference in change, ``between_arm_change``
    with ``test``); ``effect`` and ``variance`` (used as given at every r). One-arm
    changes and between-arm differences are not mixed. Effects are at the printed
    numbers (the rounding boxes are not carried into the pooling).

    Returns ``by_r`` (``r`` and the ``pool_random_effects`` result) and, over the r
    list, Range(nan, min, max) of ``random_estimate``, ``random_ci_low``,
    ``random_ci_high``, ``hksj_ci_low``, ``hksj_ci_high``, ``fixed_estimate``,
    ``tau2``, ``i2``, ``q_p``, plus ``envelope`` (lowest random-effects normal CI end,
    highest) and ``hksj_envelope`` (the same for the HKSJ interval).
    """
    rs = _check_r(r_values)
    level = _check_level(level)
    if test not in ARM_TESTS:
        raise ValueError(f"test must be one of {ARM_TESTS}, got {test!r}")
    labels = [str(s.get("label", i + 1)) for i, s in enumerate(studies)]
    by_r = []
    for r in rs:
        kinds, effects, variances = zip(*(_study_effect(s, r, level, test) for s in studies))
        if {"one_arm", "between_arm"} <= set(kinds):
            raise ValueError("one-arm changes and between-arm differences estimate "
                             "different things: pool them separately")
        by_r.append({"r": r, "pooled": pool_random_effects(
            effects, variances, labels, method=method, level=level, **re_options)})

    def span(get):
        v = [get(x["pooled"]) for x in by_r]
        return Range(NAN, min(v), max(v))

    out = {"r_values": rs, "by_r": by_r,
           "random_estimate": span(lambda p: p["random"]["estimate"]),
           "random_ci_low": span(lambda p: p["random"]["ci_low"]),
           "random_ci_high": span(lambda p: p["random"]["ci_high"]),
           "hksj_ci_low": span(lambda p: p["random_hksj"]["ci_low"]),
           "hksj_ci_high": span(lambda p: p["random_hksj"]["ci_high"]),
           "fixed_estimate": span(lambda p: p["fixed"]["estimate"]),
           "tau2": span(lambda p: p["tau2"]), "i2": span(lambda p: p["i2"]),
           "q_p": span(lambda p: p["q_p"])}
    out["envelope"] = (out["random_ci_low"].lower, out["random_ci_high"].upper)
    out["hksj_envelope"] = (out["hksj_ci_low"].lower, out["hksj_ci_high"].upper)
    return out
