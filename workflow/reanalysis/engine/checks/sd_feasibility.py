"""Can n values within known bounds have the printed mean and SD? (the SD's feasible range)"""
from __future__ import annotations

from .. import feasibility
from reanalysis.errors import InputError
from . import register
from ._common import IMPOSSIBLE, POSSIBLE, ROUNDING, UNDETERMINED, VALUE_ID, n_for


def _validate(name: str, spec: dict, config_file: str) -> None:
    if ("range" in spec) == ("bounds" in spec):
        raise InputError(config_file, f"check '{name}' needs exactly one of `range` and `bounds`",
                         column="range/bounds", value=None,
                         rule="range: the value_id of a printed range whose ends were observed; "
                              "bounds: [lower, upper] known otherwise (a follow-up, a scale)")


@register("sd_feasibility", note=__doc__.split("\n")[0], statistic="sd_feasibility",
          needs=lambda spec, ref, row: ("low", "high") if ref == spec.get("range") else ("mean", "dispersion"),
          reads_n=lambda spec, ref: ref != spec.get("range"), row_of=lambda spec: spec["a"],
          validate=_validate, impossibility=("sd_feasibility", "SD infeasible"),
          # a printed range whose ends were observed, or bounds known otherwise (and why)
          fields={"a": VALUE_ID, "range": VALUE_ID,
                  "bounds": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
                  "why": {"type": "string"}, "integer": {"type": "boolean"}},
          # commented examples in the stub of a new study (python -m reanalysis new)
          examples={
              "sd_possible": ("{kind: sd_feasibility, a: X-ONSET, range: X-ONSET-RANGE}",),
              "sd_within_follow_up": ('{kind: sd_feasibility, a: X-DURATION, bounds: [0, 48], why: "48-week follow-up"}',),
          })
def run(spec: dict, rows: dict, study: dict) -> list[dict]:
    n_reading = spec.get("n", "printed")
    row = rows[spec["a"]]
    n = n_for(row, study, n_reading)
    observed = "range" in spec
    if observed:
        lo_hi = rows[spec["range"]]
        lower, upper = lo_hi.parts["low"].text, lo_hi.parts["high"].text
        bounds = f"the printed range {lower}–{upper} ({spec['range']}), its ends observed"
    else:
        lower, upper = (str(b) for b in spec["bounds"])
        bounds = f"bounds {lower}–{upper}" + (f" ({spec['why']})" if spec.get("why") else "")
    res = feasibility.sd_feasibility(row.parts["mean"].text, row.parts["dispersion"].text, n, lower, upper,
                                     integer=spec.get("integer", False), observed_range=observed,
                                     schemes=ROUNDING)
    outcome = POSSIBLE if res.feasible else IMPOSSIBLE if res.feasible is False else UNDETERMINED
    return [{"statistic": "sd_feasibility", "value": None, "low": res.sd_min, "high": res.sd_max,
             "method": f"SD feasibility ({res.method}), n = {n} ({n_reading}), {bounds}",
             "outcome": outcome, "note": res.reason}]
