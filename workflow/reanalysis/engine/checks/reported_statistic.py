"""The p a printed test statistic with its df gives, over the statistic's rounding interval (statcheck)."""
from __future__ import annotations

from .. import statcheck
from ..summary_stats import Range
from . import register
from ._common import VALUE_ID, range_record, statistic_text


@register("reported_statistic", note=__doc__.split("\n")[0], needs=("statistic",),
          fields={"a": VALUE_ID, "tails": {"enum": [1, 2]}},
          # commented examples in the stub of a new study (python -m reanalysis new)
          examples={
              "printed_statistic": ("{kind: reported_statistic, a: X-TXT-T, alternatives: {one_tailed: {tails: 1}}}",),
          },
          no_synthetic=("the synthetic papers print their test statistics in a section of their own, "
                        "transcribed nowhere, that the text scan reads (synth's STAT_KINDS)"))
def run(spec: dict, rows: dict, study: dict) -> list[dict]:
    row = rows[spec["a"]]
    tails = spec.get("tails", 2)
    text = statistic_text(row.raw["value"])[0]
    res = statcheck.statistic_p_range(text, tails)
    method = (f"p from the printed {text} ({'two' if tails == 2 else 'one'}-tailed), over "
              f"the statistic's rounding interval (statcheck's rule)")
    return [range_record("p", Range(res["p"], res["low"], res["high"]), method)]
