"""One printed value minus another (a printed difference restated), over both rounding boxes."""
from __future__ import annotations

import numpy as np

from .. import summary_stats
from . import Synthetic, register
from ._common import COMPONENT, VALUE_ID, of_component, range_record


def _synthetic(rng, ids: dict, data: dict) -> tuple[dict, float]:
    """The printed means' difference; the true one from the simulated samples' means (numpy)."""
    spec = {"kind": "difference", "a": ids["a"], "b": ids["b"], "component": "mean"}
    return spec, float(np.mean(data["a"])) - float(np.mean(data["b"]))


@register("difference", restates="a term of the difference", note=__doc__.split("\n")[0],
          statistic="difference", needs=of_component,
          fields={"a": VALUE_ID, "b": VALUE_ID, "component": COMPONENT},
          # commented examples in the stub of a new study (python -m reanalysis new)
          examples={
              "change": ("{kind: difference, a: X-BL-A, b: X-W48-A, component: mean}",),
          },
          synthetic=Synthetic("change", _synthetic))
def run(spec: dict, rows: dict, study: dict) -> list[dict]:
    component = spec.get("component", "mean")
    a, b = rows[spec["a"]], rows[spec["b"]]
    r = summary_stats.difference(a.box(component), b.box(component))
    return [range_record("difference", r, f"{component} of {a.value_id} minus {b.value_id}")]
