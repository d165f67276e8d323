"""Two-sample t-test (Student or Welch) from each arm's printed mean ± SD and n."""
from __future__ import annotations

from scipy import stats

from .. import summary_stats
from . import Synthetic, register
from ._common import DISPERSION, MEAN_SD, T_TESTS, VALUE_ID, n_for, n_words, range_record, sd_box


def _synthetic(rng, ids: dict, data: dict) -> tuple[dict, float]:
    """The arms compared by Student's t; the true p from the two simulated samples (scipy)."""
    spec = {"kind": "two_sample_t", "a": ids["a"], "b": ids["b"], "test": "student"}
    return spec, float(stats.ttest_ind(data["a"], data["b"]).pvalue)


@register("two_sample_t", note=__doc__.split("\n")[0], needs=MEAN_SD, reads_n=True,
          fields={"a": VALUE_ID, "b": VALUE_ID, "test": T_TESTS, "dispersion": DISPERSION},
          # commented examples in the stub of a new study (python -m reanalysis new)
          examples={
              "between_arms_t": ("{kind: two_sample_t, a: X-T1-AGE-A, b: X-T1-AGE-B, test: student,",
                                 "alternatives: {welch: {test: welch}, as_sem: {dispersion: sem}},",
                                 "n_variants: [randomised]}"),
          },
          # a flip far from alpha shows: no rounding of two printed means ± SD bridges it
          synthetic=Synthetic("arms_continuous", _synthetic, flip_shows=True))
def run(spec: dict, rows: dict, study: dict) -> list[dict]:
    n_reading = spec.get("n", "printed")
    a, b = rows[spec["a"]], rows[spec["b"]]
    n1, n2 = n_for(a, study, n_reading), n_for(b, study, n_reading)
    s1, how = sd_box(a, n1, spec.get("dispersion", "printed"))
    s2, _ = sd_box(b, n2, spec.get("dispersion", "printed"))
    test = spec.get("test", "student")
    res = summary_stats.ttest_from_summary(a.box("mean"), s1, n1, b.box("mean"), s2, n2, test)
    method = (f"two-sample {test.title()} t from printed mean ± SD, n = {n1}/{n2} "
              f"({n_words([a, b], study, n_reading)}); {how}")
    return [range_record(k, v, method) for k, v in res.items()]
