"""Paired t-test from printed mean ± SD before and after, the correlation r unknown in [-1, 1]."""
from __future__ import annotations

from .. import summary_stats
from ..summary_stats import Box
from . import register
from ._common import DISPERSION, MEAN_SD, VALUE_ID, at_printed, n_for, n_words, point, range_record, sd_box


@register("paired_from_summary", note=__doc__.split("\n")[0], needs=MEAN_SD, reads_n=True, r_thresholds=True,
          fields={"before": VALUE_ID, "after": VALUE_ID, "dispersion": DISPERSION},
          # commented examples in the stub of a new study (python -m reanalysis new)
          examples={
              "within_arm": ("{kind: paired_from_summary, before: X-BL-A, after: X-W48-A, dispersion: printed}",),
          })
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
