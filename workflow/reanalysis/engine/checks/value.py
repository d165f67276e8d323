"""A printed value as it stands (another printing restates it)."""
from __future__ import annotations

from . import register
from ._common import COMPONENT, VALUE_ID, exact, of_component


@register("value", restates="restated", note=__doc__.split("\n")[0],
          statistic="value", needs=of_component,
          fields={"a": VALUE_ID, "component": COMPONENT},
          # commented examples in the stub of a new study (python -m reanalysis new)
          examples={
              "restated": ("{kind: value, a: X-TXT-N, component: count}",),
          },
          no_synthetic=("the synthetic trial restates a value only by printing it again (same_as, which the "
                        "integrity checks read), never in a claim that names one printed value"))
def run(spec: dict, rows: dict, study: dict) -> list[dict]:
    component = spec.get("component", "mean")
    a = rows[spec["a"]]
    return [exact("value", a.box(component).value, f"{component} printed in {a.value_id}")]
