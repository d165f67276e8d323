"""Is the effect real? The questions a sceptical reviewer asks after the numbers.

The audit asks whether a paper's numbers follow from its data; this module asks what the
numbers mean. Seven parts, one function each, every one a thin layer over a tested library
module, taking the loaded data and config and returning rows:

1. :func:`regression_to_the_mean`: the fall that selection on a high baseline produces
   without any treatment (Barnett et al. 2005; :mod:`reanalysis.beyond.rtm`), for a cohort and each
   subgroup cut on the baseline, next to the printed reduction.
2. :func:`external_control`: a single-arm cohort's mean change against the arms of a
   randomised trial, from the trial's printed summaries (rounding-aware, r unknown):
   indirect, with its caveats (:mod:`reanalysis.beyond.meta_analysis`).
3. :func:`missing_patients`: patients reported but not printed; what they would have to
   show, within bounds, to overturn each headline claim (:mod:`reanalysis.beyond.tipping`).
4. :func:`pooled_evidence`: the change per study arm from printed summaries, pooled by
   random effects, controlled and uncontrolled designs apart (:mod:`reanalysis.beyond.meta_analysis`),
   and the forest plot (:func:`forest_figure`).
5. :func:`baseline_check`: Carlisle's check of a baseline table (:mod:`reanalysis.beyond.carlisle`).
6. :func:`robustness`: seeded bootstrap CIs, exact sign-flip and permutation p-values on
   patient data (:mod:`reanalysis.beyond.resampling`, ``scipy.stats``).
7. :func:`reverse_search`: EXPLORATORY; which simple recipes give a number the data do not
   reproduce, with the number of recipes tried (:mod:`reanalysis.beyond.reverse_search`).

Each row: study, part, question, method, library, assumptions (each with its config key and
source), value, low, high (its interval; empty where there is none) and a one-sentence
reading. Parts 1, 3, 5, 6 and 7 belong to one study (its config's ``beyond:`` section);
parts 2 and 4 span studies (the file config/config.yaml names under ``beyond``). Nothing
here names a study: they come from the config. Every random step takes its seed from the
config, so two runs give the same bytes.
"""
from __future__ import annotations

import itertools
import math
import re
from pathlib import Path
from typing import Iterable, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from reanalysis.audit.patient_level import AS_REPORTED, subset_mask
from reanalysis.engine.analyses import DERIVED_DECIMALS
from reanalysis.engine.rounding import parse_claim, parse_number
from reanalysis.engine.summary_stats import Box, Range
from reanalysis.errors import InputError

from . import carlisle, meta_analysis, resampling
from . import reverse_search as rsearch
from . import rtm, tipping

COLUMNS = ["study", "part", "question", "method", "library", "assumptions", "value", "low",
           "high", "reading"]
PARTS = {
    1: "1 regression to the mean",
    2: "2 external control (indirect)",
    3: "3 missing patients",
    4: "4 pooled evidence",
    5: "5 baseline check (Carlisle)",
    6: "6 robustness",
    7: "7 reverse search (exploratory)",
}
# the rows of the analyses that span studies, and their study column
CORPUS = "corpus"
POOLED = "pooled"
# the figure of this section, for the report (results/figures/beyond/<name>.png)
FIGURE_DIR = "beyond"
FIGURES = [{"name": "pooled_forest", "title": "Pooled evidence: change from baseline per study "
            "arm and random-effects pools", "caption": "beyond.rst"}]
NAN = float("nan")


# --- rows and small helpers ---------------------------------------------------------------

def _row(study: str, part: int, question: str, method: str, library: str,
         assumptions: Iterable[str], value: float | str, low: float | None = None,
         high: float | None = None, reading: str = "") -> dict:
    """One row. ``value`` is a number, or a bound made by :func:`bounded` ("< 0.0002")."""
    def num(x):
        return NAN if x is None else float(x)
    return {"study": study, "part": PARTS[part], "question": question, "method": method,
            "library": library, "assumptions": "; ".join(a for a in assumptions if a),
            "value": value if isinstance(value, str) else num(value), "low": num(low),
            "high": num(high), "reading": reading}


_BOUND = re.compile(r"(<|>) (\S+)")


def bounded(op: str, x: float) -> str:
    """A value known only as a bound, as the value column holds it: '< 0.00019996...'
    (the bound in full precision; :func:`shown` prints it to 3 digits)."""
    if op not in ("<", ">"):
        raise ValueError(f"a bound is '<' or '>', got {op!r}")
    return f"{op} {float(x)!r}"


def bound_text(op: str, x: float, digits: int = 3) -> str:
    """A bound for prose, never stronger than the true one: '< x' printed at or above x,
    '> x' at or below it ('> 1 - 7.8e-11' near 1), with more digits where rounding would
    cross x."""
    def directed(v: float, up: bool) -> str:
        for d in range(digits, 18):
            text = _g(v, d)
            if (float(text) >= v) if up else (float(text) <= v):
                return text
        return repr(v)
    if op == ">" and 0.999 < x < 1:
        return f"> 1 - {directed(1 - x, True)}"
    return f"{op} {directed(x, op == '<')}"


def _as_value(text):
    """A value cell read back: a number, a bound (kept as its text) or NaN."""
    if isinstance(text, str):
        if not text:
            return NAN
        return text if _BOUND.fullmatch(text) else float(text)
    return text


def _g(x: float, digits: int = 3) -> str:
    """A number for prose: `digits` significant digits, no exponent above 1e-4."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if x == 0:
        return "0"
    if abs(x) >= 1e-4:
        return f"{x:.{digits}g}" if abs(x) < 10 ** digits else f"{x:.0f}"
    return f"{x:.{digits - 1}e}"


def _claims_by_id(claims: list[dict]) -> dict[str, dict]:
    return {c["claim_id"]: c for c in claims}


def _claim(claims: dict[str, dict], claim_id: str, where: str) -> dict:
    if claim_id not in claims:
        raise InputError(where, "unknown claim id", value=claim_id,
                         rule="a claim_id of the study's claims.csv")
    row = claims[claim_id]
    if not row.get("claim"):
        raise InputError(where, "the claim prints no number", value=claim_id,
                         rule="a claim with a `claim` value (e.g. '0.58', '< 0.0001')")
    return row


def _claim_number(claims: dict[str, dict], claim_id: str, where: str) -> float:
    return float(parse_claim(_claim(claims, claim_id, where)["claim"]).number.value)


def _number(x, claims: dict[str, dict], where: str) -> float:
    """A config number, or the number a claim id prints."""
    return _claim_number(claims, x, where) if isinstance(x, str) else float(x)


def _source(key: str, value: str, source: str | None = None) -> str:
    return f"{key} = {value}" + (f" ({source.strip()})" if source else "")


def _changes(df: pd.DataFrame, before: str, after: str) -> pd.Series:
    """before - after, with the float noise of decimal data removed (as patient_level)."""
    return (df[before] - df[after]).round(DERIVED_DECIMALS)


def _bounds_of(study: dict, ref: str | None, variant: str, column: str) -> tuple[float | None, float | None]:
    """The interval of ``column`` a subset such as ``severity.moderate`` selects."""
    if ref in (None, "all"):
        return None, None
    grouping_name, group = ref.split(".", 1)
    grouping = study["groupings"][grouping_name]
    if grouping["column"] != column:
        raise InputError("config", f"subset {ref!r} is not cut on {column!r}", value=ref,
                         rule=f"a grouping whose column is {column!r}")
    if variant not in grouping["variants"]:
        raise InputError("config", f"grouping {grouping_name!r} has no variant {variant!r}", value=variant,
                         rule=f"one of {sorted(grouping['variants'])}")
    lower = upper = None
    for key, bound in grouping["variants"][variant][group].items():
        if key in ("gt", "gte"):
            lower = bound if lower is None else max(lower, bound)
        else:
            upper = bound if upper is None else min(upper, bound)
    return lower, upper


# --- 1. regression to the mean ----------------------------------------------------------------

def population_from_share(mean_text: str, threshold: float, share: float) -> list[tuple[float, float]]:
    """(mu, sigma) of a normal population from its printed mean and the share below a
    threshold: sigma = (mu - threshold) / -Phi^-1(share); at the printed mean, then at the
    lower and upper ends of its rounding interval."""
    printed = parse_number(mean_text)
    z = float(stats.norm.ppf(share))
    if z >= 0:
        raise ValueError(f"share {share} below {threshold} must be < 0.5 for a mean above it")
    out = []
    for mu in (float(printed.value), float(printed.lower), float(printed.upper)):
        if mu <= threshold:
            raise ValueError(f"mean {mu} must lie above the threshold {threshold}")
        out.append((mu, (threshold - mu) / z))
    return out


def _fall(x: float) -> str:
    return f"a fall of {_g(x)}" if x >= 0 else f"a rise of {_g(-x)}"


def _subset_words(study: dict, ref: str, variant: str, column: str) -> str:
    """'>= 6.2 and < 8': the bounds of a subset under a grouping variant, for labels."""
    _bounds_of(study, ref, variant, column)     # checks the subset is cut on this column
    grouping, group = ref.split(".", 1)
    spec = study["groupings"][grouping]["variants"][variant][group]
    ops = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
    return " and ".join(f"{ops[k]} {v:g}" for k, v in spec.items())


def _population_fit_row(name: str, x_all: np.ndarray, entry: float, entry_text: str,
                        pop: dict) -> dict:
    """Can the population be estimated from the printed baselines? The truncated-normal fit
    with its profile-likelihood interval; where the interval is unbounded below, the value
    is its upper end as a bound and the fit's maximum is not reported as an estimate."""
    fit = rtm.fit_truncated_normal(x_all, entry)
    level = f"{100 * fit['level']:g}%"
    excess = float(x_all.mean()) - entry
    method = ("maximum-likelihood fit of a normal truncated below at the entry cut-off to the "
              f"{len(x_all)} printed baselines (Nelder-Mead), with the {level} profile-likelihood "
              "interval of the population mean (chi-square, 1 df); its limit as the mean goes to "
              f"minus infinity is an exponential tail above {entry:g} (mean excess {_g(excess)})")
    question = ("Can the population the patients were selected from be estimated from their "
                "printed baselines (a normal truncated at the entry cut-off)?")
    library = "reanalysis.beyond.rtm.fit_truncated_normal (scipy.stats.truncnorm, scipy.optimize)"
    if fit["identifiable"]:
        return _row(name, 1, question, method, library, [entry_text], fit["mu"], fit["mu_low"],
                    fit["mu_high"],
                    f"The fit gives a population mean of {_g(fit['mu'])}% ({_g(fit['mu_low'])} to "
                    f"{_g(fit['mu_high'])}, {level} profile likelihood) with SD {_g(fit['sigma'])}"
                    + (", used below." if pop["method"] != "cited" else
                       "; the estimates below use the cited population (beyond.rtm.population)."))
    gap = fit["limit_nll"] - fit["neg_log_likelihood"]
    return _row(name, 1, question, method, library, [entry_text], bounded("<", fit["mu_high"]), None, None,
                f"Not identifiable: the likelihood stays within {_g(gap, 2)} (log scale) of its maximum "
                f"as the population mean goes to minus infinity, so the {level} profile-likelihood "
                f"interval of the mean is unbounded below and says only that it is below "
                f"{_g(fit['mu_high'])}%; the maximum itself, at an implausible mean far below 0, is an "
                "artefact of that flat likelihood, not an estimate (the baselines look like the "
                "tail of a skewed distribution). "
                + ("The estimates below use the cited population (beyond.rtm.population)."
                   if pop["method"] == "cited" else
                   "The config's truncnorm_fit population below rests on that artefact."))


def regression_to_the_mean(name: str, study: dict, df: pd.DataFrame, claims: list[dict],
                           spec: dict) -> list[dict]:
    """Barnett's expected fall from RTM alone for the cohort and each selection, at the
    central assumptions, with its range over the within-person CV and the population; the
    subgroups under the config's grouping variant, and again under each of its
    ``alternative_grouping_variants`` as labelled alternative rows."""
    key = "beyond.rtm"
    by_id = _claims_by_id(claims)
    x_all = df[spec["baseline"]].to_numpy(float)
    entry = float(spec["entry"]["lower"])
    pop = spec["population"]
    if pop["method"] == "cited":
        grid = population_from_share(pop["mean"], pop["share_below"]["threshold"],
                                     pop["share_below"]["share"])
        pop_text = _source(f"{key}.population", f"mean {pop['mean']}%, SD {_g(grid[0][1])} "
                           f"(SD {_g(min(s for _, s in grid))}-{_g(max(s for _, s in grid))} over "
                           f"the rounding of the mean; from {100 * pop['share_below']['share']:g}% "
                           f"below {pop['share_below']['threshold']:g}% under normality)",
                           pop["source"])
    else:
        fit = rtm.fit_truncated_normal(x_all, entry)
        grid = [(fit["mu"], fit["sigma"])]
        pop_text = _source(f"{key}.population", f"truncated-normal fit to the printed baselines: "
                           f"mean {_g(fit['mu'])}, SD {_g(fit['sigma'])}", pop["source"])
    cv = spec["within_person_cv"]
    scale = float(x_all.mean())
    cvs = [float(cv["central"]), *map(float, cv["range"])]
    cv_text = _source(f"{key}.within_person_cv", f"{cv['central']:g} (range {cv['range'][0]:g}-"
                      f"{cv['range'][1]:g}), times the mean printed baseline {_g(scale)}%: "
                      f"within-person SD {_g(cvs[0] * scale)} ({_g(cvs[1] * scale)}-{_g(cvs[2] * scale)})",
                      cv["source"])
    entry_text = _source(f"{key}.entry", f"baseline >= {entry:g}", spec["entry"]["source"])
    rows = [_population_fit_row(name, x_all, entry, entry_text, pop)]
    main = spec.get("grouping_variant", AS_REPORTED)
    readings = [(main, False)] + [(v, True) for v in spec.get("alternative_grouping_variants", [])]
    for variant, alternative in readings:
        variant_text = _source(f"{key}.grouping_variant", variant, spec.get("grouping_variant_source"))
        if alternative:
            variant_text = _source(f"{key}.alternative_grouping_variants", variant,
                                   "a labelled alternative to " + main)
        for sel in spec["selections"]:
            if alternative and sel["subset"] == "all":
                continue        # the cohort does not depend on the grouping
            rows.append(_rtm_row(name, study, df, by_id, spec, sel, variant, alternative, entry, grid,
                                 cvs, scale, [entry_text, pop_text, cv_text, variant_text]))
    return rows


def _rtm_row(name, study, df, by_id, spec, sel, variant, alternative, entry, grid, cvs, scale,
             assumptions) -> dict:
    """One selection's row: Barnett's expected fall against the printed reduction."""
    key = "beyond.rtm"
    lower, upper = _bounds_of(study, sel["subset"], variant, spec["baseline"])
    lower = entry if lower is None else max(lower, entry)
    mask, desc = subset_mask(df, study, None if sel["subset"] == "all" else sel["subset"], variant)
    sub = df[mask]
    observed = float(_changes(sub, spec["baseline"], spec["follow_up"]).mean())
    printed = sel["printed"]
    if "claim" in printed:
        printed_value = _claim_number(by_id, printed["claim"], f"{key}.selections")
        printed_text = f"{by_id[printed['claim']]['claim']} ({printed['claim']})"
    else:
        a, b = printed["difference"]
        printed_value = (_claim_number(by_id, a, f"{key}.selections")
                         - _claim_number(by_id, b, f"{key}.selections"))
        printed_text = (f"{_g(printed_value)} ({a} {by_id[a]['claim']} minus "
                        f"{b} {by_id[b]['claim']})")
    values = [rtm.rtm_effect(mu, sigma, c * scale, lower, upper) for mu, sigma in grid for c in cvs]
    central = values[0]
    given = rtm.rtm_from_sample(sub[spec["baseline"]], lower, upper, sigma_within=cvs[0] * scale,
                                mu=grid[0][0], sigma_total=grid[0][1],
                                follow_up_values=sub[spec["follow_up"]])
    bounds = f"[{lower:g}, {'inf' if upper is None else f'{upper:g}'}]"
    label = sel["label"]
    if sel["subset"] != "all":
        label += f" (baseline {_subset_words(study, sel['subset'], variant, spec['baseline'])}, " \
                 f"reading {variant}{', labelled alternative' if alternative else ''})"
    return _row(
        name, 1, f"How much of the fall in the {label} would regression to the mean alone produce?",
        f"Barnett et al. 2005: expected fall sigma_w^2/sigma * E[Z | baseline in {bounds}] "
        f"for the {len(sub)} printed patients' selection ({desc}), assuming selection by the "
        "baseline alone (any other selection on a high HbA1c adds to it); the interval is the "
        "range over the within-person CV and the population SD", "reanalysis.beyond.rtm (scipy.stats.norm)",
        assumptions, central, min(values), max(values),
        f"Regression to the mean alone predicts {_fall(central)} points in the {label} "
        f"(expected fall {_g(min(values))} to {_g(max(values))} over the assumptions; negative "
        f"is a rise) against a printed reduction of {printed_text}, recomputed "
        f"{_g(observed)} from the {len(sub)} printed patients, which leaves "
        f"{_g(observed - central)} ({_g(observed - max(values))} to {_g(observed - min(values))}) "
        f"not explained by it (given the observed baselines, the expected fall is "
        f"{_g(given['rtm_given_baselines'])}).")


# --- 2. external control ----------------------------------------------------------------------

def _mean_sd_box(row, what: str) -> tuple[Box, Box]:
    """(mean, SD) Boxes of a printed mean ± SD, or of a median (IQR) by Wan et al."""
    if row.form == "mean_dispersion":
        return row.box("mean"), row.box("dispersion")
    if row.form == "median_iqr":
        n = row.n
        res = meta_analysis.median_iqr_to_mean_sd(row.box("median"), row.box("q1"), row.box("q3"), n)
        m, s = res["mean"], res["sd"]
        return Box(m.value, m.lower, m.upper), Box(s.value, min(s.lower, s.value), max(s.upper, s.value))
    raise InputError(what, f"row {row.value_id} is printed as {row.form!r}", value=row.value_id,
                     rule="mean ± SD or median (IQR) to compute a change with its CI")


def _summary_row(rows: dict, value_id: str, where: str):
    if value_id not in rows:
        raise InputError(where, "unknown value_id", value=value_id, rule="a value_id of the study's summaries.csv")
    return rows[value_id]


def _arm_n(before, after, where: str) -> int:
    ns = [r.n for r in (before, after) if r.n is not None]
    if not ns:
        raise InputError(where, "no n printed for the arm", value=before.value_id,
                         rule="summary rows with n")
    return int(min(ns))


def _welch_half(a: float, b, n1: int, n2: int, q: float):
    """t quantile x SE of a difference of two independent means with variances a (= s1^2/n1)
    and b (= s2^2/n2, vectorised), Welch-Satterthwaite df."""
    b = np.asarray(b, dtype=float)
    df = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
    return stats.t.ppf(q, df) * np.sqrt(a + b), df



def _correlations(spec: dict, key: str) -> tuple[list[float], float, str]:
    """The within-arm r values of an analysis, its central one, and their source in words."""
    corr = spec["correlation"]
    rs = [float(r) for r in corr["values"]]
    central = float(corr["central"])
    if central not in rs:
        raise InputError("config beyond", "the central r is not in the list", key=f"{key}.correlation",
                         value=central, rule="central must be one of values")
    return rs, central, _source(f"{key}.correlation", f"r in {rs} (central {central:g})", corr["source"])

def external_control(beyond: dict, data: dict) -> list[dict]:
    """A patient-level cohort's mean reduction (before - after) against each comparator arm's
    reduction from its printed summaries; the difference by Welch's t with the comparator's SD
    of change at each r, its CI enveloped over the r list and the rounding of the summaries."""
    spec = beyond["external_control"]
    key = "beyond.external_control"
    pat = spec["patient"]
    df = data[pat["study"]]
    d = _changes(df, pat["before"], pat["after"]).to_numpy(float)
    n_m, mean_m, sd_m = d.size, float(d.mean()), float(d.std(ddof=1))
    level = float(spec["level"])
    q = 0.5 + level / 2
    rs, central, r_text = _correlations(spec, key)
    caveats = "; ".join(spec["caveats"])
    ci_m = stats.t.interval(level, n_m - 1, loc=mean_m, scale=sd_m / math.sqrt(n_m))
    rows = [_row(
        pat["study"], 2, "What is the mean HbA1c reduction of the printed patients, with its CI?",
        f"mean of {pat['before']} - {pat['after']} over the {n_m} printed patients, t interval "
        f"at {level:g}", "scipy.stats.t", [], mean_m, ci_m[0], ci_m[1],
        f"The {n_m} printed patients' mean reduction is {_g(mean_m)} points "
        f"({_g(ci_m[0])} to {_g(ci_m[1])}), with no control group of its own.")]
    for comp in spec["comparators"]:
        srows = data[comp["study"]]
        where = f"{key}.comparators"
        before = _summary_row(srows, comp["before"], where)
        after = _summary_row(srows, comp["after"], where)
        n_c = _arm_n(before, after, where)
        res = meta_analysis.mean_change_from_summary(_mean_sd_box(before, where), _mean_sd_box(after, where),
                                                     n_c, r_values=rs, level=level)
        ch = res["change"]
        red = Range(-ch.value, -ch.upper, -ch.lower)       # reduction = before - after
        env_lo = -max(b["ci_high"].upper for b in res["by_r"])
        env_hi = -min(b["ci_low"].lower for b in res["by_r"])
        ic = rs.index(central)
        at = res["by_r"][ic]
        assumptions = [r_text, _source(f"{key}.comparators", f"{comp['before']} -> {comp['after']}, "
                                       f"n = {n_c} (the rows' printed n)")]
        rows.append(_row(
            comp["study"], 2, f"How much did HbA1c fall in the {comp['label']}?",
            "mean change from the printed means ± SD, SD of the change sqrt(s1^2 + s2^2 - 2 r s1 s2), "
            f"t interval at {level:g}; the interval is the envelope over r and the rounding of the "
            "printed numbers", "reanalysis.beyond.meta_analysis.mean_change_from_summary (scipy.stats.t)",
            assumptions, red.value, env_lo, env_hi,
            f"HbA1c in the {comp['label']} fell by {_g(red.value)} points ({_g(env_lo)} to {_g(env_hi)} "
            f"over r and rounding; {_g(-at['ci_high'].value)} to {_g(-at['ci_low'].value)} at "
            f"r = {central:g})."))
        # difference: the cohort minus the comparator arm
        diff = Range(mean_m - red.value, mean_m - red.upper, mean_m - red.lower)
        a = sd_m ** 2 / n_m
        half_c, df_c = _welch_half(a, at["se"].value ** 2, n_m, n_c, q)
        half_max = 0.0
        for b in res["by_r"]:
            se = np.linspace(b["se"].lower, b["se"].upper, 201)
            half_max = max(half_max, float(np.max(_welch_half(a, se ** 2, n_m, n_c, q)[0])))
        sd_change = at["sd_change"].value
        p_c = float(stats.ttest_ind_from_stats(mean_m, sd_m, n_m, red.value, sd_change, n_c,
                                               equal_var=False).pvalue)
        lo, hi = diff.lower - half_max, diff.upper + half_max
        verdict = ("compatible with no difference" if lo <= 0 <= hi else
                   "larger" if lo > 0 else "smaller")
        rows.append(_row(
            f"{pat['study']} vs {comp['study']}", 2,
            f"Is the printed patients' mean reduction larger than in the {comp['label']} "
            "(an indirect, non-randomised comparison)?",
            f"difference of mean reductions, Welch's t: SE sqrt(s_m^2/n_m + s_c^2/n_c) with s_c the "
            f"SD of the change at r; CI at {level:g} enveloped over r and the rounding of the "
            "printed numbers (the SE searched on a grid)",
            "reanalysis.beyond.meta_analysis.mean_change_from_summary, scipy.stats.t, "
            "scipy.stats.ttest_ind_from_stats",
            assumptions + [f"caveats ({key}.caveats): {caveats}"],
            diff.value, lo, hi,
            f"Indirect: the printed patients' mean reduction ({_g(mean_m)}) minus that of the "
            f"{comp['label']} ({_g(red.value)}) is {_g(diff.value)} points ({_g(lo)} to {_g(hi)}; "
            f"at r = {central:g} {_g(diff.value - float(half_c))} to {_g(diff.value + float(half_c))}, "
            f"Welch p = {_g(p_c)}), {verdict}, across different populations, follow-up and "
            "co-treatment."))
    return rows


# --- 3. missing patients -------------------------------------------------------------------------

def missing_patients(name: str, study: dict, df: pd.DataFrame, claims: list[dict], spec: dict) -> list[dict]:
    """Tipping points of each headline claim for the patients reported but not printed."""
    key = "beyond.tipping"
    by_id = _claims_by_id(claims)
    n_reported = int(round(_claim_number(by_id, spec["n_reported"], f"{key}.n_reported")))
    k = n_reported - len(df)
    if k < 0:
        raise InputError(f"{key}.n_reported", "more patients printed than reported",
                         value=n_reported, rule=f"n reported >= {len(df)} printed")
    variant = spec.get("grouping_variant", AS_REPORTED)
    rows = []
    for bname, b in spec["bounds"].items():
        where = f"{key}.bounds.{bname}"
        b_lo, b_hi = (_number(v, by_id, where) for v in b["before"])
        a_lo, a_hi = (_number(v, by_id, where) for v in b["after"])
        bounds_text = _source(where, f"baseline {b_lo:g}-{b_hi:g}, follow-up {a_lo:g}-{a_hi:g}",
                              b["source"])
        assumptions = [bounds_text,
                       _source(f"{key}.n_reported", f"{n_reported} reported ({spec['n_reported']}), "
                               f"{len(df)} printed: k = {k}"),
                       _source(f"{key}.grouping_variant", variant)]
        for cid in spec["claims"]:
            rows.append(_tipping_row(name, study, df, by_id, spec, cid, k, (b_lo, b_hi), (a_lo, a_hi),
                                     assumptions))
    return rows


class _Unprinted(NamedTuple):
    """One claim's question to the unprinted patients: the printed patients' changes
    (before - after) in the claim's subgroup, the k unprinted, how many of them may be in
    the subgroup (``ks``), the bounds [lo, hi] of each change, the claim as read, who is
    completed and the subgroup, in words."""

    changes: np.ndarray
    k: int
    ks: list[int]
    lo: float
    hi: float
    text: str
    who: str
    desc: str


def _tipping_row(name: str, study: dict, df: pd.DataFrame, by_id: dict, spec: dict, cid: str, k: int,
                 before_bounds: tuple[float, float], after_bounds: tuple[float, float],
                 assumptions: list[str]) -> dict:
    """The row of one claim under one set of bounds: a paired test's p, or a mean change."""
    key = "beyond.tipping"
    before, after = spec["before"], spec["after"]
    variant = spec.get("grouping_variant", AS_REPORTED)
    claim_row = _claim(by_id, cid, f"{key}.claims")
    check = study["checks"][claim_row["check"]]
    subset = check.get("subset")
    mask, desc = subset_mask(df, study, subset, variant)
    g_lo, g_hi = _bounds_of(study, subset, variant, before)
    b_lo, b_hi = before_bounds
    lo_b = b_lo if g_lo is None else max(b_lo, g_lo)
    hi_b = b_hi if g_hi is None else min(b_hi, g_hi)
    lo, hi = tipping.change_bounds((lo_b, hi_b), after_bounds)
    changes = _changes(df[mask], before, after).to_numpy(float)
    ks = [k] if subset in (None, "all") else list(range(k + 1))
    who = (f"all {k} unprinted patients" if len(ks) == 1 else
           f"0 to {k} of the {k} unprinted patients (which subgroup they belong to is unknown)")
    question = (f"Could the {k} reported but unprinted patients overturn "
                f"'{claim_row['reported']}' ({cid}, {claim_row['quantity']})?")
    unprinted = _Unprinted(changes, k, ks, lo, hi, claim_row["claim"], who, desc)
    if check["analysis"] == "paired_test":
        if (check["before"], check["after"]) != (before, after):
            raise InputError(f"{key}.claims", "the claim's paired test is not on the tipping columns",
                             value=cid, rule=f"a paired test of {before} vs {after}")
        answer = _paired_tipping(unprinted)
    else:
        column = check.get("column")
        spec_d = study.get("derived", {}).get(column, {})
        if spec_d.get("difference") != [before, after]:
            raise InputError(f"{key}.claims", "the claim's mean is not of the change before - after",
                             value=cid, rule=f"a mean of a column derived as [{before}, {after}]")
        answer = _mean_tipping(unprinted)
    method, library, value, low, high, reading = answer
    return _row(name, 3, question, method, library, assumptions, value, low, high, reading)


def _paired_tipping(u: _Unprinted) -> tuple:
    """A paired test's p over every completion: (method, library, value, low, high, reading)."""
    changes, k, text, who = u.changes, u.k, u.text, u.who
    res = {kk: tipping.tipping_paired(changes, kk, u.lo, u.hi, text) for kk in u.ks}
    p_min = min(r["p_min"] for r in res.values())
    p_max = max(r["p_max"] for r in res.values())
    full = res[k]
    overturnable = any(r["overturnable"] for r in res.values())
    reachable = any(r["claim_reachable"] for r in res.values())
    tip = full["tipping_common_value"]
    tip_text = (f"; if all {k} showed one common change, the claim would fail from a "
                f"change of {_g(tip)} (a {'fall' if tip >= 0 else 'rise'} of "
                f"{_g(abs(tip))} points; the printed patients' mean change is "
                f"{_g(full['reference'])})" if tip is not None else "")
    if full["holds_printed"]:
        verdict = ("it can be overturned" + tip_text if overturnable
                   else "it holds whatever they show")
    else:
        verdict = ("the missing patients could make it hold, or leave it failing"
                   if reachable else "no completion makes it hold")
    printed_state = "holds" if full["holds_printed"] else "does not hold"
    return (f"paired t-test on the {len(changes)} printed and {who}, each change "
            f"(before - after) in [{_g(u.lo)}, {_g(u.hi)}]; exact extremes of p over the box "
            f"({u.desc})", "reanalysis.beyond.tipping.tipping_paired (scipy.stats.ttest_1samp)",
            full["p_printed"], p_min, p_max,
            f"On the {len(changes)} printed patients p = {_g(full['p_printed'])}, so the claim "
            f"'{text}' {printed_state}; with {who} p runs from {_g(p_min)} (best case) to "
            f"{_g(p_max)} (worst case): {verdict}.")


def _mean_tipping(u: _Unprinted) -> tuple:
    """A mean change over every completion: (method, library, value, low, high, reading)."""
    changes, k, text, who = u.changes, u.k, u.text, u.who
    res = tipping.tipping_mean(changes, k, u.lo, u.hi, text)
    by_k = [r for r in res["by_k"] if r["k"] in u.ks]
    m_min = min(r["mean_min"] for r in by_k)
    m_max = max(r["mean_max"] for r in by_k)
    reach = [r["k"] for r in by_k if r["reachable"]]
    need = res["required_missing_mean"]
    if not reach:
        verdict = f"no completion gives the printed {text}"
    elif 0 in reach:
        verdict = "the printed patients alone already give it"
    else:
        verdict = (f"the printed {text} is not reached by the printed patients alone, but "
                   f"is with {' or '.join(map(str, reach))} of the missing ones in the subgroup"
                   + (f" (all {k}: if their mean change lies in [{_g(need[0])}, {_g(need[1])}])"
                      if need and k in reach else ""))
    return (f"mean change (before - after) of the {len(changes)} printed and {who}, each in "
            f"[{_g(u.lo)}, {_g(u.hi)}] ({u.desc})", "reanalysis.beyond.tipping.tipping_mean",
            res["mean_printed"], m_min, m_max,
            f"The {len(changes)} printed patients' mean is {_g(res['mean_printed'])} "
            f"(printed {text}); with {who} it can run from {_g(m_min)} to {_g(m_max)}: "
            f"{verdict}.")


# --- 4. pooled evidence -------------------------------------------------------------------------

def _entry_effect(entry: dict, outcome: str, how: dict, data: dict, rs: list[float], central: float,
                  level: float, where: str) -> dict:
    """One entry's effect (change after - before, or its difference between arms): a dict
    with value, central CI, envelope over r and rounding, the pooling input (or None when
    it cannot be pooled), method and library."""
    ic = rs.index(central)
    if "patient" in how:
        df = data[entry["study"]]
        ch = -_changes(df, how["patient"]["before"], how["patient"]["after"]).to_numpy(float)
        n = ch.size
        m, var = float(ch.mean()), float(ch.var(ddof=1)) / n
        ci = stats.t.interval(level, n - 1, loc=m, scale=math.sqrt(var))
        return {"value": m, "ci": ci, "envelope": ci, "n": n,
                "pool": {"label": entry["label"], "effect": m, "variance": var},
                "method": f"mean change of the {n} patients, t interval (r not needed)",
                "library": "scipy.stats.t"}
    rows = data[entry["study"]]
    if "treatment" in how:
        arms = {}
        for arm in ("treatment", "control"):
            b = _summary_row(rows, how[arm]["before"], where)
            a = _summary_row(rows, how[arm]["after"], where)
            arms[arm] = {"before": _mean_sd_box(b, where), "after": _mean_sd_box(a, where),
                         "n": _arm_n(b, a, where), "forms": {b.form, a.form}}
        t, c = arms["treatment"], arms["control"]
        res = meta_analysis.between_arm_change((t["before"], t["after"]), t["n"],
                                               (c["before"], c["after"]), c["n"], r_values=rs,
                                               level=level, test="student")
        at = res["by_r"][ic]
        wan = "median_iqr" in t["forms"] | c["forms"]
        return {"value": res["difference"].value, "ci": (at["ci_low"].value, at["ci_high"].value),
                "envelope": (min(b["ci_low"].lower for b in res["by_r"]),
                             max(b["ci_high"].upper for b in res["by_r"])),
                "n": t["n"] + c["n"],
                "pool": {"label": entry["label"],
                         "treatment": {k: t[k] for k in ("before", "after", "n")},
                         "control": {k: c[k] for k in ("before", "after", "n")}},
                "method": f"difference in mean change, treatment (n {t['n']}) minus control "
                          f"(n {c['n']}), Student t, SD of each change at r"
                          + ("; medians (IQR) as means ± SD by Wan et al. 2014" if wan else ""),
                "library": "reanalysis.beyond.meta_analysis.between_arm_change"
                           + (", median_iqr_to_mean_sd" if wan else "")}
    b = _summary_row(rows, how["before"], where)
    a = _summary_row(rows, how["after"], where)
    n = _arm_n(b, a, where)
    if any(r.form not in ("mean_dispersion", "median_iqr") for r in (b, a)):
        value = float(a.parts["mean"].value - b.parts["mean"].value)
        return {"value": value, "ci": (NAN, NAN), "envelope": (NAN, NAN), "n": n, "pool": None,
                "method": "difference of the printed means; no dispersion printed, so no CI",
                "library": "reanalysis.audit.summary_level (printed means)"}
    before, after = _mean_sd_box(b, where), _mean_sd_box(a, where)
    res = meta_analysis.mean_change_from_summary(before, after, n, r_values=rs, level=level)
    at = res["by_r"][ic]
    wan = "median_iqr" in {a.form, b.form}
    return {"value": res["change"].value, "ci": (at["ci_low"].value, at["ci_high"].value),
            "envelope": (min(x["ci_low"].lower for x in res["by_r"]),
                         max(x["ci_high"].upper for x in res["by_r"])),
            "n": n, "pool": {"label": entry["label"], "before": before, "after": after, "n": n},
            "method": f"mean change from the printed summaries (n {n}), t interval, SD of the "
                      "change at r" + ("; medians (IQR) as means ± SD by Wan et al. 2014" if wan else ""),
            "library": "reanalysis.beyond.meta_analysis.mean_change_from_summary"
                       + (", median_iqr_to_mean_sd" if wan else "")}


# the two intervals of a random-effects pool: (result key, envelope key, label, method text)
_POOL_CIS = {
    "hksj": ("random_hksj", "hksj_envelope", "Hartung-Knapp-Sidik-Jonkman",
             "t with k - 1 df, variance q / sum(w_i) (R metafor test = \"knha\")"),
    "normal": ("random", "envelope", "DerSimonian-Laird normal",
               "normal, variance 1 / sum(w_i)"),
}


def pooled_evidence(beyond: dict, data: dict) -> tuple[list[dict], dict]:
    """Rows for every entry's change and every pool (its main interval, and the other as a
    labelled alternative row); and the forest plot's data."""
    spec = beyond["pooled"]
    key = "beyond.pooled"
    rs, central, r_text = _correlations(spec, key)
    level = float(spec["level"])
    below_k = int(spec["hksj"]["below_k"])
    hksj_text = _source(f"{key}.hksj.below_k", f"{below_k}: pools of fewer entries take the "
                        "Hartung-Knapp-Sidik-Jonkman interval, the others the normal one",
                        spec["hksj"]["source"])
    sd_text = (f"{key}.entries: a printed ± the paper does not call SD or SE is read as an SD; "
               "medians (IQR) become means ± SD by Wan et al. 2014 (BMC Med Res Methodol 14:135)")
    rows, effects = _entry_rows(spec, data, rs, central, level, [r_text, sd_text])
    pool_rows, pools = _pool_rows(spec, effects, rs, central, level, below_k,
                                  [r_text, sd_text, _source(f"{key}.method", spec["method"]), hksj_text])
    return rows + pool_rows, {"effects": effects, "pools": pools, "outcomes": spec["outcomes"],
                              "central": central}


def _entry_rows(spec: dict, data: dict, rs: list[float], central: float, level: float,
                assumed: list[str]) -> tuple[list[dict], list[dict]]:
    """A row for each entry's change in each of its outcomes, and the effects (the forest
    plot's entries; the pools' members). ``assumed``: the assumptions of a summary-level
    entry (r, the reading of ±)."""
    key = "beyond.pooled"
    rows, effects = [], []
    for i, entry in enumerate(spec["entries"]):
        for outcome, how in entry["outcomes"].items():
            if outcome not in spec["outcomes"]:
                raise InputError("config beyond", "unknown outcome", key=f"{key}.entries.{i}.outcomes",
                                 value=outcome, rule=f"one of {sorted(spec['outcomes'])}")
            eff = _entry_effect(entry, outcome, how, data, rs, central, level, f"{key}.entries.{i}")
            eff |= {"entry": entry, "outcome": outcome}
            effects.append(eff)
            label = spec["outcomes"][outcome]["label"]
            what = ("difference in change, treatment minus control" if "treatment" in how
                    else "change (after - before)")
            dtype = entry["diabetes_type"]
            reading = (f"{entry['label']}: {what} in {label} {_g(eff['value'])}"
                       + (f" ({_g(eff['envelope'][0])} to {_g(eff['envelope'][1])} over r and rounding; "
                          f"{_g(eff['ci'][0])} to {_g(eff['ci'][1])} at r = {central:g})"
                          if eff["pool"] is not None and "patient" not in how else
                          f" ({_g(eff['ci'][0])} to {_g(eff['ci'][1])})" if eff["pool"] is not None else
                          ", with no dispersion printed: shown, not pooled")
                       + f" over {entry['follow_up']}, {entry['design']}, {dtype['type']}.")
            type_text = _source(f"{key}.entries.{i}.diabetes_type", dtype["type"], dtype["source"])
            rows.append(_row(
                entry["study"], 4, f"{entry['label']}: what is the {what} in {label}?",
                eff["method"] + f"; CI at {level:g}, enveloped over r and the rounding of the printed numbers",
                eff["library"], (list(assumed) if "patient" not in how else []) + [type_text],
                eff["value"], eff["envelope"][0], eff["envelope"][1], reading))
    return rows, effects


def _pool_rows(spec: dict, effects: list[dict], rs: list[float], central: float, level: float,
               below_k: int, assumed: list[str]) -> tuple[list[dict], list[dict]]:
    """For each pool, a row with its main interval (Hartung-Knapp-Sidik-Jonkman for fewer than
    ``below_k`` entries, else normal) and one with the other (a labelled alternative); and
    the pools for the forest plot. ``assumed``: r, the reading of ±, the method, the rule."""
    key = "beyond.pooled"
    rows, pools = [], []
    for j, pool in enumerate(spec["pools"]):
        # one outcome, one design, one diabetes type (every pool names its type: the schema)
        members = [e for e in effects if e["outcome"] == pool["outcome"]
                   and e["entry"]["design"] == pool["design"]
                   and e["entry"]["diabetes_type"]["type"] == pool["diabetes_type"]]
        usable = [e for e in members if e["pool"] is not None]
        left_out = [e["entry"]["label"] for e in members if e["pool"] is None]
        if len(usable) < 2:
            raise InputError("config beyond", "a pool needs at least two entries with a dispersion",
                             key=f"{key}.pools.{j}", value=pool["label"], rule="two or more poolable entries")
        res = meta_analysis.pool_over_r([e["pool"] for e in usable], r_values=rs, method=spec["method"],
                                        level=level)
        at = res["by_r"][rs.index(central)]["pooled"]
        main = "hksj" if len(usable) < below_k else "normal"
        order = [main] + [c for c in _POOL_CIS if c != main]
        result_key, envelope_key = _POOL_CIS[main][:2]
        pools.append({"pool": pool, "members": usable, "left_out": left_out,
                      "estimate": at[result_key]["estimate"],
                      "ci": (at[result_key]["ci_low"], at[result_key]["ci_high"]),
                      "envelope": res[envelope_key], "interval": _POOL_CIS[main][2]})
        entries = ", ".join(e["entry"]["label"] for e in usable)
        for ci in order:
            result_key, envelope_key, ci_label, ci_method = _POOL_CIS[ci]
            est, env = at[result_key], res[envelope_key]
            alternative = ci != main
            rows.append(_row(
                POOLED, 4, f"What is the random-effects pooled change in the pool '{pool['label']}'"
                + (f", with the {ci_label} interval (labelled alternative)?" if alternative else "?"),
                f"random-effects pooling ({spec['method'].upper()}, tau^2 truncated at 0) of {len(usable)} "
                f"entries at each r; {ci_label} CI at {level:g} ({ci_method}), enveloped over r"
                + (" (the alternative to the main row's interval)" if alternative else ""),
                "reanalysis.beyond.meta_analysis.pool_over_r (statsmodels.stats.meta_analysis.combine_effects)",
                assumed + [_source(f"{key}.pools.{j}.diabetes_type", pool["diabetes_type"])],
                est["estimate"], env[0], env[1],
                f"{pool['label']}" + (f" ({ci_label} interval, the labelled alternative)" if alternative
                                      else f" ({ci_label} interval, {len(usable)} entries)")
                + f": pooled {_g(est['estimate'])} ({_g(est['ci_low'])} to {_g(est['ci_high'])} at "
                f"r = {central:g}; {_g(env[0])} to {_g(env[1])} over r) from {len(usable)} entries "
                f"({entries}), tau^2 {_g(res['tau2'].lower)} to {_g(res['tau2'].upper)}, I^2 "
                f"{_g(100 * res['i2'].lower)}% to {_g(100 * res['i2'].upper)}% over r"
                + (f"; not poolable (no dispersion): {', '.join(left_out)}" if left_out else "") + "."))
    return rows, pools


def forest_figure(forest: dict, stem: Path) -> list[Path]:
    """Forest plot, one panel per outcome: each entry's change (square, CI at the central r;
    thin line: envelope over r and rounding; a cross where no CI can be given), grouped by
    design, and each pool's random-effects estimate (diamond)."""
    import matplotlib.pyplot as plt

    from reanalysis.figures.paper_figures import configure_matplotlib, save_figure

    configure_matplotlib()
    outcomes = [o for o in forest["outcomes"] if any(e["outcome"] == o for e in forest["effects"])]
    layout = []
    for o in outcomes:
        lines = []
        types = sorted({e["entry"]["diabetes_type"]["type"] for e in forest["effects"]})
        for design, dtype in itertools.product(("controlled", "uncontrolled"), types):
            ents = [e for e in forest["effects"] if e["outcome"] == o and e["entry"]["design"] == design
                    and e["entry"]["diabetes_type"]["type"] == dtype]
            pools = [p for p in forest["pools"] if p["pool"]["outcome"] == o and p["pool"]["design"] == design
                     and p["pool"]["diabetes_type"] == dtype]
            if not ents:
                continue
            lines.append(("heading", f"{design} designs, {dtype}", None))
            lines += [("entry", e["entry"]["label"], e) for e in ents]
            lines += [("pool", f"pooled: {p['pool']['label']} ({p['interval']})", p) for p in pools]
        layout.append((o, lines))
    heights = [len(lines) + 1 for _, lines in layout]
    fig, axes = plt.subplots(len(layout), 1, figsize=(10, 0.32 * sum(heights) + 1.4),
                             gridspec_kw={"height_ratios": heights}, layout="constrained", squeeze=False)
    for ax, (o, lines) in zip(axes[:, 0], layout):
        n = len(lines)
        ticks, labels, bold = [], [], []
        for i, (kind, label, item) in enumerate(lines):
            y = n - i
            ticks.append(y)
            labels.append(label)
            bold.append(kind == "heading")
            if kind == "entry":
                lo, hi = item["envelope"]
                if item["pool"] is None:
                    ax.plot([item["value"]], [y], marker="x", color="grey", ms=6)
                    numbers = f"{item['value']:.2f} (no CI: no dispersion printed)"
                else:
                    ax.plot([lo, hi], [y, y], color="grey", lw=0.8)
                    ax.plot(item["ci"], [y, y], color="black", lw=1.8)
                    ax.plot([item["value"]], [y], marker="s", color="black", ms=4)
                    numbers = f"{item['value']:.2f} [{item['ci'][0]:.2f}, {item['ci'][1]:.2f}]"
            elif kind == "pool":
                est, (lo, hi) = item["estimate"], item["ci"]
                ax.plot(item["envelope"], [y, y], color="#b2182b", lw=0.6, ls=":")
                ax.fill([lo, est, hi, est], [y, y + 0.3, y, y - 0.3], color="#b2182b")
                numbers = f"{est:.2f} [{lo:.2f}, {hi:.2f}]"
            if kind != "heading":
                # estimate [CI] printed beside each row, right of the panel
                ax.text(1.01, y, numbers.replace("-", "−"), transform=ax.get_yaxis_transform(), fontsize=7,
                        va="center", ha="left", clip_on=False)
        ax.axvline(0, color="grey", lw=0.6, ls="--")
        ax.set_ylim(0.3, n + 0.7)
        ax.set_yticks(ticks, labels, fontsize=7)
        ax.tick_params(axis="y", length=0)
        for tick, is_bold in zip(ax.get_yticklabels(), bold):
            if is_bold:
                tick.set_fontweight("bold")
        ax.set_title(f"{forest['outcomes'][o]['label']}: change after - before (negative = fall); "
                     "right: estimate [CI]", fontsize=9)
        ax.tick_params(axis="x", labelsize=8)
    fig.suptitle(f"Change from baseline per study arm (black: CI at r = {forest['central']:g}; grey: "
                 "envelope over r and rounding) and random-effects pools (red)", fontsize=9)
    return save_figure(fig, stem)


# --- 5. Carlisle's baseline check -----------------------------------------------------------------

def _n_of(row, study: dict, spec: dict, where: str) -> int:
    if spec.get("n_set"):
        sets = study.get("n_sets", {})
        if spec["n_set"] not in sets or row.arm not in sets[spec["n_set"]]:
            raise InputError(where, "unknown n_set or arm", value=spec["n_set"],
                             rule="an n_set of the study with every arm of its rows")
        return int(sets[spec["n_set"]][row.arm])
    if row.n is None:
        raise InputError(where, "the row prints no n", value=row.value_id, rule="set n_set")
    return int(row.n)


def baseline_check(name: str, study: dict, rows: dict, claims: list[dict], spec: dict) -> list[dict]:
    """Carlisle's simulated p per continuous baseline variable, and Stouffer's combination of
    the printed p-values (at them and at the ends of their rounding) and of the simulated ones."""
    key = "beyond.carlisle"
    alpha = float(study["alpha"])
    variables, printed = _baseline_variables(study, rows, _claims_by_id(claims), spec)
    res = carlisle.carlisle_trial(variables, means_method="simulation", n_sim=int(spec["n_sim"]),
                                  seed=int(spec["seed"]), sds_mode=spec["sds_mode"],
                                  scheme=spec["rounding"], alpha=alpha)
    sim_text = _source(key, f"n_sim {spec['n_sim']}, seed {spec['seed']} (variable i: seed + i), SDs "
                       f"{spec['sds_mode']}, rounding {spec['rounding']}"
                       + (f", n from n_set {spec['n_set']}" if spec.get("n_set") else ", n as printed"))
    out = [_simulated_p_row(name, v, r["simulation"], p_text, sim_text)
           for v, r, p_text in zip(spec["variables"], res["variables"], printed) if "simulation" in r]
    printed_rows, printed_tail = _printed_stouffer_rows(name, printed, alpha)
    return out + printed_rows + _simulated_stouffer_rows(name, spec, res, printed_tail, alpha, sim_text)


def _baseline_variables(study: dict, rows: dict, by_id: dict, spec: dict) -> tuple[list[dict], list[str]]:
    """The variables for ``carlisle.carlisle_trial`` (printed means, SDs and n per group
    where the groups are named, else the printed p) and each one's printed p."""
    key = "beyond.carlisle"
    variables, printed = [], []
    for v in spec["variables"]:
        p_text = _claim(by_id, v["p"], f"{key}.variables")["claim"]
        printed.append(p_text)
        if "groups" in v:
            srows = [_summary_row(rows, g, f"{key}.variables") for g in v["groups"]]
            for r in srows:
                if r.form != "mean_dispersion":
                    raise InputError(f"{key}.variables", "a simulated variable needs mean ± dispersion rows",
                                     value=r.value_id, rule="form mean_dispersion")
            variables.append({"name": v["name"], "means": [r.parts["mean"].text for r in srows],
                              "sds": [r.parts["dispersion"].text for r in srows],
                              "ns": [_n_of(r, study, spec, f"{key}.variables") for r in srows]})
        else:
            variables.append({"name": v["name"], "p": p_text})
    return variables, printed


def _simulated_p_row(name: str, v: dict, sim: dict, p_text: str, sim_text: str) -> dict:
    """One variable's simulated p, with its Monte Carlo interval (by the rule of three
    where no simulated trial was as extreme, or all were)."""
    half = 1.96 * sim["mc_se"]
    low, high = max(0.0, sim["p"] - half), min(1.0, sim["p"] + half)
    value, said = sim["p"], f"simulated p {_g(sim['p'])} (Monte Carlo SE {_g(sim['mc_se'])})"
    if sim["p_upper_bound"] is not None:
        # no simulated trial as extreme: p < 1 / (n_sim + 1); the interval by the rule of three
        high = 3 / sim["n_sim"]
        value = bounded("<", sim["p_upper_bound"])
        said = (f"simulated p {bound_text('<', sim['p_upper_bound'])} = 1/(n_sim + 1) (none of the "
                f"{sim['n_sim']} simulated trials was as extreme; 95% upper limit 3/n_sim = {_g(high)})")
    elif sim["p"] == 1:
        low = 1 - 3 / sim["n_sim"]
    return _row(
        name, 5, f"What baseline p does Carlisle's simulation give for {v['name']} (printed p "
        f"{p_text}, {v['p']})?", sim["method"],
        "reanalysis.beyond.carlisle.baseline_p_by_simulation (numpy default_rng, statsmodels anova_generic)",
        [sim_text], value, low, high,
        f"{v['name']}: {said} against the printed {p_text} and the analytic {_g(sim['anova_p'])} "
        "at the printed numbers.")


_STOUFFER_CONVENTION = ("MEPtoolkit convention: z = sum Phi^-1(p_i) / sqrt(k); 1 - Phi(z) small = "
                        "groups more alike than chance, Phi(z) small = more different")


def _printed_stouffer_rows(name: str, printed: list[str], alpha: float) -> tuple[list[dict], dict]:
    """Stouffer's combination of the printed p-values, both tails, at them and at the ends
    of their rounding; and the two tails' ranges by tail."""
    combined = carlisle.stouffer_printed(printed)
    # Phi(z) increases in every p_i: its extremes are at the lower and upper ends
    ends = [carlisle.printed_p_interval(t) for t in printed]
    lower = Range(*(carlisle.stouffer_lower_tail([e[i] for e in ends]) for i in range(3)))
    out = []
    for tail, rng, words in (("1 - Phi(z)", combined, "more alike than chance would make them"),
                             ("Phi(z)", lower, "more different than chance would make them")):
        out.append(_row(
            name, 5, f"Are the {len(printed)} printed baseline p-values, combined by Stouffer, a sign "
            f"that the groups are {words} ({tail})?",
            f"Stouffer's method at the printed p-values and at the ends of their rounding "
            f"(corners; the combined p is monotone in each p); {_STOUFFER_CONVENTION}",
            "reanalysis.beyond.carlisle.stouffer_printed (scipy.stats.norm)", [],
            rng.value, rng.lower, rng.upper,
            f"Combined {tail} = {_g(rng.value)} ({_g(rng.lower)} to {_g(rng.upper)} over the rounding "
            f"of the printed p-values): "
            + (f"below {alpha:g}, the groups look {words}." if rng.upper < alpha else
               f"below {alpha:g} only somewhere in the rounding range." if rng.lower < alpha else
               f"no sign at alpha {alpha:g}.")))
    return out, {"1 - Phi(z)": combined, "Phi(z)": lower}


def _simulated_stouffer_rows(name: str, spec: dict, res: dict, printed_tail: dict, alpha: float,
                             sim_text: str) -> list[dict]:
    """Stouffer's combination, both tails, of the simulated p-values (the printed p where
    only a p is printed), next to the printed p-values' (``printed_tail``)."""
    n_simulated = sum("simulation" in r for r in res["variables"])
    bound_note = (f" ({res['n_bounded']} of the {n_simulated} simulated p-values are below 1/(n_sim + 1) "
                  f"= {_g(carlisle.monte_carlo_bound(spec['n_sim']))} and are taken at that bound, so "
                  "the combined value is a bound)" if res["n_bounded"] else "")
    out = []
    for tail, rng, op, words in (
            ("1 - Phi(z)", res["combined"], res["combined_op"], "more alike than chance would make them"),
            ("Phi(z)", res["combined_lower_tail"], res["combined_lower_tail_op"],
             "more different than chance would make them")):
        value = rng.value if op == "=" else bounded(op, rng.value)
        out.append(_row(
            name, 5, f"With Carlisle's simulated p-values (rounding of the printed means taken into "
            f"account; printed p where only a p is printed), are the groups {words} ({tail})?",
            f"Stouffer's method over the {res['k']} variables' p-values"
            + (", a simulated p of 0 taken at its bound 1/(n_sim + 1)" if res["n_bounded"] else "")
            + f"; {_STOUFFER_CONVENTION}",
            "reanalysis.beyond.carlisle.carlisle_trial (scipy.stats.norm)", [sim_text],
            value, rng.lower, rng.upper,
            f"Combined {tail} {f'= {_g(rng.value)}' if op == '=' else bound_text(op, rng.value)} "
            f"({_g(rng.lower)} to {_g(rng.upper)}){bound_note}; "
            f"{_g(100 * res['share_above_half'])}% of the per-variable p-values exceed 0.5 (half "
            f"expected): " + (f"the groups look {words}, under this config's reading of n and ± "
                              f"(the printed p-values combined give {_g(printed_tail[tail].value)})."
                              if rng.upper < alpha else f"no sign at alpha {alpha:g}.")))
    return out


# --- 6. robustness -----------------------------------------------------------------------------

def robustness(name: str, study: dict, df: pd.DataFrame, spec: dict) -> list[dict]:
    """Bootstrap CIs and exact (or permutation) p-values for the study's paired and
    two-group checks."""
    key = "beyond.robustness"
    variant = spec.get("grouping_variant", AS_REPORTED)
    bs, perm = spec["bootstrap"], spec["permutation"]
    bs_text = _source(f"{key}.bootstrap", f"{bs['n_boot']} resamples, {bs['method']}, seed {bs['seed']}")
    perm_text = _source(f"{key}.permutation", f"{perm['n_resamples']} resamples, seed {perm['seed']}")
    rows = []
    for check in spec["checks"]:
        if check not in study["checks"]:
            raise InputError(f"{key}.checks", "unknown check", value=check, rule="a check of the study")
        c = study["checks"][check]
        if c["analysis"] == "paired_test":
            mask, desc = subset_mask(df, study, c.get("subset"), variant)
            d = _changes(df[mask], c["before"], c["after"]).to_numpy(float)
            boot = resampling.bootstrap_ci(d, np.mean, n_boot=int(bs["n_boot"]), seed=int(bs["seed"]),
                                           level=float(bs["level"]), method=bs["method"])
            t_ci = stats.ttest_1samp(d, 0.0).confidence_interval(float(bs["level"]))
            rows.append(_row(
                name, 6, f"Does the mean reduction of {check} ({desc}, n {d.size}) keep its CI "
                "without assuming normality?", f"{bs['method']} bootstrap CI of the mean of {c['before']} - "
                f"{c['after']}", "reanalysis.beyond.resampling.bootstrap_ci (scipy.stats.bootstrap)", [bs_text],
                boot["estimate"], boot["low"], boot["high"],
                f"Mean {_g(boot['estimate'])}, bootstrap CI {_g(boot['low'])} to {_g(boot['high'])} "
                f"against the t interval {_g(t_ci.low)} to {_g(t_ci.high)}."))
            ex = resampling.exact_sign_flip_p(d)
            p_t = float(stats.ttest_1samp(d, 0.0).pvalue)
            rows.append(_row(
                name, 6, f"Is {check} ({desc}, n {d.size}) significant without the t-test's assumptions?",
                f"exact sign-flip permutation test of the mean change, two-sided, all 2^{d.size} sign "
                f"vectors ({ex['method']})", "reanalysis.beyond.resampling.exact_sign_flip_p", [],
                ex["p"], None, None,
                f"Exact permutation p = {_g(ex['p'])} against the paired t-test's {_g(p_t)}: "
                + ("both below" if max(ex["p"], p_t) < study["alpha"] else
                   "both at or above" if min(ex["p"], p_t) >= study["alpha"] else "on either side of")
                + f" alpha {study['alpha']:g}."))
        elif c["analysis"] == "two_group_test":
            ma, da = subset_mask(df, study, c["group_a"], variant)
            mb, db = subset_mask(df, study, c["group_b"], variant)
            a = df.loc[ma, c["column"]].to_numpy(float)
            b = df.loc[mb, c["column"]].to_numpy(float)

            def diff(x, y, axis=-1):
                return np.mean(x, axis=axis) - np.mean(y, axis=axis)

            boot = stats.bootstrap((a, b), diff, n_resamples=int(bs["n_boot"]),
                                   confidence_level=float(bs["level"]),
                                   method={"bca": "BCa"}.get(bs["method"], bs["method"]),
                                   rng=np.random.default_rng(int(bs["seed"])))
            est = float(diff(a, b))
            rows.append(_row(
                name, 6, f"Does {check} ({da} minus {db}) keep its CI without assuming normality?", f"{bs['method']} bootstrap CI of the difference in means of "
                f"{c['column']} (two independent samples, n {a.size} and {b.size})",
                "scipy.stats.bootstrap", [bs_text], est, float(boot.confidence_interval.low),
                float(boot.confidence_interval.high),
                f"Difference {_g(est)}, bootstrap CI {_g(float(boot.confidence_interval.low))} to "
                f"{_g(float(boot.confidence_interval.high))}."))
            res = stats.permutation_test((a, b), diff, permutation_type="independent",
                                         n_resamples=int(perm["n_resamples"]), alternative="two-sided",
                                         vectorized=True, rng=np.random.default_rng(int(perm["seed"])))
            p = float(res.pvalue)
            p_t = float(stats.ttest_ind(a, b).pvalue)
            rows.append(_row(
                name, 6, f"Is {check} ({da} minus {db}) significant without the t-test's assumptions?",
                f"permutation test of the difference in means, two-sided, {perm['n_resamples']} random "
                "relabellings (p = (count + 1) / (resamples + 1))", "scipy.stats.permutation_test",
                [perm_text], p, None, None,
                f"Permutation p = {_g(p)} against Student's t-test's {_g(p_t)}."))
        else:
            raise InputError(f"{key}.checks", "not a paired or two-group test", value=check,
                             rule="checks with analysis paired_test or two_group_test")
    return rows


# --- 7. reverse search (exploratory) -----------------------------------------------------------

def reverse_search(name: str, study: dict, df: pd.DataFrame, claims: list[dict], spec: dict) -> list[dict]:
    """EXPLORATORY: for each printed number the data do not reproduce, the simple recipes
    that give it, with the number tried and the matches expected by chance."""
    key = "beyond.reverse_search"
    by_id = _claims_by_id(claims)
    groupings = rsearch.groupings_from_study(df, study)
    thresholds = spec["thresholds"]
    cands = rsearch.standard_candidates(df, groupings, list(thresholds), thresholds,
                                        before=spec["before"], after=spec["after"],
                                        max_drop=int(spec["max_drop"]))
    pr = spec["plausible_range"]
    rows = []
    for cid in spec["claims"]:
        claim_row = _claim(by_id, cid, f"{key}.claims")
        res = rsearch.search(df, claim_row["claim"], cands, plausible_range=tuple(pr["range"]))
        ch = res["chance"]
        shown = "; ".join(f"{m['description']} = {_g(m['value'], 4)} (n {m['n']})"
                          for m in res["matches"][:4])
        more = f" and {res['n_matches'] - 4} more" if res["n_matches"] > 4 else ""
        rows.append(_row(
            name, 7, f"EXPLORATORY: which simple computation gives the printed '{claim_row['reported']}' "
            f"({cid}, {claim_row['quantity']}), which the data do not reproduce?",
            f"{res['n_hypotheses']} recipes (subsets of every grouping and of {sorted(thresholds)} at "
            f"thresholds {thresholds}; change and percent change; mean, median, mean without the j "
            f"largest or smallest, j <= {spec['max_drop']}) evaluated on the table",
            "reanalysis.beyond.reverse_search",
            [_source(f"{key}.plausible_range", f"{pr['range']}", pr["source"]),
             _source(f"{key}.max_drop", str(spec["max_drop"]))],
            res["n_matches"], None, None,
            f"Exploratory, {res['n_hypotheses']} hypotheses tried ({res['n_distinct']} distinct values), "
            f"about {_g(ch['expected_chance_matches_distinct'], 2)} chance matches expected: "
            f"{res['n_matches']} found" + (f" ({shown}{more})" if shown else "")
            + "; a match suggests a reading, it does not show one."))
    return rows


# --- the whole section ------------------------------------------------------------------------------

def study_rows(name: str, study: dict, data, claims: list[dict]) -> list[dict]:
    """Every row of one study's ``beyond:`` section, parts in order."""
    spec = study.get("beyond", {})
    rows = []
    if "rtm" in spec:
        rows += regression_to_the_mean(name, study, data, claims, spec["rtm"])
    if "tipping" in spec:
        rows += missing_patients(name, study, data, claims, spec["tipping"])
    if "carlisle" in spec:
        rows += baseline_check(name, study, data, claims, spec["carlisle"])
    if "robustness" in spec:
        rows += robustness(name, study, data, spec["robustness"])
    if "reverse_search" in spec:
        rows += reverse_search(name, study, data, claims, spec["reverse_search"])
    return rows


def corpus_rows(beyond: dict, data: dict) -> tuple[list[dict], dict]:
    """The rows of the analyses that span studies, and the forest plot's data. ``data``:
    each study's loaded data (a patient table or its parsed summary rows), by name."""
    rows = external_control(beyond, data)
    pooled, forest = pooled_evidence(beyond, data)
    return rows + pooled, forest


def to_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def write_rows(rows: list[dict], path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    to_frame(rows).to_csv(path, index=False, lineterminator="\n")


def read_rows(path) -> pd.DataFrame:
    """A written section back: ``low`` and ``high`` as floats, ``value`` a float or, where
    the value is only a bound, its text ('< 0.00019996...')."""
    numeric = ("low", "high")
    frame = pd.read_csv(path, keep_default_na=False, na_values={c: [""] for c in numeric},
                        dtype={c: (float if c in numeric else str) for c in COLUMNS})
    frame["value"] = frame["value"].map(_as_value).astype(object)
    return frame


def shown(value, low, high) -> str:
    """value [low, high], empty parts left out; a bound as '< 0.0002'."""
    def ok(x):
        return x is not None and not (isinstance(x, float) and math.isnan(x))
    if isinstance(value, str):
        op, number = _BOUND.fullmatch(value).groups()
        text = bound_text(op, float(number))
    else:
        text = _g(value) if ok(value) else ""
    if ok(low) and ok(high):
        text += f" [{_g(low)}, {_g(high)}]"
    return text.strip()


def _md(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def summary_section(frames: Iterable[pd.DataFrame], figure: str | None = None) -> str:
    """The markdown section of summary.md: every row, part by part, with its reading."""
    frames = [f for f in frames if len(f)]
    lines = ["", "## Is the effect real?", "",
             "The questions a sceptical reviewer asks after the numbers (results/beyond/*.csv; "
             "each row's method, library and assumptions with their config keys and sources are "
             "in the CSV). Values are given as value [low, high].", ""]
    if not frames:
        return "\n".join(lines + ["No study has a `beyond` section.", ""])
    all_rows = pd.concat(frames, ignore_index=True)
    order = {label: i for i, label in enumerate(PARTS.values())}
    for part in sorted(all_rows["part"].unique(), key=lambda p: order.get(p, len(order))):
        sub = all_rows[all_rows["part"] == part]
        lines += [f"### {part[0]}. {part[2:].capitalize()}", "",
                  "| study | question | value [low, high] | reading |", "|---|---|---|---|"]
        for _, r in sub.iterrows():
            lines.append(f"| {_md(r['study'])} | {_md(r['question'])} | "
                         f"{_md(shown(r['value'], r['low'], r['high']))} | {_md(r['reading'])} |")
        lines.append("")
        if part == PARTS[4] and figure:
            lines += [f"Forest plot: `{figure}`.", ""]
    return "\n".join(lines)


# --- the job: read every input, write every output -----------------------------------------

def needed_studies(config: dict, shared: dict | None) -> list[str]:
    """The studies the section reads: those with a ``beyond`` section and those the shared
    file names."""
    names = {s for s, st in config["studies"].items() if st.get("beyond")}
    if shared:
        names.add(shared["external_control"]["patient"]["study"])
        names |= {c["study"] for c in shared["external_control"]["comparators"]}
        names |= {e["study"] for e in shared["pooled"]["entries"]}
    return sorted(names)


def write_section(config: dict, shared: dict | None, results_dir, claims_schema) -> list[Path]:
    """Write results/beyond/<study>.csv for every study with a ``beyond`` section,
    results/beyond/corpus.csv and the forest plot (results/figures/beyond/) when the shared
    file is set; return the paths written."""
    from reanalysis.audit import designs
    from reanalysis.audit.ledger import load_claims

    results_dir = Path(results_dir)
    names = needed_studies(config, shared)
    data = {s: designs.load(config["studies"][s]) for s in names}
    claims = {s: load_claims(Path(config["studies"][s]["claims"]), Path(claims_schema), config["studies"][s])
              for s in names}
    written = []
    for s in names:
        if config["studies"][s].get("beyond"):
            path = results_dir / "beyond" / f"{s}.csv"
            write_rows(study_rows(s, config["studies"][s], data[s], claims[s]), path)
            written.append(path)
    if shared:
        rows, forest = corpus_rows(shared, data)
        path = results_dir / "beyond" / f"{CORPUS}.csv"
        write_rows(rows, path)
        written.append(path)
        written += forest_figure(forest, results_dir / "figures" / FIGURE_DIR / FIGURES[0]["name"])
    return written
