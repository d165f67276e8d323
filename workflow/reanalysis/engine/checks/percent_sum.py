"""The printed percentages of one categorical block sum to 100 within what their printing allows.

A block's categories are exclusive and exhaustive (e.g. male and female of one arm), so
their true percentages sum to exactly 100. Each printed percent stands for its rounding
interval (``rounding.printed_interval``, read over its closure like every input box): the
block is possible only if the sum of the lower ends <= 100 <= the sum of the upper ends.
A sex split printed 52.4% and 48.6% sums to 101.0; its interval [52.35 + 48.55,
52.45 + 48.65] = [100.9, 101.1] excludes 100: impossible, whatever the n.

Config: ``parts``, the value_ids of the block's rows (each printing a percent, alone or
with its count). Its result is an integrity result of the block's first row.
"""
from __future__ import annotations

from ..rounding import printed_interval
from . import register
from ._common import IMPOSSIBLE, POSSIBLE, VALUE_IDS

STATISTIC = "percent_sum"


@register("percent_sum", note=__doc__.split("\n")[0], statistic=STATISTIC, needs=("percent",),
          required=("parts",), row_of=lambda spec: spec["parts"][0],
          impossibility=(STATISTIC, "percentages do not sum to 100"),
          fields={"parts": VALUE_IDS},
          # commented examples in the stub of a new study (python -m reanalysis new)
          examples={
              "sex_split_a": ("{kind: percent_sum, parts: [X-MALE-A, X-FEMALE-A]}",),
          },
          no_synthetic=("not yet: the synthetic trial prints one category of each yes/no block (male "
                        "patients, patients at target), so none of its blocks prints every category; "
                        "printing the others would change every seeded corpus"))
def run(spec: dict, rows: dict, study: dict) -> list[dict]:
    printed = [rows[p].parts["percent"] for p in spec["parts"]]
    intervals = [printed_interval(p) for p in printed]
    lower, upper = sum(i.lower for i in intervals), sum(i.upper for i in intervals)
    total = sum(p.value for p in printed)
    ok = lower <= 100 <= upper
    terms = " + ".join(f"{p.text}%" for p in printed)
    span = f"[{float(lower):g}, {float(upper):g}]"
    return [{"statistic": STATISTIC, "value": float(total), "low": float(lower), "high": float(upper),
             "method": f"sum of the printed percentages of {', '.join(spec['parts'])} over their rounding "
                       "intervals",
             "outcome": POSSIBLE if ok else IMPOSSIBLE,
             "note": f"{terms} = {total}%; before rounding the sum lies in {span}, which "
                     + ("holds 100" if ok else "excludes 100: the shares of one whole cannot print so")}]
