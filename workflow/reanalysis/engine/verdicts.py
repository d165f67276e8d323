"""Compare a recomputed value with a printed claim and give a verdict with its reason.

One rule for every claim, a printed value or an inequality, whatever the test (two-sample,
paired, k groups, ...):

- ``reproduced``: the claim holds at the printed inputs: the recomputed value, rounded as
  printed (half-up or half-even), equals the printed value, or satisfies the printed
  inequality. Where a quantity the paper does not print is unknown (the within-subject r
  of a paired test from summaries), the claim must hold for every value of it.
- ``consistent``: it does not, but it holds for some inputs within the printed precision
  of the inputs (the recomputed interval over the rounding box, and the unknown, meets it).
- ``discrepant``: no compatible input gives the printed value.
- ``unverifiable``: nothing could be recomputed.

A discrepant p-value whose significance at alpha flips is a *decision error*, as in
statcheck.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .rounding import (Claim, describe_rounding, describe_schemes, format_value, round_to, scheme_bounds,
                       snap, truncate_to)

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
          is_p_value: bool = False, alpha: float = 0.05,
          at_printed: tuple[float, float] | None = None) -> Verdict:
    """Verdict for one claim against one recomputation (value in data units).

    ``interval``: the range over the rounding box of the inputs (and any unknown);
    ``at_printed``: where no single value exists at the printed inputs because a quantity
    is unknown (r), the range of values at the printed inputs over that unknown."""
    if value is None or value != value:
        if at_printed is not None and interval is not None:
            return _judge_at_printed(claim, at_printed, interval, scale, is_p_value, alpha)
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


def _judge_at_printed(claim: Claim, at_printed, interval, scale, is_p_value, alpha) -> Verdict:
    """The rule with an unknown: reproduced if the claim holds at the printed inputs for
    every value of the unknown; else as judge_interval over the whole box."""
    factor = snap(scale)
    lo, hi = snap(at_printed[0]) / factor, snap(at_printed[1]) / factor
    if _holds_throughout(claim, lo, hi):
        return Verdict(REPRODUCED, f"at the printed values every recomputed value in "
                                   f"[{format_value(lo)}, {format_value(hi)}] (over the unknown r) "
                                   f"satisfies {claim.text}", False if is_p_value else None)
    v = judge_interval(claim, interval, scale, is_p_value, alpha)
    where = (f"at the printed values the recomputed range over the unknown r is "
             f"[{format_value(lo)}, {format_value(hi)}]")
    return Verdict(v.verdict, f"{where}; {v.reason}", v.decision_error)


def _holds_throughout(claim: Claim, lo: Decimal, hi: Decimal) -> bool:
    """Does every value in [lo, hi] satisfy the claim?"""
    if claim.op == "<":
        return hi < claim.number.value
    if claim.op == ">":
        return lo > claim.number.value
    c_lo, c_hi = claim.interval()
    return c_lo <= lo and hi <= c_hi


def judge_interval(claim: Claim, interval: tuple[float, float], scale: float = 1.0,
                   is_p_value: bool = False, alpha: float = 0.05) -> Verdict:
    """Verdict when only a range is recomputable (e.g. a paired p with r unknown).

    ``reproduced`` if every value in the range satisfies the claim, ``consistent`` if some
    do, ``discrepant`` if none does.
    """
    factor = snap(scale)
    lo, hi = snap(interval[0]) / factor, snap(interval[1]) / factor
    shown = f"[{format_value(lo)}, {format_value(hi)}]"
    if _holds_throughout(claim, lo, hi):
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


def judge_reading(claim: Claim, value: float, scheme: str, scale: float = 1.0,
                  interval: tuple[float, float] | None = None) -> Verdict:
    """A printed value read under another rounding scheme (truncation, double rounding):
    reproduced if the recomputed value prints as the printed one under it; consistent if
    the interval from rounded inputs meets the values that print so; else discrepant."""
    factor = snap(scale)
    v = snap(value) / factor
    shown = round_to(v, claim.number.unit, scheme)
    how = describe_schemes((scheme,))
    if shown == claim.number.value:
        return Verdict(REPRODUCED, f"read as {how}: recomputed {format_value(v)} prints as {claim.number.text}")
    lo, hi = scheme_bounds(claim.number, scheme)
    reason = (f"read as {how}: recomputed {format_value(v)} prints as {shown}; printed "
              f"{claim.number.text} allows [{format_value(lo)}, {format_value(hi)})")
    if interval is not None:
        i_lo, i_hi = snap(interval[0]) / factor, snap(interval[1]) / factor
        if i_lo < hi and i_hi >= lo:
            return Verdict(CONSISTENT, f"{reason}; but the interval [{format_value(i_lo)}, "
                                       f"{format_value(i_hi)}] from rounded inputs meets it")
    return Verdict(DISCREPANT, reason)


# Integrity checks of printed rows (summary_level.integrity) report an outcome, not a value.
INTEGRITY_VERDICTS = {"possible": CONSISTENT, "impossible": DISCREPANT, "undetermined": UNVERIFIABLE,
                      "identical": REPRODUCED, "overlapping": CONSISTENT, "disjoint": DISCREPANT}


def claims_agreement(a: Claim, scale_a: float, b: Claim, scale_b: float) -> tuple[str, str]:
    """Two printed claims about one quantity or comparison (linked by ``same_as`` in a
    claims file): 'identical', 'overlapping' (some value satisfies both, e.g. '< 0.05' and
    '< 0.01') or 'disjoint' (no value satisfies both, e.g. '> 0.05' and '< 0.01': the paper
    contradicts itself whatever the data). Each claim is taken in data units (its printed
    number times its scale, e.g. 12 months per printed year); a half-way point counts only
    where it prints as the number (``Claim.overlaps``), checked both ways so that an open
    end on either side is respected. Returns the outcome and its reason."""
    sa, sb = Decimal(str(scale_a)), Decimal(str(scale_b))
    if a.op == b.op and a.number.value * sa == b.number.value * sb and a.number.decimals == b.number.decimals:
        return "identical", f"'{a.text}' and '{b.text}' are the same claim"
    a_lo, a_hi = (x * sa for x in a.interval())
    b_lo, b_hi = (x * sb for x in b.interval())
    meet = b.overlaps(a_lo / sb, a_hi / sb) and a.overlaps(b_lo / sa, b_hi / sa)
    units = "" if sa == sb else f" (in data units: × {format_value(sa)} and × {format_value(sb)})"
    if meet:
        return "overlapping", f"'{a.text}' and '{b.text}' can both hold{units}"
    return "disjoint", f"no value satisfies both '{a.text}' and '{b.text}'{units}: the two printings contradict each other"
