"""One-way ANOVA (Fisher or Welch) across k groups from each group's printed mean ± SD and n."""
from __future__ import annotations

from .. import kgroup_stats
from . import register
from ._common import DISPERSION, MEAN_SD, VALUE_IDS, n_for, n_words, range_record, sd_box


@register("k_group_anova", note=__doc__.split("\n")[0], needs=MEAN_SD, reads_n=True,
          fields={"groups": VALUE_IDS, "test": {"enum": ["anova", "welch"]}, "dispersion": DISPERSION},
          # commented examples in the stub of a new study (python -m reanalysis new)
          examples={
              "k_groups": ("{kind: k_group_anova, groups: [X-AGE-G1, X-AGE-G2, X-AGE-G3], test: anova,",
                           "alternatives: {welch: {test: welch}, as_sem: {dispersion: sem}}}"),
          },
          no_synthetic="the synthetic trial has two arms: it compares no outcome across three or more groups")
def run(spec: dict, rows: dict, study: dict) -> list[dict]:
    n_reading = spec.get("n", "printed")
    groups = [rows[g] for g in spec["groups"]]
    ns = [n_for(g, study, n_reading) for g in groups]
    sds = [sd_box(g, n, spec.get("dispersion", "printed")) for g, n in zip(groups, ns)]
    test = spec.get("test", "anova")
    res = kgroup_stats.anova_from_summary([g.box("mean") for g in groups], [s for s, _ in sds], ns,
                                          "fisher" if test == "anova" else "welch")
    name = "one-way ANOVA (F, pooled variance)" if test == "anova" else "Welch's one-way ANOVA"
    method = (f"{name} across {len(groups)} groups from printed mean ± SD, "
              f"n = {'/'.join(map(str, ns))} ({n_words(groups, study, n_reading)}); {sds[0][1]}")
    return [range_record(k, v, method) for k, v in res.items()]
