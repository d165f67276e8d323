"""Carlisle's check of the baseline table of a randomised trial.

Carlisle JB. Data fabrication and other reasons for non-random sampling in 5087
randomised, controlled trials in anaesthetic and general medical journals.
Anaesthesia 2017;72:944-952. Under randomisation every baseline difference between the
groups is chance, so the p-values of the baseline variables are uniform on [0, 1]; too
many large p-values (groups more alike than chance makes them) or too many small ones
(groups more different) is a sign of non-random sampling, fabrication among others.

Combining the per-variable p-values (``stouffer``) follows the Medical Evidence
Project's R package MEPtoolkit (``R/carlisle.R``): z = sum(Phi^-1(p_i)) / sqrt(k) and
combined p = 1 - Phi(z). **Convention**: a SMALL combined p in this orientation means
the baseline p-values are too LARGE, i.e. the groups are more ALIKE than chance would
make them (MEPtoolkit's test case, four printed ".80", gives 0.046164081). The other
tail, Phi(z), is small when the p-values are too SMALL (groups more different than
chance). ``carlisle_trial`` gives both. ``scipy.stats.combine_pvalues(method=
'stouffer')`` uses Z = sum(Phi^-1(1 - p_i)) / sqrt(k) and p = 1 - Phi(Z): its p is
Phi(z) here, the other tail (its statistic is -z).

Rounding: a printed p such as ".80" stands for [0.795, 0.805] (``rounding.parse_claim``;
"< .001" for (0, 0.001] and "> .5" for [0.5, 1], as MEPtoolkit's ``validate_p``). The
combined p decreases in every p_i (Phi^-1 increases, 1 - Phi decreases), so its extremes
over the rounding are at two corners: the smallest combined p with every p_i at the top
of its interval, the largest with every p_i at the bottom (MEPtoolkit enumerates all
2^k corners; the two agree).

``baseline_p_by_simulation``: Carlisle's Monte Carlo p for one continuous baseline
variable with k groups, which takes the rounding of the printed means into account.
Under the null every group is a sample of one population with the n-weighted pooled
mean and the pooled SD sqrt(sum (n_i - 1) s_i^2 / (N - k)); each simulated group mean is
drawn from N(mean, SD^2 / n_i) and rounded to the printed decimals of that group's mean
(``rounding.round_to``); the one-way ANOVA F (t^2 for two groups, the same two-sided
test) is computed from the rounded simulated means and compared with the F of the
printed means. With ``sds="printed"`` (the default) the printed SDs are kept in every
simulated trial, so only the means vary: without rounding the p then tends to
chi2.sf((k - 1) F, k - 1) (the known-variance test, ``known_variance_p``), which is
close to the ANOVA p when N - k is large. With ``sds="simulated"`` each group's SD is
drawn too (s_i^2 ~ SD^2 chi2(n_i - 1) / (n_i - 1)) and rounded to its printed decimals;
without rounding the p then tends to the ANOVA p f.sf(F, k - 1, N - k) exactly.

A Monte Carlo p of 0 (no simulated trial as extreme as the printed one) is not a p of 0:
it is reported as p < 1/(n_sim + 1), the smallest p a test with n_sim simulations can
give (Phipson B, Smyth GK. Permutation p-values should never be zero. Stat Appl Genet Mol
Biol 2010;9:39; ``p_upper_bound``). Stouffer's combination takes such a p at that bound,
so the combined Phi(z) (increasing in every p_i) is then an upper bound and 1 - Phi(z) a
lower bound (``carlisle_trial``'s ``combined_op`` and ``combined_lower_tail_op``).

Ties: rounded means are discrete, so simulated statistics can equal the observed one
(when the printed means are all equal, F = 0 and every simulation with all rounded means
equal ties). The p counts ties half: p = P(F* > F) + P(F* = F) / 2 (the mid-p of
Lancaster, JASA 1961;56:223-234), which the brief gives as Carlisle's handling; the
wording of Carlisle's paper was not available to check. ``p_ge`` (ties counted in full,
the usual ">=") and ``p_gt`` (ties left out) are returned as well. Ties are decided
exactly, in integers: every rounded value is a whole number of its printed unit.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

import numpy as np
from scipy import stats

from reanalysis.engine.kgroup_stats import anova_from_summary
from reanalysis.engine.rounding import parse_claim, parse_number, round_to
from reanalysis.engine.summary_stats import Box, Range

NAN = float("nan")
DEFAULT_SEED = 20170601
DEFAULT_N_SIM = 20_000
SD_MODES = ("printed", "simulated")
MEANS_METHODS = ("anova", "simulation")


# --- Stouffer's combination ----------------------------------------------------------

def _check_ps(ps) -> np.ndarray:
    p = np.asarray(ps, dtype=float)
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"need a non-empty list of p-values, got {ps!r}")
    if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError(f"p-values must lie in [0, 1], got {ps!r}")
    return p


def stouffer_z(pvalues: Sequence[float]) -> float:
    """z = sum(Phi^-1(p_i)) / sqrt(k). A p of 0 gives -inf, of 1 +inf; both: nan."""
    p = _check_ps(pvalues)
    with np.errstate(invalid="ignore"):
        return float(stats.norm.ppf(p).sum() / math.sqrt(p.size))


def stouffer(pvalues: Sequence[float]) -> float:
    """Combined p by Stouffer's method as MEPtoolkit's ``carlisle()``: 1 - Phi(z) with
    z = sum(Phi^-1(p_i)) / sqrt(k). Small when the p-values are too LARGE (baseline
    groups more alike than chance). Computed as ``norm.sf(z)``."""
    return float(stats.norm.sf(stouffer_z(pvalues)))


def stouffer_lower_tail(pvalues: Sequence[float]) -> float:
    """The other tail, Phi(z): small when the p-values are too SMALL (groups more
    different than chance). Equals scipy's ``combine_pvalues(method='stouffer')`` p."""
    return float(stats.norm.cdf(stouffer_z(pvalues)))


def printed_p_interval(text: str) -> tuple[float, float, float]:
    """(value, lower, upper) of a printed p: '.80' -> (0.80, 0.795, 0.805) (cut to
    [0, 1]); '< .001' -> (0.001, 0, 0.001); '> .5' -> (0.5, 0.5, 1). As MEPtoolkit's
    ``validate_p`` (which puts the lower end of '<' at the smallest double, not 0)."""
    claim = parse_claim(text)
    v = float(claim.number.value)
    if not 0 <= v <= 1:
        raise ValueError(f"{text!r}: a p-value must lie in [0, 1]")
    if claim.op == "=":
        return v, max(0.0, float(claim.number.lower)), min(1.0, float(claim.number.upper))
    if claim.op in ("<", "<="):
        return v, 0.0, v
    return v, v, 1.0


def _combine_ranges(ps: Sequence[Range], tail: str = "upper") -> Range:
    """Stouffer over per-variable p Ranges: the value at the printed ps and the extremes
    at the two corners (the combined p is monotone in every p_i)."""
    value = [p.value for p in ps]
    lo = [p.lower for p in ps]
    hi = [p.upper for p in ps]
    f = stouffer if tail == "upper" else stouffer_lower_tail
    ends = (f(hi), f(lo)) if tail == "upper" else (f(lo), f(hi))
    return Range(f(value), *ends)


def stouffer_printed(p_texts: Sequence[str]) -> Range:
    """Stouffer (1 - Phi(z)) at the printed p-values, and its smallest and largest value
    over their rounding intervals: Range(value, min, max), min with every p at the top
    of its interval, max with every p at the bottom."""
    if isinstance(p_texts, str) or len(p_texts) == 0:
        raise ValueError("need a list of printed p-values (strings)")
    return _combine_ranges([Range(*printed_p_interval(t)) for t in p_texts])


# --- Carlisle's simulation of one baseline variable --------------------------------------

def _printed(texts, what: str):
    if isinstance(texts, str):
        raise ValueError(f"{what}: give a list of printed numbers (strings), got {texts!r}")
    out = []
    for t in texts:
        if not isinstance(t, str):
            raise ValueError(f"{what}: printed numbers must be strings (their decimals "
                             f"count), got {t!r}")
        out.append(parse_number(t))
    return out


def _check_groups(means, sds, ns):
    k = len(means)
    if k < 2:
        raise ValueError(f"need at least 2 groups, got {k}")
    if len(sds) != k or len(ns) != k:
        raise ValueError(f"need one mean, SD and n per group: {k} means, {len(sds)} SDs, "
                         f"{len(ns)} ns")
    for i, n in enumerate(ns, start=1):
        if isinstance(n, bool) or int(n) != n or n < 2:
            raise ValueError(f"group {i}: n must be an integer >= 2, got {n!r}")
    for s in sds:
        if s.value < 0:
            raise ValueError(f"an SD cannot be negative, got {s.text!r}")


def _box(p) -> Box:
    return Box(float(p.value), float(p.lower), float(p.upper))


def _finest(printed) -> Decimal:
    return min(p.unit for p in printed)


def _round_matrix(x: np.ndarray, printed, scheme: str, unit: Decimal) -> np.ndarray:
    """Round column j of x to the printed unit of ``printed[j]`` with rounding.round_to;
    return the results as exact Python integers in multiples of ``unit`` (object array)."""
    out = np.empty(x.shape, dtype=object)
    for j, p in enumerate(printed):
        for i, v in enumerate(x[:, j].tolist()):
            out[i, j] = int(round_to(v, p.unit, scheme) / unit)
    return out


def _spread(a, n):
    """N * sum n_i a_i^2 - (sum n_i a_i)^2 = N^2 * (between-group sum of squares), in the
    integer units of a (rows of a: trials). Exact for Python-int object arrays."""
    big_n = int(sum(n))
    return big_n * (a * a * n).sum(axis=-1) - ((a * n).sum(axis=-1)) ** 2


def _compare(s_star, w_star, s_obs: int, w_obs: int):
    """(F* > F, F* == F) exactly, with F proportional to S / W; F = 0 when S = 0 and
    F = inf when S > 0 and W = 0 (the conventions of kgroup_stats)."""
    s_star = np.asarray(s_star, dtype=object)
    w_star = np.broadcast_to(np.asarray(w_star, dtype=object), s_star.shape)
    zero = np.array([s == 0 for s in s_star], dtype=bool)
    inf = np.array([s > 0 and w == 0 for s, w in zip(s_star, w_star)], dtype=bool)
    if s_obs == 0:
        return ~zero, zero
    if w_obs == 0:
        return np.zeros_like(zero), inf
    diff = np.array([0 if (z or i) else s * w_obs - s_obs * w
                     for s, w, z, i in zip(s_star, w_star, zero, inf)], dtype=object)
    gt = inf | (np.array([d > 0 for d in diff], dtype=bool) & ~zero)
    eq = ~zero & ~inf & np.array([d == 0 for d in diff], dtype=bool)
    return gt, eq


def monte_carlo_bound(n_sim: int) -> float:
    """1 / (n_sim + 1): a Monte Carlo p that no simulation reached is reported as below it."""
    return 1.0 / (int(n_sim) + 1)


def baseline_p_by_simulation(means: Sequence[str], sds: Sequence[str], ns: Sequence[int], *,
                             n_sim: int = DEFAULT_N_SIM, seed: int = DEFAULT_SEED,
                             sds_mode: str = "printed", scheme: str = "half_up") -> dict:
    """Carlisle's Monte Carlo p for one baseline variable (see the module notes).

    ``means``, ``sds``: printed texts, one per group (their decimals set the rounding of
    the simulated values); ``ns``: group sizes. ``sds_mode``: "printed" (keep the
    printed SDs) or "simulated" (draw and round them too). ``scheme``: the rounding
    scheme of ``rounding.round_to``. Deterministic for a given ``seed``.

    Returns ``p`` (ties half), ``p_upper_bound`` (1 / (n_sim + 1) when ``p`` is 0: the p
    is then reported as below it; else None), ``p_ge``, ``p_gt``, ``tie_share``, ``mc_se``
    (sqrt(p (1 - p) / n_sim)), ``n_sim``, ``seed``, ``F`` (of the printed numbers),
    ``anova_p`` (analytic one-way ANOVA p at the printed numbers, unrounded, via
    ``kgroup_stats.anova_from_summary`` / statsmodels ``anova_generic``),
    ``anova_p_range`` (its Range over the rounding boxes), ``known_variance_p``
    (chi2.sf((k - 1) F, k - 1)), ``pooled_mean``, ``pooled_sd`` and ``method`` (text).
    """
    if sds_mode not in SD_MODES:
        raise ValueError(f"sds_mode must be one of {SD_MODES}, got {sds_mode!r}")
    if isinstance(n_sim, bool) or int(n_sim) != n_sim or n_sim < 1:
        raise ValueError(f"n_sim must be a positive integer, got {n_sim!r}")
    pm, ps = _printed(means, "means"), _printed(sds, "SDs")
    _check_groups(pm, ps, ns)
    k = len(pm)
    n = np.array([int(x) for x in ns], dtype=object)
    nf = np.array([int(x) for x in ns], dtype=float)
    big_n = float(nf.sum())
    m_val = np.array([float(p.value) for p in pm])
    s_val = np.array([float(p.value) for p in ps])
    pooled_mean = float(nf @ m_val / big_n)
    pooled_sd = math.sqrt(float(((nf - 1) * s_val ** 2).sum() / (big_n - k)))

    u_m, u_s = _finest(pm), _finest(ps)
    a_obs = np.array([int(p.value / u_m) for p in pm], dtype=object)
    b_obs = np.array([int(p.value / u_s) for p in ps], dtype=object)
    s_obs = int(_spread(a_obs, n))
    w_obs = int(((n - 1) * b_obs * b_obs).sum())

    rng = np.random.default_rng(seed)
    sim_means = rng.normal(pooled_mean, pooled_sd / np.sqrt(nf), size=(int(n_sim), k))
    a = _round_matrix(sim_means, pm, scheme, u_m)
    s_star = _spread(a, n)
    if sds_mode == "simulated":
        chi = rng.chisquare(nf - 1, size=(int(n_sim), k))
        sim_sds = pooled_sd * np.sqrt(chi / (nf - 1))
        b = _round_matrix(sim_sds, ps, scheme, u_s)
        w_star = ((n - 1) * b * b).sum(axis=1)
    else:
        w_star = w_obs
    gt, eq = _compare(s_star, w_star, s_obs, w_obs)
    p_gt = float(gt.mean())
    tie = float(eq.mean())
    p = p_gt + tie / 2
    anova = anova_from_summary([_box(x) for x in pm], [_box(x) for x in ps],
                               [int(x) for x in ns], test="fisher")
    f_obs = anova["F"].value
    method = (f"Carlisle's Monte Carlo p: {int(n_sim)} simulated trials (numpy "
              f"default_rng seed {seed}); group means drawn from N({pooled_mean:.6g}, "
              f"{pooled_sd:.6g}^2 / n_i) and rounded {scheme.replace('_', '-')} to the "
              f"printed decimals; SDs {'as printed' if sds_mode == 'printed' else 'drawn from the pooled SD and rounded to the printed decimals'}; "
              f"one-way ANOVA F ({'= t^2, two-sided t-test' if k == 2 else 'k = %d' % k}); "
              "p = share of simulated F above the observed F, ties counted half")
    return {
        "p": p, "p_upper_bound": monte_carlo_bound(n_sim) if p == 0 else None,
        "p_ge": p_gt + tie, "p_gt": p_gt, "tie_share": tie,
        "mc_se": math.sqrt(p * (1 - p) / n_sim), "n_sim": int(n_sim), "seed": seed,
        "sds_mode": sds_mode, "F": f_obs, "anova_p": anova["p"].value,
        "anova_p_range": anova["p"],
        "known_variance_p": float(stats.chi2.sf((k - 1) * f_obs, k - 1)),
        "pooled_mean": pooled_mean, "pooled_sd": pooled_sd, "method": method,
    }


# --- a whole baseline table ------------------------------------------------------------------

def _variable_p(var: dict, means_method: str, n_sim: int, seed: int, sds_mode: str,
                scheme: str) -> dict:
    name = var.get("name", "")
    if "p" in var:
        value, lo, hi = printed_p_interval(var["p"])
        return {"name": name, "source": "printed p", "p": Range(value, lo, hi)}
    if not all(key in var for key in ("means", "sds", "ns")):
        raise ValueError(f"variable {name!r}: give 'p' (a printed p-value) or 'means', "
                         "'sds' and 'ns'")
    if means_method == "anova":
        pm, ps = _printed(var["means"], "means"), _printed(var["sds"], "SDs")
        _check_groups(pm, ps, var["ns"])
        res = anova_from_summary([_box(x) for x in pm], [_box(x) for x in ps],
                                 [int(x) for x in var["ns"]], test="fisher")
        return {"name": name, "source": "one-way ANOVA from the printed means and SDs "
                                        "(range over their rounding)", "p": res["p"]}
    sim = baseline_p_by_simulation(var["means"], var["sds"], var["ns"], n_sim=n_sim,
                                   seed=seed, sds_mode=sds_mode, scheme=scheme)
    bound = sim["p_upper_bound"]
    p = Range(sim["p"], sim["p"], sim["p"]) if bound is None else Range(bound, 0.0, bound)
    return {"name": name, "source": "Carlisle's rounded-means simulation", "p": p,
            "bounded": bound is not None, "simulation": sim}


def _reading(upper: Range, lower: Range, alpha: float, ops=("=", "=")) -> str:
    """The combined p-values in words; ``ops`` say whether each value is exact ("=") or a
    bound ("<", ">": a simulated p of 0 taken at 1 / (n_sim + 1))."""
    def side(r: Range, what: str, op: str) -> str:
        if r.upper < alpha:
            return f"{what} (p < {alpha} over the whole rounding range)"
        if r.value < alpha:
            return f"{what} at the printed values (p {op} {r.value:.3g}), not over the whole " \
                   f"rounding range ({r.lower:.3g} to {r.upper:.3g})"
        if r.lower < alpha:
            return f"{what} only somewhere in the rounding range ({r.lower:.3g} to " \
                   f"{r.upper:.3g}; {op} {r.value:.3g} at the printed values)"
        return ""

    parts = [side(upper, "baseline groups more ALIKE than chance would make them "
                         "(p-values too large; 1 - Phi(z))", ops[0]),
             side(lower, "baseline groups more DIFFERENT than chance would make them "
                         "(p-values too small; Phi(z))", ops[1])]
    parts = [x for x in parts if x]
    if not parts:
        return (f"no sign of non-random sampling at alpha = {alpha}: 1 - Phi(z) {ops[0]} "
                f"{upper.value:.3g}, Phi(z) {ops[1]} {lower.value:.3g}")
    return "; ".join(parts)


def carlisle_trial(variables: Sequence[dict], *, means_method: str = "anova",
                   n_sim: int = DEFAULT_N_SIM, seed: int = DEFAULT_SEED,
                   sds_mode: str = "printed", scheme: str = "half_up",
                   alpha: float = 0.05) -> dict:
    """Carlisle's check of a baseline table: per-variable p-values combined by Stouffer.

    ``variables``: dicts, each either ``{"name", "p": ".80"}`` (a printed p; "<.001"
    accepted) or ``{"name", "means": [...], "sds": [...], "ns": [...]}`` (printed texts,
    one per group). For the latter ``means_method`` "anova" uses the one-way ANOVA p with
    its range over the rounding boxes (``kgroup_stats.anova_from_summary``), "simulation"
    Carlisle's rounded-means simulation (``baseline_p_by_simulation``; its p has no
    rounding range, the simulation accounts for the rounding; variable i uses seed +
    i). The variables are taken as independent, as Stouffer's method needs.

    Returns ``variables`` (name, source, p: Range; a simulated p of 0 is Range(1 / (n_sim
    + 1), 0, 1 / (n_sim + 1)) with ``bounded`` true), ``k``, ``combined`` (1 - Phi(z),
    MEPtoolkit's orientation: small = groups too ALIKE) and ``combined_lower_tail``
    (Phi(z): small = groups too DIFFERENT), each a Range (value at the printed numbers,
    a bounded p at its bound; extremes over the rounding), ``combined_op`` and
    ``combined_lower_tail_op`` ("=", or ">" and "<" where a bounded p makes the value a
    lower and an upper bound), ``n_bounded``, ``z`` (Range), ``share_above_half``,
    ``share_below_0.05``, ``share_above_0.95`` of the per-variable ps at the printed
    values (0.5, 0.05, 0.05 expected under randomisation), ``convention`` and
    ``reading`` (text).
    """
    if means_method not in MEANS_METHODS:
        raise ValueError(f"means_method must be one of {MEANS_METHODS}, got {means_method!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}")
    if len(variables) == 0:
        raise ValueError("need at least one baseline variable")
    rows = [_variable_p(v, means_method, n_sim, seed + i, sds_mode, scheme)
            for i, v in enumerate(variables)]
    ps = [r["p"] for r in rows]
    upper = _combine_ranges(ps, "upper")
    lower = _combine_ranges(ps, "lower")
    z = Range(stouffer_z([p.value for p in ps]), stouffer_z([p.lower for p in ps]),
              stouffer_z([p.upper for p in ps]))
    point = np.array([p.value for p in ps])
    n_bounded = sum(bool(r.get("bounded")) for r in rows)
    return {
        "variables": rows, "k": len(rows), "combined": upper,
        "combined_lower_tail": lower, "n_bounded": n_bounded,
        "combined_op": ">" if n_bounded else "=", "combined_lower_tail_op": "<" if n_bounded else "=",
        "z": z,
        "share_above_half": float((point > 0.5).mean()),
        "share_below_0.05": float((point < 0.05).mean()),
        "share_above_0.95": float((point > 0.95).mean()),
        "convention": "z = sum(Phi^-1(p_i)) / sqrt(k); combined = 1 - Phi(z) (MEPtoolkit): "
                      "small when the baseline p-values are too large (groups more alike "
                      "than chance); combined_lower_tail = Phi(z): small when they are too "
                      "small (groups more different than chance)",
        "reading": _reading(upper, lower, alpha, (">", "<") if n_bounded else ("=", "=")),
    }
