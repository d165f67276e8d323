"""The correlation of two columns: Pearson, Spearman or Kendall, two-sided."""
from __future__ import annotations

import pandas as pd

from . import register


def correlation(x: pd.Series, y: pd.Series, method: str):
    import pingouin as pg
    from scipy import stats

    res = pg.corr(x, y, method=method).iloc[0]
    out = {"n": float(res["n"]), "r": float(res["r"]), "p": float(res["p_val"])}
    if method == "pearson":
        ci = stats.pearsonr(x, y).confidence_interval(0.95)
        # pingouin.corr reports BF10 as rounded text; compute it unrounded.
        bf10 = pg.bayesfactor_pearson(out["r"], int(out["n"]))
        out |= {"ci95_low": float(ci.low), "ci95_high": float(ci.high), "BF10": float(bf10)}
    return out, f"{method} correlation, two-sided (pingouin.corr method='{method}')"


@register("correlation", note=__doc__.split("\n")[0], rows="subset",
          fields={"x": {"type": "string"}, "y": {"type": "string"}}, required=("x", "y"),
          methods=("pearson", "spearman", "kendall"))
def run(spec: dict, method: str, rows: pd.DataFrame):
    stats_, text = correlation(rows[spec["x"]], rows[spec["y"]], method)
    return stats_, f"{text}: {spec['x']} with {spec['y']}"
