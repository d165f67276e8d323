"""One bound of the CI of a difference in proportions (Wald or Newcombe) from printed counts or percents."""
from __future__ import annotations

from reanalysis.errors import InputError

from .. import summary_stats
from . import register
from ._common import VALUE_ID, count_or_percent, spread
from .two_proportions import counts_of_two


def _validate(name: str, spec: dict, config_file: str) -> None:
    if "bound" not in spec:
        raise InputError(config_file, f"check '{name}' needs `bound`", column="bound",
                         value=None, rule="lower or upper")


@register("proportion_difference_ci", note=__doc__.split("\n")[0], needs=count_or_percent, reads_n=True,
          statistic=lambda spec: spec.get("bound", "lower"), validate=_validate,
          fields={"a": VALUE_ID, "b": VALUE_ID, "bound": {"enum": ["lower", "upper"]},
                  "method": {"enum": ["wald", "newcombe"]},
                  "level": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}},
          # commented examples in the stub of a new study (python -m reanalysis new)
          examples={
              "rate_difference_ci": ("{kind: proportion_difference_ci, a: X-W48-A, b: X-W48-B, level: 0.95,",
                                     "method: wald, bound: lower, alternatives: {newcombe: {method: newcombe}}}"),
          },
          no_synthetic="the synthetic trial prints no difference of proportions with its confidence interval")
def run(spec: dict, rows: dict, study: dict) -> list[dict]:
    ca, n1, cb, n2, where, note = counts_of_two(spec, rows, study)
    m, level = spec.get("method", "wald"), spec.get("level", 0.95)
    cis = [summary_stats.proportion_difference_ci(x, n1, y, n2, m, level) for x in ca for y in cb]
    index = 0 if spec["bound"] == "lower" else 1
    method = f"{level:.0%} CI of the difference in proportions ({m.title()}), {where}"
    return [spread(spec["bound"], [ci[index] for ci in cis], method, note)]
