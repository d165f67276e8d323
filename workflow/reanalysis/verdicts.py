"""Compare a recomputed value with a printed claim and give a verdict with its reason.

- ``reproduced``: the recomputed value, rounded as printed (half-up or half-even), equals
  the printed value, or satisfies the printed inequality.
- ``consistent``: the single recomputation does not, but some inputs compatible with the
  printed precision of the inputs do (the recomputed interval meets the claim).
- ``discrepant``: no compatible input gives the printed value.
- ``unverifiable``: nothing could be recomputed.

A discrepant p-value whose significance at alpha flips is a *decision error*, as in
statcheck.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .rounding import Claim, describe_rounding, format_value, snap, truncate_to

REPRODUCED, CONSISTENT, DISCREPANT, UNVERIFIABLE = "reproduced", "consistent", "discrepant", "unverifiable"
VERDICTS = (REPRODUCED, CONSISTENT, DISCREPANT, UNVERIFIABLE)


@dataclass(frozen=True)
class Verdict:
    verdict: str
    reason: str
    decision_error: bool | None = None  # None where the claim is not a p-value


def _relation_text(claim: Claim, value: Decimal, holds: bool) -> str:
    op = claim.op if holds else {"<": "≥", "<=": ">", ">": "≤", ">=": "<"}[claim.op]
    return f"recomputed {format_value(value)} {op} {claim.number.text}"


def reported_significant(claim: Claim, alpha: float) -> bool | None:
    """Does the printed p-value claim significance at alpha? None if it does not say."""
    x, a = claim.number.value, Decimal(str(alpha))
    if claim.op == "=":
        return x < a
    if claim.op in ("<", "<="):
        return True if x <= a else None
    return False if x >= a else None


def judge(claim: Claim, value: float | None, scale: float = 1.0,
          interval: tuple[float, float] | None = None,
          is_p_value: bool = False, alpha: float = 0.05) -> Verdict:
    """Verdict for one claim against one recomputation (value in data units)."""
    if value is None or value != value:
        if interval is not None and all(x == x for x in interval):
            return judge_interval(claim, interval, scale, is_p_value, alpha)
        return Verdict(UNVERIFIABLE, "nothing recomputed")
    factor = snap(scale)
    v = snap(value) / factor
    lo_hi = None if interval is None else (snap(interval[0]) / factor, snap(interval[1]) / factor)
    scale_text = "" if factor == 1 else f" (recomputed {format_value(value)} / scale {format_value(scale)})"

    if claim.holds_for(v):
        reason = (describe_rounding(v, claim) if not claim.is_inequality
                  else _relation_text(claim, v, True)) + scale_text
        return Verdict(REPRODUCED, reason, False if is_p_value else None)

    if claim.is_inequality:
        reason = _relation_text(claim, v, False)
    else:
        reason = (f"{describe_rounding(v, claim)}; printed {claim.number.text} "
                  f"allows {claim.number.interval_text()}")
        if truncate_to(v, claim.number.unit) == claim.number.value:
            reason += "; truncating (not rounding) would give the printed value"
    reason += scale_text
    if lo_hi is not None and claim.overlaps(*lo_hi):
        return Verdict(CONSISTENT, f"{reason}; but the interval [{format_value(lo_hi[0])}, "
                                   f"{format_value(lo_hi[1])}] from rounded inputs meets the claim",
                       False if is_p_value else None)
    decision = None
    if is_p_value:
        said = reported_significant(claim, alpha)
        decision = said is not None and said != (v < Decimal(str(alpha)))
        if decision:
            reason += f"; significance at alpha {alpha} flips"
    return Verdict(DISCREPANT, reason, decision)


def judge_interval(claim: Claim, interval: tuple[float, float], scale: float = 1.0,
                   is_p_value: bool = False, alpha: float = 0.05) -> Verdict:
    """Verdict when only a range is recomputable (e.g. a paired p with r unknown).

    ``reproduced`` if every value in the range satisfies the claim, ``consistent`` if some
    do, ``discrepant`` if none does.
    """
    factor = snap(scale)
    lo, hi = snap(interval[0]) / factor, snap(interval[1]) / factor
    c_lo, c_hi = claim.interval()
    shown = f"[{format_value(lo)}, {format_value(hi)}]"
    inside = c_lo <= lo and hi <= c_hi
    if claim.op == "<":
        inside = hi < claim.number.value
    elif claim.op == ">":
        inside = lo > claim.number.value
    if inside:
        return Verdict(REPRODUCED, f"every value in the recomputable range {shown} satisfies "
                                   f"{claim.text}", False if is_p_value else None)
    if claim.overlaps(lo, hi):
        return Verdict(CONSISTENT, f"part of the recomputable range {shown} satisfies {claim.text}",
                       False if is_p_value else None)
    decision = None
    reason = f"no value in the recomputable range {shown} satisfies {claim.text}"
    if is_p_value:
        said = reported_significant(claim, alpha)
        a = Decimal(str(alpha))
        decision = said is not None and (said != (hi < a)) and (said != (lo < a))
        if decision:
            reason += f"; significance at alpha {alpha} flips"
    return Verdict(DISCREPANT, reason, decision)


# Integrity checks of printed rows (summary_level.integrity) report an outcome, not a value.
INTEGRITY_VERDICTS = {"possible": CONSISTENT, "impossible": DISCREPANT,
                      "identical": REPRODUCED, "overlapping": CONSISTENT, "disjoint": DISCREPANT}
