"""Granularity tests: can printed summary statistics come from any data set at all?

Python versions of the consistency tests of the R package scrutiny (Jung;
https://lhdjung.github.io/scrutiny/), taking numbers as printed strings so that trailing
zeros count ("5.00" claims two decimals):

* ``grim`` -- GRIM (Brown & Heathers 2017, "The GRIM test", Social Psychological and
  Personality Science 8:363-369): a mean of ``n`` integer values (or of ``n`` people's
  means of ``items`` integer items) is k / (n * items) for an integer sum k. With
  ``percent=True`` the printed value is a percentage of ``n`` binary observations,
  100 k / n (scrutiny's ``percent = TRUE`` shifts the decimals by two; same thing).
* ``counts_from_percent`` -- the counts k in 0..n that a printed percentage allows;
  ``nearest_counts`` -- where it allows none, the counts whose percentage is nearest it
  (a check can still run at the printed n; the impossibility is GRIM's finding).
* ``grimmer`` -- GRIMMER (Anaya 2016, PeerJ Preprints 4:e2400; in the analytic form of
  Allard 2018 that scrutiny follows): for a GRIM-consistent sum S, the SD (n - 1
  denominator) must come from an integer sum of squares Q = (n - 1) SD^2 + S^2 / n, and
  Q has the parity of S because x^2 and x are both even or both odd.
* ``debit`` -- DEBIT (Heathers & Brown, "DEBIT: a simple consistency test for binary
  data", https://osf.io/5vb3u/; the version scrutiny cites is dated 2019): binary data
  with mean p have SD = sqrt(n / (n - 1) * p (1 - p)), so mean and SD must agree.

* ``implied_n`` -- the sample sizes under which every one of several printed means
  and percentages passes GRIM (e.g. a table's percentages all being of 44 people
  although the arm was printed as n = 46); ``implied_n_reason`` says why in words.

A value "prints as" the printed one if it rounds to it under any of ``schemes``
(default half-up or half-down: scrutiny's ``up_or_down``; truncation and double
rounding are offered too, see ``rounding.READINGS``). Under other schemes than the
default, each reason ends with them in brackets. All rounding and all interval
arithmetic are exact (rationals) and live in ``rounding.py``.

Departure from scrutiny's DEBIT: scrutiny rounds the SDs at the two ends of the mean's
interval only; here the whole SD range over the interval is used, whose maximum is at
p = 0.5 when 0.5 lies inside the interval.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from .rounding import (READINGS, Interval, Printed, check_schemes, describe_schemes, fraction_to_decimal,
                       parse_number, round_exact, unround)

UP_OR_DOWN = ("half_up", "half_down")
HALF = Fraction(1, 2)
_SHOWN = 3          # at most this many candidates are spelled out in a reason


@dataclass(frozen=True)
class ScrutinyResult:
    """Outcome of one test: ``lower``/``upper`` bound the printed mean's (or percentage's)
    rounding interval; ``candidates`` are the integer sums (GRIM, GRIMMER) or counts of
    ones (GRIM on percentages, DEBIT) that fit, empty when inconsistent."""

    consistent: bool
    reason: str
    lower: Decimal
    upper: Decimal
    candidates: tuple


def _under(schemes: tuple[str, ...]) -> str:
    """'' under conventional rounding (this module's default, or the engine's reading of
    a printed number, ``rounding.READINGS["as_reported"]``), else ' [read as
    truncation]' for a reason's end."""
    if tuple(schemes) in (UP_OR_DOWN, READINGS["as_reported"]):
        return ""
    return f" [read as {describe_schemes(schemes)}]"


def _bounds(interval: Interval) -> tuple[Decimal, Decimal]:
    """An unrounding interval's ends as Decimals (they are terminating decimals)."""
    return fraction_to_decimal(interval.lower), fraction_to_decimal(interval.upper)


def _positive(name: str, value: int, least: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{name} must be an integer >= {least}, got {value!r}")


def _show(value: Fraction, digits: int, *, sqrt: bool = False) -> Decimal:
    """``value`` (or its square root) to ``digits`` decimals, for reasons only."""
    return round_exact(value, Decimal(1).scaleb(-digits), sqrt=sqrt)


def _approx(value: Fraction, digits: int, *, sqrt: bool = False) -> str:
    """'= 4.72' when exact at ``digits`` decimals, else '≈ 4.7241'."""
    shown = _show(value, digits, sqrt=sqrt)
    exact = (Fraction(shown) ** 2 if sqrt else Fraction(shown)) == value
    return f"{'=' if exact else '≈'} {shown}"


def _fits(printed: Printed, total: int, scale: int, schemes) -> range:
    """The integers k with scale * k / total printing as ``printed``."""
    return unround(printed, schemes).affine(Fraction(total, scale)).integers()


def _ratio(k: int, total: int, printed: Printed, percent: bool) -> str:
    """'118/25 = 4.72' (exact at the printed decimals) or '231/32 ≈ 7.2188'."""
    value = Fraction(100 * k if percent else k, total)
    shown = _approx(value, printed.decimals)
    if shown[0] != "=":
        shown = _approx(value, printed.decimals + 2)
    return f"{k}/{total} {shown}{'%' if percent else ''}"


def _sums(printed: Printed, total: int, percent: bool, schemes) -> tuple[range, range]:
    """GRIM's integer sums (counts) k with k / total (100 k / total) printing as
    ``printed``, and those of them that can occur (a count lies in 0..total)."""
    fitting = _fits(printed, total, 100 if percent else 1, schemes)
    ks = range(max(fitting.start, 0), min(fitting.stop, total + 1)) if percent else fitting
    return fitting, ks


def _grim_possible(x: str, n: int, items: int, percent: bool, schemes) -> bool:
    """``grim(...).consistent`` without composing its reason (the implied-n search and
    the count lookups run GRIM many times and read only this)."""
    printed = parse_number(x)
    _positive("n", n)
    _positive("items", items)
    return bool(_sums(printed, n * items, percent, check_schemes(schemes))[1])


def grim(x: str, n: int, items: int = 1, percent: bool = False,
         schemes: tuple[str, ...] = UP_OR_DOWN) -> ScrutinyResult:
    """GRIM: is the printed mean ``x`` of ``n`` integer values (averaged over ``items``
    integer items per person) k / (n * items) for some integer k? With ``percent=True``,
    ``x`` is a percentage of ``n * items`` binary observations, 100 k / (n * items), and k
    must lie in 0..n * items. Candidates: the fitting sums (counts)."""
    printed = parse_number(x)
    _positive("n", n)
    _positive("items", items)
    schemes = check_schemes(schemes)
    total, scale = n * items, (100 if percent else 1)
    lower, upper = _bounds(unround(printed, schemes))
    under = _under(schemes)
    fitting, ks = _sums(printed, total, percent, schemes)
    what, shown = ("count", f"{x}%") if percent else ("integer sum", x)
    size = f"n = {n}" if items == 1 else f"n × items = {n} × {items} = {total}"
    if not fitting:     # an empty range(lo, lo): the two k around x * total / scale
        reason = (f"no {what} k gives {shown} with {size}: "
                  f"{_ratio(fitting.start - 1, total, printed, percent)}, "
                  f"{_ratio(fitting.start, total, printed, percent)}{under}")
        return ScrutinyResult(False, reason, lower, upper, ())
    if not ks:
        return ScrutinyResult(False, f"{shown} is not a percentage of {total} observations "
                              f"(the count would lie outside 0..{total}){under}",
                              lower, upper, ())
    if len(ks) <= _SHOWN:
        reason = f"{shown} is possible with {size}: " + ", ".join(
            _ratio(k, total, printed, percent) for k in ks)
    else:
        reason = f"{len(ks)} {what}s k = {ks[0]}..{ks[-1]} give {shown} with {size}"
    if total * printed.unit >= scale:
        reason += (f" (GRIM cannot fail here: {total} observations are too many for "
                   f"{printed.decimals} decimal{'' if printed.decimals == 1 else 's'})")
    return ScrutinyResult(True, reason + under, lower, upper, tuple(ks))


def counts_from_percent(percent: str, n: int,
                        schemes=("half_up", "half_even")) -> tuple[int, ...]:
    """Every count k in 0..n for which 100 k / n prints as ``percent`` (``grim``'s
    candidates, without composing its reason)."""
    printed = parse_number(percent)
    _positive("n", n)
    return tuple(_sums(printed, n, True, check_schemes(schemes))[1])


def nearest_counts(percent: str, n: int) -> tuple[int, ...]:
    """The counts k in 0..n whose percentage 100 k / n is nearest the printed value,
    exactly (two counts when the printed value lies half-way between them). The
    reading of a percentage that no count out of n gives: the count(s) a reader would
    take it for, so that a check whose input it is can still run at the printed n."""
    target = Fraction(parse_number(percent).value)
    _positive("n", n)
    below = max(0, min(n, (target * n / 100).__floor__()))
    ks = sorted({below, min(n, below + 1)})
    gaps = {k: abs(Fraction(100 * k, n) - target) for k in ks}
    best = min(gaps.values())
    return tuple(k for k in ks if gaps[k] == best)


def grimmer(x: str, sd: str, n: int, items: int = 1,
            schemes: tuple[str, ...] = UP_OR_DOWN) -> ScrutinyResult:
    """GRIMMER: mean ``x`` and SD ``sd`` (n - 1 denominator) of ``n`` integer values.

    For each GRIM-consistent sum S, the SDs that print as ``sd`` need an integer sum of
    squares Q in (n - 1) * [SD interval]^2 + S^2 / n, and Q must be even iff S is even.
    Candidates: the sums S that pass. This is a necessary condition only (as in scrutiny):
    a pass does not prove that integers with that S and Q exist. With ``items > 1`` only
    the GRIM part is tested (the parity argument assumes items = 1)."""
    sd_printed = parse_number(sd)
    _positive("n", n, least=2)
    result = grim(x, n, items, schemes=schemes)
    if not result.consistent:
        return replace(result, reason="GRIM fails: " + result.reason)
    if items != 1:
        return replace(result, reason=result.reason + f"; SD {sd} not tested: GRIMMER's "
                       "sum-of-squares parity test assumes items = 1")
    variances = unround(sd_printed, schemes).squared()
    if variances is None:
        return replace(result, consistent=False, candidates=(),
                       reason=f"SD {sd} is negative{_under(schemes)}")
    passing, failures, witness = [], [], None
    for s in result.candidates:
        squares = variances.affine(n - 1, Fraction(s * s, n))   # Q = (n-1) var + S^2/n
        qs = squares.integers()
        same_parity = [q for q in qs[:2] if (q - s) % 2 == 0]
        if same_parity:
            passing.append(s)
            witness = witness or (s, same_parity[0])
        elif not qs:
            failures.append(f"for sum {s} no integer sum of squares gives SD {sd} (it "
                            f"would lie between {_show(squares.lower, 4)} and "
                            f"{_show(squares.upper, 4)})")
        else:
            failures.append(f"for sum {s} only the sum of squares {qs[0]} gives SD {sd}, "
                            f"but it is {'odd' if qs[0] % 2 else 'even'} and the sum "
                            f"{'odd' if s % 2 else 'even'} (x² ≡ x mod 2)")
    if not passing:
        more = len(failures) - _SHOWN
        reason = (f"mean {x} fits n = {n} but not SD {sd}: " + "; ".join(failures[:_SHOWN])
                  + (f"; and {more} more sums likewise" if more > 0 else "")
                  + _under(schemes))
        return replace(result, consistent=False, candidates=(), reason=reason)
    s, q = witness
    variance = (q - Fraction(s * s, n)) / (n - 1)
    reason = (f"mean {x} and SD {sd} are possible with n = {n}: e.g. sum {s} and sum of "
              f"squares {q} give SD "
              f"{_approx(variance, sd_printed.decimals + 2, sqrt=True)}")
    if len(passing) > 1:
        reason += f" ({len(passing)} sums pass)"
    return replace(result, reason=reason + _under(schemes), candidates=tuple(passing))


def debit(x: str, sd: str, n: int,
          schemes: tuple[str, ...] = UP_OR_DOWN) -> ScrutinyResult:
    """DEBIT: mean ``x`` (a proportion) and SD ``sd`` of ``n`` binary values.

    Over the means p that print as ``x`` (clipped to [0, 1]) the SD sqrt(n / (n - 1) *
    p (1 - p)) ranges from its value at the end farther from 0.5 up to its value at
    p = 0.5 when 0.5 is inside the interval (else at the nearer end). Consistent iff
    some SD in that range prints as ``sd``. Candidates: the counts k in 0..n whose
    exact k / n prints as ``x`` and whose SD prints as ``sd`` (may be empty even when
    consistent; that is a GRIM-type finding, reported in ``reason``)."""
    printed = parse_number(x)
    sd_printed = parse_number(sd)
    _positive("n", n, least=2)
    schemes = check_schemes(schemes)
    means = unround(printed, schemes)
    variances = unround(sd_printed, schemes).squared()
    p_range = means.intersect(Interval(Fraction(0), Fraction(1)))

    def var(p: Fraction) -> Fraction:
        return Fraction(n, n - 1) * p * (1 - p)

    lower, upper = _bounds(means)

    def fail(reason: str) -> ScrutinyResult:
        return ScrutinyResult(False, reason + _under(schemes), lower, upper, ())

    if p_range is None:
        return fail(f"mean {x} is outside [0, 1], so it is not a mean of binary data")
    if variances is None:
        return fail(f"SD {sd} is negative")
    a, b = p_range.lower, p_range.upper
    low = min(var(a), var(b))
    low_in = ((var(a) == low and p_range.lower_included)
              or (var(b) == low and p_range.upper_included))
    if p_range.contains(HALF):
        high, high_in, where = var(HALF), True, " (at p = 0.5)"
    elif b <= HALF:
        high, high_in, where = var(b), p_range.upper_included, ""
    else:
        high, high_in, where = var(a), p_range.lower_included, ""
    reachable = Interval(low, high, low_in, high_in)
    span = (f"with n = {n} the SD of binary data with mean {x} runs from "
            f"{_show(low, sd_printed.decimals + 2, sqrt=True)} to "
            f"{_show(high, sd_printed.decimals + 2, sqrt=True)}{where}")
    if reachable.intersect(variances) is None:
        return fail(f"{span}, and no SD in that range prints as {sd}")
    ks = [k for k in means.affine(n).integers()
          if 0 <= k <= n and variances.contains(var(Fraction(k, n)))]
    reason = f"{span}, which includes SDs that print as {sd}"
    if not ks:
        reason += f"; but no count k of ones out of {n} gives both mean {x} and SD {sd}"
    return ScrutinyResult(True, reason + _under(schemes), lower, upper, tuple(ks))


# --- implied n ------------------------------------------------------------------------

_KINDS = ("mean", "percent")


def _grim_value(value: tuple[str, str, int], n: int, schemes) -> ScrutinyResult:
    text, kind, items = value
    if kind not in _KINDS:
        raise ValueError(f"{value!r}: kind must be one of {_KINDS}, got {kind!r}")
    return grim(text, n, items=items, percent=kind == "percent", schemes=schemes)


def implied_n(values: list[tuple[str, str, int]], n_candidates: range,
              schemes: tuple[str, ...] = UP_OR_DOWN) -> list[int]:
    """The sample sizes n in ``n_candidates`` under which every printed value is
    GRIM-possible. Each value is (printed text, kind, items): kind 'mean' (a mean of n
    people's means of ``items`` integer items) or 'percent' (a percentage of n * items
    binary observations). A percentage table whose values all fit 44 but not the
    printed 46 says the percentages are of 44 people."""
    schemes = check_schemes(schemes)
    for value in values:
        _grim_value(value, 1, schemes)          # the kind is checked even with no n
    return [n for n in n_candidates
            if all(_grim_possible(text, n, items, kind == "percent", schemes)
                   for text, kind, items in values)]


def implied_n_reason(values: list[tuple[str, str, int]], n_candidates: range,
                     schemes: tuple[str, ...] = UP_OR_DOWN, *, shown: int = _SHOWN) -> str:
    """``implied_n`` in words: which n fit all values (with the fitting ratios for the
    first of them) and, for up to ``shown`` ruled-out n, the first value that fails and
    GRIM's reason."""
    schemes = check_schemes(schemes)
    fits = implied_n(values, n_candidates, schemes)
    texts = [f"{t}%" if kind == "percent" else t for t, kind, _ in values]
    span = (f"n = {n_candidates[0]}..{n_candidates[-1]}" if len(n_candidates) > 1
            else f"n = {n_candidates[0]}" if n_candidates else "no n")
    if fits:
        first = fits[0]
        ratios = "; ".join(f"{txt}: {_grim_value(v, first, schemes).reason}"
                           for txt, v in zip(texts, values))
        head = (f"of {span}, {'only ' if len(fits) == 1 else ''}n = "
                f"{', '.join(map(str, fits))} fit{'s' if len(fits) == 1 else ''} all "
                f"{len(values)} values ({', '.join(texts)}); at n = {first}: {ratios}")
    else:
        head = f"no n in {span} fits all {len(values)} values ({', '.join(texts)})"
    ruled_out = []
    for n in n_candidates:
        if n in fits:
            continue
        for txt, v in zip(texts, values):
            result = _grim_value(v, n, schemes)
            if not result.consistent:
                ruled_out.append(f"n = {n} fails at {txt} ({result.reason})")
                break
        if len(ruled_out) == shown:
            break
    more = len(n_candidates) - len(fits) - len(ruled_out)
    if ruled_out:
        head += "; ruled out: " + "; ".join(ruled_out)
        if more > 0:
            head += f"; and {more} more n"
    return head
