"""EXPLORATORY: which simple alternative computations reproduce a printed number?

When the data do not reproduce a printed number (Matsuoka 2025: the dose subgroup means
1.72 and 1.12), :func:`search` evaluates a list of *recipes* -- a subset of rows, a
column and a statistic -- on the patient table and reports those whose value prints as
the printed number (``rounding.parse_claim(printed).holds_for(value)``).

This is hypothesis generation, not evidence. A match may be a coincidence: with H
distinct recipes whose values spread over a plausible range of width W, and a printed
number standing for an interval of width u (one unit in its last place, e.g. 0.01 for
'1.72'), each recipe hits by chance with probability about f = u / W, so about
H * f chance matches are expected (and P(at least one) ~ 1 - (1 - f)^H if the recipes
were independent; they are not -- overlapping subsets give correlated values, so the
reading is rough). :func:`search` states this next to every result.

:func:`standard_candidates` builds a modest, documented set of recipes:

* subsets: all rows; each group of each grouping; for each threshold column and
  threshold t, the rows with column >= t, > t, < t and <= t;
* measures: the change ``before - after`` and the percent change
  ``100 * (before - after) / before``;
* statistics per subset and measure: mean, median, and the mean after dropping the j
  largest or the j smallest values, j = 1..max_drop (a different n from the one
  printed, e.g. patients left out of the printed table);

so the number of recipes is exactly
  S * 2 * (2 + 2 * max_drop),  S = 1 + (number of groups) + 4 * (number of
  (column, threshold) pairs).
Recipes selecting the same rows (in Matsuoka's table, dose '>= 1500' and '> 1000' both
select the 40 patients at 2000 million cells) are kept as separate recipes;
``n_distinct`` in the result counts distinct values.
"""
from __future__ import annotations

import math
import re
from typing import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from reanalysis.audit.patient_level import subset_mask
from reanalysis.engine.analyses import DERIVED_DECIMALS
from reanalysis.engine.rounding import parse_claim, snap

LABEL = "exploratory"
_DROP = re.compile(r"^mean_without_(\d+)_(largest|smallest)$")


def statistic_function(name: str | Callable) -> Callable[[np.ndarray], float]:
    """'mean', 'median', 'mean_without_<j>_largest', 'mean_without_<j>_smallest', or a
    callable on a 1-D array. A statistic of too few values is NaN."""
    if callable(name):
        return name
    if name == "mean":
        return lambda v: float(np.mean(v)) if v.size else math.nan
    if name == "median":
        return lambda v: float(np.median(v)) if v.size else math.nan
    m = _DROP.match(name)
    if m:
        j, which = int(m.group(1)), m.group(2)

        def dropped(v: np.ndarray) -> float:
            if v.size <= j:
                return math.nan
            s = np.sort(v)
            return float(np.mean(s[:-j] if which == "largest" else s[j:]))
        return dropped
    raise ValueError(f"unknown statistic {name!r}")


def _mask(df: pd.DataFrame, subset) -> np.ndarray:
    if subset is None:
        return np.ones(len(df), dtype=bool)
    m = subset(df) if callable(subset) else subset
    m = np.asarray(m, dtype=bool)
    if m.shape != (len(df),):
        raise ValueError(f"subset mask of shape {m.shape} for {len(df)} rows")
    return m


def _column(df: pd.DataFrame, column) -> np.ndarray:
    values = column(df) if callable(column) else df[column]
    return np.asarray(values, dtype=float)


def evaluate(df: pd.DataFrame, candidate: Mapping) -> dict:
    """One recipe's value: {description, value, n} (n = rows in the subset with a
    value in the column)."""
    mask = _mask(df, candidate.get("subset"))
    values = _column(df, candidate["column"])[mask]
    values = values[~np.isnan(values)]
    value = statistic_function(candidate["statistic"])(values)
    return {"description": candidate["description"], "value": value, "n": int(values.size)}


def _fraction_covered(claim, lo: float, hi: float) -> float:
    """Share of [lo, hi] whose values satisfy the claim (the printed precision for '=')."""
    c_lo, c_hi = (float(b) for b in claim.interval())
    width = hi - lo
    if width <= 0:
        return 1.0 if claim.overlaps(lo, hi) else 0.0
    if claim.op == "=":
        return min(1.0, (c_hi - c_lo) / width)
    return max(0.0, min(hi, c_hi) - max(lo, c_lo)) / width


def search(df: pd.DataFrame, printed: str, candidates: Iterable[Mapping],
           plausible_range: tuple[float, float] | None = None) -> dict:
    """Evaluate every recipe and keep those whose value prints as ``printed``.

    ``candidates``: dicts with keys description (text), subset (None = all rows, a
    boolean mask aligned with ``df``, or a function df -> mask), column (a column name
    or a function df -> values) and statistic (see :func:`statistic_function`).
    ``plausible_range``: the range the printed quantity could plausibly take; default
    the range of the values the recipes produce -- generous (f too small) when recipes
    in different units are mixed, e.g. changes and percent changes, so pass it.

    Returns a dict:
      label ('exploratory'), printed, n_hypotheses (recipes tried, = len(candidates)),
      n_evaluated (recipes with a finite value), n_distinct (distinct finite values, at
      12 significant digits), matches ([{description, value, n}]), n_matches,
      evaluations (a DataFrame: description, value, n, matches, one row per recipe),
      chance: {plausible_range, f, expected_chance_matches (= n_evaluated * f),
        expected_chance_matches_distinct (= n_distinct * f),
        p_at_least_one_if_independent (= 1 - (1 - f)^n_distinct), reading (a sentence)}.
    """
    claim = parse_claim(printed)
    rows = []
    for cand in candidates:
        r = evaluate(df, cand)
        r["matches"] = bool(math.isfinite(r["value"]) and claim.holds_for(r["value"]))
        rows.append(r)
    table = pd.DataFrame(rows, columns=["description", "value", "n", "matches"])
    finite = table[np.isfinite(table["value"].astype(float))]
    n_hyp, n_eval = len(table), len(finite)
    n_distinct = len({snap(v) for v in finite["value"]})
    if plausible_range is None:
        plausible_range = ((float(finite["value"].min()), float(finite["value"].max()))
                           if n_eval else (math.nan, math.nan))
    lo, hi = plausible_range
    f = _fraction_covered(claim, lo, hi) if n_eval else math.nan
    matches = table[table["matches"]][["description", "value", "n"]].to_dict("records")
    expected = n_eval * f
    expected_distinct = n_distinct * f
    p_any = 1 - (1 - f) ** n_distinct if n_eval else math.nan
    reading = (f"Exploratory: {n_hyp} recipes tried ({n_eval} evaluable, {n_distinct} distinct "
               f"values); the printed '{claim.text}' covers a fraction f = {f:.3g} of the "
               f"plausible range [{lo:.4g}, {hi:.4g}], so about H*f = {expected_distinct:.2g} "
               f"chance matches are expected among the distinct values "
               f"({expected:.2g} counting every recipe); {len(matches)} found. A match "
               "suggests how the number may have been computed; it does not show it.")
    return {"label": LABEL, "printed": claim.text, "n_hypotheses": n_hyp,
            "n_evaluated": n_eval, "n_distinct": n_distinct, "matches": matches,
            "n_matches": len(matches), "evaluations": table,
            "chance": {"plausible_range": (lo, hi), "f": f,
                       "expected_chance_matches": expected,
                       "expected_chance_matches_distinct": expected_distinct,
                       "p_at_least_one_if_independent": p_any, "reading": reading}}


_OPS = {">=": np.greater_equal, ">": np.greater, "<": np.less, "<=": np.less_equal}


def _thresholds_by_column(columns: list[str], thresholds) -> list[tuple[str, float]]:
    if isinstance(thresholds, Mapping):
        unknown = set(thresholds) - set(columns)
        if unknown:
            raise ValueError(f"thresholds for columns not listed: {sorted(unknown)}")
        return [(c, float(t)) for c in columns for t in thresholds.get(c, [])]
    return [(c, float(t)) for c in columns for t in thresholds]


def count_standard_candidates(n_groups: int, n_column_thresholds: int, max_drop: int) -> int:
    """The number of recipes :func:`standard_candidates` makes:
    S * 2 * (2 + 2 * max_drop), S = 1 + n_groups + 4 * n_column_thresholds."""
    return (1 + n_groups + 4 * n_column_thresholds) * 2 * (2 + 2 * max_drop)


def standard_candidates(df: pd.DataFrame, groupings: Mapping[str, Mapping[str, object]],
                        columns: list[str], thresholds, *, before: str = "hba1c_before",
                        after: str = "hba1c_after", max_drop: int = 3) -> list[dict]:
    """The recipes described in the module text.

    ``groupings``: {grouping name: {group name: mask or function df -> mask}} (see
    :func:`groupings_from_study` for the config's groupings); ``columns``: the columns
    thresholds apply to; ``thresholds``: a list applied to every such column, or a dict
    {column: [thresholds]}; ``before``/``after``: the paired columns the change is
    computed from; ``max_drop``: the largest number of values dropped from either end."""
    if max_drop < 0:
        raise ValueError("max_drop must be >= 0")
    for col in [before, after, *columns]:
        if col not in df.columns:
            raise ValueError(f"no column {col!r}")
    subsets: list[tuple[str, object]] = [("all rows", None)]
    for gname, groups in groupings.items():
        for group, mask in groups.items():
            subsets.append((f"{gname}.{group}", mask))
    for col, t in _thresholds_by_column(columns, thresholds):
        for op, func in _OPS.items():
            subsets.append((f"{col} {op} {t:g}",
                            lambda d, col=col, t=t, func=func: func(d[col].to_numpy(float), t)))

    def change(d):
        return (d[before] - d[after]).round(DERIVED_DECIMALS)

    def percent(d):
        return (100 * (d[before] - d[after]) / d[before]).round(DERIVED_DECIMALS)

    measures = [("change (before - after)", change),
                ("percent change 100*(before - after)/before", percent)]
    stats_ = ["mean", "median"] + [f"mean_without_{j}_{w}" for j in range(1, max_drop + 1)
                                   for w in ("largest", "smallest")]
    out = []
    for sname, mask in subsets:
        for mname, mfunc in measures:
            for st in stats_:
                out.append({"description": f"{st} of {mname}; subset: {sname}",
                            "subset": mask, "column": mfunc, "statistic": st})
    return out


def groupings_from_study(df: pd.DataFrame, study: dict) -> dict[str, dict[str, np.ndarray]]:
    """Masks for every group of every variant of the study config's groupings, named
    '<grouping>[<variant>]' (via patient_level.subset_mask)."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for gname, grouping in study.get("groupings", {}).items():
        for variant, groups in grouping["variants"].items():
            out[f"{gname}[{variant}]"] = {
                group: subset_mask(df, study, f"{gname}.{group}", variant)[0].to_numpy()
                for group in groups}
    return out
