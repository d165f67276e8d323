"""Can n values within known bounds have the printed mean and SD? (the SD's feasible range)"""
from __future__ import annotations

import math
from decimal import Decimal

from reanalysis.errors import InputError

from .. import feasibility
from . import Synthetic, register
from ._common import IMPOSSIBLE, POSSIBLE, ROUNDING, UNDETERMINED, VALUE_ID, n_for


def _validate(name: str, spec: dict, config_file: str) -> None:
    if ("range" in spec) == ("bounds" in spec):
        raise InputError(config_file, f"check '{name}' needs exactly one of `range` and `bounds`",
                         column="range/bounds", value=None,
                         rule="range: the value_id of a printed range whose ends were observed; "
                              "bounds: [lower, upper] known otherwise (a follow-up, a scale)")


def _synthetic(rng, ids: dict, data: dict) -> tuple[dict, None]:
    """The printed mean ± SD against its printed range; a true sample is always feasible."""
    return {"kind": "sd_feasibility", "a": ids["a"], "range": ids["range"]}, None


def _synthetic_error(rng, spec: dict, rows: dict) -> tuple[str, float, str]:
    """An SD above the largest that any sample within the printed range can have.

    Bhatia-Davis, worked here apart from ``run``: k values in [lo, hi] with mean m have SD at
    most sqrt(k / (k - 1) (m - lo)(hi - m)), maximised over the values the printed mean
    rounds from; the SD printed is that bound times 1.25-1.8, plus 0.01."""
    row, span = rows[spec["a"]], rows[spec["range"]]
    lo, hi = int(span.parts["low"]), int(span.parts["high"])
    m, k = Decimal(row.parts["mean"]), row.n
    half = Decimal(1).scaleb(m.as_tuple().exponent) / 2
    centre = Decimal(lo + hi) / 2
    m_worst = min(max(centre, m - half), m + half)
    bound = math.sqrt(k / (k - 1) * float((m_worst - lo) * (hi - m_worst)))
    return ("dispersion", bound * float(rng.uniform(1.25, 1.8)) + 0.01,
            f"{k} values in {lo}-{hi} with mean {m} have SD at most {bound:.3f}")


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
          },
          synthetic=Synthetic("bounded_sample", _synthetic, error="sd_infeasible", inject=_synthetic_error))
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
