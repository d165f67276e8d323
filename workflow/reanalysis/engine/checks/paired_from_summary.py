"""Paired t-test from printed mean ± SD before and after, the correlation r unknown in [-1, 1]."""
from __future__ import annotations

import math

from scipy import stats

from .. import summary_stats
from ..summary_stats import Box
from . import Synthetic, register
from ._common import DISPERSION, MEAN_SD, VALUE_ID, at_printed, n_for, n_words, point, range_record, sd_box


def _synthetic(rng, ids: dict, data: dict) -> tuple[dict, float]:
    """The arm against baseline, its printed SDs read as SDs; the true p by the paired t-test
    on the simulated patients (scipy), whose within-patient r the paper does not print."""
    spec = {"kind": "paired_from_summary", "before": ids["before"], "after": ids["after"],
            "dispersion": "printed"}
    return spec, float(stats.ttest_rel(data["before"], data["after"]).pvalue)


def _p_span(spec: dict, rows: dict, interval) -> tuple[float, float]:
    """The smallest and largest paired-t p that the printed means ± SD and n allow, over every
    within-patient r in [-1, 1] and every value each printed number rounds from.

    Worked here, apart from ``run``: the SD of the change, sqrt(s1^2 + s2^2 - 2 r s1 s2), is
    largest (s1 + s2) at r = -1 and smallest (|s1 - s2|, 0 when the SD intervals meet) at
    r = 1; p grows with that SD and shrinks with |d|."""
    before, after = rows[spec["before"]], rows[spec["after"]]
    n = after.n

    (m1_lo, m1_hi), (m2_lo, m2_hi) = (interval(r.parts["mean"]) for r in (before, after))
    (s1_lo, s1_hi), (s2_lo, s2_hi) = (interval(r.parts["dispersion"]) for r in (before, after))
    d_small = max(0.0, m1_lo - m2_hi, m2_lo - m1_hi)
    d_big = max(abs(m1_hi - m2_lo), abs(m2_hi - m1_lo))
    sd_small = max(0.0, s1_lo - s2_hi, s2_lo - s1_hi)

    def p_of(d: float, sd: float) -> float:
        if sd == 0:
            return 0.0 if d > 0 else 1.0
        return float(2 * stats.t.sf(d * math.sqrt(n) / sd, n - 1))

    return p_of(d_big, sd_small), p_of(d_small, s1_hi + s2_hi)


@register("paired_from_summary", note=__doc__.split("\n")[0], needs=MEAN_SD, reads_n=True, r_thresholds=True,
          fields={"before": VALUE_ID, "after": VALUE_ID, "dispersion": DISPERSION},
          # commented examples in the stub of a new study (python -m reanalysis new)
          examples={
              "within_arm": ("{kind: paired_from_summary, before: X-BL-A, after: X-W48-A, dispersion: printed}",),
          },
          # a wrong p shows only where no r and no rounding of the printed numbers allows it
          synthetic=Synthetic("within_arm", _synthetic, p_span=_p_span,
                              unprinted="a paired p from printed means ± SD: the within-patient r is not "
                                        "printed, and some r in [-1, 1]"))
def run(spec: dict, rows: dict, study: dict) -> list[dict]:
    n_reading = spec.get("n", "printed")
    before, after = rows[spec["before"]], rows[spec["after"]]
    n = n_for(after, study, n_reading)
    s0, how = sd_box(before, n, spec.get("dispersion", "printed"))
    s1, _ = sd_box(after, n, spec.get("dispersion", "printed"))
    args = (before.box("mean"), s0, after.box("mean"), s1, n)
    res = summary_stats.paired_from_summary(*args)
    method = (f"paired t from printed mean ± SD, r unknown in [-1, 1], n = {n} "
              f"({n_words([after], study, n_reading)}); {how}")
    out = [range_record(k, v, method) for k, v in res.items()]
    at = summary_stats.paired_from_summary(*(point(b) if isinstance(b, Box) else b for b in args))
    out.append(at_printed(at["p"], method))
    for level in study.get("significance_levels", [study["alpha"]]):
        out.append(range_record(f"r_threshold_{level:g}", summary_stats.r_threshold(*args, level),
                                method, f"p < {level:g} needs r above this"))
    return out
