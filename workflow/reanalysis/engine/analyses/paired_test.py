"""A paired test of two columns of the same patients: paired t or Wilcoxon signed-rank."""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import DERIVED_DECIMALS, register


def paired(before: pd.Series, after: pd.Series, method: str):
    import pingouin as pg
    from scipy import stats

    diff = (before - after).round(DERIVED_DECIMALS)  # exact ties for the signed-rank test
    out = {"n": float(len(diff)), "mean_difference": float(diff.mean())}
    if method == "paired_t":
        res = pg.ttest(before, after, paired=True).iloc[0]
        # pingouin rounds its CI to 2 decimals and BF10 to text; take them unrounded.
        ci = stats.ttest_rel(before, after).confidence_interval(0.95)
        bf10 = pg.bayesfactor_ttest(res["T"], len(diff), paired=True)
        out |= {"T": float(res["T"]), "dof": float(res["dof"]), "p": float(res["p_val"]),
                "ci95_low": float(ci.low), "ci95_high": float(ci.high),
                "cohen_d": float(res["cohen_d"]), "BF10": float(bf10), "power": float(res["power"])}
        return out, "paired t-test, two-sided (pingouin.ttest paired=True; CI from scipy.stats.ttest_rel)"
    if method == "wilcoxon":
        if scipy_permutes(diff):
            # scipy's exact permutation test over 2^n sign flips takes about a second per call;
            # the same exact p counted with tied ranks in closed form (see signed_rank_p)
            res = pg.wilcoxon(diff, method="asymptotic").iloc[0]  # W and RBC do not depend on it
            p, how = signed_rank_p(diff), "exact over all sign flips, tied ranks counted exactly"
        else:
            res = pg.wilcoxon(diff).iloc[0]
            p, how = float(res["p_val"]), "scipy's method 'auto'"
        out |= {"W": float(res["W_val"]), "p": p, "rank_biserial": float(res["RBC"])}
        return out, f"Wilcoxon signed-rank, two-sided (pingouin.wilcoxon; p {how})"
    raise ValueError(f"unknown paired_test method {method!r}")


def scipy_permutes(diff: pd.Series) -> bool:
    """Does scipy.stats.wilcoxon (method 'auto') run its exact permutation test here? It
    does with ties or zeros and n <= 13 (scipy 1.17, stats/_wilcoxon.py)."""
    d = np.asarray(diff, dtype=float)
    nonzero = np.abs(d[d != 0])
    has_ties = len(np.unique(nonzero)) < len(nonzero)
    return bool((has_ties or (d == 0).any()) and len(d) <= 13)


def signed_rank_p(diff) -> float:
    """Two-sided p of the Wilcoxon signed-rank test, exact over all 2^n sign flips with
    average ranks for ties and zeros dropped (scipy's zero_method 'wilcox'): the null
    distribution of the positive-rank sum, counted by convolution over doubled (integer)
    ranks; p = min(1, 2 min(P(T <= t), P(T >= t))), as scipy.stats.permutation_test."""
    from scipy import stats

    d = np.asarray(diff, dtype=float)
    d = d[d != 0]
    ranks = np.rint(2 * stats.rankdata(np.abs(d))).astype(np.int64)
    observed = int(ranks[d > 0].sum())
    counts = np.zeros(int(ranks.sum()) + 1, dtype=np.int64)
    counts[0] = 1
    for r in ranks:
        counts[r:] = counts[r:] + counts[:-r]  # (ranks are >= 2, doubled)
    total = counts.sum()
    less, greater = counts[:observed + 1].sum() / total, counts[observed:].sum() / total
    return float(min(1.0, 2 * min(less, greater)))


@register("paired_test", note=__doc__.split("\n")[0], rows="subset",
          fields={"before": {"type": "string"}, "after": {"type": "string"}}, required=("before", "after"),
          methods=("paired_t", "wilcoxon"))
def run(spec: dict, method: str, rows: pd.DataFrame):
    stats_, text = paired(rows[spec["before"]], rows[spec["after"]], method)
    return stats_, f"{text}: {spec['before']} vs {spec['after']}"
