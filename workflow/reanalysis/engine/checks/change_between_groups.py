"""t-test of the change from baseline between two arms, from printed mean ± SD before and after."""
from __future__ import annotations

from .. import summary_stats
from . import register
from ._common import (DISPERSION, MEAN_SD, T_TESTS, VALUE_ID, at_printed, n_for, n_words, point, range_record,
                      sd_box)


@register("change_between_groups", note=__doc__.split("\n")[0], needs=MEAN_SD, reads_n=True,
          fields={"a_before": VALUE_ID, "a_after": VALUE_ID, "b_before": VALUE_ID, "b_after": VALUE_ID,
                  "test": T_TESTS, "dispersion": DISPERSION},
          # commented examples in the stub of a new study (python -m reanalysis new)
          examples={
              "change_between_arms": ("{kind: change_between_groups, a_before: X-BL-A, a_after: X-W48-A,",
                                      "b_before: X-BL-B, b_after: X-W48-B, test: student}"),
          },
          no_synthetic=("the synthetic trial compares the arms at each visit and each arm with its baseline, "
                        "never the arms' changes from baseline"))
def run(spec: dict, rows: dict, study: dict) -> list[dict]:
    n_reading = spec.get("n", "printed")
    ab, aa, bb, ba = (rows[spec[k]] for k in ("a_before", "a_after", "b_before", "b_after"))
    n1, n2 = n_for(aa, study, n_reading), n_for(ba, study, n_reading)
    boxes = []
    for row, n in ((ab, n1), (aa, n1), (bb, n2), (ba, n2)):
        sd, how = sd_box(row, n, spec.get("dispersion", "printed"))
        boxes.append((row.box("mean"), sd))
    test = spec.get("test", "student")
    res = summary_stats.change_between_groups(*boxes, n1, n2, test)
    method = (f"{test.title()} t on the change from baseline, SD of change from an unknown "
              f"within-arm r in [-1, 1], n = {n1}/{n2} ({n_words([aa, ba], study, n_reading)}); {how}")
    at = summary_stats.change_between_groups(*((point(m), point(s)) for m, s in boxes), n1, n2, test)
    return [range_record(k, v, method) for k, v in res.items()] + [at_printed(at["p"], method)]
