"""Descriptive statistics of one column of a subset: count, mean, median, min, max, SD, quantile.

One computation, :func:`describe`, registered under each statistic's name; a check of any of
them may name a ``column`` (a count without one counts the rows), and ``quantile`` alone
takes ``q`` and the quantile methods a study lists."""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import register


def _count(x: pd.Series, q, method):
    return {"n": float(len(x))}, "row count"


def _quantile(x: pd.Series, q: float, method: str):
    return ({"value": float(np.quantile(x.to_numpy(), q, method=method)), "n": float(len(x))},
            f"numpy.quantile(q={q}, method='{method}')")


def _pandas(name: str, of):
    def statistic(x: pd.Series, q, method):
        return {"value": float(of(x)), "n": float(len(x))}, f"{name} (pandas)"
    return statistic


# Each statistic (x, q, method) -> ({statistic: value}, method text), with what it is in words.
STATISTICS = {
    "count": (_count, "the number of rows"),
    "mean": (_pandas("mean", lambda x: x.mean()), "the mean"),
    "median": (_pandas("median", lambda x: x.median()), "the median"),
    "min": (_pandas("min", lambda x: x.min()), "the smallest value"),
    "max": (_pandas("max", lambda x: x.max()), "the largest value"),
    "sd": (_pandas("sd", lambda x: x.std(ddof=1)), "the standard deviation (n - 1)"),
    "quantile": (_quantile, "the quantile q, by a method the study lists (numpy.quantile)"),
}
# What a statistic declares beyond a column: the quantile its q and methods.
_OWN = {"quantile": {"fields": {"q": {"type": "number", "minimum": 0, "maximum": 1}}, "required": ("q",),
                     "methods": ("inverted_cdf", "averaged_inverted_cdf", "closest_observation",
                                 "interpolated_inverted_cdf", "hazen", "weibull", "linear", "median_unbiased",
                                 "normal_unbiased", "lower", "higher", "midpoint", "nearest")}}


def describe(x: pd.Series, kind: str, q: float | None, method: str | None):
    """The statistic ``kind`` of x: ({statistic: value}, method text)."""
    return STATISTICS[kind][0](x, q, method)


def _run(kind: str):
    def run(spec: dict, method: str | None, rows: pd.DataFrame):
        column = spec.get("column")
        x = rows[column] if column else rows.index.to_series()
        stats_, text = describe(x, kind, spec.get("q"), method)
        return stats_, f"{text} of {column}" if column else text
    return run


for _name, (_, _words) in STATISTICS.items():
    _own = _OWN.get(_name, {})
    register(_name, note=f"{_words} of a column of one subset", rows="subset",
             fields={"column": {"type": "string"}, **_own.get("fields", {})},
             required=_own.get("required", ()), methods=_own.get("methods", ()))(_run(_name))
