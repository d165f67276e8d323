"""A column compared between two subsets: Student's or Welch's t, or Mann-Whitney U."""
from __future__ import annotations

import pandas as pd

from . import register


def two_group(a: pd.Series, b: pd.Series, method: str):
    import pingouin as pg

    out = {"n_a": float(len(a)), "n_b": float(len(b)), "mean_a": float(a.mean()),
           "mean_b": float(b.mean()), "mean_difference": float(a.mean() - b.mean())}
    if method in ("student_t", "welch_t"):
        res = pg.ttest(a, b, paired=False, correction=(method == "welch_t")).iloc[0]
        out |= {"T": float(res["T"]), "dof": float(res["dof"]), "p": float(res["p_val"])}
        name = "Welch" if method == "welch_t" else "Student"
        return out, f"{name} two-sample t-test, two-sided (pingouin.ttest)"
    if method == "mann_whitney":
        res = pg.mwu(a, b).iloc[0]
        out |= {"U": float(res["U_val"]), "p": float(res["p_val"])}
        return out, "Mann-Whitney U, two-sided (pingouin.mwu)"
    raise ValueError(f"unknown two_group_test method {method!r}")


@register("two_group_test", note=__doc__.split("\n")[0], rows="two_groups",
          fields={"column": {"type": "string"}}, required=("column", "group_a", "group_b"),
          methods=("student_t", "welch_t", "mann_whitney"))
def run(spec: dict, method: str, a: pd.DataFrame, b: pd.DataFrame):
    column = spec["column"]
    stats_, text = two_group(a[column], b[column], method)
    return stats_, f"{text} of {column}"
