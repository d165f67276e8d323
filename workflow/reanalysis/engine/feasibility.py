"""Can n values within known bounds have the printed mean and SD? (SPRITE / CLOSURE)

GRIM and GRIMMER (``scrutiny.py``) ask whether a mean and SD fit the granularity of
integer data. This module asks the question SPRITE (Heathers, Anaya, van der Zee &
Brown 2018, "Recovering data from summary statistics: Sample Parameter Reconstruction
via Iterative TEchniques (SPRITE)", PeerJ Preprints 6:e26968) and CLOSURE (Bauer 2023,
"CLOSURE: complete listing of original samples of underlying raw evidence") answer:
given that every value lies in [lower, upper] -- a scale's range, a follow-up's length,
or a printed range whose ends were observed -- can a sample of n values have a mean and
an SD (n - 1 denominator) that print as the printed ones?

* ``variance_bounds_continuous`` / ``sd_bounds_continuous``: the exact smallest and
  largest SD of n real values in [lower, upper] with a mean in an interval, optionally
  with the observed minimum and maximum pinned (two of the values are those, the rest
  lie between them).

  Largest: for a fixed mean the sum of squares is convex, so its maximum over the box
  with a fixed sum is at a vertex: every free value at a bound except at most one. Write
  the free values' total as t bound-widths above ``f * lo``; the variance is then a
  piecewise quadratic in t, convex on each piece between integers, so the largest
  variance over the mean's interval is at one of the interval's ends or at an integer t
  (all free values at the bounds), and among integer t the variance is concave, so only
  the two integers around its peak need to be looked at.

  Smallest: for a fixed sum the free values are best all equal (their sum of squares is
  then T^2 / f), and the variance is then a convex quadratic in the sum, smallest where
  the free values equal the pinned values' mean (0 with nothing pinned), or at the
  nearer end of the mean's interval.
* ``sd_feasibility``: continuous data -- feasible iff the SD's unrounding interval meets
  the achievable SDs (exact, both ways). Integer data -- exact bounds and the
  sum-of-squares parity first (each can prove impossibility), then an exhaustive search
  over all multisets of n integers whose sum fits the mean (CLOSURE-like, pruned by
  sum and sum-of-squares bounds; proves possibility and impossibility) while it stays
  under ``max_exhaustive`` search nodes, else a seeded SPRITE search (random start, then
  moves of one value up by 1 and another down by 1 that take the sum of squares toward
  the target), which can only prove possibility: when it finds nothing, the answer is
  ``None`` ("not found by a seeded search"), never False.

All arithmetic is exact (``Fraction``); the rounding intervals come from
``rounding.unround``, so the schemes are those of ``rounding.READINGS``. The SDs shown in
results are floats (square roots of the exact variances) for reading only.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from .rounding import Interval, check_schemes, describe_schemes, parse_number, unround

UP_OR_DOWN = ("half_up", "half_down")
DEFAULT_MAX_EXHAUSTIVE = 200_000     # search nodes (partial data sets) before SPRITE
SPRITE_RESTARTS = 20
SPRITE_STEPS = 2_000                 # moves per restart
_MAX_SUMS_FOR_INTEGER_BOUNDS = 100_000


# --- exact bounds for continuous data ---------------------------------------------------

class SDBounds(NamedTuple):
    """Smallest and largest SD (floats; the exact variances are given by
    ``variance_bounds_continuous``)."""

    sd_min: float
    sd_max: float


@dataclass(frozen=True)
class VarianceBounds:
    """The achievable sample variances, as an interval (an end included when some data set
    attains it), with a data set at each end (sorted; Fractions)."""

    variances: Interval
    at_min: tuple
    at_max: tuple

    @property
    def sd_min(self) -> float:
        return math.sqrt(self.variances.lower)

    @property
    def sd_max(self) -> float:
        return math.sqrt(self.variances.upper)


def _q(value) -> Fraction:
    """A bound as an exact rational: text and Decimal as written, a float by its shortest
    repr (8.1 -> 81/10, not the binary double)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"bound {value!r} is not finite")
        return Fraction(repr(value))
    if isinstance(value, str):
        return Fraction(Decimal(value))
    return Fraction(value)


def _as_interval(mean) -> Interval:
    if isinstance(mean, Interval):
        return mean
    lo, hi = mean
    return Interval(_q(lo), _q(hi))


def _pins(lower: Fraction, upper: Fraction, observed_min, observed_max):
    """(pinned values, free values' lower bound, free values' upper bound)."""
    pins = []
    lo, hi = lower, upper
    if observed_min is not None:
        lo = _q(observed_min)
        pins.append(lo)
    if observed_max is not None:
        hi = _q(observed_max)
        pins.append(hi)
    if not lower <= lo <= hi <= upper:
        raise ValueError(f"need lower <= observed_min <= observed_max <= upper, got "
                         f"{lower}, {lo}, {hi}, {upper}")
    return pins, lo, hi


def variance_bounds_continuous(mean, n: int, lower, upper, *, observed_min=None,
                               observed_max=None) -> VarianceBounds | None:
    """Exact range of the sample variance (n - 1 denominator) of n real values in
    [lower, upper] whose mean lies in ``mean`` (an ``Interval``, whose ends may be
    excluded, or a (low, high) pair, closed). With ``observed_min`` / ``observed_max``
    one value each is pinned there and the others lie between them. None when no such
    data set exists (the mean is out of reach)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    lower, upper = _q(lower), _q(upper)
    if lower > upper:
        raise ValueError(f"lower {lower} > upper {upper}")
    pins, lo, hi = _pins(lower, upper, observed_min, observed_max)
    means = _as_interval(mean)
    p, f = len(pins), n - len(pins)
    if f < 0:
        raise ValueError(f"n = {n} is too small for {p} pinned values")
    big_p = sum(pins, Fraction(0))
    totals = means.affine(n, -big_p).intersect(Interval(f * lo, f * hi))   # free sum T
    if totals is None:
        return None

    def variance(values) -> Fraction:
        s = sum(values, Fraction(0))
        return (sum((v * v for v in values), Fraction(0)) - s * s / n) / (n - 1)

    width = hi - lo
    if f == 0 or width == 0:         # the free values are fixed (or there are none)
        data = tuple(sorted(pins + [lo] * f))
        v = variance(data)
        return VarianceBounds(Interval(v, v), data, data)

    def extreme(total: Fraction) -> list:
        """Free values with this sum and the largest sum of squares: k at hi, one
        between, the rest at lo."""
        t = (total - f * lo) / width
        k = min(math.floor(t), f - 1)
        middle = lo + (t - k) * width
        return pins + [hi] * k + [middle] + [lo] * (f - k - 1)

    def even(total: Fraction) -> list:
        return pins + [total / f] * f

    # largest: the ends of the sum's interval and the integers t around the peak
    candidates = [(totals.lower, totals.lower_included), (totals.upper, totals.upper_included)]
    t_lo = math.ceil((totals.lower - f * lo) / width)
    t_hi = math.floor((totals.upper - f * lo) / width)
    peak = (Fraction(n) * (lo + hi) / 2 - big_p - f * lo) / width
    for k in {math.floor(peak), math.ceil(peak)}:
        k = min(max(k, t_lo), t_hi)
        if t_lo <= k <= t_hi:
            total = f * lo + k * width
            candidates.append((total, totals.contains(total)))
    scored = [(variance(extreme(t)), t, inside) for t, inside in candidates]
    v_max = max(v for v, _, _ in scored)
    max_in = any(inside for v, _, inside in scored if v == v_max)
    at_max = extreme(next(t for v, t, inside in sorted(scored, key=lambda r: not r[2])
                          if v == v_max))
    # smallest: free values all equal, their sum nearest f * mean(pins)
    best = f * big_p / p if p else totals.lower
    if totals.contains(best):
        min_total, min_in = best, True
    elif best <= totals.lower:
        min_total, min_in = totals.lower, totals.lower_included
    else:
        min_total, min_in = totals.upper, totals.upper_included
    if not p:
        min_in = True                # every mean in the interval gives variance 0
        if not totals.contains(min_total):
            min_total = (totals.lower + totals.upper) / 2
    at_min = even(min_total)
    v_min = variance(at_min)
    return VarianceBounds(Interval(v_min, v_max, min_in, max_in),
                          tuple(sorted(at_min)), tuple(sorted(at_max)))


def sd_bounds_continuous(mean_lo, mean_hi, n: int, lower, upper, *, observed_min=None,
                         observed_max=None) -> SDBounds:
    """The smallest and largest sample SD (n - 1 denominator) of n real values in
    [lower, upper] with a mean in [mean_lo, mean_hi]; with ``observed_min`` and
    ``observed_max`` (a printed range whose ends were observed) two values are pinned
    there and the rest lie between them. Exact (the floats are square roots of exact
    rational variances; see ``variance_bounds_continuous``). ValueError when no such
    data set exists."""
    bounds = variance_bounds_continuous((mean_lo, mean_hi), n, lower, upper,
                                        observed_min=observed_min, observed_max=observed_max)
    if bounds is None:
        raise ValueError(f"no {n} values in [{lower}, {upper}] have a mean in "
                         f"[{mean_lo}, {mean_hi}]")
    return SDBounds(bounds.sd_min, bounds.sd_max)


# --- integer data: exact bounds, exhaustive search, SPRITE ----------------------------------

@dataclass(frozen=True)
class FeasibilityResult:
    """Outcome of ``sd_feasibility``.

    ``feasible``: True (a data set was found, or for continuous data exists), False
    (proved impossible), None (not decided: a seeded search found nothing).
    ``sd_min``/``sd_max``: the smallest and largest SD any admissible data set has (for
    integer data over integers; None when the mean itself is impossible).
    ``mean_interval``/``sd_interval``: the printed mean's and SD's unrounding intervals.
    ``method``: 'continuous' (exact bounds), 'bounds' (integer data ruled out by exact
    bounds, GRIM or parity), 'exhaustive' (complete search), 'sprite' (seeded search).
    ``example``: a data set (sorted) whose mean and SD print as the printed ones, if one
    was found or constructed."""

    feasible: bool | None
    sd_min: float | None
    sd_max: float | None
    mean_interval: Interval
    sd_interval: Interval
    method: str
    reason: str
    example: tuple | None = None


def _fmt(value) -> str:
    v = float(value)
    return str(int(v)) if v == int(v) and abs(v) < 1e15 else format(v, ".6g")


def _data_text(data) -> str:
    """'8, 8, 8, 14.5, 24'; past 10 values as counts: '1 (×34), 2 (×55), 7 (×12)'."""
    if len(data) <= 10:
        return ", ".join(_fmt(v) for v in data)
    counts: dict = {}
    for v in data:
        counts[v] = counts.get(v, 0) + 1
    return ", ".join(f"{_fmt(v)} (×{c})" if c > 1 else _fmt(v) for v, c in counts.items())


def _min_squares(r: int, total: int) -> int:
    """Least sum of squares of r integers with this sum: as equal as possible."""
    q, rem = divmod(total, r)
    return rem * (q + 1) ** 2 + (r - rem) * q * q


def _max_squares(r: int, total: int, lo: int, hi: int) -> int:
    """Largest sum of squares of r integers in [lo, hi] with this sum: at the bounds but
    one (sum of squares is convex, and the vertex is an integer point)."""
    if r == 0:
        return 0
    if hi == lo:
        return r * lo * lo
    k = min((total - r * lo) // (hi - lo), r)
    if k == r:
        return r * hi * hi
    middle = total - k * hi - (r - k - 1) * lo
    return k * hi * hi + middle * middle + (r - k - 1) * lo * lo


class _Budget(Exception):
    pass


def _exhaustive(free: int, lo: int, hi: int, pins: list[int], targets: dict, budget: int):
    """A multiset of ``free`` integers in [lo, hi] that with ``pins`` has a sum S in
    ``targets`` and a sum of squares in ``targets[S]`` (a range), or None when there is
    none. Nondecreasing depth-first enumeration, pruned by the reachable sums and sums of
    squares; raises _Budget after ``budget`` nodes."""
    p_sum, p_sq = sum(pins), sum(v * v for v in pins)
    nodes = 0

    def search(r: int, rest: int, smallest: int, squares: int, chosen: list, q_range):
        nonlocal nodes
        nodes += 1
        if nodes > budget:
            raise _Budget
        if r == 0:
            return list(chosen) if rest == 0 and squares in q_range else None
        if not r * smallest <= rest <= r * hi:
            return None
        if (squares + _min_squares(r, rest) > q_range[-1]
                or squares + _max_squares(r, rest, smallest, hi) < q_range[0]):
            return None
        for x in range(smallest, min(hi, rest // r) + 1):
            chosen.append(x)
            found = search(r - 1, rest - x, x, squares + x * x, chosen, q_range)
            chosen.pop()
            if found is not None:
                return found
        return None

    for s, q_range in targets.items():
        found = search(free, s - p_sum, lo, p_sq, [], q_range)
        if found is not None:
            return sorted(pins + found), nodes
    return None, nodes


def _sprite(free: int, lo: int, hi: int, pins: list[int], targets: dict, rng: random.Random,
            restarts: int, steps: int):
    """SPRITE: from a random start with a fitting sum, move one value down by 1 and another
    (at least as large) up by 1 -- or, to shrink the SD, one value up and a larger one
    down -- so that the sum stays and the sum of squares goes toward the target range,
    preferring moves that do not overshoot it. The data are kept as counts per value, so
    a move costs the width of [lo, hi], not n. None when nothing is found."""
    p_sum, p_sq = sum(pins), sum(v * v for v in pins)
    sums = sorted(targets)
    if free == 0:
        return sorted(pins) if p_sq in targets.get(p_sum, ()) else None
    width = hi - lo
    for _ in range(restarts):
        s = rng.choice(sums)
        q_range = targets[s]
        q_lo, q_hi = q_range[0], q_range[-1]
        x = [rng.randint(lo, hi) for _ in range(free)]
        gap = s - p_sum - sum(x)
        while gap:
            i = rng.randrange(free)
            if gap > 0 and x[i] < hi:
                x[i] += 1
                gap -= 1
            elif gap < 0 and x[i] > lo:
                x[i] -= 1
                gap += 1
        count = [0] * (width + 1)                 # count[v - lo]
        for v in x:
            count[v - lo] += 1
        q = p_sq + sum(v * v for v in x)
        for _ in range(steps):
            if q_lo <= q <= q_hi:
                data = [lo + i for i, c in enumerate(count) for _ in range(c)]
                return sorted(pins + data)
            up = q < q_lo
            present = [i for i, c in enumerate(count) if c]
            # up: a -> a - 1 and b -> b + 1, b >= a (two values at a if b == a):
            #     Q grows by 2 (b - a) + 2; down: a -> a + 1 and b -> b - 1, b >= a + 2:
            #     Q falls by 2 (b - a) - 2
            firsts = [a for a in present if a > 0] if up else present
            rng.shuffle(firsts)
            move = None
            for a in firsts:
                if up:
                    partners = [b for b in present
                                if b < width and (b > a or (b == a and count[a] > 1))]
                    change = [2 * (b - a) + 2 for b in partners]
                    fitting = [b for b, d in zip(partners, change) if q + d <= q_hi]
                else:
                    partners = [b for b in present if b >= a + 2]
                    change = [2 * (b - a) - 2 for b in partners]
                    fitting = [b for b, d in zip(partners, change) if q - d >= q_lo]
                if partners:
                    move = (a, rng.choice(fitting or partners))
                    break
            if move is None:
                break                                # stuck: restart
            a, b = move
            if up:
                count[a] -= 1
                count[a - 1] += 1
                count[b] -= 1
                count[b + 1] += 1
                q += 2 * (b - a) + 2
            else:
                count[a] -= 1
                count[a + 1] += 1
                count[b] -= 1
                count[b - 1] += 1
                q -= 2 * (b - a) - 2
    return None


def _targets(means: Interval, variances: Interval, n: int, free_sum: Interval,
             p_sum: int) -> dict:
    """{sum S: range of sums of squares Q} for integer data: S fits the mean and leaves
    the free values a reachable sum; Q = (n - 1) var + S^2 / n for a var that prints as
    the SD, with Q of the parity of S (x^2 has the parity of x)."""
    out = {}
    reachable = means.affine(n).intersect(free_sum.affine(1, p_sum))
    if reachable is None:
        return out
    for s in reachable.integers():
        qs = variances.affine(n - 1, Fraction(s * s, n)).integers()
        start = next((q for q in qs[:2] if (q - s) % 2 == 0), None)
        if start is not None:
            out[s] = range(start, qs[-1] + 1, 2)
    return out


def _integer_bounds(sums, n: int, free: int, lo: int, hi: int, pins: list[int]):
    """Exact least and largest variance of integer data over the sums (Fractions)."""
    p_sum, p_sq = sum(pins), sum(v * v for v in pins)
    v_min = v_max = None
    for s in sums:
        r = s - p_sum
        low = p_sq + (_min_squares(free, r) if free else 0)
        high = p_sq + _max_squares(free, r, lo, hi)
        a, b = (Fraction(n * low - s * s, n * (n - 1)), Fraction(n * high - s * s, n * (n - 1)))
        v_min = a if v_min is None else min(v_min, a)
        v_max = b if v_max is None else max(v_max, b)
    return v_min, v_max


def sd_feasibility(mean: str, sd: str, n: int, lower, upper, *, integer: bool = False,
                   observed_range: bool = False, schemes=UP_OR_DOWN, seed: int = 1,
                   max_exhaustive: int = DEFAULT_MAX_EXHAUSTIVE,
                   sprite_restarts: int = SPRITE_RESTARTS,
                   sprite_steps: int = SPRITE_STEPS) -> FeasibilityResult:
    """Can n values in [lower, upper] have a mean printing as ``mean`` and a sample SD
    (n - 1 denominator) printing as ``sd`` under one of ``schemes``?

    ``observed_range``: [lower, upper] is a printed range whose ends were observed, so one
    value equals lower and one equals upper. ``integer``: the values are integers (lower
    and upper are then rounded inward). Continuous data are decided exactly by bounds;
    integer data by exact bounds and parity, then an exhaustive search of up to
    ``max_exhaustive`` nodes, then a SPRITE search seeded with ``seed`` (deterministic),
    which cannot prove impossibility (``feasible`` None)."""
    schemes = check_schemes(schemes)
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    means = unround(parse_number(mean), schemes)
    sd_interval = unround(parse_number(sd), schemes)
    variances = sd_interval.squared()
    lower, upper = _q(lower), _q(upper)
    if integer:
        lower, upper = Fraction(math.ceil(lower)), Fraction(math.floor(upper))
    if lower > upper:
        raise ValueError(f"no {'integer ' if integer else ''}values in [{lower}, {upper}]")
    obs = dict(observed_min=lower, observed_max=upper) if observed_range else {}
    kind = "integers" if integer else "values"
    where = (f"{n} {kind} in [{_fmt(lower)}, {_fmt(upper)}]"
             + (f" with {_fmt(lower)} and {_fmt(upper)} observed" if observed_range else ""))
    given = (f"mean {mean} ({means.text()}) and SD {sd} ({sd_interval.text()}), read as "
             f"{describe_schemes(schemes)}")
    q = _Question(mean, sd, n, means, sd_interval, variances, where, given)

    if variances is None:
        return q.result(False, "bounds", f"SD {sd} is negative")
    bounds = variance_bounds_continuous(means, n, lower, upper, **obs)
    if bounds is None:
        return q.result(False, "bounds", f"no {where} have a mean that prints as {mean} "
                        f"({means.text()})")
    span = (f"with {where} and a mean in {means.text()} the SD runs from "
            f"{bounds.sd_min:.4f} (e.g. {_data_text(bounds.at_min)}) to "
            f"{bounds.sd_max:.4f} (e.g. {_data_text(bounds.at_max)})")
    meet = bounds.variances.intersect(variances)
    if not integer:
        if meet is None:
            return q.result(False, "continuous", f"{span}; SD {sd} needs {sd_interval.text()}, "
                            f"so it is impossible [{given}]", bounds.sd_min, bounds.sd_max)
        return q.result(True, "continuous", f"{span}, which includes SDs that print as {sd} "
                        f"[{given}]", bounds.sd_min, bounds.sd_max)
    if meet is None:
        return q.result(False, "bounds", f"{span} even for real values; SD {sd} needs "
                        f"{sd_interval.text()}, so it is impossible [{given}]",
                        bounds.sd_min, bounds.sd_max)
    pins = [int(lower), int(upper)] if observed_range else []
    search = _Search(seed, max_exhaustive, sprite_restarts, sprite_steps)
    return _integer_feasibility(q, bounds, int(lower), int(upper), pins, search)


@dataclass(frozen=True)
class _Question:
    """What ``sd_feasibility`` is asked: the printed mean and SD with their unrounding
    intervals (the SD's squared: ``variances``), n, the data in words (``where``) and the
    printed numbers with their reading (``given``), as every reason states them."""

    mean: str
    sd: str
    n: int
    means: Interval
    sd_interval: Interval
    variances: Interval | None
    where: str
    given: str

    def result(self, feasible, method, reason, lo_sd=None, hi_sd=None, example=None):
        return FeasibilityResult(feasible, lo_sd, hi_sd, self.means, self.sd_interval, method,
                                 reason, None if example is None else tuple(example))


class _Search(NamedTuple):
    """How integer data are searched: SPRITE's seed, the exhaustive search's budget in
    nodes, SPRITE's restarts and moves per restart."""

    seed: int
    max_exhaustive: int
    restarts: int
    steps: int


def _integer_feasibility(q: _Question, bounds: VarianceBounds, lo_i: int, hi_i: int,
                         pins: list[int], search: _Search) -> FeasibilityResult:
    """Integer data in [lo_i, hi_i] (``pins``: the observed ends), once real values allow
    the SD: ruled out by an integer sum that prints as the mean, by exact integer bounds
    or by parity (GRIMMER), else searched for."""
    n, mean, sd, given = q.n, q.mean, q.sd, q.given
    free = n - len(pins)
    free_sum = Interval(Fraction(free * lo_i), Fraction(free * hi_i))
    sums = q.means.affine(n).intersect(free_sum.affine(1, sum(pins)))
    sums = sums.integers() if sums is not None else range(0)
    if not sums:
        return q.result(False, "bounds", f"no {q.where} have a mean that prints as {mean}: "
                        f"no integer sum lies in {n} × {q.means.text()} [{given}]")
    if len(sums) <= _MAX_SUMS_FOR_INTEGER_BOUNDS:
        v_min, v_max = _integer_bounds(sums, n, free, lo_i, hi_i, pins)
        lo_sd, hi_sd = math.sqrt(v_min), math.sqrt(v_max)
        if Interval(v_min, v_max).intersect(q.variances) is None:
            return q.result(False, "bounds", f"with {q.where} and a mean that prints as {mean} "
                            f"the SD runs from {lo_sd:.4f} to {hi_sd:.4f}; SD {sd} needs "
                            f"{q.sd_interval.text()}, so it is impossible [{given}]",
                            lo_sd, hi_sd)
    else:
        lo_sd, hi_sd = bounds.sd_min, bounds.sd_max
    targets = _targets(q.means, q.variances, n, free_sum, sum(pins))
    if not targets:
        return q.result(False, "bounds", f"for no integer sum S that prints as mean {mean} is "
                        f"there an integer sum of squares Q of the parity of S giving SD {sd} "
                        f"(GRIMMER) [{given}]", lo_sd, hi_sd)
    return _search_integers(q, free, lo_i, hi_i, pins, targets, (lo_sd, hi_sd), search)


def _search_integers(q: _Question, free: int, lo_i: int, hi_i: int, pins: list[int],
                     targets: dict, sds: tuple, search: _Search) -> FeasibilityResult:
    """The exhaustive search while it stays within its budget (proves either way), else
    SPRITE (can only find a data set); ``sds``: the SD's bounds the result states."""
    n, mean, sd, given = q.n, q.mean, q.sd, q.given
    try:
        found, nodes = _exhaustive(free, lo_i, hi_i, pins, targets, search.max_exhaustive)
    except _Budget:
        found = nodes = None
    if nodes is not None:
        if found is None:
            return q.result(False, "exhaustive", f"no multiset of {q.where} has both mean {mean} "
                            f"and SD {sd} (all {nodes} partial data sets of the pruned "
                            f"search checked) [{given}]", *sds)
        return q.result(True, "exhaustive", f"{_data_text(found)} has mean "
                        f"{_fmt(Fraction(sum(found), n))} and SD {_sd_text(found)}, printing "
                        f"as {mean} and {sd} [{given}]", *sds, found)
    seed = search.seed
    rng = random.Random(seed)
    found = _sprite(free, lo_i, hi_i, pins, targets, rng, search.restarts, search.steps)
    if found is None:
        return q.result(None, "sprite", f"not found by a seeded search (SPRITE, seed {seed}, "
                        f"{search.restarts} restarts × {search.steps} moves); the exhaustive "
                        f"search needs more than {search.max_exhaustive} nodes, so impossibility "
                        f"is not proved [{given}]", *sds)
    return q.result(True, "sprite", f"{_data_text(found)} has mean "
                    f"{_fmt(Fraction(sum(found), n))} and SD {_sd_text(found)}, printing as "
                    f"{mean} and {sd} (found by SPRITE, seed {seed}) [{given}]",
                    *sds, found)


def _sd_text(data) -> str:
    n = len(data)
    s, q = sum(data), sum(v * v for v in data)
    return f"{math.sqrt(Fraction(n * q - s * s, n * (n - 1))):.4f}"
