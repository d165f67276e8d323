"""How many groups a table prints: the distinct `group` among rows at one location."""
from __future__ import annotations

from . import register
from ._common import exact


@register("count_of_groups", note=__doc__.split("\n")[0], statistic="value",
          # rows whose location starts with this text
          fields={"location": {"type": "string"}},
          # commented examples in the stub of a new study (python -m reanalysis new)
          examples={
              "trials_listed": ('{kind: count_of_groups, location: "Table 1"}',),
          },
          no_synthetic="the synthetic trial's tables print its two arms; no claim counts a table's groups")
def run(spec: dict, rows: dict, study: dict) -> list[dict]:
    where = spec["location"]
    groups = sorted({r.raw.get("group") for r in rows.values()
                     if r.raw["location"].startswith(where) and r.raw.get("group")})
    return [exact("value", float(len(groups)), f"distinct `group` among rows at '{where}'",
                  f"{len(groups)} groups: {', '.join(groups)}")]
