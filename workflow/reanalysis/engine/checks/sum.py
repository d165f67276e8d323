"""The sum of printed values (a printed total restated), over their rounding boxes."""
from __future__ import annotations

from ..summary_stats import Range
from . import Synthetic, register
from ._common import COMPONENT, VALUE_IDS, exact, of_component, range_record


def _synthetic(rng, ids: dict, data: dict) -> tuple[dict, int]:
    """The printed counts summed; the true total is the sum of the simulated counts."""
    return {"kind": "sum", "parts": list(ids["parts"]), "component": "count"}, sum(data["parts"])


@register("sum", restates="summed", note=__doc__.split("\n")[0],
          statistic="sum", needs=of_component,
          fields={"parts": VALUE_IDS, "component": COMPONENT},
          # commented examples in the stub of a new study (python -m reanalysis new)
          examples={
              "total": ("{kind: sum, parts: [X-N-A, X-N-B], component: count}",),
          },
          synthetic=Synthetic("total", _synthetic))
def run(spec: dict, rows: dict, study: dict) -> list[dict]:
    component = spec.get("component", "mean")
    parts = [rows[p] for p in spec["parts"]]
    boxes = [p.box(component) for p in parts]
    total = Range(sum(x.value for x in boxes), sum(x.lower for x in boxes), sum(x.upper for x in boxes))
    method = f"sum of {component} over {', '.join(p.value_id for p in parts)}"
    if all(x.lower == x.upper for x in boxes):
        return [exact("sum", total.value, method)]
    return [range_record("sum", total, method)]
